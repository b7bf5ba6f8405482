//! `quick3 daemon`: runs the scheduled jobs headless (a server, or a systemd user unit), mailing
//! failures through the configured SMTP server. `--once` runs what is due and exits.

use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use quick3_core::Store;
use quick3_core::jobs::{self, JobOutcome, RunReport, work};
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
    let store = Mutex::new(Store::open(&database)?);
    let runtime = &session.runtime;
    runtime.block_on(async {
        if !once {
            log(&format!(
                "quick3 daemon started on {}; jobs run as they fall due.",
                database.display()
            ));
        }
        loop {
            if let Err(err) = store
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .back_up_daily(Utc::now())
            {
                log(&format!("today's backup of the database: {err}"));
            }
            let due = {
                let store = store.lock().unwrap_or_else(|p| p.into_inner());
                jobs::due_jobs(&store, Utc::now())?
            };
            for job in due {
                let report = jobs::run_job(&store, job.id, Utc::now, zone, |job| {
                    let database = database.clone();
                    let credentials = &credentials;
                    async move { work::run(&database, credentials, &job, &Utc::now).await }
                })
                .await?;
                if let Some(report) = report {
                    announce(&report);
                    if let Some(mail) = &report.mail {
                        let settings = store
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .smtp_settings()?;
                        match settings {
                            Some(settings) => match mail::send(&settings, secrets.as_ref(), mail)
                                .await
                            {
                                Ok(()) => {
                                    log(&format!("  failure notice sent to {}", mail.to.join(", ")))
                                }
                                Err(err) => log(&format!("  {err}")),
                            },
                            None => log(
                                "  no failure notice: no SMTP server is set (quick3 mail set …)",
                            ),
                        }
                    }
                }
            }
            if once {
                return Ok::<_, anyhow::Error>(());
            }
            let wait = {
                let store = store.lock().unwrap_or_else(|p| p.into_inner());
                let next = store
                    .list_jobs()?
                    .into_iter()
                    .filter(|j| j.spec.enabled)
                    .filter_map(|j| j.next_run_at)
                    .min();
                next.and_then(|at| (at - Utc::now()).to_std().ok())
                    .map_or(POLL, |d| d.min(POLL))
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
