//! The main window's life: built from `tauri.conf.json` at start (not with `--hidden`) and built
//! anew when the tray, a second launch or a sign-in answer opens it; closed with a tray on the
//! desktop, it is destroyed, so that its WebKit web process ends while the app (scheduled jobs,
//! syncs, notifications, the tray) goes on. Without a tray, closing quits, after the window said
//! once that scheduled syncs stop until the app is opened again.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::{AppHandle, Emitter, Manager, RunEvent, WebviewWindow, WebviewWindowBuilder, Window};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

use crate::AppState;

/// The window's label (`tauri.conf.json`, the capability's `windows`).
pub const LABEL: &str = "main";

/// The window hears this when closing it would stop the scheduled jobs (no tray keeps them): it
/// says so, then closes through the `close_window` command (or stays open).
pub const CLOSE_NOTICE_EVENT: &str = "close-notice";

/// What the window remembers between runs and rebuilds (`tauri-plugin-window-state`).
pub const REMEMBERED: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// Whether the window was told, once in this run, that closing stops the scheduled jobs: a second
/// close then quits whatever the page does (so a page that does not answer never keeps the app).
static NOTICE_SENT: AtomicBool = AtomicBool::new(false);

/// Shows the window, building it anew when closing destroyed it (or `--hidden` never built it).
/// Any thread: the building happens on the main thread.
pub fn open(app: &AppHandle) {
    let handle = app.clone();
    let scheduled = app.run_on_main_thread(move || {
        if let Some(window) = handle.get_webview_window(LABEL) {
            let _ = window.show();
            let _ = window.unminimize();
            let _ = window.set_focus();
            return;
        }
        match build(&handle) {
            Ok(window) => {
                let _ = window.set_focus();
            }
            Err(err) => tracing::warn!(%err, "the window could not be built"),
        }
    });
    if let Err(err) = scheduled {
        tracing::warn!(%err, "the window could not be opened");
    }
}

/// Builds the window from its configuration, drawing as `rendering` decides (main thread).
pub fn build(app: &AppHandle) -> tauri::Result<WebviewWindow> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == LABEL)
        .ok_or_else(|| tauri::Error::WindowNotFound)?
        .clone();
    let window = WebviewWindowBuilder::from_config(app, &config)?.build()?;
    crate::launch::mark("window and webview created");
    crate::rendering::apply(&window);
    Ok(window)
}

/// The window's events: closing it with a tray lets it be destroyed (the default); without one,
/// the first close asks the page to tell the planner, and the app quits when the window closes.
pub fn on_event(window: &Window, event: &tauri::WindowEvent) {
    if window.label() != LABEL {
        return;
    }
    match event {
        tauri::WindowEvent::CloseRequested { api, .. } => {
            let tray = window
                .try_state::<AppState>()
                .is_some_and(|state| state.tray.shown());
            tracing::info!(tray, "closing the window");
            if !tray && !NOTICE_SENT.swap(true, Ordering::Relaxed) {
                api.prevent_close();
                if let Err(err) = window.emit_to(LABEL, CLOSE_NOTICE_EVENT, ()) {
                    tracing::warn!(%err, "the window could not be told that closing stops jobs");
                    let _ = window.destroy();
                }
            }
        }
        tauri::WindowEvent::Destroyed => {
            let app = window.app_handle();
            if let Some(state) = app.try_state::<AppState>()
                && state.tray.separate()
            {
                state.tray.leave_process();
            }
            if let Err(err) = app.save_window_state(REMEMBERED) {
                tracing::warn!(%err, "the window's size and position could not be saved");
            }
            tracing::info!("window closed: its web view is gone");
        }
        _ => {}
    }
}

/// The app's events: with this process's own tray, the last window closing does not end the app
/// (Quit, which exits with a code, does); with the tray process, this process ends with its
/// window (the tray process keeps the app).
pub fn on_run_event(app: &AppHandle, event: &RunEvent) {
    if let RunEvent::ExitRequested {
        code: None, api, ..
    } = event
        && app
            .try_state::<AppState>()
            .is_some_and(|state| state.tray.shown() && !state.tray.separate())
    {
        api.prevent_exit();
    }
}

/// The page answered the close notice: close the window (the app then quits, having no tray).
pub fn close(app: &AppHandle) {
    NOTICE_SENT.store(true, Ordering::Relaxed);
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.close();
    }
}
