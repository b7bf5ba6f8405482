//! Scheduled jobs in the window process: "Run now", and a loop around the core's job runner (as
//! `quick3 daemon`) for when no tray process runs them (no tray host, or not Linux); the pause is
//! a setting in the store, the same for every process of the folder; a failed run is also shown
//! as an OS notification.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;
use quick3_core::ErrorPayload;
use quick3_core::identity::{Credentials, SecretStore};
use quick3_core::ids::JobId;
use quick3_core::jobs::{FrontEnd, POLL, RunReport, Runner, Sent, desktop};
use quick3_core::mail::FailureMail;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use ts_rs::TS;

use crate::AppState;
use crate::sync::{SYNC_FINISHED_EVENT, SyncCause, SyncFinished};

/// A job run ended (`JobFinished`): Settings → Scheduled jobs loads again.
pub const JOB_FINISHED_EVENT: &str = "job-finished";

/// What the window hears when a job's run ended.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct JobFinished {
    pub job_id: JobId,
    pub name: String,
    pub succeeded: bool,
    pub error: Option<String>,
}

/// The job runner (its own store connection records runs) and what this process's own tray icon
/// says about the last run.
#[derive(Debug)]
pub struct Jobs {
    runner: Runner,
    pub last: Mutex<Option<String>>,
}

impl Jobs {
    pub fn open(database: &Path) -> quick3_core::Result<Jobs> {
        Ok(Jobs {
            runner: Runner::open(database)?,
            last: Mutex::new(None),
        })
    }

    /// Whether background runs are paused: read from the store, where the tray process's Pause
    /// writes it too.
    pub fn paused(&self) -> bool {
        self.runner
            .store()
            .background_paused()
            .unwrap_or_else(|err| {
                tracing::warn!(%err, "whether background sync is paused could not be read");
                false
            })
    }

    /// Pauses or resumes background runs, for every process of the folder and across restarts.
    pub fn set_paused(&self, paused: bool) {
        if let Err(err) = self.runner.store().set_background_paused(paused) {
            tracing::warn!(%err, "the pause of background sync could not be saved");
        }
    }
}

/// How long the loop waits, at most, for the tray to be decided before its first look.
const TRAY_DECISION_PATIENCE: Duration = Duration::from_secs(20);

/// Starts the loop that runs due jobs for as long as the app runs, once it is known which tray
/// there is: while the tray process runs them, it only waits.
pub fn start(app: &AppHandle) {
    let app = app.clone();
    std::thread::Builder::new()
        .name("scheduled-jobs".into())
        .spawn(move || {
            let asked = std::time::Instant::now();
            while !app.state::<AppState>().tray.decided()
                && asked.elapsed() < TRAY_DECISION_PATIENCE
            {
                std::thread::sleep(Duration::from_millis(50));
            }
            loop {
                if app.state::<AppState>().tray.separate() {
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                }
                back_up_daily(&app);
                let wait = tick(&app).unwrap_or_else(|err| {
                    tracing::warn!(code = %err.code, "scheduled jobs: {}", err.message);
                    POLL
                });
                std::thread::sleep(wait.max(Duration::from_millis(500)));
            }
        })
        .map(|_| ())
        .unwrap_or_else(|err| tracing::warn!(%err, "the scheduled-jobs loop did not start"));
}

/// Keeps today's backup of the database (the first of the day; the last 7 are kept).
fn back_up_daily(app: &AppHandle) {
    let state = app.state::<AppState>();
    if let Err(err) = state.jobs.runner.store().back_up_daily(Utc::now()) {
        tracing::warn!(code = %err.code(), "today's backup of the database: {err}");
    }
}

/// Runs what is due (unless paused) and says how long to sleep.
fn tick(app: &AppHandle) -> Result<Duration, ErrorPayload> {
    let state = app.state::<AppState>();
    let runner = &state.jobs.runner;
    if state.jobs.paused() {
        return Ok(runner.next_wake(Utc::now())?);
    }
    let shell = Shell { app, state: &state };
    let tick = tauri::async_runtime::block_on(runner.tick(&shell, &Utc::now))?;
    Ok(tick.next_wake)
}

/// Runs one job now (a scheduled time or "Run now"), then mails, notifies and tells the window.
/// `None`: a run of it was already going. Call from a blocking thread.
pub fn run(app: &AppHandle, job: JobId) -> Result<Option<RunReport>, ErrorPayload> {
    let state = app.state::<AppState>();
    let shell = Shell { app, state: &state };
    tauri::async_runtime::block_on(state.jobs.runner.run(&shell, job, &Utc::now))
}

/// The app's side of the job runner: one sync at a time, the tray, an OS notification when a run
/// failed, and the window told.
struct Shell<'a> {
    app: &'a AppHandle,
    state: &'a AppState,
}

impl FrontEnd for Shell<'_> {
    type Error = ErrorPayload;

    fn credentials(&self) -> Result<&Credentials, ErrorPayload> {
        self.state
            .microsoft
            .credentials
            .as_ref()
            .map_err(Clone::clone)
    }

    fn secrets(&self) -> &dyn SecretStore {
        self.state.secrets.as_ref()
    }

    fn gate(&self) -> impl Sized + '_ {
        self.state.sync_gate.hold()
    }

    fn ran(&self, report: &RunReport) {
        *self
            .state
            .jobs
            .last
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(format!(
            "{}: {} at {}",
            report.job.spec.name,
            if report.outcome.succeeded {
                "succeeded"
            } else {
                "failed"
            },
            Utc::now().with_timezone(&chrono::Local).format("%H:%M")
        ));
        crate::tray::refresh(self.app);
        desktop::notify_failure(report, |title, body| {
            self.app
                .notification()
                .builder()
                .title(title)
                .body(body)
                .show()
        });
    }

    /// A failure notice goes through the SMTP server of Settings → E-mail.
    fn mailed(&self, _mail: &FailureMail, sent: &Sent) {
        desktop::log_unsent_notice(sent);
    }

    fn finished(&self, report: &RunReport) {
        let _ = self.app.emit(
            JOB_FINISHED_EVENT,
            JobFinished {
                job_id: report.job.id,
                name: report.job.spec.name.clone(),
                succeeded: report.outcome.succeeded,
                error: report.outcome.error_text(),
            },
        );
        let _ = self.app.emit(
            SYNC_FINISHED_EVENT,
            SyncFinished {
                cause: SyncCause::Job,
                summaries: Vec::new(),
                error: None,
            },
        );
    }
}
