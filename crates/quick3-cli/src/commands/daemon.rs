//! `quick3 daemon`: runs the scheduled jobs headless (a server, or a systemd user unit), mailing
//! failures through the configured SMTP server. `--once` runs what is due and exits. A failing
//! database (locked, unavailable) stops no daemon: it tries again with backoff, and mails the
//! outage once the database answers again.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use quick3_core::Store;
use quick3_core::identity::{Credentials, SecretStore};
use quick3_core::jobs::{self, FailureMail, JobOutcome, RunReport, work};
use quick3_core::mail;

use super::Session;

/// Longest sleep between two looks at the schedule.
const POLL: Duration = Duration::from_secs(30);

pub fn run(session: &mut Session, once: bool) -> anyhow::Result<()> {
    let database = session
        .store
        .path()
        .context("the daemon needs a database file")?
        .to_path_buf();
    let credentials = session.credentials()?;
    let secrets = session.secrets()?;
    let zone: chrono_tz::Tz = session
        .store
        .default_zone()
        .parse()
        .unwrap_or(chrono_tz::UTC);
    let daemon = Daemon {
        store: Mutex::new(Store::open(&database)?),
        database,
        credentials,
        secrets,
        zone,
    };
    session.runtime.block_on(async {
        if once {
            return daemon.look().await.map(|_| ());
        }
        log(&format!(
            "quick3 daemon started on {}; jobs run as they fall due.",
            daemon.database.display()
        ));
        // Since when the store has failed, with its last error and the failures in a row.
        let mut outage: Option<(chrono::DateTime<Utc>, String, u32)> = None;
        loop {
            let wait = match daemon.look().await {
                Ok(wait) => {
                    if let Some((since, error, _)) = outage.take() {
                        log("the database can be read and written again; jobs go on.");
                        daemon.mail_outage(since, &error).await;
                    }
                    wait
                }
                Err(err) => {
                    let (_, error, failures) =
                        outage.get_or_insert_with(|| (Utc::now(), String::new(), 0));
                    *error = format!("{err:#}");
                    *failures += 1;
                    let wait = backoff(*failures);
                    log(&format!(
                        "{error} Trying again in {} seconds.",
                        wait.as_secs()
                    ));
                    wait
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait.max(Duration::from_millis(200))) => {}
                _ = tokio::signal::ctrl_c() => {
                    log("quick3 daemon stopped.");
                    return Ok(());
                }
            }
        }
    })
}

/// The wait after `failures` looks at the schedule failed in a row: 1, 2, 4 … seconds, at most
/// [`POLL`].
fn backoff(failures: u32) -> Duration {
    Duration::from_secs(1 << failures.saturating_sub(1).min(5)).min(POLL)
}

/// What the daemon works with.
struct Daemon {
    store: Mutex<Store>,
    database: PathBuf,
    credentials: Credentials,
    secrets: Arc<dyn SecretStore>,
    zone: chrono_tz::Tz,
}

impl Daemon {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One look at the schedule: runs what is due and mails what must be mailed; answers how
    /// long to sleep until the next look.
    async fn look(&self) -> anyhow::Result<Duration> {
        // The first look of a day keeps a backup of the database (the last 7 are kept).
        if let Err(err) = self.store().back_up_daily(Utc::now()) {
            log(&format!("today's backup of the database: {err}"));
        }
        let due = jobs::due_jobs(&mut self.store(), Utc::now(), self.zone)?;
        for notice in &due.mails {
            log(&notice.subject);
            self.send(notice).await?;
        }
        for job in due.jobs {
            let report = jobs::run_job(&self.store, job.id, Utc::now, self.zone, |job| {
                let database = self.database.clone();
                let credentials = &self.credentials;
                async move { work::run(&database, credentials, &job, &Utc::now).await }
            })
            .await?;
            if let Some(report) = report {
                announce(&report);
                for mail in report.mails() {
                    self.send(mail).await?;
                }
            }
        }
        let next = self
            .store()
            .list_jobs()?
            .into_iter()
            .filter(|j| j.spec.enabled)
            .filter_map(|j| j.next_run_at)
            .min();
        Ok(next
            .and_then(|at| (at - Utc::now()).to_std().ok())
            .map_or(POLL, |d| d.min(POLL)))
    }

    /// Mails the jobs' notice addresses that the store failed from `since` until now.
    async fn mail_outage(&self, since: chrono::DateTime<Utc>, error: &str) {
        let notice = self
            .store()
            .list_jobs()
            .map(|jobs| jobs::outage_mail(&jobs, since, Utc::now(), error, self.zone));
        match notice {
            Ok(Some(notice)) => {
                if let Err(err) = self.send(&notice).await {
                    log(&format!("  {err}"));
                }
            }
            Ok(None) => {}
            Err(err) => log(&format!("  {err}")),
        }
    }

    async fn send(&self, notice: &FailureMail) -> quick3_core::Result<()> {
        send(&self.store, self.secrets.as_ref(), notice).await
    }
}

/// Sends a failure notice through the SMTP server set (`quick3 mail set`), logging the outcome.
async fn send(
    store: &Mutex<Store>,
    secrets: &dyn SecretStore,
    notice: &FailureMail,
) -> quick3_core::Result<()> {
    let settings = store
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .smtp_settings()?;
    match settings {
        Some(settings) => match mail::send(&settings, secrets, notice).await {
            Ok(()) => log(&format!(
                "  failure notice sent to {}",
                notice.to.join(", ")
            )),
            Err(err) => log(&format!("  {err}")),
        },
        None => log("  no failure notice: no SMTP server is set (quick3 mail set …)"),
    }
    Ok(())
}

fn announce(report: &RunReport) {
    for line in announcement(&report.job.spec.name, &report.outcome) {
        log(&line);
    }
}

/// The log lines of a finished run: the job's result and counts, then each failure.
fn announcement(job: &str, outcome: &JobOutcome) -> Vec<String> {
    let counts: Vec<String> = outcome
        .counts
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let result = if outcome.succeeded {
        "succeeded"
    } else {
        "failed"
    };
    let mut lines = vec![format!("{job}: {result} ({})", counts.join(", "))];
    lines.extend(
        outcome
            .failures
            .iter()
            .map(|failure| format!("  {failure}")),
    );
    lines
}

fn log(line: &str) {
    eprintln!("{}", log_line(Utc::now(), line));
}

/// One line of the daemon's log: the local time, then `line` with the control characters of the
/// names and sentences in it escaped, so that a job or an appointment cannot forge a line.
fn log_line(at: chrono::DateTime<Utc>, line: &str) -> String {
    format!(
        "{} {}",
        at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S"),
        crate::output::plain(line)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_jobs_log_lines_keep_its_control_characters_escaped() {
        let evil = "Evil\x1b[31m\r\nFAKE LOG";
        let outcome = JobOutcome {
            succeeded: false,
            counts: [("added".to_owned(), 1)].into(),
            failures: vec![format!("The appointment \"{evil}\" could not be uploaded.")],
            sign_in_needed: vec![],
            warnings: vec![],
        };
        let lines: Vec<String> = announcement(evil, &outcome)
            .iter()
            .map(|line| log_line(Utc::now(), line))
            .collect();
        assert_eq!(lines.len(), 2, "the result and one failure: {lines:?}");
        for line in &lines {
            assert!(
                !line.contains(['\x1b', '\r', '\n']),
                "no terminal escape and no second line: {line:?}"
            );
            assert!(line.contains("Evil\\u{1b}[31m\\r\\nFAKE LOG"), "{line:?}");
        }
    }
}
