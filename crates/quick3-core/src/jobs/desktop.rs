//! What the desktop's job runners (the window's, and the tray process's on Linux) tell the
//! planner around a run: a failed run's notification, and a failure notice that was not sent.

use std::fmt::Display;

use super::{RunReport, Sent};

/// A failed run's notification: its title and body. None for a run that succeeded.
pub fn failure_notification(report: &RunReport) -> Option<(String, String)> {
    (!report.outcome.succeeded).then(|| {
        (
            format!("Quick3 Planner: \"{}\" failed", report.job.spec.name),
            report.outcome.error_text().unwrap_or_default(),
        )
    })
}

/// Shows a failed run's notification with `show` (title, body); one that could not be shown is
/// logged. A run that succeeded shows nothing.
pub fn notify_failure<E: Display>(
    report: &RunReport,
    show: impl FnOnce(&str, &str) -> Result<(), E>,
) {
    if let Some((title, body)) = failure_notification(report)
        && let Err(err) = show(&title, &body)
    {
        tracing::warn!(%err, "the failure notification could not be shown");
    }
}

/// Why a failure notice was not sent, as the desktop's log says it (its SMTP server is set in
/// Settings → E-mail); none when it was delivered.
pub fn unsent_notice(sent: &Sent) -> Option<String> {
    match sent {
        Sent::Delivered => None,
        Sent::Failed(err) => Some(format!("the failure notice was not sent: {err}")),
        Sent::NoServer => {
            Some("no failure notice: no SMTP server is set (Settings → E-mail)".to_owned())
        }
    }
}

/// Logs a failure notice that was not sent (see [`unsent_notice`]).
pub fn log_unsent_notice(sent: &Sent) {
    if let Some(why) = unsent_notice(sent) {
        tracing::warn!("{why}");
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::jobs::JobOutcome;
    use crate::mail::MailError;
    use crate::model::{Job, JobSpec};

    fn report(succeeded: bool, failures: &[&str]) -> RunReport {
        let job = Job {
            id: crate::ids::JobId(7),
            spec: JobSpec {
                name: "Nightly sync".into(),
                ..crate::jobs::tests::hourly_sync(0)
            },
            next_run_at: None,
            last_run: None,
            consecutive_failures: 0,
            frequency_warning: None,
        };
        let outcome = JobOutcome {
            succeeded,
            failures: failures.iter().map(|f| (*f).to_owned()).collect(),
            ..JobOutcome::default()
        };
        RunReport {
            job,
            outcome,
            mail: None,
            interrupted: None,
        }
    }

    #[test]
    fn a_failed_run_is_shown_once_with_its_name_and_every_failure() {
        let failed = report(false, &["Megan must sign in again.", "Room 2 is full."]);
        let shown = RefCell::new(Vec::new());
        notify_failure(&failed, |title: &str, body: &str| {
            shown.borrow_mut().push((title.to_owned(), body.to_owned()));
            Ok::<(), String>(())
        });
        assert_eq!(
            shown.into_inner(),
            [(
                "Quick3 Planner: \"Nightly sync\" failed".to_owned(),
                "Megan must sign in again. Room 2 is full.".to_owned()
            )],
            "the planner is told which job failed and why, in one notification"
        );
    }

    #[test]
    fn a_run_that_succeeded_shows_nothing_and_a_refused_notification_is_only_logged() {
        notify_failure(
            &report(true, &[]),
            |_: &str, _: &str| -> Result<(), String> {
                panic!("a run that succeeded must not notify")
            },
        );
        let mut asked = 0;
        notify_failure(&report(false, &["Boom."]), |_: &str, _: &str| {
            asked += 1;
            Err("no notification server")
        });
        assert_eq!(
            asked, 1,
            "a notification that fails is tried once, not retried"
        );
    }

    #[test]
    fn only_a_notice_that_was_not_sent_is_logged_and_says_why() {
        assert_eq!(
            unsent_notice(&Sent::Delivered),
            None,
            "a delivered notice is no problem"
        );
        assert_eq!(
            unsent_notice(&Sent::Failed(MailError("550 mailbox unavailable".into()))).as_deref(),
            Some(
                "the failure notice was not sent: The e-mail could not be sent: 550 mailbox unavailable"
            ),
            "the SMTP server's answer is kept"
        );
        assert_eq!(
            unsent_notice(&Sent::NoServer).as_deref(),
            Some("no failure notice: no SMTP server is set (Settings → E-mail)"),
            "the planner is pointed to where the server is set in the window"
        );
    }
}
