//! The job scheduler: which jobs are due, running one without overlap, recording the run and its
//! next time, and deciding whether its failure must be mailed. The clock and the work are passed in.
//! `runner` is the loop's one look at the schedule that every front end calls; `desktop` what the
//! window's and the tray's runners tell the planner around a run.

pub mod changes;
pub mod desktop;
pub mod runner;
pub mod schedule;
pub mod work;

pub use runner::{FrontEnd, POLL, Runner, Sent, Tick};

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::ids::JobId;
use crate::locks;
use crate::mail::FailureMail;
use crate::model::Job;
use crate::store::Store;

/// What one run of a job's work came to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct JobOutcome {
    pub succeeded: bool,
    #[ts(type = "Record<string, number>")]
    pub counts: BTreeMap<String, i64>,
    /// Each failure in plain words, naming the account or resource it concerns.
    pub failures: Vec<String>,
    /// Accounts whose owner must sign in again.
    pub sign_in_needed: Vec<String>,
    /// What an administrator must do soon although nothing failed yet (the organisation's client
    /// secret expires): mailed with the run, at most in the first run of a day.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The sync journal's runs this run made (one per account synced).
    #[serde(skip)]
    #[ts(skip)]
    pub journal_runs: Vec<crate::ids::SyncRunId>,
    /// A failed run: what it had changed all the same, for its failure mail.
    #[serde(skip)]
    #[ts(skip)]
    pub changed: Option<changes::MailChanges>,
}

impl JobOutcome {
    /// All failures as one message.
    pub fn error_text(&self) -> Option<String> {
        (!self.failures.is_empty()).then(|| self.failures.join(" "))
    }
}

/// The report of one run.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub job: Job,
    pub outcome: JobOutcome,
    pub mail: Option<FailureMail>,
    /// The failure mail of an earlier run of the job that was found interrupted (its process
    /// stopped while it ran) and closed as failed when this run started.
    pub interrupted: Option<FailureMail>,
}

impl RunReport {
    /// Every mail to send for this run: the interrupted run's first, then this run's.
    pub fn mails(&self) -> impl Iterator<Item = &FailureMail> {
        self.interrupted.iter().chain(&self.mail)
    }
}

/// The jobs due at a look at the schedule, and the mails to send about it.
#[derive(Debug, Clone, Default)]
pub struct Due {
    pub jobs: Vec<Job>,
    /// A job whose next run was moved because the clock was set back.
    pub mails: Vec<FailureMail>,
}

/// The enabled jobs whose time has come. A next run further ahead than the schedule can put it
/// (the clock was set back after it was computed) is first counted again from `now`, and mailed.
pub fn due_jobs(store: &mut Store, now: DateTime<Utc>, zone: chrono_tz::Tz) -> Result<Due> {
    let mut due = Due::default();
    for job in store.list_jobs()? {
        if !job.spec.enabled {
            continue;
        }
        if let Some(next) = schedule::recomputed(&job, now, zone, jitter(&job)) {
            store.set_job_next_run(job.id, next)?;
            due.mails.extend(clock_mail(&job, next, now, zone));
        } else if schedule::is_due(&job, now) {
            due.jobs.push(job);
        }
    }
    Ok(due)
}

/// The mail about a job whose next run was further ahead than its interval allows.
fn clock_mail(
    job: &Job,
    next: DateTime<Utc>,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> Option<FailureMail> {
    let notice = &job.spec.notify;
    let local = |at: DateTime<Utc>| at.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z");
    let old = job.next_run_at?;
    (!notice.emails.is_empty()).then(|| FailureMail {
        to: notice.emails.clone(),
        subject: format!(
            "Quick3 Planner: \"{}\" was rescheduled: the clock was set back",
            job.spec.name
        ),
        body: format!(
            "The scheduled job \"{}\" ({}) of Quick3 Planner was to run next at {}, more than one \
             interval after this computer's clock ({}): the clock was set back, and the job would \
             not have run until then. Its next run is now at {}.\n\n\
             What to do: nothing if the clock is right now; otherwise correct the computer's date \
             and time.\n\n-- \nQuick3 Planner\n",
            job.spec.name,
            job.spec.kind.label(),
            local(old),
            local(now),
            local(next),
        ),
    })
}

/// The mail about a database that could not be read or written from `since` until `until` (a
/// scheduler that keeps trying sends it once the database answers again), to every address an
/// enabled job notifies. `None`: no job notifies anyone.
pub fn outage_mail(
    jobs: &[Job],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    error: &str,
    zone: chrono_tz::Tz,
) -> Option<FailureMail> {
    let to: std::collections::BTreeSet<&String> = jobs
        .iter()
        .filter(|job| job.spec.enabled)
        .flat_map(|job| &job.spec.notify.emails)
        .collect();
    let local = |at: DateTime<Utc>| at.with_timezone(&zone).format("%Y-%m-%d %H:%M:%S %Z");
    (!to.is_empty()).then(|| FailureMail {
        to: to.into_iter().cloned().collect(),
        subject: "Quick3 Planner: the scheduled jobs could not use the database".into(),
        body: format!(
            "The scheduled jobs of Quick3 Planner could not read or write the database from {} \
             to {}, so no job started then. The last error was:\n\n  {error}\n\n\
             The database answers again and the jobs go on; a job that was due runs now.\n\n\
             What to do: if this repeats, check the disk and whether another program holds the \
             database open.\n\n-- \nQuick3 Planner\n",
            local(since),
            local(until),
        ),
    })
}

/// A small random delay (up to a minute, at most 5 % of the interval) so that installations do not
/// all call Microsoft in the same second.
pub fn jitter(job: &Job) -> Duration {
    let cap = (job.spec.frequency.minutes() * 60 / 20).clamp(0, 60);
    Duration::seconds(rand::random_range(0..=cap))
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs one job now unless a run of it is already going (then `None`). The store is locked only
/// to record the start and the end, never while the work runs. The next run is counted from this
/// run, so a job that was missed while the machine slept runs once, not once per missed slot.
///
/// A run is owned by the process that holds the job's run lock (`locks/job-<id>.lock` beside the
/// database) while it works: when the lock is free, a run still marked running belongs to a
/// process that died (crashed, killed, or failed to record its end), so it is closed as failed at
/// once, with its failure mail, and this run goes ahead.
pub async fn run_job<W, F>(
    store: &Mutex<Store>,
    job: JobId,
    now: impl Fn() -> DateTime<Utc>,
    zone: chrono_tz::Tz,
    work: W,
) -> Result<Option<RunReport>>
where
    W: FnOnce(Job) -> F,
    F: Future<Output = JobOutcome>,
{
    let (job, run, interrupted, _owner) = {
        let mut store = lock(store);
        let owner = match store.path() {
            Some(database) => {
                match locks::try_hold(&locks::path(database, &format!("job-{job}")))? {
                    Some(owner) => Some(owner),
                    None => return Ok(None),
                }
            }
            None => None,
        };
        let interrupted = if owner.is_some() && store.close_interrupted_job_runs(job, now())? > 0 {
            let outcome = JobOutcome {
                failures: vec![crate::store::INTERRUPTED_RUN.to_owned()],
                ..Default::default()
            };
            failure_mail(&store.job(job)?, &outcome)
        } else {
            None
        };
        let job = store.job(job)?;
        match store.start_job_run(job.id, now())? {
            Some(run) => (job, run, interrupted, owner),
            None => return Ok(None),
        }
    };
    let started = now();
    let mut outcome = work(job.clone()).await;
    let finished = now();
    let next = schedule::next_run(
        started.max(finished),
        job.spec.frequency,
        job.spec.active_hours,
        zone,
        jitter(&job),
    );
    let job = {
        let mut store = lock(store);
        store.finish_job_run(
            run,
            outcome.succeeded,
            &outcome.counts,
            outcome.error_text().as_deref(),
            finished,
            next,
        )?;
        if !outcome.succeeded && !outcome.journal_runs.is_empty() {
            let system = changes::system_locale();
            match changes::mail_changes(&store, &outcome.journal_runs, system.as_deref()) {
                Ok(changed) => outcome.changed = Some(changed),
                // The mail goes out without the list rather than not at all.
                Err(err) => {
                    tracing::warn!(job = %job.id, "the run's changes could not be read: {err}")
                }
            }
        }
        store.job(job.id)?
    };
    let mail = failure_mail(&job, &outcome);
    Ok(Some(RunReport {
        job,
        outcome,
        mail,
        interrupted,
    }))
}

/// Whether this run's failure is mailed: when the failures in a row reach the job's threshold
/// (then again at every further multiple of it), or when an account needs a new sign-in and the
/// job asks to hear about that.
pub fn failure_mail(job: &Job, outcome: &JobOutcome) -> Option<FailureMail> {
    let notice = &job.spec.notify;
    if notice.emails.is_empty()
        || outcome.succeeded && outcome.sign_in_needed.is_empty() && outcome.warnings.is_empty()
    {
        return None;
    }
    let threshold = notice.after_failures.max(1);
    let streak_reached = !outcome.succeeded
        && job.consecutive_failures > 0
        && job.consecutive_failures.is_multiple_of(threshold);
    let sign_in = notice.when_sign_in_needed && !outcome.sign_in_needed.is_empty();
    let reminder = !outcome.warnings.is_empty();
    if !streak_reached && !sign_in && !reminder {
        return None;
    }
    let mut body = format!(
        "The scheduled job \"{}\" ({}) of Quick3 Planner {}.\n\n",
        job.spec.name,
        job.spec.kind.label(),
        if outcome.succeeded {
            "needs attention"
        } else {
            "failed"
        }
    );
    if job.consecutive_failures > 1 {
        body.push_str(&format!(
            "It has failed {} times in a row.\n\n",
            job.consecutive_failures
        ));
    }
    if !outcome.failures.is_empty() {
        body.push_str("What failed:\n");
        for failure in &outcome.failures {
            body.push_str(&format!("  - {failure}\n"));
        }
        body.push('\n');
    }
    if let Some(changed) = &outcome.changed {
        body.push_str(&changed.section());
    }
    if !outcome.sign_in_needed.is_empty() {
        body.push_str(&format!(
            "These Microsoft 365 accounts must sign in again (Resource card → Office 365 → Sign in again): {}.\n\n",
            outcome.sign_in_needed.join(", ")
        ));
    }
    if reminder {
        body.push_str("Please note:\n");
        for warning in &outcome.warnings {
            body.push_str(&format!("  - {warning}\n"));
        }
        body.push('\n');
    }
    body.push_str(&advice(outcome));
    body.push_str("\n-- \nQuick3 Planner\n");
    let subject = if outcome.succeeded && outcome.sign_in_needed.is_empty() {
        // The reminder is of the credential in use: a client secret or a certificate.
        let credential = if outcome
            .warnings
            .iter()
            .any(|w| w.starts_with("The organisation's certificate"))
        {
            "certificate"
        } else {
            "client secret"
        };
        format!(
            "Quick3 Planner: \"{}\" needs attention: the organisation's {credential} expires",
            job.spec.name
        )
    } else if outcome.succeeded {
        format!("Quick3 Planner: \"{}\" needs a new sign-in", job.spec.name)
    } else {
        format!("Quick3 Planner: \"{}\" failed", job.spec.name)
    };
    Some(FailureMail {
        to: notice.emails.clone(),
        subject,
        body,
    })
}

fn advice(outcome: &JobOutcome) -> String {
    let text = outcome.failures.join(" ").to_ascii_lowercase();
    if text.contains("approve") {
        "What to do: ask your IT administrator to approve Quick3 Planner (the link is in the message above).\n".into()
    } else if text.contains("throttl") || text.contains("too many") {
        "What to do: nothing right away; Microsoft is limiting requests and the next run will continue. If \
         this repeats, run the job less often (every 30 minutes or more).\n"
            .into()
    } else if !outcome.sign_in_needed.is_empty() {
        "What to do: open Quick3 Planner and sign in again on the accounts named above.\n".into()
    } else if outcome.succeeded {
        "What to do: an administrator enters the new client secret under Settings → Client settings · \
         Office 365 (or quick3 org set) before the old one expires.\n"
            .into()
    } else {
        "What to do: check the network connection; the next run tries again. The job's history in \
         Settings → Scheduled jobs has the details.\n"
            .into()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{FailureNotice, Frequency, FrequencyUnit, JobKind, JobScope, JobSpec};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn store_with_job(after_failures: u32) -> (Mutex<Store>, JobId) {
        let store = Store::open_in_memory().unwrap();
        add_job(store, after_failures)
    }

    /// An hourly sync job that mails it@contoso.example after `after_failures` failures.
    pub(crate) fn hourly_sync(after_failures: u32) -> JobSpec {
        JobSpec {
            name: "Sync".into(),
            kind: JobKind::SynchronizeOffice365Calendars,
            frequency: Frequency {
                every: 1,
                unit: FrequencyUnit::Hours,
            },
            enabled: true,
            active_hours: None,
            scope: JobScope::AllResources,
            notify: FailureNotice {
                emails: vec!["it@contoso.example".into()],
                after_failures,
                when_sign_in_needed: true,
            },
        }
    }

    fn add_job(mut store: Store, after_failures: u32) -> (Mutex<Store>, JobId) {
        let spec = hourly_sync(after_failures);
        let job = store
            .add_job(spec, at("2026-11-24T09:00:00Z"), at("2026-11-24T08:00:00Z"))
            .unwrap();
        (Mutex::new(store), job.id)
    }

    fn failed(message: &str) -> JobOutcome {
        JobOutcome {
            succeeded: false,
            failures: vec![message.into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_clock_set_back_recomputes_the_next_run_and_mails_it() {
        let (store, job) = store_with_job(1);
        let mut store = store.into_inner().unwrap();
        // The job's next run is 2026-11-24 09:00; the clock is corrected back by a day.
        let now = at("2026-11-23T09:00:00Z");
        let due = due_jobs(&mut store, now, chrono_tz::UTC).unwrap();
        assert!(due.jobs.is_empty(), "nothing is due yet");
        let next = store.job(job).unwrap().next_run_at.unwrap();
        assert!(
            next >= at("2026-11-23T10:00:00Z") && next <= at("2026-11-23T10:01:00Z"),
            "the next run is one interval from now, not a day and an hour away: {next}"
        );
        let [mail] = &due.mails[..] else {
            panic!("one mail: {:?}", due.mails)
        };
        assert_eq!(mail.to, ["it@contoso.example"]);
        assert_eq!(
            mail.subject,
            "Quick3 Planner: \"Sync\" was rescheduled: the clock was set back"
        );
        assert!(
            mail.body.contains("2026-11-24 09:00 UTC") && mail.body.contains("2026-11-23 10:0"),
            "the mail names the old and the new time: {}",
            mail.body
        );
        let again = due_jobs(&mut store, now, chrono_tz::UTC).unwrap();
        assert!(again.mails.is_empty(), "moved once, mailed once");
        let due = due_jobs(&mut store, at("2026-11-23T10:01:00Z"), chrono_tz::UTC).unwrap();
        assert_eq!(due.jobs.len(), 1, "the job runs at its new time");
    }

    #[test]
    fn a_database_outage_is_mailed_once_to_every_address_a_job_notifies() {
        let (store, _) = store_with_job(1);
        let mut jobs = store.lock().unwrap().list_jobs().unwrap();
        let mut other = jobs[0].clone();
        other.spec.notify.emails = vec!["it@contoso.example".into(), "ops@contoso.example".into()];
        let mut off = jobs[0].clone();
        off.spec.enabled = false;
        off.spec.notify.emails = vec!["nobody@contoso.example".into()];
        jobs.extend([other, off]);
        let mail = outage_mail(
            &jobs,
            at("2026-11-24T10:00:00Z"),
            at("2026-11-24T10:00:12Z"),
            "The database could not be read or written: database is locked.",
            chrono_tz::UTC,
        )
        .expect("jobs notify addresses");
        assert_eq!(
            mail.to,
            ["it@contoso.example", "ops@contoso.example"],
            "each address once, none of a switched-off job"
        );
        assert!(
            mail.body
                .contains("from 2026-11-24 10:00:00 UTC to 2026-11-24 10:00:12 UTC")
        );
        assert!(mail.body.contains("database is locked"), "{}", mail.body);
        jobs.iter_mut()
            .for_each(|job| job.spec.notify.emails.clear());
        assert!(
            outage_mail(
                &jobs,
                at("2026-11-24T10:00:00Z"),
                at("2026-11-24T10:00:12Z"),
                "",
                chrono_tz::UTC
            )
            .is_none(),
            "nobody to tell"
        );
    }

    #[tokio::test]
    async fn a_job_missed_while_asleep_runs_once_and_counts_its_next_time_from_that_run() {
        let (store, job) = store_with_job(1);
        // The machine slept from 08:30 to 17:00: eight slots were missed.
        let now = at("2026-11-24T17:00:00Z");
        let due = due_jobs(&mut store.lock().unwrap(), now, chrono_tz::UTC)
            .unwrap()
            .jobs;
        assert_eq!(
            due.len(),
            1,
            "the job is due once, not once per missed slot"
        );
        let report = run_job(
            &store,
            job,
            || now,
            chrono_tz::UTC,
            |_| async {
                JobOutcome {
                    succeeded: true,
                    ..Default::default()
                }
            },
        )
        .await
        .unwrap()
        .unwrap();
        let next = report.job.next_run_at.unwrap();
        assert!(
            next >= at("2026-11-24T18:00:00Z") && next <= at("2026-11-24T18:01:00Z"),
            "{next}"
        );
        let due = due_jobs(&mut store.lock().unwrap(), now, chrono_tz::UTC).unwrap();
        assert!(due.jobs.is_empty() && due.mails.is_empty());
        assert!(report.mail.is_none(), "success sends nothing");
    }

    #[tokio::test]
    async fn a_job_never_overlaps_itself() {
        let (store, job) = store_with_job(1);
        let now = at("2026-11-24T10:00:00Z");
        let report = run_job(
            &store,
            job,
            || now,
            chrono_tz::UTC,
            |_| async {
                // While this run works, a second start of the same job is refused.
                JobOutcome {
                    succeeded: true,
                    ..Default::default()
                }
            },
        );
        let inner_store = &store;
        let outer = run_job(
            inner_store,
            job,
            || now,
            chrono_tz::UTC,
            |_| async move {
                let nested = run_job(
                    inner_store,
                    job,
                    || now,
                    chrono_tz::UTC,
                    |_| async { JobOutcome::default() },
                )
                .await
                .unwrap();
                assert!(nested.is_none(), "no second run while the first is going");
                JobOutcome {
                    succeeded: true,
                    ..Default::default()
                }
            },
        )
        .await
        .unwrap();
        assert!(outer.is_some());
        assert!(
            report.await.unwrap().is_some(),
            "after the first ends, the job can run again"
        );
    }

    fn succeeded() -> JobOutcome {
        JobOutcome {
            succeeded: true,
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn a_run_whose_owner_died_is_closed_as_failed_at_once_and_mailed() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("quick3.db");
        let (store, job) = add_job(Store::open(&database).unwrap(), 1);
        // A process started a run at 10:00 and died in it: the row says running, nobody holds
        // the job's run lock.
        let crashed_at = at("2026-11-24T10:00:00Z");
        lock(&store)
            .start_job_run(job, crashed_at)
            .unwrap()
            .unwrap();

        // While a live process owns the job's lock, the run is its: nothing starts.
        let owner = locks::try_hold(&locks::path(&database, &format!("job-{job}")))
            .unwrap()
            .unwrap();
        let now = crashed_at + Duration::minutes(5);
        let refused = run_job(
            &store,
            job,
            || now,
            chrono_tz::UTC,
            |_| async { succeeded() },
        )
        .await
        .unwrap();
        assert!(
            refused.is_none(),
            "a run owned by a live process is left alone"
        );
        assert_eq!(
            lock(&store).job_runs(job, 10).unwrap()[0].result,
            crate::model::JobRunResult::Running
        );

        // Its owner gone, five minutes later (not six hours): the dead run is closed, the job runs.
        drop(owner);
        let report = run_job(
            &store,
            job,
            || now,
            chrono_tz::UTC,
            |_| async { succeeded() },
        )
        .await
        .unwrap()
        .expect("a run whose owner died does not block the job");
        let runs = lock(&store).job_runs(job, 10).unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].result, crate::model::JobRunResult::Succeeded);
        assert_eq!(runs[1].result, crate::model::JobRunResult::Failed);
        assert_eq!(runs[1].finished_at, Some(now));
        assert_eq!(
            runs[1].error.as_deref(),
            Some(crate::store::INTERRUPTED_RUN),
            "the dead run says what happened"
        );
        let mail = report
            .interrupted
            .as_ref()
            .expect("the interrupted run is mailed (threshold 1)");
        assert_eq!(mail.subject, "Quick3 Planner: \"Sync\" failed");
        assert!(mail.body.contains("interrupted"), "{}", mail.body);
        assert!(report.mail.is_none(), "the new run succeeded");
        assert_eq!(report.mails().count(), 1);
    }

    #[tokio::test]
    async fn failure_mail_goes_out_when_the_streak_reaches_the_threshold() {
        let (store, job) = store_with_job(2);
        let mut now = at("2026-11-24T10:00:00Z");
        let first = run_job(
            &store,
            job,
            || now,
            chrono_tz::UTC,
            |_| async { failed("Microsoft could not be reached for megan.bowen@contoso.example.") },
        )
        .await
        .unwrap()
        .unwrap();
        assert!(
            first.mail.is_none(),
            "one failure is below the threshold of two"
        );
        now += Duration::hours(1);
        let second = run_job(
            &store,
            job,
            || now,
            chrono_tz::UTC,
            |_| async { failed("Microsoft could not be reached for megan.bowen@contoso.example.") },
        )
        .await
        .unwrap()
        .unwrap();
        let mail = second.mail.expect("the second failure in a row is mailed");
        assert_eq!(mail.to, ["it@contoso.example"]);
        assert_eq!(mail.subject, "Quick3 Planner: \"Sync\" failed");
        assert!(mail.body.contains("failed 2 times in a row"));
        assert!(mail.body.contains("megan.bowen@contoso.example"));
        assert!(
            mail.body
                .contains("What to do: check the network connection")
        );
    }

    #[test]
    fn an_account_needing_sign_in_is_mailed_even_when_the_run_otherwise_succeeded() {
        let (store, job) = store_with_job(3);
        let job = store.lock().unwrap().job(job).unwrap();
        let outcome = JobOutcome {
            succeeded: true,
            sign_in_needed: vec!["adele.vance@contoso.example".into()],
            ..Default::default()
        };
        let mail = failure_mail(&job, &outcome).expect("sign-in needed is mailed");
        assert!(mail.subject.contains("needs a new sign-in"));
        assert!(mail.body.contains("adele.vance@contoso.example"));
    }
}
