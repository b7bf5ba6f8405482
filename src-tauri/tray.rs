//! The tray icon (Open, Sync now, Pause background sync, Quit; the last run in its tooltip), and
//! whether the app lives on there when the window closes. Without a tray host, or without the
//! libayatana-appindicator3 library at run time, the app works without a tray and closing quits.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use quick3_core::api::SyncScope;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Wry};

use crate::AppState;
use crate::sync::SyncCause;

const TRAY_ID: &str = "quick3";

/// Whether the tray icon is up and a tray host shows it (then closing the window destroys it and
/// the app lives on in the tray), and the menu line that names the last run (Linux trays show no
/// tooltips).
#[derive(Default)]
pub struct Tray {
    shown: AtomicBool,
    status: Mutex<Option<MenuItem<Wry>>>,
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
pub fn install(app: &AppHandle) {
    let handle = app.clone();
    let looking = std::thread::Builder::new()
        .name("tray".into())
        .spawn(move || {
            let present = tray_host_present();
            crate::launch::mark("tray host looked for");
            if !present {
                tracing::info!("no tray host: background sync runs while the window is open");
                return without_tray(&handle);
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
            }
        });
    if let Err(err) = looking {
        tracing::warn!(%err, "the tray icon could not be built");
    }
}

/// Without a tray nothing could open a window later: one started `--hidden` opens it now.
fn without_tray(app: &AppHandle) {
    if app.get_webview_window(crate::window::LABEL).is_none() {
        tracing::info!("no tray to live in: the window opens");
        crate::window::open(app);
    }
}

/// Builds the icon (main thread) and records that it is shown.
fn show(app: &AppHandle) {
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(app)));
    match built {
        Ok(Ok(())) => app
            .state::<AppState>()
            .tray
            .shown
            .store(true, Ordering::Relaxed),
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

/// Puts the last run and the pause state in the tooltip and the menu's first line.
pub fn refresh(app: &AppHandle) {
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
