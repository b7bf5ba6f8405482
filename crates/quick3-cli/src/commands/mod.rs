//! Runs a parsed command line: opens the store (and, in demo mode, an emulator), then hands the
//! command to its module.

mod account;
mod admin;
mod appointment;
mod backup;
mod config;
mod daemon;
mod demo;
mod job;
mod mail;
mod org;
mod resource;
mod sync;
mod sync_log;
mod sync_undo;

use anyhow::Context;
use quick3_core::identity::{Credentials, EndpointSettings, Keyring};
use quick3_core::{Store, paths};

use crate::args::{Cli, Command, EmulatorCommand};

/// What a command runs against.
/// A command given a value it cannot take: `quick3` exits 2 (a usage error) with this sentence.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

pub struct Session {
    pub store: Store,
    pub runtime: tokio::runtime::Runtime,
    endpoint_settings: EndpointSettings,
    /// Keeps the demo emulator serving while the command runs.
    _emulator: Option<m365_emulator::demo::DemoInstance>,
}

impl Session {
    /// The Microsoft credentials of this installation (keyring + endpoints).
    /// The OS keyring of this installation.
    pub fn secrets(
        &mut self,
    ) -> anyhow::Result<std::sync::Arc<dyn quick3_core::identity::SecretStore>> {
        Ok(Keyring::for_installation(&self.store.installation_id()?))
    }

    pub fn credentials(&mut self) -> anyhow::Result<Credentials> {
        let endpoints = self.endpoint_settings.resolve()?;
        let secrets = Keyring::for_installation(&self.store.installation_id()?);
        Ok(Credentials::new(endpoints, secrets)?)
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if let Command::Emulator(EmulatorCommand::Serve(args)) = &cli.command {
        return Ok(runtime.block_on(m365_emulator::serve_until_signal(args.to_config()))?);
    }
    if let Command::Backup(command) = &cli.command {
        // Before the session: the database may be the damaged one a backup replaces.
        return backup::run(&database_path(&cli)?, command);
    }
    let mut session = open_session(&cli, runtime)?;
    let now = chrono::Utc::now();
    match cli.command {
        Command::Resource(command) => resource::run(&mut session, command, now),
        Command::Appointment(command) => appointment::run(&mut session.store, *command, now),
        Command::Admin(command) => admin::run(&mut session.store, command, now),
        Command::Account(command) => account::run(&mut session, command),
        Command::Config(command) => config::run(&mut session, command),
        Command::Org(command) => org::run(&mut session, command),
        Command::Emulator(_) | Command::Backup(_) => Ok(()),
        Command::Job(command) => job::run(&mut session, command, now),
        Command::Mail(command) => mail::run(&mut session, command),
        Command::Daemon { once } => daemon::run(&mut session, once),
        Command::Sync(command) => sync::dispatch(&mut session, command),
        Command::Demo(command) => demo::run(&mut session.store, command, now),
    }
}

/// The name of the resource `id` among `resources` (empty when it is not there), for listings.
fn resource_name(
    resources: &[quick3_core::model::Resource],
    id: quick3_core::ids::ResourceId,
) -> String {
    resources
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.name.clone())
        .unwrap_or_default()
}

/// The data folder of this command line (demo mode's own unless a folder is given).
fn data_folder(cli: &Cli) -> anyhow::Result<std::path::PathBuf> {
    if cli.demo {
        return Ok(paths::demo_dir(cli.data_dir.as_deref())?);
    }
    Ok(paths::data_dir(cli.data_dir.as_deref())?)
}

fn database_path(cli: &Cli) -> anyhow::Result<std::path::PathBuf> {
    Ok(paths::database_in(&data_folder(cli)?)?)
}

fn open_session(cli: &Cli, runtime: tokio::runtime::Runtime) -> anyhow::Result<Session> {
    let dir = data_folder(cli)?;
    let database = paths::database_in(&dir)?;
    let mut store = match Store::open_checked(&database) {
        Ok(store) => store,
        // Its message names the file and the way back already.
        Err(err @ quick3_core::error::CoreError::DamagedDatabase { .. }) => return Err(err.into()),
        Err(err) => {
            return Err(anyhow::Error::new(err).context(format!(
                "the database {} could not be opened",
                database.display()
            )));
        }
    };
    // The first command of a day keeps a backup of the database as it was before it.
    if let Err(err) = store.back_up_daily(chrono::Utc::now()) {
        eprintln!("quick3: today's backup of the database could not be written: {err}");
    }
    if let Some(zone) = &cli.time_zone {
        store.set_default_zone(zone)?;
    }
    let (endpoint_settings, emulator) = if cli.demo {
        quick3_core::demo::seed(&mut store, chrono::Utc::now())?;
        // The app and the CLI share one demo emulator per data folder, on ports kept there.
        let instance = runtime
            .block_on(m365_emulator::demo::start_or_join(&dir))
            .context("the demo emulator could not start")?;
        let endpoints = instance.endpoints();
        let settings = EndpointSettings::emulator(
            endpoints.authority,
            endpoints.http_authority,
            endpoints.graph,
            &endpoints.ca_cert,
            m365_emulator::DEMO_CLIENT_ID,
        );
        (settings, Some(instance))
    } else {
        (store.endpoint_settings()?.with_env(), None)
    };
    Ok(Session {
        store,
        runtime,
        endpoint_settings,
        _emulator: emulator,
    })
}
