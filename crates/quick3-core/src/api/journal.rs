//! The sync journal at the boundary: recent runs per account, the changes of a run, and an
//! appointment's own recent history, each change as the planner may see it (another resource's
//! private appointment is "A private appointment", with its time only).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::ids::{AccountId, AppointmentId, ResourceId, SyncRunId};
use crate::model::{
    AppointmentRecord, ChangeCause, ChangeKind, ChangeSide, FieldChange, JournalRun, Sensitivity,
};
use crate::store::Store;
use crate::store::journal::StoredChange;

pub use crate::model::PRIVATE_IN_JOURNAL;

/// Runs a listing shows by default.
pub const RECENT_RUNS: u32 = 50;

/// Changes an appointment's history shows.
pub const HISTORY_LENGTH: u32 = 10;

/// One change of a run, as the window and `quick3 sync log` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChangeRecord {
    #[ts(type = "number")]
    pub id: i64,
    pub run_id: SyncRunId,
    pub at: DateTime<Utc>,
    pub appointment_id: AppointmentId,
    /// Set on an occurrence of a series: its series and the start that names it.
    pub series_id: Option<AppointmentId>,
    pub original_start: Option<DateTime<Utc>>,
    pub resource_id: Option<ResourceId>,
    pub side: ChangeSide,
    pub kind: ChangeKind,
    pub cause: ChangeCause,
    pub account_id: AccountId,
    pub calendar_id: Option<String>,
    /// The subject (after the change, or before a deletion), or "A private appointment".
    pub title: String,
    /// Another resource's private appointment: only its time shows.
    pub private: bool,
    /// Where the appointment is (after the change, or before a deletion): for the Scheduler to
    /// go to it. RFC 3339 or a date, as in `AppointmentRecord`.
    pub start: Option<String>,
    pub end: Option<String>,
    pub all_day: bool,
    /// The synced fields that changed, before and after (of a private one, its time only).
    pub fields: Vec<FieldChange>,
    pub undone_by: Option<SyncRunId>,
}

/// A run with its changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunChanges {
    pub run: JournalRun,
    pub changes: Vec<ChangeRecord>,
}

fn hidden(record: Option<&AppointmentRecord>, mine: Option<ResourceId>) -> bool {
    record.is_some_and(|r| {
        matches!(
            r.sensitivity,
            Sensitivity::Private | Sensitivity::Confidential
        ) && Some(r.resource_id) != mine
    })
}

/// A stored change as the planner whose own resource is `mine` may see it.
pub fn change_record(stored: StoredChange, mine: Option<ResourceId>) -> ChangeRecord {
    let c = stored.change;
    let private = hidden(c.before.as_ref(), mine) || hidden(c.after.as_ref(), mine);
    let shown = c.after.as_ref().or(c.before.as_ref());
    let title = match (private, shown) {
        (true, _) => PRIVATE_IN_JOURNAL.to_owned(),
        (false, Some(r)) => r.title.clone(),
        (false, None) => String::new(),
    };
    let fields = c
        .fields
        .into_iter()
        .filter(|f| !private || f.shown_of_private())
        .collect();
    ChangeRecord {
        id: stored.id,
        run_id: stored.run,
        at: stored.at,
        appointment_id: c.appointment,
        series_id: c.series_id,
        original_start: c.original_start,
        resource_id: c.resource_id,
        side: c.side,
        kind: c.kind,
        cause: c.cause,
        account_id: c.account,
        calendar_id: c.calendar_id,
        title,
        private,
        start: shown.map(|r| r.start.clone()),
        end: shown.map(|r| r.end.clone()),
        all_day: shown.is_some_and(|r| r.all_day),
        fields,
        undone_by: stored.undone_by,
    }
}

/// The newest runs, of one account or of all, newest first (at most `limit`, default
/// [`RECENT_RUNS`]).
pub fn recent_runs(
    store: &Store,
    account: Option<AccountId>,
    limit: Option<u32>,
) -> Result<Vec<JournalRun>> {
    if let Some(account) = account {
        store.account(account)?;
    }
    store.sync_runs(account, limit.unwrap_or(RECENT_RUNS).clamp(1, 1_000))
}

/// A run and its changes, as the planner may see them.
pub fn run_changes(store: &Store, run: SyncRunId) -> Result<RunChanges> {
    let mine = store.planner()?.my_resource_id;
    Ok(RunChanges {
        run: store.sync_run(run)?,
        changes: store
            .sync_run_changes(run)?
            .into_iter()
            .map(|c| change_record(c, mine))
            .collect(),
    })
}

/// An appointment's own recent changes by syncs, newest first.
pub fn appointment_history(store: &Store, appointment: &str) -> Result<Vec<ChangeRecord>> {
    let id = super::parse_appointment_id(appointment)?;
    let mine = store.planner()?.my_resource_id;
    Ok(store
        .appointment_history(id, HISTORY_LENGTH)?
        .into_iter()
        .map(|c| change_record(c, mine))
        .collect())
}
