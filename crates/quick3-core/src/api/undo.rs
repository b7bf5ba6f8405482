//! Undo of a sync run and the preview of a sync, at the boundary: `undo_run` undoes a run of the
//! journal (or says what it would do), itself a run of its account's sync; `preview_sync` is a
//! dry run that lists what a sync would change now, grouped by kind.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::identity::Credentials;
use crate::ids::SyncRunId;
use crate::model::{ChangeKind, ChangeSide, PreviewChange, SyncTrigger};
use crate::store::Store;
use crate::sync::accounts::{SyncScope, sync};
use crate::sync::{SyncOptions, SyncSummary};

/// Undoes `run` on both sides (see `sync::driver::undo`), as a sync of the run's account whose
/// journal run undoes it; `dry_run`: only says, per appointment, what it would do or why it
/// cannot. Undoing a run twice undoes it once. The summary's `undo` lists each appointment.
pub async fn undo_run(
    store: &mut Store,
    credentials: &Credentials,
    run: SyncRunId,
    dry_run: bool,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
) -> Result<SyncSummary> {
    let undone = store.sync_run(run)?;
    let options = SyncOptions {
        dry_run,
        undo: Some(run),
        trigger: SyncTrigger::Undo,
        ..SyncOptions::default()
    };
    let scope = SyncScope {
        account: Some(undone.account_id),
        resource: None,
    };
    let mut summaries = sync(store, credentials, scope, &options, clock, &mut |_| {}).await?;
    summaries.pop().ok_or_else(|| CoreError::InvalidInput {
        field: "run",
        reason: format!(
            "the account of run {run} ({}) does not sync now, so its run cannot be undone",
            undone.email
        ),
    })
}

/// One group of a preview: the changes of one kind on one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreviewGroup {
    pub side: ChangeSide,
    pub kind: ChangeKind,
    pub changes: Vec<PreviewChange>,
}

/// One account's preview, as Preview changes shows it: its changes grouped by side and kind,
/// whether the mass-deletion guard would stop the sync (its held deletions are in the groups,
/// marked), and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AccountPreview {
    pub account_id: crate::ids::AccountId,
    pub email: String,
    pub groups: Vec<PreviewGroup>,
    pub mass_delete_blocked: Option<crate::sync::MassDeleteBlocked>,
    pub errors: Vec<String>,
}

impl From<&SyncSummary> for AccountPreview {
    fn from(summary: &SyncSummary) -> Self {
        AccountPreview {
            account_id: summary.account_id,
            email: summary.email.clone(),
            groups: preview_groups(&summary.preview),
            mass_delete_blocked: summary.mass_delete_blocked.clone(),
            errors: summary.errors.clone(),
        }
    }
}

/// [`preview_sync`], each account's changes grouped ([`AccountPreview`]).
pub async fn preview_accounts(
    store: &mut Store,
    credentials: &Credentials,
    scope: SyncScope,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
) -> Result<Vec<AccountPreview>> {
    let summaries = preview_sync(store, credentials, scope, clock).await?;
    Ok(summaries.iter().map(AccountPreview::from).collect())
}

/// What a sync of `scope` would change now, on both sides, per account: a dry run (nothing
/// written on either side), its summary's `preview` holding each change. Deletions the
/// mass-deletion guard would hold back are listed too, marked `held_back`.
pub async fn preview_sync(
    store: &mut Store,
    credentials: &Credentials,
    scope: SyncScope,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
) -> Result<Vec<SyncSummary>> {
    let options = SyncOptions {
        dry_run: true,
        ..SyncOptions::default()
    };
    sync(store, credentials, scope, &options, clock, &mut |_| {}).await
}

/// A preview's changes grouped by side and kind (Quick3 first; created, updated, deleted), in
/// the order they would be made within a group; empty groups left out.
pub fn preview_groups(changes: &[PreviewChange]) -> Vec<PreviewGroup> {
    let mut groups = Vec::new();
    for side in [ChangeSide::Quick3, ChangeSide::Outlook] {
        for kind in [
            ChangeKind::Created,
            ChangeKind::Updated,
            ChangeKind::Deleted,
        ] {
            let of_kind: Vec<PreviewChange> = changes
                .iter()
                .filter(|c| c.side == side && c.kind == kind)
                .cloned()
                .collect();
            if !of_kind.is_empty() {
                groups.push(PreviewGroup {
                    side,
                    kind,
                    changes: of_kind,
                });
            }
        }
    }
    groups
}
