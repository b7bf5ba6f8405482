//! Quick3 Planner desktop shell: builds the window and exposes the core through commands.
//! Commands only translate arguments and errors; everything else lives in `quick3-core`.

mod background;
mod commands;
mod connections;
mod launch;
mod microsoft;
mod prefs;
mod rendering;
mod sync;
mod tray;
#[cfg(target_os = "linux")]
mod tray_process;
mod window;

use std::sync::Arc;

use tauri::Manager;

/// What the commands share: the store's connections (one to each piece of work), the mode, the
/// way to Microsoft, and what runs in the background (syncs, scheduled jobs, the tray).
pub struct AppState {
    pub connections: connections::Connections,
    pub demo_mode: bool,
    pub microsoft: microsoft::Microsoft,
    /// The OS keyring (the SMTP password).
    pub secrets: Arc<dyn quick3_core::identity::SecretStore>,
    pub sync_gate: sync::SyncGate,
    pub jobs: background::Jobs,
    pub tray: tray::Tray,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("database", &self.connections.database())
            .field("demo_mode", &self.demo_mode)
            .finish_non_exhaustive()
    }
}

/// Starts the desktop app. A second launch (such as the browser handing over a
/// `quickplanner://` sign-in answer) passes its arguments to the running app and exits; the
/// first opens the store in `setup`, so a second one never touches it. Exits with a plain
/// message if the data folder cannot be opened.
pub fn run() {
    launch::init_logging();
    let options = launch::Options::from_args(std::env::args().skip(1));
    #[cfg(target_os = "linux")]
    if options.hidden && hidden_in_tray_process(&options) {
        return;
    }
    let result = with_plugins(tauri::Builder::default())
        .setup(move |app| set_up(app, &options))
        .on_page_load(|_webview, payload| match payload.event() {
            tauri::webview::PageLoadEvent::Started => launch::mark("page load started"),
            tauri::webview::PageLoadEvent::Finished => launch::mark("page loaded"),
        })
        .on_window_event(window::on_event)
        .invoke_handler(commands())
        .build(tauri::generate_context!())
        .map(|app| app.run(|app, event| window::on_run_event(app, &event)));
    if let Err(err) = result {
        eprintln!("Quick3 Planner stopped with an error: {err}");
        std::process::exit(1);
    }
}

/// The plugins, single-instance first, so that a second launch hands over its arguments before
/// anything else starts.
fn with_plugins(builder: tauri::Builder<tauri::Wry>) -> tauri::Builder<tauri::Wry> {
    builder
        // The session starting the app again (`--hidden`) does not open the window.
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            if !args.iter().any(|arg| arg == launch::HIDDEN) {
                window::open(app);
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(window::REMEMBERED)
                .build(),
        )
        // The view preferences (view, date, filter, scroll) in a JSON file of the data folder.
        .plugin(tauri_plugin_store::Builder::default().build())
        // Start with the session (Settings → Scheduled jobs): an XDG autostart entry on Linux.
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .arg(launch::HIDDEN)
                .build(),
        )
}

/// The app's start once Tauri runs: the window first (unless `--hidden`), so that WebKit's
/// processes start while the store opens; then the state, the sign-in answers, the tray and the
/// jobs.
fn set_up(
    app: &mut tauri::App,
    options: &launch::Options,
) -> Result<(), Box<dyn std::error::Error>> {
    if options.hidden {
        tracing::info!("started hidden: the window opens from the tray");
    } else {
        window::build(app.handle())?;
    }
    // In demo mode the tray process starts the folder's emulator, which must outlast this
    // window: it is joined before the store opens. Otherwise beside the window's start.
    let joined = join_first(options);
    match launch::open_state(options) {
        Ok(state) => app.manage(state),
        Err(message) => launch::cannot_start(app.handle(), &message),
    };
    launch::mark("app state ready");
    microsoft::listen(app.handle(), options.folder_env());
    tray::install(app.handle(), options.clone(), joined);
    background::start(app.handle());
    launch::mark("set-up done");
    Ok(())
}

/// The commands the window may call (the capability grants exactly these: `build.rs`).
fn commands() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::overview,
        commands::list_resources,
        commands::add_resource,
        commands::edit_resource,
        commands::archive_resource,
        commands::restore_resource,
        commands::archived_resources,
        commands::resource_use,
        commands::delete_resource,
        commands::list_appointments,
        commands::get_appointment,
        commands::create_appointment,
        commands::edit_appointment,
        commands::delete_appointment,
        commands::restore_appointment,
        commands::create_series,
        commands::edit_series,
        commands::series_edit_resets,
        commands::undo_series_edit,
        commands::make_series_single,
        commands::series_single_sentence,
        commands::restore_series,
        commands::get_occurrence,
        commands::edit_occurrence,
        commands::delete_occurrence,
        commands::describe_repeat,
        commands::set_display_time_zone,
        commands::set_date_format,
        commands::list_accounts,
        commands::all_accounts,
        commands::add_account,
        commands::cancel_sign_in,
        commands::sign_in_again,
        commands::keyring_status,
        commands::account_calendars,
        commands::choose_calendars,
        commands::sync_conflicts,
        commands::resolve_conflict,
        commands::sync_runs,
        commands::sync_run_changes,
        commands::appointment_history,
        commands::edit_account,
        commands::set_main_account,
        commands::remove_account,
        commands::sync_calendar,
        commands::undo_sync_run,
        commands::preview_sync,
        commands::push_changes,
        commands::background_status,
        commands::start_with_session,
        commands::close_window,
        commands::view_prefs,
        commands::save_view_prefs,
        commands::list_jobs,
        commands::add_job,
        commands::edit_job,
        commands::remove_job,
        commands::job_runs,
        commands::run_job_now,
        commands::smtp_settings,
        commands::save_smtp_settings,
        commands::send_test_mail,
        commands::org_settings,
        commands::save_org_settings,
        commands::test_org_settings,
        commands::look_up_mailbox,
        commands::link_mailbox,
        commands::unlink_mailbox,
    ]
}

/// `--hidden` with a tray host: the tray process is all that starts (joined, or started when none
/// runs for the folder); no GTK, no window. `false`: no tray process answered, so the app starts
/// as without a tray (the window opens).
#[cfg(target_os = "linux")]
fn hidden_in_tray_process(options: &launch::Options) -> bool {
    if !tray::host_present() {
        return false;
    }
    let joined = options
        .database()
        .ok()
        .and_then(|database| tray_process::join(options, &database));
    if joined.is_some() {
        tracing::info!("started hidden: in the tray process's tray");
    }
    joined.is_some()
}

/// The tray process joined before the store opens (demo mode, with a tray host).
#[cfg(target_os = "linux")]
fn join_first(options: &launch::Options) -> Option<tray::Joined> {
    if !options.demo || !tray::host_present() {
        return None;
    }
    let joined = tray_process::join(options, &options.database().ok()?);
    launch::mark("tray process joined");
    joined
}

#[cfg(not(target_os = "linux"))]
fn join_first(_options: &launch::Options) -> Option<tray::Joined> {
    None
}
