//! The job runner of every front end (the app and `quick3 daemon`): a look at the schedule runs
//! the due jobs, sends their mails and says how long to sleep. What a front end does besides — its
//! log, a notification, a gate of its own — it does in the hooks of its [`FrontEnd`].

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{RunReport, due_jobs, outage_mail, run_job, work};
use crate::error::{CoreError, Result};
use crate::identity::{Credentials, SecretStore};
use crate::ids::JobId;
use crate::mail::{self, FailureMail, MailError};
use crate::store::Store;

/// Longest sleep between two looks at the schedule.
pub const POLL: Duration = Duration::from_secs(30);

/// The clock a look at the schedule reads (the front end's; tests pass a fixed one).
pub type Clock<'a> = &'a (dyn Fn() -> DateTime<Utc> + Sync);

/// What became of a mail.
#[derive(Debug)]
pub enum Sent {
    Delivered,
    /// The SMTP server refused it or could not be reached.
    Failed(MailError),
    /// No SMTP server is set.
    NoServer,
}

/// A front end's side of the runner: what it works with and what it does around a run.
pub trait FrontEnd {
    /// The front end's error; every core error converts into it.
    type Error: From<CoreError>;

    /// The way to Microsoft, asked for just before a job runs.
    fn credentials(&self) -> std::result::Result<&Credentials, Self::Error>;

    /// The keyring that holds the SMTP password.
    fn secrets(&self) -> &dyn SecretStore;

    /// Held while a job's work runs (the app's sync gate: one sync at a time).
    fn gate(&self) -> impl Sized + '_;

    /// A job's next run was moved because the clock was set back; its mail is sent next.
    fn rescheduled(&self, _mail: &FailureMail) {}

    /// A run ended and was recorded; its mails are sent next.
    fn ran(&self, report: &RunReport);

    /// A mail was sent, or not.
    fn mailed(&self, mail: &FailureMail, sent: &Sent);

    /// A run's mails were sent.
    fn finished(&self, _report: &RunReport) {}
}

/// What one look at the schedule came to.
#[derive(Debug)]
pub struct Tick {
    /// The runs of the jobs that were due (none of a job another process was running).
    pub reports: Vec<RunReport>,
    /// How long to sleep before the next look.
    pub next_wake: Duration,
}

/// The runner's own store connection (it records the runs) and the database the work opens.
#[derive(Debug)]
pub struct Runner {
    store: Mutex<Store>,
    database: PathBuf,
}

impl Runner {
    pub fn open(database: &Path) -> Result<Runner> {
        Ok(Runner {
            store: Mutex::new(Store::open(database)?),
            database: database.to_path_buf(),
        })
    }

    /// The runner's store connection.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn zone(&self) -> chrono_tz::Tz {
        self.store()
            .default_zone()
            .parse()
            .unwrap_or(chrono_tz::UTC)
    }

    /// One look at the schedule: mails the jobs whose next run the clock moved, runs the due
    /// jobs one after the other, and says how long to sleep.
    pub async fn tick<F: FrontEnd>(
        &self,
        front: &F,
        clock: Clock<'_>,
    ) -> std::result::Result<Tick, F::Error> {
        let zone = self.zone();
        let due = due_jobs(&mut self.store(), clock(), zone)?;
        for notice in &due.mails {
            front.rescheduled(notice);
            self.mail(front, notice).await?;
        }
        let mut reports = Vec::new();
        for job in due.jobs {
            reports.extend(self.run(front, job.id, clock).await?);
        }
        Ok(Tick {
            reports,
            next_wake: self.next_wake(clock())?,
        })
    }

    /// Runs one job now (at its time or "Run now") and sends its mails. `None`: a run of it was
    /// already going.
    pub async fn run<F: FrontEnd>(
        &self,
        front: &F,
        job: JobId,
        clock: Clock<'_>,
    ) -> std::result::Result<Option<RunReport>, F::Error> {
        let credentials = front.credentials()?;
        let zone = self.zone();
        let report = {
            let _gate = front.gate();
            run_job(&self.store, job, clock, zone, |job| async move {
                work::run(&self.database, credentials, &job, clock).await
            })
            .await?
        };
        let Some(report) = report else {
            return Ok(None);
        };
        front.ran(&report);
        for notice in report.mails() {
            self.mail(front, notice).await?;
        }
        front.finished(&report);
        Ok(Some(report))
    }

    /// How long to sleep until the next run of an enabled job, at most [`POLL`] (and [`POLL`]
    /// when that run is already past: a job paused or running elsewhere is not looked at again
    /// at once).
    pub fn next_wake(&self, now: DateTime<Utc>) -> Result<Duration> {
        let next = self
            .store()
            .list_jobs()?
            .into_iter()
            .filter(|j| j.spec.enabled)
            .filter_map(|j| j.next_run_at)
            .min();
        Ok(wait(next, now))
    }

    /// Sends `notice` through the SMTP server of the settings; the front end hears how it went.
    pub async fn mail<F: FrontEnd>(&self, front: &F, notice: &FailureMail) -> Result<Sent> {
        let settings = self.store().smtp_settings()?;
        let sent = match settings {
            Some(settings) => match mail::send(&settings, front.secrets(), notice).await {
                Ok(()) => Sent::Delivered,
                Err(err) => Sent::Failed(err),
            },
            None => Sent::NoServer,
        };
        front.mailed(notice, &sent);
        Ok(sent)
    }

    /// The mail about the database failing from `since` until `until` ([`outage_mail`]).
    pub fn outage_mail(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        error: &str,
    ) -> Result<Option<FailureMail>> {
        let jobs = self.store().list_jobs()?;
        Ok(outage_mail(&jobs, since, until, error, self.zone()))
    }
}

/// The sleep from `now` until `next`, at most [`POLL`]; [`POLL`] without a next run or when it is
/// past.
fn wait(next: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Duration {
    next.and_then(|at| (at - now).to_std().ok())
        .map_or(POLL, |d| d.min(POLL))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{IdentityError, Secret};

    /// A front end that notes its hooks and has no way to Microsoft.
    #[derive(Debug, Default)]
    struct Noted(Mutex<Vec<String>>);

    impl SecretStore for Noted {
        fn get(&self, _: &str) -> std::result::Result<Option<Secret>, IdentityError> {
            Ok(None)
        }
        fn set(&self, _: &str, _: &Secret) -> std::result::Result<(), IdentityError> {
            Ok(())
        }
        fn delete(&self, _: &str) -> std::result::Result<(), IdentityError> {
            Ok(())
        }
    }

    impl FrontEnd for Noted {
        type Error = CoreError;
        fn credentials(&self) -> Result<&Credentials> {
            Err(CoreError::InvalidInput {
                field: "credentials",
                reason: "none in this test".into(),
            })
        }
        fn secrets(&self) -> &dyn SecretStore {
            self
        }
        fn gate(&self) -> impl Sized + '_ {}
        fn rescheduled(&self, mail: &FailureMail) {
            self.0
                .lock()
                .unwrap()
                .push(format!("rescheduled: {}", mail.subject));
        }
        fn ran(&self, report: &RunReport) {
            self.0
                .lock()
                .unwrap()
                .push(format!("ran {}", report.job.spec.name));
        }
        fn mailed(&self, mail: &FailureMail, sent: &Sent) {
            self.0
                .lock()
                .unwrap()
                .push(format!("mailed {:?}: {sent:?}", mail.to));
        }
    }

    #[tokio::test]
    async fn a_look_mails_a_job_the_clock_moved_and_sleeps_one_poll() {
        let dir = tempfile::tempdir().unwrap();
        let runner = Runner::open(&dir.path().join("quick3.db")).unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let spec = crate::jobs::tests::hourly_sync(1);
        // Its next run was set a day ahead: the clock was set back since.
        runner
            .store()
            .add_job(spec, now + chrono::Duration::days(1), now)
            .unwrap();
        let front = Noted::default();
        let tick = runner.tick(&front, &|| now).await.unwrap();
        assert!(tick.reports.is_empty(), "nothing was due");
        assert_eq!(tick.next_wake, POLL, "the moved run is an hour away");
        assert_eq!(
            front.0.into_inner().unwrap(),
            [
                "rescheduled: Quick3 Planner: \"Sync\" was rescheduled: the clock was set back",
                "mailed [\"it@contoso.example\"]: NoServer",
            ],
            "the front end hears of the mail before and after it is sent"
        );
    }

    #[test]
    fn the_runner_sleeps_until_the_next_run_but_never_longer_than_a_poll() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let seconds = chrono::Duration::seconds;
        for (next, slept, why) in [
            (None, POLL, "no job: one poll"),
            (
                Some(now + seconds(5)),
                Duration::from_secs(5),
                "a run in 5 s",
            ),
            (
                Some(now + seconds(3600)),
                POLL,
                "a run in an hour: one poll",
            ),
            (Some(now - seconds(5)), POLL, "a run already past: one poll"),
        ] {
            assert_eq!(wait(next, now), slept, "{why}");
        }
    }
}
