//! A sync of many accounts: the accounts of a scope (one account, a resource's, or all), up to
//! `mailboxes_in_parallel` mailboxes at once, each on a store connection of its own and holding
//! its account's lock, so that no two processes sync one account at once.

use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use super::{SyncOptions, SyncProgress, SyncSummary};
use crate::error::{CoreError, Result};
use crate::identity::Credentials;
use crate::ids::{AccountId, ResourceId};
use crate::locks;
use crate::model::{Account, AccountStatus, Direction};
use crate::store::Store;

/// Which accounts a sync covers: one account, the accounts of one resource, or every account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncScope {
    pub account: Option<AccountId>,
    pub resource: Option<ResourceId>,
}

/// Syncs the accounts in `scope` (Down, Up, Up and Down; None makes no traffic) — per-user
/// accounts and organisation links alike, up to `options.mailboxes_in_parallel` at a time (one
/// after the other for a store in memory) — and returns a summary per account, in order. `clock`
/// is read for token freshness and the window.
pub async fn sync(
    store: &mut Store,
    credentials: &Credentials,
    scope: SyncScope,
    options: &SyncOptions,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<Vec<SyncSummary>> {
    let accounts = match (scope.account, scope.resource) {
        (Some(account), _) => vec![store.account(account)?],
        (None, Some(resource)) => store.accounts_of(resource)?,
        (None, None) => store.all_accounts()?,
    };
    let order: Vec<AccountId> = accounts.iter().map(|a| a.id).collect();
    let (waiting, accounts): (Vec<Account>, Vec<Account>) = accounts
        .into_iter()
        .filter(|a| a.direction != Direction::None)
        .partition(needs_sign_in);
    let skipped: Vec<SyncSummary> = waiting
        .iter()
        .map(|account| skipped_for_sign_in(account, options.dry_run))
        .collect();
    let summaries = sync_accounts(store, credentials, accounts, options, clock, progress).await?;
    // In the order the accounts were asked for.
    let mut all: Vec<SyncSummary> = skipped.into_iter().chain(summaries).collect();
    all.sort_by_key(|s| order.iter().position(|id| *id == s.account_id));
    Ok(all)
}

/// A planner's own account that cannot sync until someone signs in: a sync skips it rather than
/// use whatever token the keyring may still hold.
fn needs_sign_in(account: &Account) -> bool {
    !account.is_organisation_link()
        && matches!(
            account.status,
            AccountStatus::SignInNeeded | AccountStatus::WaitingForSignIn
        )
}

/// The summary of an account skipped for its sign-in: its status in plain words, no request.
fn skipped_for_sign_in(account: &Account, dry_run: bool) -> SyncSummary {
    let reason = account.last_error.clone().unwrap_or_else(|| {
        format!(
            "{} is not signed in: sign in to it before it can sync.",
            account.email
        )
    });
    SyncSummary {
        account_id: account.id,
        email: account.email.clone(),
        added: 0,
        updated: 0,
        deleted: 0,
        conflicts: 0,
        conflict_notes: vec![],
        errors: vec![reason],
        requests: 0,
        mass_delete_blocked: None,
        dry_run,
        preview: vec![],
        undo: vec![],
        run: None,
    }
}

/// Syncs `accounts`, up to `options.mailboxes_in_parallel` at a time; a summary each, in order.
async fn sync_accounts(
    store: &mut Store,
    credentials: &Credentials,
    accounts: Vec<Account>,
    options: &SyncOptions,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<Vec<SyncSummary>> {
    let parallel = options.mailboxes_in_parallel.max(1);
    let Some(path) = store
        .path()
        .map(std::path::Path::to_path_buf)
        .filter(|_| parallel > 1 && accounts.len() > 1)
    else {
        let mut summaries = Vec::new();
        for account in accounts {
            summaries.push(
                sync_account_alone(store, credentials, &account, options, clock, progress).await?,
            );
        }
        return Ok(summaries);
    };
    // Many mailboxes at once, each on a store connection of its own; the client keeps each
    // mailbox at four requests in flight, this bound keeps the whole within `parallel`.
    // Each page is committed on its own here: the mailboxes run as futures on this one thread, so
    // a transaction left open across an await (a full round's shared transaction) would make
    // another mailbox's write wait for the lock in SQLite's busy handler, which blocks this thread
    // and so the very sync that holds the lock: "database is locked" after the busy timeout.
    // And one calendar of a mailbox downloads at a time, with nothing held ahead beyond its own
    // two pages: the mailboxes overlap each other's network waits already.
    let options = &SyncOptions {
        events_per_commit: 1,
        calendars_at_once: 1,
        pages_held: 0,
        ..options.clone()
    };
    let zone = store.default_zone().to_owned();
    let progress = std::cell::RefCell::new(progress);
    let (path, zone, progress) = (&path, &zone, &progress);
    let mut results: Vec<(usize, Result<SyncSummary>)> =
        futures_util::stream::iter(accounts.into_iter().enumerate())
            .map(|(index, account)| async move {
                let run = async {
                    let mut own = Store::open(path)?;
                    own.set_default_zone(zone)?;
                    let mut report = |p: &SyncProgress| (progress.borrow_mut())(p);
                    sync_account_alone(&mut own, credentials, &account, options, clock, &mut report)
                        .await
                };
                (index, run.await)
            })
            .buffer_unordered(parallel)
            .collect()
            .await;
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, summary)| summary).collect()
}

/// How long a sync waits for another process's sync of the same account to end.
const SYNC_LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

/// Syncs one account while holding its sync lock in the data folder
/// (`locks/account-<id>.lock`), so that the app, `quick3 daemon` and `quick3 sync` never sync
/// the same account at once; waits a few seconds for another holder, then says it is busy. A
/// store in memory has no data folder and takes no lock.
async fn sync_account_alone(
    store: &mut Store,
    credentials: &Credentials,
    account: &Account,
    options: &SyncOptions,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<SyncSummary> {
    let _alone = match store.path() {
        Some(database) => {
            let lock = locks::path(database, &format!("account-{}", account.id));
            match locks::hold_waiting(&lock, SYNC_LOCK_PATIENCE).await? {
                Some(held) => Some(held),
                None => {
                    return Err(CoreError::SyncRunning {
                        email: account.email.clone(),
                    });
                }
            }
        }
        None => None,
    };
    let summary =
        super::sync_account(store, credentials, account, options, clock, progress).await?;
    if !options.dry_run {
        remove_if_resource_deleted(store, credentials, account, clock())?;
    }
    Ok(summary)
}

/// An account of a deleted resource was kept only to send what waited in its outbox (the
/// resource's deletions and moves): once that is sent, it is removed with its sign-in, its
/// remaining pulled copies kept as the resource's history. Also finishes a deletion a crash
/// interrupted between the resource and its accounts.
fn remove_if_resource_deleted(
    store: &mut Store,
    credentials: &Credentials,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<()> {
    if !store.resource_is_deleted(account.resource_id)? || store.outbox_len(account.id)? > 0 {
        return Ok(());
    }
    if let Err(err) = credentials.forget(account) {
        tracing::warn!(
            account = %account.email,
            "the sign-in of an account of a deleted resource could not be deleted from the keyring: {err}"
        );
    }
    store.remove_account(account.id, true, now)?;
    tracing::info!(account = %account.email, "removed: its resource was deleted and its uploads are sent");
    Ok(())
}
