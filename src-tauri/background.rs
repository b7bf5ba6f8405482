//! Scheduled jobs in the app: a loop that runs due jobs like `quick3 daemon` (each run on a store
//! connection of its own, failures mailed and shown as an OS notification), "Run now", and the
//! pause switch of the tray.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use quick3_core::ids::JobId;
use quick3_core::jobs::{self, FailureMail, RunReport, work};
use quick3_core::{ErrorPayload, Store, mail};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use ts_rs::TS;

use crate::AppState;
use crate::sync::{SYNC_FINISHED_EVENT, SyncCause, SyncFinished};

/// A job run ended (`JobFinished`): Settings → Scheduled jobs loads again.
pub const JOB_FINISHED_EVENT: &str = "job-finished";

/// Longest sleep between two looks at the schedule.
const POLL: Duration = Duration::from_secs(30);

/// What the window hears when a job's run ended.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct JobFinished {
    pub job_id: JobId,
    pub name: String,
    pub succeeded: bool,
    pub error: Option<String>,
}

/// The job runner's own store connection (records runs), the pause switch, and what the tray
/// says about the last run.
#[derive(Debug)]
pub struct Jobs {
    store: Mutex<Store>,
    database: PathBuf,
    paused: AtomicBool,
    pub last: Mutex<Option<String>>,
}

impl Jobs {
    pub fn open(database: PathBuf) -> quick3_core::Result<Jobs> {
        let store = Store::open(&database)?;
        let paused = store.background_paused()?;
        Ok(Jobs {
            store: Mutex::new(store),
            database,
            paused: AtomicBool::new(paused),
            last: Mutex::new(None),
        })
    }

    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    /// Pauses or resumes background runs, remembered across restarts.
    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::Relaxed);
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(err) = store.set_background_paused(paused) {
            tracing::warn!(%err, "the pause of background sync could not be saved");
        }
    }
}

/// Starts the loop that runs due jobs for as long as the app runs.
pub fn start(app: &AppHandle) {
    let app = app.clone();
    std::thread::Builder::new()
        .name("scheduled-jobs".into())
        .spawn(move || {
            loop {
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
    if let Err(err) = lock(&state.jobs.store).back_up_daily(Utc::now()) {
        tracing::warn!(code = %err.code(), "today's backup of the database: {err}");
    }
}

/// Runs what is due (unless paused) and says how long to sleep.
fn tick(app: &AppHandle) -> Result<Duration, ErrorPayload> {
    let state = app.state::<AppState>();
    if !state.jobs.paused() {
        let zone = zone(&state.jobs.store);
        let due = jobs::due_jobs(&mut lock(&state.jobs.store), Utc::now(), zone)?;
        for notice in &due.mails {
            send(&state, notice)?;
        }
        for job in due.jobs {
            run(app, job.id)?;
        }
    }
    let next = lock(&state.jobs.store)
        .list_jobs()?
        .into_iter()
        .filter(|j| j.spec.enabled)
        .filter_map(|j| j.next_run_at)
        .min();
    Ok(next
        .and_then(|at| (at - Utc::now()).to_std().ok())
        .map_or(POLL, |d| d.min(POLL)))
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

fn zone(store: &Mutex<Store>) -> chrono_tz::Tz {
    lock(store).default_zone().parse().unwrap_or(chrono_tz::UTC)
}

/// Sends a failure notice through the SMTP server of Settings → E-mail.
fn send(state: &AppState, notice: &FailureMail) -> Result<(), ErrorPayload> {
    let settings = lock(&state.jobs.store).smtp_settings()?;
    match settings {
        Some(settings) => {
            if let Err(err) = tauri::async_runtime::block_on(mail::send(
                &settings,
                state.secrets.as_ref(),
                notice,
            )) {
                tracing::warn!("the failure notice was not sent: {err}");
            }
        }
        None => tracing::warn!("no failure notice: no SMTP server is set (Settings → E-mail)"),
    }
    Ok(())
}

/// Runs one job now (a scheduled time or "Run now"), then mails, notifies and tells the window.
/// `None`: a run of it was already going. Call from a blocking thread.
pub fn run(app: &AppHandle, job: JobId) -> Result<Option<RunReport>, ErrorPayload> {
    let state = app.state::<AppState>();
    let credentials = state.microsoft.credentials.as_ref().map_err(Clone::clone)?;
    let zone = zone(&state.jobs.store);
    let database = state.jobs.database.clone();
    let report = {
        let _one_at_a_time = state.sync_gate.hold();
        tauri::async_runtime::block_on(jobs::run_job(
            &state.jobs.store,
            job,
            Utc::now,
            zone,
            |job| async move { work::run(&database, credentials, &job, &Utc::now).await },
        ))?
    };
    let Some(report) = report else {
        return Ok(None);
    };
    let error = report.outcome.error_text();
    *state.jobs.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!(
        "{}: {} at {}",
        report.job.spec.name,
        if report.outcome.succeeded {
            "succeeded"
        } else {
            "failed"
        },
        Utc::now().with_timezone(&chrono::Local).format("%H:%M")
    ));
    crate::tray::refresh(app);
    if !report.outcome.succeeded {
        let shown = app
            .notification()
            .builder()
            .title(format!(
                "Quick3 Planner: \"{}\" failed",
                report.job.spec.name
            ))
            .body(error.clone().unwrap_or_default())
            .show();
        if let Err(err) = shown {
            tracing::warn!(%err, "the failure notification could not be shown");
        }
    }
    for notice in report.mails() {
        send(&state, notice)?;
    }
    let _ = app.emit(
        JOB_FINISHED_EVENT,
        JobFinished {
            job_id: report.job.id,
            name: report.job.spec.name.clone(),
            succeeded: report.outcome.succeeded,
            error,
        },
    );
    let _ = app.emit(
        SYNC_FINISHED_EVENT,
        SyncFinished {
            cause: SyncCause::Job,
            summaries: Vec::new(),
            error: None,
        },
    );
    Ok(Some(report))
}
