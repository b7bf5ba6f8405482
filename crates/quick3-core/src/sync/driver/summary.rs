//! What a sync reports: its progress, its summary (counts, conflict notes, errors as plain
//! sentences) and the words for a failure that stopped it.

use serde::Serialize;
use ts_rs::TS;

use super::SyncOptions;
use crate::error::Result;
use crate::graph::GraphError;
use crate::ids::AccountId;
use crate::model::{Account, AccountStatus, Appointment};
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
}

/// An organisation link that cannot sync at all: the reason goes to the summary and the status.
pub(super) fn give_up(
    store: &mut Store,
    account: &Account,
    options: &SyncOptions,
    mut summary: SyncSummary,
    reason: &str,
) -> Result<SyncSummary> {
    summary.errors.push(format!("{}: {reason}", account.email));
    if !options.dry_run {
        store.set_account_status(account.id, AccountStatus::Error, Some(reason))?;
    }
    Ok(summary)
}

/// A failure that stopped an account's sync, in words about its mailbox.
pub(super) fn mailbox_failure(account: &Account, err: &GraphError) -> String {
    match (&account.organisation, err) {
        (Some(link), GraphError::MailboxGone { code, message }) if mailbox_disabled(code) => {
            format!(
                "the mailbox of {} (Object ID {}) cannot be reached in Microsoft 365: the user \
                 is still there but has no Exchange Online licence, or the mailbox is inactive \
                 (Microsoft says: {message}). Its appointments stay in Quick3 Planner and nothing \
                 waiting for upload was dropped; once the licence is given back, the next sync \
                 goes on.",
                link.display_name, link.object_id
            )
        }
        (None, GraphError::MailboxGone { code, message }) if mailbox_disabled(code) => format!(
            "the mailbox of this account cannot be reached in Microsoft 365: the user has no \
             Exchange Online licence, or the mailbox is inactive (Microsoft says: {message}). Its \
             appointments stay in Quick3 Planner and nothing waiting for upload was dropped; once \
             the licence is given back, the next sync goes on."
        ),
        (Some(link), GraphError::NotFound | GraphError::MailboxGone { .. }) => format!(
            "the mailbox of {} (Object ID {}) no longer exists in Microsoft 365: the user was \
             deleted or lost their licence. Its appointments stay in Quick3 Planner and nothing \
             waiting for upload was dropped.",
            link.display_name, link.object_id
        ),
        (None, GraphError::MailboxGone { message, .. }) => format!(
            "the mailbox of this account no longer exists in Microsoft 365 (Microsoft says: \
             {message}): the account was deleted or lost its licence. Its appointments stay in \
             Quick3 Planner and nothing waiting for upload was dropped."
        ),
        (Some(link), GraphError::Forbidden { message }) => format!(
            "Microsoft 365 refused the organisation's app access to the mailbox of {} (HTTP 403: \
             {message}); check the application permissions and any application access policy.",
            link.display_name
        ),
        _ => err.to_string(),
    }
}

/// Exchange's codes for a mailbox whose user is still in the directory (no licence, inactive,
/// soft-deleted or on-premises), as against `ErrorInvalidUser` (the user is gone).
fn mailbox_disabled(code: &str) -> bool {
    code.eq_ignore_ascii_case("MailboxNotEnabledForRESTAPI")
        || code.eq_ignore_ascii_case("MailboxNotSupportedForRESTAPI")
}

/// The summary's counts, put back when a page is planned again.
pub(super) struct Tally {
    added: u32,
    updated: u32,
    deleted: u32,
    conflicts: u32,
    notes: usize,
}

impl Tally {
    pub(super) fn of(summary: &SyncSummary) -> Tally {
        Tally {
            added: summary.added,
            updated: summary.updated,
            deleted: summary.deleted,
            conflicts: summary.conflicts,
            notes: summary.conflict_notes.len(),
        }
    }

    pub(super) fn restore(self, summary: &mut SyncSummary) {
        summary.added = self.added;
        summary.updated = self.updated;
        summary.deleted = self.deleted;
        summary.conflicts = self.conflicts;
        summary.conflict_notes.truncate(self.notes);
    }
}

pub(super) fn describe(appointment: &Appointment) -> String {
    appointment.message_name()
}
