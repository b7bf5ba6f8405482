//! What each kind of job does. "Synchronize Office365 Calendars" syncs the accounts of the job's
//! resources (all by default) on a store connection of its own, so the planner's window never
//! waits for a sync.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::JobOutcome;
use crate::identity::Credentials;
use crate::model::{AccountStatus, Job, JobKind, JobScope};
use crate::store::Store;
use crate::sync::SyncOptions;
use crate::sync::accounts::{self, SyncScope};

/// The setting (1–64) of how many mailboxes the sync job syncs at the same time.
pub const MAILBOXES_IN_PARALLEL_SETTING: &str = "sync.mailboxes_in_parallel";

/// Runs the job's work against the database at `database`.
pub async fn run(
    database: &Path,
    credentials: &Credentials,
    job: &Job,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
) -> JobOutcome {
    match job.spec.kind {
        JobKind::SynchronizeOffice365Calendars => {
            synchronize(database, credentials, job, clock).await
        }
    }
}

async fn synchronize(
    database: &Path,
    credentials: &Credentials,
    job: &Job,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
) -> JobOutcome {
    let mut outcome = JobOutcome {
        succeeded: true,
        ..Default::default()
    };
    let mut store = match Store::open(database) {
        Ok(store) => store,
        Err(err) => {
            outcome.succeeded = false;
            outcome.failures.push(err.to_string());
            return outcome;
        }
    };
    let scopes: Vec<SyncScope> = match &job.spec.scope {
        JobScope::AllResources => vec![SyncScope::default()],
        JobScope::Resources(resources) => resources
            .iter()
            .map(|r| SyncScope {
                account: None,
                resource: Some(*r),
            })
            .collect(),
    };
    let options = SyncOptions {
        mailboxes_in_parallel: store
            .setting(MAILBOXES_IN_PARALLEL_SETTING)
            .ok()
            .flatten()
            .and_then(|n| n.trim().parse().ok())
            .filter(|n| (1..=64).contains(n))
            .unwrap_or(crate::sync::DEFAULT_MAILBOXES_IN_PARALLEL),
        trigger: crate::model::SyncTrigger::Scheduled,
        ..SyncOptions::default()
    };
    for scope in scopes {
        match accounts::sync(&mut store, credentials, scope, &options, clock, &mut |_| {}).await {
            Ok(summaries) => {
                for summary in summaries {
                    outcome.journal_runs.extend(summary.run);
                    for (name, count) in [
                        ("added", summary.added),
                        ("updated", summary.updated),
                        ("deleted", summary.deleted),
                        ("conflicts", summary.conflicts),
                        ("requests", summary.requests),
                    ] {
                        *outcome.counts.entry(name.to_owned()).or_default() += i64::from(count);
                    }
                    *outcome.counts.entry("accounts".to_owned()).or_default() += 1;
                    // Each failure names its resource, so that one failed mailbox among
                    // hundreds is easy to find.
                    let resource = store
                        .account(summary.account_id)
                        .and_then(|a| store.resource(a.resource_id))
                        .map(|r| r.name);
                    for error in &summary.errors {
                        let line = if error.starts_with(&summary.email) {
                            error.clone()
                        } else {
                            format!("{}: {error}", summary.email)
                        };
                        outcome.failures.push(match &resource {
                            Ok(name) => format!("{name}: {line}"),
                            Err(_) => line,
                        });
                    }
                    if summary.mass_delete_blocked.is_some() {
                        outcome.failures.push(format!(
                            "{}: the sync would delete more than half of the appointments pulled from this \
                             account, so it stopped; open Quick3 Planner and run Sync Calendar to confirm.",
                            summary.email
                        ));
                    }
                    let needs_sign_in = store
                        .account(summary.account_id)
                        .is_ok_and(|a| a.status == AccountStatus::SignInNeeded);
                    if needs_sign_in {
                        outcome.sign_in_needed.push(summary.email.clone());
                    }
                }
            }
            Err(err) => outcome.failures.push(err.to_string()),
        }
    }
    outcome.succeeded = outcome.failures.is_empty();
    outcome
        .warnings
        .extend(expiry_reminder(&store, job, clock()));
    outcome
}

/// The organisation's expiry warning, when mailboxes are linked, the secret or certificate expires
/// within 30 days (or has expired) and this is the job's first run of the day (UTC): a reminder a day,
/// not one per run.
fn expiry_reminder(store: &Store, job: &Job, now: DateTime<Utc>) -> Option<String> {
    if store.org_links().ok()?.is_empty() {
        return None;
    }
    let warning = crate::identity::organisation::org_expiry_warning(store, now.date_naive())?;
    // `job` is as it was before this run started: its last run is the one before.
    let first_today = job
        .last_run
        .as_ref()
        .is_none_or(|run| run.started_at.date_naive() != now.date_naive());
    first_today.then_some(warning)
}
