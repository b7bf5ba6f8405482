//! What a sync reports: its progress and its summary (counts, conflict notes, errors as plain
//! sentences); the words for a failure that stopped it are `GraphError::about_mailbox`.

use serde::Serialize;
use ts_rs::TS;

use super::SyncOptions;
use crate::error::Result;
use crate::ids::AccountId;
use crate::model::{Account, AccountStatus, Appointment, PreviewChange, UndoItem};
use crate::store::Store;

/// Where a sync is, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncProgress {
    pub account_id: AccountId,
    pub email: String,
    /// 1-based; 0 while uploading.
    pub calendar: u32,
    pub calendars: u32,
    pub calendar_name: String,
    pub events: u32,
}

/// A deletion held back by the guard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MassDeleteBlocked {
    /// Appointments the sync would have deleted (so far).
    pub would_delete: u32,
    /// Appointments pulled from the account before the sync.
    pub pulled: u32,
}

/// What one account's sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncSummary {
    pub account_id: AccountId,
    pub email: String,
    /// Appointments added in Quick3 plus events created in Microsoft 365.
    pub added: u32,
    pub updated: u32,
    pub deleted: u32,
    /// Changes on both sides, each resolved by the policy and named in `conflict_notes`.
    pub conflicts: u32,
    pub conflict_notes: Vec<String>,
    /// Plain sentences, each naming the entry it is about.
    pub errors: Vec<String>,
    /// Graph requests made (a `$batch` counts once).
    pub requests: u32,
    pub mass_delete_blocked: Option<MassDeleteBlocked>,
    pub dry_run: bool,
    /// A dry run's changes, one by one (the preview; empty otherwise).
    pub preview: Vec<PreviewChange>,
    /// An undo's appointments: what it did (or, in a dry run, would do) to each, or why not.
    pub undo: Vec<UndoItem>,
    /// The sync journal's run of this sync (none in a dry run), for what reports on it.
    #[serde(skip)]
    #[ts(skip)]
    pub run: Option<crate::ids::SyncRunId>,
}

impl SyncSummary {
    /// The summary of a sync of `account` before it did anything.
    pub(in crate::sync) fn empty(account: &Account, dry_run: bool) -> SyncSummary {
        SyncSummary {
            account_id: account.id,
            email: account.email.clone(),
            added: 0,
            updated: 0,
            deleted: 0,
            conflicts: 0,
            conflict_notes: vec![],
            errors: vec![],
            requests: 0,
            mass_delete_blocked: None,
            dry_run,
            preview: vec![],
            undo: vec![],
            run: None,
        }
    }
}

/// An organisation link that cannot sync at all: the reason goes to the summary, the status and
/// the account's last sync failure.
pub(super) fn give_up(
    store: &mut Store,
    account: &Account,
    options: &SyncOptions,
    mut summary: SyncSummary,
    reason: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SyncSummary> {
    summary.errors.push(format!("{}: {reason}", account.email));
    if !options.dry_run {
        store.record_sync_failure(account.id, AccountStatus::Error, now, reason)?;
    }
    Ok(summary)
}

/// The summary's counts, put back when a page is planned again.
pub(super) struct Tally {
    added: u32,
    updated: u32,
    deleted: u32,
    conflicts: u32,
    notes: usize,
    preview: usize,
}

impl Tally {
    pub(super) fn of(summary: &SyncSummary) -> Tally {
        Tally {
            added: summary.added,
            updated: summary.updated,
            deleted: summary.deleted,
            conflicts: summary.conflicts,
            notes: summary.conflict_notes.len(),
            preview: summary.preview.len(),
        }
    }

    pub(super) fn restore(self, summary: &mut SyncSummary) {
        summary.added = self.added;
        summary.updated = self.updated;
        summary.deleted = self.deleted;
        summary.conflicts = self.conflicts;
        summary.conflict_notes.truncate(self.notes);
        summary.preview.truncate(self.preview);
    }
}

pub(super) fn describe(appointment: &Appointment) -> String {
    appointment.message_name()
}
