//! `quick3 daemon`: runs the scheduled jobs headless (a server, or a systemd user unit), mailing
//! failures through the configured SMTP server. `--once` runs what is due and exits. A failing
//! database (locked, unavailable) stops no daemon: it tries again with backoff, and mails the
//! outage once the database answers again.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use quick3_core::identity::{Credentials, SecretStore};
use quick3_core::jobs::{FrontEnd, JobOutcome, POLL, RunReport, Runner, Sent};
use quick3_core::mail::FailureMail;

use super::Session;

pub fn run(session: &mut Session, once: bool) -> anyhow::Result<()> {
    let database = session
        .store
        .path()
        .context("the daemon needs a database file")?
        .to_path_buf();
    let daemon = Daemon {
        credentials: session.credentials()?,
        secrets: session.secrets()?,
    };
    let runner = Runner::open(&database)?;
    session.runtime.block_on(async {
        if once {
            return daemon.look(&runner).await.map(|_| ());
        }
        log(&format!(
            "quick3 daemon started on {}; jobs run as they fall due.",
            database.display()
        ));
        // Since when the store has failed, with its last error and the failures in a row.
        let mut outage: Option<(chrono::DateTime<Utc>, String, u32)> = None;
        loop {
            let wait = match daemon.look(&runner).await {
                Ok(wait) => {
                    if let Some((since, error, _)) = outage.take() {
                        log("the database can be read and written again; jobs go on.");
                        daemon.mail_outage(&runner, since, &error).await;
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

/// The daemon's side of the job runner: it logs runs and mails on stderr.
struct Daemon {
    credentials: Credentials,
    secrets: Arc<dyn SecretStore>,
}

impl Daemon {
    /// One look at the schedule: keeps today's backup, runs what is due and mails what must be
    /// mailed; answers how long to sleep until the next look.
    async fn look(&self, runner: &Runner) -> anyhow::Result<Duration> {
        // The first look of a day keeps a backup of the database (the last 7 are kept).
        if let Err(err) = runner.store().back_up_daily(Utc::now()) {
            log(&format!("today's backup of the database: {err}"));
        }
        Ok(runner.tick(self, &Utc::now).await?.next_wake)
    }

    /// Mails the jobs' notice addresses that the store failed from `since` until now.
    async fn mail_outage(&self, runner: &Runner, since: chrono::DateTime<Utc>, error: &str) {
        let sent = match runner.outage_mail(since, Utc::now(), error) {
            Ok(Some(notice)) => runner.mail(self, &notice).await.map(|_| ()),
            Ok(None) => Ok(()),
            Err(err) => Err(err),
        };
        if let Err(err) = sent {
            log(&format!("  {err}"));
        }
    }
}

impl FrontEnd for Daemon {
    type Error = anyhow::Error;

    fn credentials(&self) -> anyhow::Result<&Credentials> {
        Ok(&self.credentials)
    }

    fn secrets(&self) -> &dyn SecretStore {
        self.secrets.as_ref()
    }

    fn gate(&self) -> impl Sized + '_ {}

    fn rescheduled(&self, mail: &FailureMail) {
        log(&mail.subject);
    }

    fn ran(&self, report: &RunReport) {
        announce(report);
    }

    /// Logs the outcome of a failure notice (the server is set with `quick3 mail set`).
    fn mailed(&self, mail: &FailureMail, sent: &Sent) {
        match sent {
            Sent::Delivered => log(&format!("  failure notice sent to {}", mail.to.join(", "))),
            Sent::Failed(err) => log(&format!("  {err}")),
            Sent::NoServer => log("  no failure notice: no SMTP server is set (quick3 mail set …)"),
        }
    }
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
            ..JobOutcome::default()
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
