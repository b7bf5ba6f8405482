//! The tray process's life: one per data folder (the `tray` lock), the store and Microsoft (in
//! demo mode the folder's emulator, which lives here so that it outlasts the windows), then the
//! icon, the jobs and the windows' socket until Quit.

use std::sync::{Arc, Mutex};

use anyhow::Context;
use ksni::TrayMethods;
use quick3_core::identity::{Credentials, EndpointSettings, Keyring, SecretStore};
use quick3_core::{Store, locks, paths, presence};
use tokio::sync::mpsc;

use crate::Options;
use crate::jobs::Jobs;
use crate::windows::Windows;

/// How often the tray makes sure its session's bus is still there.
const BUS_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// What the menu asks for; the tray's main task does it.
#[derive(Debug)]
pub enum Request {
    Open,
    SyncNow,
    TogglePause,
    Quit,
    /// Read the menu's state from the store again (a run ended, a window changed something).
    Refresh,
    /// Tell every window (a job's run ended).
    Tell(presence::Message),
}

/// The icon in the tray: what its menu shows, and where its clicks go.
#[derive(Debug)]
pub struct Icon {
    pub status: String,
    pub paused: bool,
    pub requests: mpsc::UnboundedSender<Request>,
}

/// What the tray's tasks share: the folder's store (the menu's reads, the pause), Microsoft.
pub struct Shared {
    pub database: std::path::PathBuf,
    pub store: Mutex<Store>,
    pub credentials: Result<Credentials, String>,
    pub secrets: Arc<dyn SecretStore>,
    /// One sync at a time in this process (a job, Sync now); other processes' syncs of the same
    /// account wait for its `account-<id>` lock.
    pub sync_gate: Mutex<()>,
    pub requests: mpsc::UnboundedSender<Request>,
    _emulator: Option<m365_emulator::demo::DemoInstance>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub fn run(options: &Options) -> anyhow::Result<()> {
    let dir = if options.demo {
        paths::demo_dir(options.data_dir.as_deref())?
    } else {
        paths::data_dir(options.data_dir.as_deref())?
    };
    let database = paths::database_in(&dir)?;
    let Some(_one_tray) = locks::try_hold(&locks::path(&database, presence::TRAY_LOCK))? else {
        tracing::info!(folder = %dir.display(), "a tray process runs for this data folder already");
        return Ok(());
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(4)
        .enable_all()
        .build()?;
    let (requests, received) = mpsc::unbounded_channel();
    let shared = runtime.block_on(open(options, &dir, &database, requests.clone()))?;
    let result = runtime.block_on(serve(options, Arc::new(shared), requests, received));
    // Only the holder of the tray lock gets here: the socket is its own.
    let _ = std::fs::remove_file(presence::socket_path(&database));
    result
}

/// Opens the store (seeding the demo once) and finds Microsoft.
async fn open(
    options: &Options,
    dir: &std::path::Path,
    database: &std::path::Path,
    requests: mpsc::UnboundedSender<Request>,
) -> anyhow::Result<Shared> {
    let mut store = Store::open(database)
        .with_context(|| format!("the database {} could not be opened", database.display()))?;
    let secrets = Keyring::for_installation(&store.installation_id()?);
    let (settings, emulator) = if options.demo {
        quick3_core::demo::seed(&mut store, chrono::Utc::now())?;
        let instance = m365_emulator::demo::start_or_join(dir)
            .await
            .context("the demo Microsoft 365 emulator could not start")?;
        let at = instance.endpoints();
        let settings = EndpointSettings::emulator(
            at.authority,
            at.http_authority,
            at.graph,
            &at.ca_cert,
            m365_emulator::DEMO_CLIENT_ID,
        );
        (Ok(settings), Some(instance))
    } else {
        (
            store.endpoint_settings().map(EndpointSettings::with_env),
            None,
        )
    };
    let credentials = settings
        .map_err(|err| err.to_string())
        .and_then(|settings| settings.resolve().map_err(|err| err.to_string()))
        .and_then(|endpoints| {
            Credentials::new(endpoints, secrets.clone()).map_err(|err| err.to_string())
        });
    if let Err(problem) = &credentials {
        tracing::warn!("Microsoft 365 is not available: {problem}");
    }
    Ok(Shared {
        database: database.to_path_buf(),
        store: Mutex::new(store),
        credentials,
        secrets,
        sync_gate: Mutex::new(()),
        requests,
        _emulator: emulator,
    })
}

/// Listens for windows, shows the icon, runs the jobs, and does what the menu asks until Quit (or
/// SIGTERM, SIGINT: the windows then go on alone).
async fn serve(
    options: &Options,
    shared: Arc<Shared>,
    requests: mpsc::UnboundedSender<Request>,
    mut received: mpsc::UnboundedReceiver<Request>,
) -> anyhow::Result<()> {
    let windows = Windows::listen(&shared.database, options.clone(), requests.clone())?;
    let (status, paused) = crate::jobs::menu_state(&shared);
    let icon = Icon {
        status,
        paused,
        requests: requests.clone(),
    }
    .spawn()
    .await
    .context("the tray icon could not be shown (no StatusNotifier host on the session bus)")?;
    tracing::info!(database = %shared.database.display(), "in the tray");
    Jobs::start(shared.clone());
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    // The desktop session's bus: when it is gone (the session ended), so is the tray.
    let bus = zbus::Connection::session().await?;
    let mut look_at_bus = tokio::time::interval(BUS_CHECK);
    loop {
        let request = tokio::select! {
            request = received.recv() => request,
            _ = terminate.recv() => None,
            _ = tokio::signal::ctrl_c() => None,
            _ = look_at_bus.tick() => {
                if crate::notify::bus_answers(&bus).await {
                    continue;
                }
                tracing::info!("the session's bus is gone: the tray ends");
                None
            }
        };
        match request {
            Some(Request::Open) => windows.open().await,
            Some(Request::SyncNow) => crate::jobs::sync_now(shared.clone()),
            Some(Request::TogglePause) => {
                crate::jobs::toggle_pause(&shared);
                refresh(&icon, &shared).await;
            }
            Some(Request::Refresh) => refresh(&icon, &shared).await,
            Some(Request::Tell(message)) => windows.tell_all(&message).await,
            Some(Request::Quit) => {
                tracing::info!("Quit: the windows end, then the tray");
                windows.quit_all().await;
                break;
            }
            None => {
                tracing::info!("stopped: the windows go on alone");
                break;
            }
        }
    }
    icon.shutdown().await;
    Ok(())
}

async fn refresh(icon: &ksni::Handle<Icon>, shared: &Shared) {
    let (status, paused) = crate::jobs::menu_state(shared);
    icon.update(|icon| {
        icon.status = status;
        icon.paused = paused;
    })
    .await;
}

impl ksni::Tray for Icon {
    fn id(&self) -> String {
        "quick3-planner".into()
    }

    fn title(&self) -> String {
        "Quick3 Planner".into()
    }

    /// Quick3's own icon (no theme icon name: hosts prefer a name over the pixmaps), greyed
    /// while background sync is paused.
    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        crate::pixmaps::pixmaps(self.paused)
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: "Quick3 Planner".into(),
            description: self.status.clone(),
            ..Default::default()
        }
    }

    /// A click on the icon opens the window.
    fn activate(&mut self, _x: i32, _y: i32) {
        let _ = self.requests.send(Request::Open);
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        use ksni::menu::{CheckmarkItem, StandardItem};
        let item = |label: &str, request: fn() -> Request| -> ksni::MenuItem<Self> {
            StandardItem {
                label: label.into(),
                activate: Box::new(move |icon: &mut Self| {
                    let _ = icon.requests.send(request());
                }),
                ..Default::default()
            }
            .into()
        };
        vec![
            StandardItem {
                label: self.status.clone(),
                enabled: false,
                ..Default::default()
            }
            .into(),
            ksni::MenuItem::Separator,
            item("Open Quick3 Planner", || Request::Open),
            item("Sync now", || Request::SyncNow),
            CheckmarkItem {
                label: "Pause background sync".into(),
                checked: self.paused,
                activate: Box::new(|icon: &mut Self| {
                    let _ = icon.requests.send(Request::TogglePause);
                }),
                ..Default::default()
            }
            .into(),
            ksni::MenuItem::Separator,
            item("Quit", || Request::Quit),
        ]
    }

    /// The host went away: stay, the jobs go on, the icon comes back with the host.
    fn watcher_offline(&self, _reason: ksni::OfflineReason) -> bool {
        true
    }
}
