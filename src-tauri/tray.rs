//! Whether a tray keeps the app when the window closes, and which. On Linux with a tray host it
//! is the tray process (`quick3-tray`, `tray_process`): the jobs run there and this process ends
//! with its window. Elsewhere, or when that process cannot start, the icon is this process's own
//! (Open, Sync now, Pause background sync, Quit; the last run in its tooltip). Without a tray
//! host, or without the libayatana-appindicator3 library at run time, the app works without a
//! tray and closing quits.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use quick3_core::api::SyncScope;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Wry};

use crate::AppState;
use crate::sync::SyncCause;

const TRAY_ID: &str = "quick3";

/// Whether a tray keeps the app (then closing the window destroys it and the jobs go on),
/// whether that tray is the tray process, whether this was decided yet, and the menu line that
/// names the last run of this process's own icon (Linux trays show no tooltips).
#[derive(Default)]
pub struct Tray {
    shown: AtomicBool,
    separate: AtomicBool,
    decided: AtomicBool,
    status: Mutex<Option<MenuItem<Wry>>>,
    #[cfg(target_os = "linux")]
    process: Mutex<Option<std::os::unix::net::UnixStream>>,
    /// The window closed and this process is ending: losing the tray process is no news then.
    ending: AtomicBool,
}

impl std::fmt::Debug for Tray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tray")
            .field("shown", &self.shown())
            .finish_non_exhaustive()
    }
}

impl Tray {
    pub fn shown(&self) -> bool {
        self.shown.load(Ordering::Relaxed)
    }

    /// Whether the tray is the tray process: the jobs run there, and this process ends with its
    /// window.
    pub fn separate(&self) -> bool {
        self.separate.load(Ordering::Relaxed)
    }

    /// Whether `install` has decided which tray there is (the jobs wait for it).
    pub fn decided(&self) -> bool {
        self.decided.load(Ordering::Relaxed)
    }

    fn decide(&self, shown: bool, separate: bool) {
        self.shown.store(shown, Ordering::Relaxed);
        self.separate.store(separate, Ordering::Relaxed);
        self.decided.store(true, Ordering::Relaxed);
    }

    /// The window closed with the tray process keeping the app: this process ends, so it leaves
    /// the tray process now (which then starts a new window on Open, rather than tell this one).
    pub fn leave_process(&self) {
        self.ending.store(true, Ordering::Relaxed);
        #[cfg(target_os = "linux")]
        if let Some(stream) = self
            .process
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }

    /// Whether this process is ending (its window closed).
    pub fn ending(&self) -> bool {
        self.ending.load(Ordering::Relaxed)
    }

    /// The tray process ended (or was never there): no tray keeps the app any more.
    pub fn left_by_process(&self) {
        #[cfg(target_os = "linux")]
        self.process
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        self.decide(false, false);
    }
}

/// Whether a tray host is on the session bus (a window started `--hidden` then need not start).
pub fn host_present() -> bool {
    tray_host_present()
}

/// Whether a StatusNotifier host (the tray of KDE, GNOME with AppIndicator support, XFCE …) is on
/// the session bus. `QUICK3_NO_TRAY=1` answers no.
fn tray_host_present() -> bool {
    if std::env::var("QUICK3_NO_TRAY").is_ok_and(|v| v == "1") {
        return false;
    }
    if !cfg!(target_os = "linux") {
        return true;
    }
    std::process::Command::new("gdbus")
        .args([
            "call",
            "--session",
            "--dest",
            "org.freedesktop.DBus",
            "--object-path",
            "/org/freedesktop/DBus",
            "--method",
            "org.freedesktop.DBus.NameHasOwner",
            "org.kde.StatusNotifierWatcher",
        ])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("true"))
}

/// Whether the library the Linux tray needs is installed (the tray crate panics without it): in
/// the dynamic linker's cache, or in a folder of `LD_LIBRARY_PATH`.
fn appindicator_present() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    let names = ["libayatana-appindicator3.so.1", "libappindicator3.so.1"];
    let in_cache = ["/sbin/ldconfig", "ldconfig"].iter().any(|ldconfig| {
        std::process::Command::new(ldconfig)
            .arg("-p")
            .output()
            .is_ok_and(|out| {
                let listed = String::from_utf8_lossy(&out.stdout);
                names.iter().any(|name| listed.contains(name))
            })
    });
    in_cache
        || std::env::var_os("LD_LIBRARY_PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| names.iter().any(|n| dir.join(n).exists()))
        })
}

/// Builds the tray icon when a tray host exists and the appindicator library is there. Looking
/// for them runs other programs (`gdbus`, `ldconfig`), so it happens beside the window's start
/// rather than before it; the icon is then built on the main thread. Should the tray crate still
/// panic, the panic is caught and the app goes on without a tray.
///
/// On Linux the tray process comes first: `joined` when the set-up joined it already (demo mode,
/// whose emulator must live there), else it is joined or started here.
pub fn install(app: &AppHandle, options: crate::launch::Options, joined: Option<Joined>) {
    let handle = app.clone();
    let looking = std::thread::Builder::new()
        .name("tray".into())
        .spawn(move || {
            #[cfg(target_os = "linux")]
            if let Some(stream) = joined {
                return in_tray_process(&handle, stream);
            }
            #[cfg(not(target_os = "linux"))]
            let _ = (joined, &options);
            let present = tray_host_present();
            crate::launch::mark("tray host looked for");
            if !present {
                tracing::info!("no tray host: background sync runs while the window is open");
                return without_tray(&handle);
            }
            #[cfg(target_os = "linux")]
            {
                let database = handle.state::<AppState>().connections.database().to_owned();
                if let Some(stream) = crate::tray_process::join(&options, &database) {
                    return in_tray_process(&handle, stream);
                }
            }
            if !appindicator_present() {
                tracing::warn!(
                    "the tray icon needs libayatana-appindicator3 (not found); closing the window quits"
                );
                return without_tray(&handle);
            }
            let app = handle.clone();
            if let Err(err) = handle.run_on_main_thread(move || show(&app)) {
                tracing::warn!(%err, "the tray icon could not be built");
                without_tray(&handle);
            }
        });
    if let Err(err) = looking {
        tracing::warn!(%err, "the tray icon could not be built");
        app.state::<AppState>().tray.decide(false, false);
    }
}

/// The tray process's socket, when the set-up joined it.
#[cfg(target_os = "linux")]
pub type Joined = std::os::unix::net::UnixStream;
#[cfg(not(target_os = "linux"))]
pub type Joined = ();

/// The tray process keeps the app: it runs the jobs, this process hears it.
#[cfg(target_os = "linux")]
fn in_tray_process(app: &AppHandle, stream: std::os::unix::net::UnixStream) {
    tracing::info!("in the tray process's tray: the window ends when closed");
    let state = app.state::<AppState>();
    *state.tray.process.lock().unwrap_or_else(|p| p.into_inner()) = stream.try_clone().ok();
    state.tray.decide(true, true);
    crate::tray_process::hear(app, stream);
}

/// Without a tray nothing could open a window later: one started `--hidden` opens it now.
fn without_tray(app: &AppHandle) {
    app.state::<AppState>().tray.decide(false, false);
    if app.get_webview_window(crate::window::LABEL).is_none() {
        tracing::info!("no tray to live in: the window opens");
        crate::window::open(app);
    }
}

/// Builds the icon (main thread) and records that it is shown.
fn show(app: &AppHandle) {
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(app)));
    match built {
        Ok(Ok(())) => app.state::<AppState>().tray.decide(true, false),
        Ok(Err(err)) => {
            tracing::warn!(%err, "the tray icon could not be built");
            without_tray(app);
        }
        Err(_) => {
            tracing::warn!(
                "the tray icon needs libayatana-appindicator3 (not found); closing the window quits"
            );
            without_tray(app);
        }
    }
}

fn build(app: &AppHandle) -> tauri::Result<()> {
    let status = MenuItem::with_id(app, "status", "No scheduled run yet", false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Quick3 Planner", true, None::<&str>)?;
    let sync = MenuItem::with_id(app, "sync", "Sync now", true, None::<&str>)?;
    let paused = app.state::<AppState>().jobs.paused();
    let pause = CheckMenuItem::with_id(
        app,
        "pause",
        "Pause background sync",
        true,
        paused,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(
        app,
        &[&status, &separator, &open, &sync, &pause, &separator, &quit],
    )?;
    *app.state::<AppState>()
        .tray
        .status
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(status);
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu)
        .tooltip("Quick3 Planner")
        .on_menu_event(move |app, event| match event.id().as_ref() {
            "open" => crate::window::open(app),
            "sync" => {
                let app = app.clone();
                tauri::async_runtime::spawn_blocking(move || {
                    crate::sync::sync_in_background(&app, SyncScope::default(), SyncCause::Tray)
                });
            }
            "pause" => {
                let jobs = &app.state::<AppState>().jobs;
                jobs.set_paused(!jobs.paused());
                refresh(app);
            }
            "quit" => app.exit(0),
            _ => {}
        })
        // A click on the icon opens the window (Windows, macOS; Linux trays show the menu).
        .on_tray_icon_event(|icon, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                crate::window::open(icon.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}

/// Puts the last run and the pause state in the tooltip and the menu's first line (the tray
/// process's: it is told to read them again).
pub fn refresh(app: &AppHandle) {
    #[cfg(target_os = "linux")]
    if let Some(stream) = &mut *app
        .state::<AppState>()
        .tray
        .process
        .lock()
        .unwrap_or_else(|p| p.into_inner())
    {
        crate::tray_process::tell_changed(stream);
    }
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let state = app.state::<AppState>();
    let jobs = &state.jobs;
    let last = jobs
        .last
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .unwrap_or_else(|| "no scheduled run yet".into());
    let paused = if jobs.paused() {
        "\nBackground sync is paused."
    } else {
        ""
    };
    let _ = tray.set_tooltip(Some(format!("Quick3 Planner\nLast run: {last}{paused}")));
    if let Some(item) = &*state.tray.status.lock().unwrap_or_else(|p| p.into_inner()) {
        let paused = if jobs.paused() { " (paused)" } else { "" };
        let _ = item.set_text(format!("Last run: {last}{paused}"));
    }
}
