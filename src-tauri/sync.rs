//! Syncs in the background: each on a store connection of its own (no other work uses it while
//! Microsoft answers), one at a time, with progress and the outcome sent to the window.

use std::sync::Mutex;

use chrono::Utc;
use quick3_core::api::undo::{self, AccountPreview};
use quick3_core::api::{self, SyncScope};
use quick3_core::ids::SyncRunId;
use quick3_core::model::SyncTrigger;
use quick3_core::sync::{SyncOptions, SyncProgress, SyncSummary};
use quick3_core::{ErrorCode, ErrorPayload, Store};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use ts_rs::TS;

use crate::AppState;

/// Progress of a running sync (`SyncProgress`).
pub const SYNC_PROGRESS_EVENT: &str = "sync-progress";
/// A sync ended (`SyncFinished`): the Scheduler loads its appointments again.
pub const SYNC_FINISHED_EVENT: &str = "sync-finished";

/// Who asked for a sync.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncCause {
    /// Sync Calendar in the Office 365 tab.
    Manual,
    /// An edit in the Scheduler, pushed at once.
    Upload,
    /// A scheduled job.
    Job,
    /// Sync now in the tray menu.
    Tray,
    /// Undo this run in Activity.
    Undo,
}

impl SyncCause {
    /// What the sync journal calls it.
    pub fn trigger(self) -> SyncTrigger {
        match self {
            SyncCause::Manual | SyncCause::Tray => SyncTrigger::Manual,
            SyncCause::Upload => SyncTrigger::AfterEdit,
            SyncCause::Job => SyncTrigger::Scheduled,
            SyncCause::Undo => SyncTrigger::Undo,
        }
    }
}

/// What the window hears when a sync ended.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncFinished {
    pub cause: SyncCause,
    pub summaries: Vec<SyncSummary>,
    pub error: Option<ErrorPayload>,
}

/// One sync at a time, whoever asks (Sync Calendar, an upload, a scheduled job).
#[derive(Debug, Default)]
pub struct SyncGate(Mutex<()>);

impl SyncGate {
    pub fn hold(&self) -> std::sync::MutexGuard<'_, ()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Runs `work` on a blocking thread of the app's runtime (the core's sync futures hold their
/// progress callback across awaits, so they run to completion there rather than on a worker).
pub async fn off_the_window<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ErrorPayload> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|err| ErrorPayload {
            code: ErrorCode::Internal,
            message: format!("The background task stopped unexpectedly ({err})."),
        })
}

/// Syncs `scope` now on `store` (a connection no one else uses meanwhile), sending progress;
/// tells the window when done. Call from a blocking thread.
pub fn sync_now<R: Runtime>(
    app: &AppHandle<R>,
    store: &mut Store,
    scope: SyncScope,
    allow_mass_delete: bool,
    cause: SyncCause,
) -> Result<Vec<SyncSummary>, ErrorPayload> {
    let state = app.state::<AppState>();
    let result = (|| {
        let credentials = state.microsoft.credentials.as_ref().map_err(Clone::clone)?;
        let _one_at_a_time = state.sync_gate.hold();
        let options = SyncOptions {
            allow_mass_delete,
            trigger: cause.trigger(),
            ..SyncOptions::default()
        };
        let mut progress = |p: &SyncProgress| {
            let _ = app.emit(SYNC_PROGRESS_EVENT, p);
        };
        tauri::async_runtime::block_on(api::sync(
            store,
            credentials,
            scope,
            &options,
            &Utc::now,
            &mut progress,
        ))
        .map_err(ErrorPayload::from)
    })();
    finished(app, cause, &result);
    result
}

/// Undoes `run` now on `store` (or, `dry_run`, says what it would do), holding the sync gate like
/// any sync; tells the window when an undo was done. Call from a blocking thread.
pub fn undo_now<R: Runtime>(
    app: &AppHandle<R>,
    store: &mut Store,
    run: SyncRunId,
    dry_run: bool,
) -> Result<SyncSummary, ErrorPayload> {
    let state = app.state::<AppState>();
    let credentials = state.microsoft.credentials.as_ref().map_err(Clone::clone)?;
    let _one_at_a_time = state.sync_gate.hold();
    let result =
        tauri::async_runtime::block_on(undo::undo_run(store, credentials, run, dry_run, &Utc::now))
            .map_err(ErrorPayload::from);
    if !dry_run {
        finished(app, SyncCause::Undo, &result.clone().map(|s| vec![s]));
    }
    result
}

/// What a sync of `scope` would change now (a dry run: nothing written). Call from a blocking
/// thread.
pub fn preview_now<R: Runtime>(
    app: &AppHandle<R>,
    store: &mut Store,
    scope: SyncScope,
) -> Result<Vec<AccountPreview>, ErrorPayload> {
    let state = app.state::<AppState>();
    let credentials = state.microsoft.credentials.as_ref().map_err(Clone::clone)?;
    tauri::async_runtime::block_on(undo::preview_accounts(store, credentials, scope, &Utc::now))
        .map_err(ErrorPayload::from)
}

/// Syncs `scope` in the background (an upload after an edit, the tray's Sync now) on a
/// connection of the shell's, and says what went wrong in the log. Call from a blocking thread.
pub fn sync_in_background<R: Runtime>(app: &AppHandle<R>, scope: SyncScope, cause: SyncCause) {
    let state = app.state::<AppState>();
    let failed = match state
        .connections
        .with(|store| sync_now(app, store, scope, false, cause))
    {
        Ok(synced) => synced.err(),
        Err(no_connection) => {
            let err = ErrorPayload::from(no_connection);
            finished(app, cause, &Err(err.clone()));
            Some(err)
        }
    };
    if let Some(err) = failed {
        tracing::warn!(code = %err.code, "a sync in the background ({cause:?}): {}", err.message);
    }
}

/// Tells the window that a sync ended and how.
fn finished<R: Runtime>(
    app: &AppHandle<R>,
    cause: SyncCause,
    result: &Result<Vec<SyncSummary>, ErrorPayload>,
) {
    let finished = SyncFinished {
        cause,
        summaries: result.clone().unwrap_or_default(),
        error: result.as_ref().err().cloned(),
    };
    if let Err(err) = app.emit(SYNC_FINISHED_EVENT, &finished) {
        tracing::warn!(%err, "the window could not be told about a sync");
    }
}
