//! Local emulator of the Microsoft identity platform (v2.0) and the Microsoft Graph v1.0
//! calendar API, with a demo tenant, throttling, fault injection and an admin API.
//!
//! Start it in-process with [`start`] (or [`start_blocking`]), or run the `m365-emulator`
//! binary, which prints one JSON line describing where it listens.

mod admin;
pub mod bench;
pub mod certificates;
pub mod clock;
pub mod demo;
mod emulator;
mod error;
mod faults;
#[doc(hidden)]
pub mod fuzzing;
mod graph;
mod http;
mod identity;
mod ids;
mod listener;
mod origin;
mod private;
mod recurrence;
mod request_log;
mod seed;
mod store;
mod throttle;
mod timezone;
mod tls;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use certificates::ORG_CERTIFICATE_PEM;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::EmulatorError;
pub use seed::{
    ADELE_ID, ADMIN_ID, ADMIN_PASSWORD, ALEX_ID, DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_TENANT_ID,
    FABRIKAM_TENANT_ID, LEE_ID, MEGAN_ID, ORG_CLIENT_ID, ORG_CLIENT_SECRET,
};
pub use throttle::ThrottleConfig;

use emulator::{Emulator, Lifetimes};

/// What the emulator starts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Seed {
    /// Contoso and Fabrikam with users, calendars and ~300 events per user around now.
    Demo,
    /// The same tenants, apps and users, with empty default calendars.
    Empty,
    /// The directory, plus `events` single events over `calendars` calendars of Megan Bowen.
    Scale { events: usize, calendars: usize },
    /// The directory, plus `users` more users ("Room 0001" …) with `calendars` calendars of
    /// `events` single events each: an organisation's mailboxes (`{"organisation": {"users": 500,
    /// "calendars": 2, "events": 200}}`).
    Organisation {
        users: usize,
        calendars: usize,
        events: usize,
    },
}

/// How to run the emulator.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub seed: Seed,
    /// SQLite file that keeps the state across restarts; in memory when `None`.
    pub state_file: Option<PathBuf>,
    /// HTTPS port on 127.0.0.1; 0 picks a free one.
    pub https_port: u16,
    /// Also serve plain HTTP on this port (0 = any free one).
    pub http_port: Option<u16>,
    /// Where the CA lives (`ca.pem`, `ca.key`), reused across starts; a temporary folder when `None`.
    pub cert_dir: Option<PathBuf>,
    pub access_token_lifetime: Duration,
    pub refresh_token_lifetime: Duration,
    pub delta_token_lifetime: Duration,
    pub throttle: ThrottleConfig,
    /// The clock every expiry and window is measured with.
    pub clock: Arc<dyn Clock>,
    /// A network round trip every identity and Graph request waits before it is handled (the
    /// admin API answers at once); `PUT /_emulator/latency` changes it while running.
    pub latency: Duration,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            seed: Seed::Demo,
            state_file: None,
            https_port: 0,
            http_port: None,
            cert_dir: None,
            access_token_lifetime: Duration::from_secs(3600),
            refresh_token_lifetime: Duration::from_secs(90 * 24 * 3600),
            delta_token_lifetime: Duration::from_secs(7 * 24 * 3600),
            throttle: ThrottleConfig::default(),
            clock: Arc::new(SystemClock),
            latency: Duration::ZERO,
        }
    }
}

/// Builds the store a seed describes, around `now`.
pub(crate) fn build_store(seed: &Seed, now: DateTime<Utc>) -> store::Store {
    match seed {
        Seed::Demo => seed::demo(now),
        Seed::Empty => seed::directory(now),
        Seed::Scale { events, calendars } => seed::scale(now, *events, *calendars),
        Seed::Organisation {
            users,
            calendars,
            events,
        } => seed::organisation(now, *users, *calendars, *events),
    }
}

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// A started emulator; dropping it without [`RunningEmulator::shutdown`] leaves it serving
/// until the runtime stops.
#[derive(Debug)]
pub struct RunningEmulator {
    https: SocketAddr,
    http: Option<SocketAddr>,
    ca_cert_path: PathBuf,
    ca_cert_pem: String,
    org_certificate_path: PathBuf,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    emulator: Arc<Emulator>,
    state_file: Option<PathBuf>,
    _temp_cert_dir: Option<tempfile::TempDir>,
}

/// Starts the emulator on 127.0.0.1.
pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
    let (cert_dir, temp_cert_dir) = cert_dir(&config)?;
    let ca = tls::load_or_create(&cert_dir)?;
    // The demo organisation certificate with its key, for `quick3 org set --certificate`.
    let org_certificate_path = cert_dir.join("org-demo-certificate.pem");
    private::write(
        &org_certificate_path,
        certificates::ORG_CERTIFICATE_PEM.as_bytes(),
    )?;
    let now = config.clock.now();
    let store::persist::Saved {
        store,
        sign_ins,
        sync_states,
    } = initial_state(&config, now)?;
    let lifetimes = Lifetimes {
        access_token: delta(config.access_token_lifetime),
        refresh_token: delta(config.refresh_token_lifetime),
        auth_code: TimeDelta::minutes(10),
        device_code: TimeDelta::minutes(15),
        delta_token: delta(config.delta_token_lifetime),
    };
    let emulator = Arc::new(Emulator::new(
        store,
        Arc::clone(&config.clock),
        throttle::Throttle::new(config.throttle.clone()),
        lifetimes,
        config.seed.clone(),
    ));
    emulator.restore(sign_ins, sync_states);
    emulator.set_latency(config.latency);
    let router = http::router(Arc::clone(&emulator));
    let (shutdown, watcher) = watch::channel(false);
    let bind = |port: u16| async move {
        TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .map_err(|source| EmulatorError::Listen { port, source })
    };
    let https_listener = bind(config.https_port).await?;
    let https = https_listener
        .local_addr()
        .map_err(|source| EmulatorError::Listen {
            port: config.https_port,
            source,
        })?;
    let mut tasks = vec![listener::spawn_tls(
        https_listener,
        Arc::clone(&ca.server_config),
        router.clone(),
        watcher.clone(),
    )];
    let http = match config.http_port {
        Some(port) => {
            let plain = bind(port).await?;
            let address = plain
                .local_addr()
                .map_err(|source| EmulatorError::Listen { port, source })?;
            tasks.push(listener::spawn_plain(plain, router, watcher.clone()));
            Some(address)
        }
        None => None,
    };
    if let Some(path) = config.state_file.clone() {
        tasks.push(spawn_persistence(Arc::clone(&emulator), path, watcher));
    }
    Ok(RunningEmulator {
        https,
        http,
        ca_cert_path: ca.ca_cert_path,
        ca_cert_pem: ca.ca_cert_pem,
        org_certificate_path,
        shutdown,
        tasks,
        emulator,
        state_file: config.state_file,
        _temp_cert_dir: temp_cert_dir,
    })
}

/// The folder of the emulator's certificates: the configured one, or a new temporary folder
/// (returned too: it is deleted when dropped).
fn cert_dir(
    config: &EmulatorConfig,
) -> Result<(PathBuf, Option<tempfile::TempDir>), EmulatorError> {
    match &config.cert_dir {
        Some(dir) => Ok((dir.clone(), None)),
        None => {
            let temp = tempfile::Builder::new()
                .prefix("m365-emulator-")
                .tempdir()
                .map_err(|source| EmulatorError::File {
                    path: std::env::temp_dir(),
                    source,
                })?;
            Ok((temp.path().to_owned(), Some(temp)))
        }
    }
}

/// The state the emulator starts from: the state file's, or the seed's (then saved to the state
/// file, if there is one) with no sign-ins or sync states.
fn initial_state(
    config: &EmulatorConfig,
    now: DateTime<Utc>,
) -> Result<store::persist::Saved, EmulatorError> {
    let saved = match &config.state_file {
        Some(path) => store::persist::load(path)?,
        None => None,
    };
    if let Some(saved) = saved {
        return Ok(saved);
    }
    let store = build_store(&config.seed, now);
    if let Some(path) = &config.state_file {
        let changes = store::persist::Changes {
            store: Some(store.clone()),
            ..Default::default()
        };
        store::persist::save(path, &changes, now)?;
    }
    Ok(store::persist::Saved {
        store,
        sign_ins: Default::default(),
        sync_states: Default::default(),
    })
}

/// How far the state file is: the change counters of what it last received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SavedVersions {
    store: u64,
    sign_ins: u64,
    sync_states: u64,
}

impl SavedVersions {
    fn of(emulator: &Emulator) -> Self {
        Self {
            store: emulator.store().generation,
            sign_ins: emulator.tokens().sign_ins_changed(),
            sync_states: emulator.sync().changed(),
        }
    }
}

/// Writes the store, sign-ins and sync states to the state file about once a second while
/// they change.
fn spawn_persistence(
    emulator: Arc<Emulator>,
    path: PathBuf,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut saved = Some(SavedVersions::of(&emulator));
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => break,
            }
            saved = save_if_changed(&emulator, &path, saved).await;
        }
    })
}

/// Saves the parts that changed since `saved` (everything when `None`); returns how far the
/// file now is.
async fn save_if_changed(
    emulator: &Arc<Emulator>,
    path: &Path,
    saved: Option<SavedVersions>,
) -> Option<SavedVersions> {
    let unsaved = |part: fn(&SavedVersions) -> u64, now: u64| saved.as_ref().map(part) != Some(now);
    let (store, store_version) = {
        let store = emulator.store();
        let changed = unsaved(|saved| saved.store, store.generation);
        (changed.then(|| store.clone()), store.generation)
    };
    let (sign_ins, sign_ins_version) = {
        let tokens = emulator.tokens();
        let version = tokens.sign_ins_changed();
        let changed = unsaved(|saved| saved.sign_ins, version);
        (changed.then(|| tokens.sign_ins()), version)
    };
    let (sync_states, sync_version) = {
        let sync = emulator.sync();
        let version = sync.changed();
        let changed = unsaved(|saved| saved.sync_states, version);
        (changed.then(|| sync.saved()), version)
    };
    let now_at = SavedVersions {
        store: store_version,
        sign_ins: sign_ins_version,
        sync_states: sync_version,
    };
    let changes = store::persist::Changes {
        store,
        sign_ins,
        sync_states,
    };
    if changes.store.is_none() && changes.sign_ins.is_none() && changes.sync_states.is_none() {
        return Some(now_at);
    }
    let path = path.to_owned();
    let now = emulator.now();
    match tokio::task::spawn_blocking(move || store::persist::save(&path, &changes, now)).await {
        Ok(Ok(())) => Some(now_at),
        Ok(Err(error)) => {
            tracing::warn!(%error, "could not save the emulator state");
            saved
        }
        Err(error) => {
            tracing::warn!(%error, "state saving task failed");
            saved
        }
    }
}

impl RunningEmulator {
    /// The HTTPS port, and the plain-HTTP one when enabled.
    pub fn ports(&self) -> (u16, Option<u16>) {
        (self.https.port(), self.http.map(|address| address.port()))
    }

    /// `https://127.0.0.1:PORT`: the identity-platform authority host (append a tenant).
    pub fn authority(&self) -> String {
        format!("https://{}", self.https)
    }

    /// `http://127.0.0.1:PORT` when plain HTTP is enabled (same router).
    pub fn http_authority(&self) -> Option<String> {
        self.http.map(|address| format!("http://{address}"))
    }

    /// `https://127.0.0.1:PORT/v1.0`: the Graph base URL.
    pub fn graph(&self) -> String {
        format!("{}/v1.0", self.authority())
    }

    /// `https://127.0.0.1:PORT/_emulator`: the admin API.
    pub fn admin(&self) -> String {
        format!("{}/_emulator", self.authority())
    }

    /// The PEM file of the local CA clients must trust.
    pub fn ca_cert_path(&self) -> &Path {
        &self.ca_cert_path
    }

    pub fn ca_cert_pem(&self) -> &str {
        &self.ca_cert_pem
    }

    /// A PEM file with the demo organisation app's certificate and private key
    /// ([`ORG_CERTIFICATE_PEM`]), registered on the app by the seed.
    pub fn org_certificate_path(&self) -> &Path {
        &self.org_certificate_path
    }

    /// The line the binary prints.
    pub fn info_json(&self) -> Value {
        let mut info = json!({
            "authority": self.authority(),
            "graph": self.graph(),
            "admin": self.admin(),
            "ca_cert": self.ca_cert_path.display().to_string(),
            "client_id": DEMO_CLIENT_ID,
            "tenant_id": DEMO_TENANT_ID,
            "org_client_id": ORG_CLIENT_ID,
            "org_client_secret": ORG_CLIENT_SECRET,
            "org_certificate": self.org_certificate_path.display().to_string(),
        });
        if let Some(http) = self.http_authority() {
            info["http_authority"] = json!(http);
        }
        info
    }

    /// Stops listening, closes connections and writes the state file a last time.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        if let Some(path) = &self.state_file {
            let _ = save_if_changed(&self.emulator, path, None).await;
        }
    }
}

/// Starts the emulator on a runtime of its own, for callers without one (desktop app, CLI).
/// Keep the runtime alive as long as the emulator should serve.
pub fn start_blocking(
    config: EmulatorConfig,
) -> Result<(RunningEmulator, tokio::runtime::Runtime), EmulatorError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("m365-emulator")
        .enable_all()
        .build()
        .map_err(EmulatorError::Runtime)?;
    let running = runtime.block_on(start(config))?;
    Ok((running, runtime))
}

/// Which seed `serve` starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SeedKind {
    Demo,
    Empty,
}

/// The flags of `m365-emulator serve` (and `quick3 emulator serve`).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Data to start with.
    #[arg(long, value_enum, default_value = "demo")]
    pub seed: SeedKind,
    /// Scale seed: this many single events (implies the scale seed).
    #[arg(long)]
    pub events: Option<usize>,
    /// Scale seed: spread over this many calendars.
    #[arg(long, default_value_t = 1)]
    pub calendars: usize,
    /// Keep the state in this SQLite file across restarts.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// HTTPS port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Also serve plain HTTP on this port (0 = any free port).
    #[arg(long)]
    pub http_port: Option<u16>,
    /// Keep the generated CA here (ca.pem, ca.key) so trust survives restarts.
    #[arg(long)]
    pub cert_dir: Option<PathBuf>,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    pub access_token_lifetime: u64,
    /// A network round trip in milliseconds that every identity and Graph request waits (as
    /// against Microsoft, ~100–300 ms) before it is handled.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
}

impl ServeArgs {
    pub fn to_config(&self) -> EmulatorConfig {
        let seed = match (self.events, self.seed) {
            (Some(events), _) => Seed::Scale {
                events,
                calendars: self.calendars.max(1),
            },
            (None, SeedKind::Demo) => Seed::Demo,
            (None, SeedKind::Empty) => Seed::Empty,
        };
        EmulatorConfig {
            seed,
            state_file: self.state.clone(),
            https_port: self.port,
            http_port: self.http_port,
            cert_dir: self.cert_dir.clone(),
            access_token_lifetime: Duration::from_secs(self.access_token_lifetime),
            latency: Duration::from_millis(self.latency_ms),
            ..EmulatorConfig::default()
        }
    }
}

/// Starts the emulator, prints its JSON line on stdout, and serves until SIGINT or SIGTERM.
pub async fn serve_until_signal(config: EmulatorConfig) -> Result<(), EmulatorError> {
    use std::io::Write;
    let running = start(config).await?;
    {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", running.info_json());
        let _ = stdout.flush();
    }
    wait_for_signal().await;
    running.shutdown().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
