//! The tray process (`quick3-tray`) from the window's side (Linux): started when none runs for
//! the data folder, joined over its socket (`quick3_core::presence`), and heard: Open brings the
//! window to the front, Quit ends this process, a finished job run reloads the page. While joined,
//! the jobs run there and closing the window ends this process.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use quick3_core::presence::{self, Message};
use tauri::{AppHandle, Emitter, Manager};

use crate::AppState;
use crate::background::{JOB_FINISHED_EVENT, JobFinished};
use crate::launch::Options;
use crate::sync::{SYNC_FINISHED_EVENT, SyncCause, SyncFinished};

/// The variable that names the tray's binary (default: `quick3-tray` beside this one).
pub const TRAY_BIN_VAR: &str = "QUICK3_TRAY_BIN";

/// How long a new tray process may take to listen (in demo mode it starts the emulator first).
const START_PATIENCE: Duration = Duration::from_secs(15);

/// Joins the folder's tray process, starting one when none listens. `None`: no tray process
/// could be started or joined (the window then keeps its jobs itself).
pub fn join(options: &Options, database: &Path) -> Option<UnixStream> {
    if let Some(stream) = presence::join_tray(database) {
        return Some(stream);
    }
    let binary = tray_binary();
    let mut command = std::process::Command::new(&binary);
    command
        .args(options.tray_args())
        .stdin(std::process::Stdio::null())
        // Not in the window's process group: a signal to the window's group leaves the tray.
        .process_group(0);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(err) => {
            tracing::warn!(%err, binary = %binary.display(), "the tray process could not start");
            return None;
        }
    };
    tracing::info!(pid = child.id(), "tray process started");
    let joined = presence::wait_for_tray(database, START_PATIENCE);
    // Reaped when it ends (it outlives this process as a rule: then the system reaps it).
    let _ = std::thread::Builder::new()
        .name("tray-process".into())
        .spawn(move || child.wait());
    if joined.is_none() {
        tracing::warn!("the tray process did not answer: the window keeps the jobs itself");
    }
    joined
}

/// `QUICK3_TRAY_BIN`, else `quick3-tray` in this binary's folder (the .deb's `/usr/bin`, a
/// cargo build's target folder), else on `PATH`.
fn tray_binary() -> PathBuf {
    presence::companion_binary(
        std::env::var_os(TRAY_BIN_VAR),
        std::env::current_exe().ok().as_deref(),
        "quick3-tray",
        Path::exists,
    )
}

/// Hears the tray process on a thread of its own until it ends; then the window keeps the jobs
/// (the next look at the schedule runs them here) and closing quits after the notice.
pub fn hear(app: &AppHandle, stream: UnixStream) {
    let app = app.clone();
    let heard = std::thread::Builder::new()
        .name("tray-process".into())
        .spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                match Message::read(&line) {
                    Some(Message::Open) => crate::window::open(&app),
                    Some(Message::Quit) => {
                        tracing::info!("Quit in the tray: the window process ends");
                        app.exit(0);
                    }
                    Some(Message::JobFinished {
                        job_id,
                        name,
                        succeeded,
                        error,
                    }) => {
                        let finished = JobFinished {
                            job_id,
                            name,
                            succeeded,
                            error,
                        };
                        let _ = app.emit(JOB_FINISHED_EVENT, finished);
                        reload_scheduler(&app, SyncCause::Job);
                    }
                    Some(Message::Changed) => reload_scheduler(&app, SyncCause::Tray),
                    Some(Message::Window { .. }) | None => {}
                }
            }
            let tray = &app.state::<AppState>().tray;
            if !tray.ending() {
                tracing::warn!("the tray process ended: the window keeps the jobs itself");
                tray.left_by_process();
            }
        });
    if let Err(err) = heard {
        tracing::warn!(%err, "the tray process could not be heard");
    }
}

fn reload_scheduler(app: &AppHandle, cause: SyncCause) {
    let _ = app.emit(
        SYNC_FINISHED_EVENT,
        SyncFinished {
            cause,
            summaries: Vec::new(),
            error: None,
        },
    );
}

/// Tells the tray process that something its menu shows changed (a run in the window).
pub fn tell_changed(stream: &mut UnixStream) {
    let _ = stream.write_all(Message::Changed.line().as_bytes());
}
