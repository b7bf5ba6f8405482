//! Start-up of the desktop app: command-line options, logging, opening (and in demo mode
//! seeding) the store, and finding Microsoft (in demo mode, the embedded emulator).

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

use quick3_core::{Store, demo, paths};

use quick3_core::identity::Keyring;

use crate::microsoft::Microsoft;
use crate::{AppState, background};

/// `quick3-planner [--demo] [--data-dir DIR] [--hidden]`; `QUICK3_DEMO=1` also selects demo mode.
#[derive(Debug, Default, Clone)]
pub struct Options {
    pub demo: bool,
    pub data_dir: Option<PathBuf>,
    /// Start with no window, in the tray (the session's autostart entry passes it).
    pub hidden: bool,
}

/// The argument that starts the app with no window.
pub const HIDDEN: &str = "--hidden";

impl Options {
    pub fn from_args(args: impl Iterator<Item = String>) -> Options {
        let mut options = Options {
            demo: std::env::var("QUICK3_DEMO").is_ok_and(|v| v == "1" || v == "true"),
            data_dir: None,
            hidden: false,
        };
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--demo" => options.demo = true,
                HIDDEN => options.hidden = true,
                "--data-dir" => options.data_dir = args.next().map(PathBuf::from),
                other => {
                    if let Some(dir) = other.strip_prefix("--data-dir=") {
                        options.data_dir = Some(PathBuf::from(dir));
                    }
                }
            }
        }
        options
    }

    /// What the tray process is given: the data folder as found here, and the mode.
    pub fn tray_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(dir) = self.data_folder().ok().or_else(|| self.data_dir.clone()) {
            args.push("--data-dir".to_owned());
            args.push(dir.display().to_string());
        }
        if self.demo {
            args.push("--demo".to_owned());
        }
        args
    }

    /// The variables that make a process started with no arguments (the desktop handing it a
    /// `quickplanner://` answer) open this data folder in this mode: none for the default folder.
    pub fn folder_env(&self) -> Vec<(&'static str, String)> {
        let given = self.data_dir.is_some()
            || std::env::var_os(paths::DATA_DIR_ENV).is_some_and(|dir| !dir.is_empty());
        if !self.demo && !given {
            return Vec::new();
        }
        let Ok(folder) = self.data_folder() else {
            return Vec::new();
        };
        let mut env = vec![(paths::DATA_DIR_ENV, folder.display().to_string())];
        if self.demo {
            env.push(("QUICK3_DEMO", "1".to_owned()));
        }
        env
    }

    /// The data folder (demo mode's own unless one is given), as the CLI and the tray find it.
    pub fn data_folder(&self) -> Result<PathBuf, String> {
        if self.demo {
            let given = self
                .data_dir
                .clone()
                .or_else(|| std::env::var_os(paths::DATA_DIR_ENV).map(PathBuf::from))
                .filter(|dir| !dir.as_os_str().is_empty());
            paths::demo_dir(given.as_deref())
        } else {
            paths::data_dir(self.data_dir.as_deref())
        }
        .map_err(|e| e.to_string())
    }

    /// The database file of the data folder.
    pub fn database(&self) -> Result<PathBuf, String> {
        paths::database_in(&self.data_folder()?).map_err(|e| e.to_string())
    }
}

/// When `run` began: the start-up marks below count from it.
static STARTED: OnceLock<Instant> = OnceLock::new();

/// Logs how long after the start of `run` a step of the start-up was reached (`QUICK3_LOG=info`
/// shows them; docs/benchmarks.md breaks the cold start down with them).
pub fn mark(step: &str) {
    let ms = STARTED.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0;
    tracing::info!("start-up: {step} at {ms:.1} ms");
}

pub fn init_logging() {
    STARTED.get_or_init(Instant::now);
    let filter = tracing_subscriber::EnvFilter::try_from_env("QUICK3_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Opens the store. Demo mode keeps its data (and the emulator's) in a `demo` folder of its own
/// and seeds it once.
pub fn open_state(options: &Options) -> Result<AppState, String> {
    let dir = options.data_folder()?;
    let database = paths::database_in(&dir).map_err(|e| e.to_string())?;
    let mut store = Store::open_checked(&database).map_err(|e| e.to_string())?;
    if options.demo {
        let report = demo::seed(&mut store, chrono::Utc::now()).map_err(|e| e.to_string())?;
        tracing::info!(?report, "demo data");
    }
    tracing::info!(database = %database.display(), demo = options.demo, "store opened");
    mark("database opened");
    let microsoft = if options.demo {
        Microsoft::demo(&mut store, &dir)
    } else {
        Microsoft::configured(&mut store)
    };
    if let Err(problem) = &microsoft.credentials {
        tracing::warn!(code = %problem.code, "Microsoft 365 is not available: {}", problem.message);
    }
    mark("Microsoft 365 endpoints");
    let secrets = Keyring::for_installation(&store.installation_id().map_err(|e| e.to_string())?);
    let jobs = background::Jobs::open(&database).map_err(|e| e.to_string())?;
    Ok(AppState {
        connections: crate::connections::Connections::new(database, store),
        demo_mode: options.demo,
        microsoft,
        secrets,
        sync_gate: Default::default(),
        jobs,
        tray: Default::default(),
    })
}

/// Says why the app cannot start: on stderr, and in a dialog, since a planner starts the app
/// from a menu with no terminal to read (a damaged database names its file and the way back).
/// The window, which has no state to show, is hidden first.
pub fn cannot_start<R: tauri::Runtime>(app: &tauri::AppHandle<R>, message: &str) -> ! {
    eprintln!("Quick3 Planner cannot start: {message}");
    #[cfg(target_os = "linux")]
    {
        use gtk::prelude::*;
        use tauri::Manager;
        for window in app.webview_windows().values() {
            if let Ok(gtk_window) = window.gtk_window() {
                gtk_window.hide();
            }
        }
        let dialog = gtk::MessageDialog::new(
            None::<&gtk::Window>,
            gtk::DialogFlags::MODAL,
            gtk::MessageType::Error,
            gtk::ButtonsType::Close,
            "Quick3 Planner cannot start",
        );
        dialog.set_secondary_text(Some(message));
        dialog.run();
        dialog.close();
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
    std::process::exit(1)
}
