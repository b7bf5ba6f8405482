//! `quick3 daemon`: runs the scheduled jobs headless (a server, or a systemd user unit), mailing
//! failures through the configured SMTP server. `--once` runs what is due and exits.

use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use quick3_core::Store;
use quick3_core::identity::SecretStore;
use quick3_core::jobs::{self, FailureMail, RunReport, work};
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
            let due = {
                let mut store = store.lock().unwrap_or_else(|p| p.into_inner());
                jobs::due_jobs(&mut store, Utc::now(), zone)?
            };
            for notice in &due.mails {
                log(&notice.subject);
                send(&store, secrets.as_ref(), notice).await?;
            }
            for job in due.jobs {
                let report = jobs::run_job(&store, job.id, Utc::now, zone, |job| {
                    let database = database.clone();
                    let credentials = &credentials;
                    async move { work::run(&database, credentials, &job, &Utc::now).await }
                })
                .await?;
                if let Some(report) = report {
                    announce(&report);
                    for mail in report.mails() {
                        send(&store, secrets.as_ref(), mail).await?;
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
    let counts: Vec<String> = report
        .outcome
        .counts
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let result = if report.outcome.succeeded {
        "succeeded"
    } else {
        "failed"
    };
    log(&format!(
        "{}: {result} ({})",
        report.job.spec.name,
        counts.join(", ")
    ));
    for failure in &report.outcome.failures {
        log(&format!("  {failure}"));
    }
}

fn log(line: &str) {
    eprintln!(
        "{} {line}",
        Utc::now()
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M:%S")
    );
}
