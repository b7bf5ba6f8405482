//! Quick3 Planner desktop shell: builds the window and exposes the core through commands.
//! Commands only translate arguments and errors; everything else lives in `quick3-core`.

mod commands;
mod launch;

use std::sync::Mutex;

use quick3_core::Store;

/// What the commands share: the store (behind a mutex: one writer at a time) and the mode.
#[derive(Debug)]
pub struct AppState {
    pub store: Mutex<Store>,
    pub demo_mode: bool,
}

/// Starts the desktop app. Exits with a plain message if the data folder cannot be opened.
pub fn run() {
    launch::init_logging();
    let options = launch::Options::from_args(std::env::args().skip(1));
    let state = match launch::open_state(&options) {
        Ok(state) => state,
        Err(message) => {
            eprintln!("Quick3 Planner cannot start: {message}");
            std::process::exit(1);
        }
    };
    let result = tauri::Builder::default()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::overview,
            commands::list_resources,
            commands::list_appointments,
            commands::create_appointment,
            commands::edit_appointment,
            commands::delete_appointment,
            commands::restore_appointment,
            commands::list_accounts,
        ])
        .run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("Quick3 Planner stopped with an error: {err}");
        std::process::exit(1);
    }
}
