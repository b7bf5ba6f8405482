//! Scheduled jobs in the tray process: a loop around the core's job runner (as `quick3 daemon`)
//! that keeps the daily backup, honours the pause (a setting in the store, so that every process
//! of the folder sees it), notifies a failed run and tells the windows; the tray's Sync now; the
//! menu's state read from the store.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use quick3_core::api::{self, SyncScope};
use quick3_core::identity::{Credentials, SecretStore};
use quick3_core::jobs::{FrontEnd, POLL, RunReport, Runner, Sent, desktop};
use quick3_core::mail::FailureMail;
use quick3_core::model::JobRunResult;
use quick3_core::presence::Message;
use quick3_core::sync::SyncOptions;

use crate::run::{Request, Shared};

/// The loop's side of the job runner.
pub struct Jobs {
    shared: Arc<Shared>,
    runtime: tokio::runtime::Handle,
}

impl Jobs {
    /// Starts the loop on a thread of its own (a run's sync is driven there to its end).
    pub fn start(shared: Arc<Shared>) {
        let runtime = tokio::runtime::Handle::current();
        let started = std::thread::Builder::new()
            .name("scheduled-jobs".into())
            .spawn(move || Jobs { shared, runtime }.run());
        if let Err(err) = started {
            tracing::warn!(%err, "the scheduled-jobs loop did not start");
        }
    }

    fn run(self) {
        let runner = match Runner::open(&self.shared.database) {
            Ok(runner) => runner,
            Err(err) => {
                tracing::error!(code = %err.code(), "scheduled jobs cannot run: {err}");
                return;
            }
        };
        loop {
            if let Err(err) = runner.store().back_up_daily(Utc::now()) {
                tracing::warn!(code = %err.code(), "today's backup of the database: {err}");
            }
            let wait = self.look(&runner).unwrap_or_else(|err| {
                tracing::warn!("scheduled jobs: {err:#}");
                POLL
            });
            std::thread::sleep(wait.max(Duration::from_millis(500)));
        }
    }

    /// Runs what is due unless paused; says how long to sleep.
    fn look(&self, runner: &Runner) -> anyhow::Result<Duration> {
        if runner.store().background_paused()? {
            return Ok(runner.next_wake(Utc::now())?);
        }
        let tick = self.runtime.block_on(runner.tick(self, &Utc::now))?;
        Ok(tick.next_wake)
    }
}

impl FrontEnd for Jobs {
    type Error = anyhow::Error;

    fn credentials(&self) -> anyhow::Result<&Credentials> {
        self.shared
            .credentials
            .as_ref()
            .map_err(|problem| anyhow::anyhow!("Microsoft 365 is not available: {problem}"))
    }

    fn secrets(&self) -> &dyn SecretStore {
        self.shared.secrets.as_ref()
    }

    fn gate(&self) -> impl Sized + '_ {
        self.shared
            .sync_gate
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    fn ran(&self, report: &RunReport) {
        let result = if report.outcome.succeeded {
            "succeeded"
        } else {
            "failed"
        };
        tracing::info!(job = %report.job.spec.name, "scheduled run {result}");
        let _ = self.shared.requests.send(Request::Refresh);
        desktop::notify_failure(report, |title, body| {
            self.runtime.block_on(crate::notify::show(title, body))
        });
    }

    fn mailed(&self, _mail: &FailureMail, sent: &Sent) {
        desktop::log_unsent_notice(sent);
    }

    fn finished(&self, report: &RunReport) {
        let _ = self
            .shared
            .requests
            .send(Request::Tell(Message::JobFinished {
                job_id: report.job.id,
                name: report.job.spec.name.clone(),
                succeeded: report.outcome.succeeded,
                error: report.outcome.error_text(),
            }));
    }
}

/// Sync now in the tray: every account, on a connection of its own, in a blocking thread.
pub fn sync_now(shared: Arc<Shared>) {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let synced = (|| -> anyhow::Result<usize> {
            let credentials = shared
                .credentials
                .as_ref()
                .map_err(|problem| anyhow::anyhow!("Microsoft 365 is not available: {problem}"))?;
            let mut store = quick3_core::Store::open(&shared.database)?;
            let _one_at_a_time = shared.sync_gate.lock().unwrap_or_else(|p| p.into_inner());
            let summaries = runtime.block_on(api::sync(
                &mut store,
                credentials,
                SyncScope::default(),
                &SyncOptions::default(),
                &Utc::now,
                &mut |_| {},
            ))?;
            Ok(summaries.len())
        })();
        match synced {
            Ok(accounts) => tracing::info!(accounts, "Sync now: done"),
            Err(err) => tracing::warn!("Sync now: {err:#}"),
        }
        // The window's Scheduler loads again, as after a scheduled sync.
        let _ = shared.requests.send(Request::Tell(Message::Changed));
    });
}

/// Pauses or resumes background runs for every process of the folder (remembered in the store).
pub fn toggle_pause(shared: &Shared) {
    let mut store = shared.store();
    let toggled = store
        .background_paused()
        .and_then(|paused| store.set_background_paused(!paused));
    if let Err(err) = toggled {
        tracing::warn!(code = %err.code(), "the pause of background sync could not be saved: {err}");
    }
}

/// The menu's first line (the last run of any job, whoever ran it) and whether runs are paused.
pub fn menu_state(shared: &Shared) -> (String, bool) {
    let store = shared.store();
    let paused = store.background_paused().unwrap_or(false);
    let last = store.list_jobs().ok().and_then(|jobs| {
        jobs.into_iter()
            .filter_map(|job| {
                let run = job.last_run?;
                let finished = run.finished_at?;
                Some((finished, job.spec.name, run.result))
            })
            .max_by_key(|(finished, _, _)| *finished)
    });
    (status_line(last.as_ref(), paused), paused)
}

/// "No scheduled run yet", or "Last run: <job>: succeeded at 14:05", with " (paused)".
fn status_line(
    last: Option<&(chrono::DateTime<Utc>, String, JobRunResult)>,
    paused: bool,
) -> String {
    let line = match last {
        None => "No scheduled run yet".to_owned(),
        Some((at, name, result)) => format!(
            "Last run: {name}: {} at {}",
            result.as_str(),
            at.with_timezone(&chrono::Local).format("%H:%M")
        ),
    };
    if paused {
        format!("{line} (paused)")
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_line_names_the_last_run_and_the_pause() {
        assert_eq!(status_line(None, false), "No scheduled run yet");
        assert_eq!(
            status_line(None, true),
            "No scheduled run yet (paused)",
            "the pause shows in the menu's first line"
        );
        let at = Utc::now();
        let line = status_line(
            Some(&(at, "Hourly sync".into(), JobRunResult::Failed)),
            false,
        );
        assert!(
            line.starts_with("Last run: Hourly sync: failed at "),
            "{line}"
        );
    }
}
