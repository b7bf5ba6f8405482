//! Graph's error answers read into `GraphError`s (defined with their codes and sentences in
//! `crate::error`): the status, `Retry-After` and error body, and the words about a mailbox.

use std::time::Duration;

use super::GraphError;
use crate::model::OrgMailbox;

impl GraphError {
    /// Classifies an HTTP error answer from its status, `Retry-After` and Graph error body.
    pub fn from_status(status: u16, retry_after: Option<Duration>, body: &[u8]) -> GraphError {
        let (code, message) = error_body(body);
        if let Some(asked) = retry_after.filter(|asked| *asked > MAX_RETRY_AFTER)
            && (status == 429 || (500..=599).contains(&status))
        {
            return GraphError::WaitTooLong { asked };
        }
        match status {
            429 => GraphError::Throttled { retry_after },
            401 => GraphError::Unauthorized,
            403 => GraphError::Forbidden { message },
            404 if MAILBOX_GONE_CODES
                .iter()
                .any(|gone| code.eq_ignore_ascii_case(gone)) =>
            {
                GraphError::MailboxGone { code, message }
            }
            404 => GraphError::NotFound,
            409 | 412 => GraphError::PreconditionFailed { status },
            410 => GraphError::SyncStateNotFound,
            400 if code.eq_ignore_ascii_case("syncStateNotFound")
                || code.eq_ignore_ascii_case("resyncRequired") =>
            {
                GraphError::SyncStateNotFound
            }
            500..=599 => GraphError::Server {
                status,
                message,
                retry_after,
            },
            _ => GraphError::Rejected {
                status,
                code,
                message,
            },
        }
    }

    /// The failure that stopped a sync, in words about its mailbox: the account's own (`link`
    /// none), or an organisation link's, named by its display name and Object ID.
    pub fn about_mailbox(&self, link: Option<&OrgMailbox>) -> String {
        match (link, self) {
            (Some(link), GraphError::MailboxGone { code, message }) if mailbox_disabled(code) => {
                format!(
                    "the mailbox of {} (Object ID {}) cannot be reached in Microsoft 365: the user \
                     is still there but has no Exchange Online licence, or the mailbox is inactive \
                     (Microsoft says: {message}). Its appointments stay in Quick3 Planner and \
                     nothing waiting for upload was dropped; once the licence is given back, the \
                     next sync goes on.",
                    link.display_name, link.object_id
                )
            }
            (None, GraphError::MailboxGone { code, message }) if mailbox_disabled(code) => format!(
                "the mailbox of this account cannot be reached in Microsoft 365: the user has no \
                 Exchange Online licence, or the mailbox is inactive (Microsoft says: {message}). \
                 Its appointments stay in Quick3 Planner and nothing waiting for upload was \
                 dropped; once the licence is given back, the next sync goes on."
            ),
            (Some(link), GraphError::NotFound | GraphError::MailboxGone { .. }) => format!(
                "the mailbox of {} (Object ID {}) no longer exists in Microsoft 365: the user was \
                 deleted or lost their licence. Its appointments stay in Quick3 Planner and \
                 nothing waiting for upload was dropped.",
                link.display_name, link.object_id
            ),
            (None, GraphError::MailboxGone { message, .. }) => format!(
                "the mailbox of this account no longer exists in Microsoft 365 (Microsoft says: \
                 {message}): the account was deleted or lost its licence. Its appointments stay in \
                 Quick3 Planner and nothing waiting for upload was dropped."
            ),
            (Some(link), GraphError::Forbidden { message }) => format!(
                "Microsoft 365 refused the organisation's app access to the mailbox of {} (HTTP \
                 403: {message}); check the application permissions and any application access \
                 policy.",
                link.display_name
            ),
            _ => self.to_string(),
        }
    }
}

/// Exchange's codes for a mailbox whose user is still in the directory (no licence, inactive,
/// soft-deleted or on-premises), as against `ErrorInvalidUser` (the user is gone).
fn mailbox_disabled(code: &str) -> bool {
    code.eq_ignore_ascii_case("MailboxNotEnabledForRESTAPI")
        || code.eq_ignore_ascii_case("MailboxNotSupportedForRESTAPI")
}

/// The longest wait Quick3 takes from a `Retry-After` before it gives up on the run; Microsoft
/// asks for seconds or minutes, so more is a broken or hostile answer.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Reads a `Retry-After` value in seconds (`"120"`); a number too large for a `u64` is
/// [`Duration::MAX`], never an overflow. An HTTP date or anything else is `None` (backoff instead).
pub fn parse_retry_after(text: &str) -> Option<Duration> {
    let digits = text.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(
        digits
            .parse::<u64>()
            .map_or(Duration::MAX, Duration::from_secs),
    )
}

/// Exchange's 404 codes for a mailbox that is not there (as opposed to an item in it):
/// `ErrorInvalidUser` ("The requested user '…' is invalid.": the user is not in the directory),
/// `MailboxNotEnabledForRESTAPI` ("The mailbox is either inactive, soft-deleted, or is hosted
/// on-premise": no licence, or deleted) and `MailboxNotSupportedForRESTAPI`.
const MAILBOX_GONE_CODES: [&str; 3] = [
    "ErrorInvalidUser",
    "MailboxNotEnabledForRESTAPI",
    "MailboxNotSupportedForRESTAPI",
];

/// `{"error":{"code","message"}}`, tolerant of anything else.
fn error_body(body: &[u8]) -> (String, String) {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let text = |name: &str| {
        value["error"][name]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let message = text("message");
    let message = if message.is_empty() {
        "no explanation was given".to_owned()
    } else {
        message
    };
    (text("code"), message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn statuses_map_to_kinds_that_say_whether_to_retry() {
        let throttled = GraphError::from_status(429, Some(Duration::from_secs(3)), b"");
        assert!(throttled.is_transient(), "429 is retried");
        assert_eq!(throttled.retry_after(), Some(Duration::from_secs(3)));
        for status in [503, 504] {
            assert!(
                GraphError::from_status(status, None, b"{}").is_transient(),
                "{status} is retried"
            );
        }
        assert_eq!(
            GraphError::from_status(410, None, b""),
            GraphError::SyncStateNotFound
        );
        let body = br#"{"error":{"code":"syncStateNotFound","message":"gone"}}"#;
        assert_eq!(
            GraphError::from_status(400, None, body),
            GraphError::SyncStateNotFound
        );
        assert!(!GraphError::from_status(412, None, b"").is_transient());
        assert!(GraphError::from_status(401, None, b"").needs_sign_in());
        let rejected = GraphError::from_status(
            400,
            None,
            br#"{"error":{"code":"BadRequest","message":"no"}}"#,
        );
        assert!(!rejected.is_transient(), "a bad request stays bad");
        assert!(rejected.to_string().contains("no"));
    }

    #[test]
    fn retry_after_is_read_without_overflow_and_a_wait_past_the_cap_stops_the_run() {
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("0"), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999"),
            Some(Duration::MAX),
            "too large for a u64 is as long as can be, not ignored"
        );
        for not_seconds in ["", "-5", "1.5", "Wed, 21 Oct 2015 07:28:00 GMT", "+3"] {
            assert_eq!(parse_retry_after(not_seconds), None, "{not_seconds:?}");
        }
        let hour = GraphError::from_status(429, Some(MAX_RETRY_AFTER), b"");
        assert_eq!(
            hour.retry_after(),
            Some(MAX_RETRY_AFTER),
            "an hour is waited"
        );
        for status in [429, 503] {
            let err = GraphError::from_status(status, Some(Duration::MAX), b"");
            assert!(!err.is_transient(), "{status}: past the cap is not retried");
            assert_eq!(err.retry_after(), None, "so nothing adds it to a date");
            assert!(
                err.to_string()
                    .starts_with("Microsoft asked Quick3 Planner to wait ")
            );
        }
        assert_eq!(
            GraphError::from_status(429, Some(Duration::from_secs(3601)), b"").to_string(),
            "Microsoft asked Quick3 Planner to wait 2 hours before the next request; the sync stopped and will try again at its next run."
        );
    }

    #[test]
    fn a_missing_mailbox_is_told_apart_from_a_missing_item() {
        let gone = GraphError::from_status(
            404,
            None,
            br#"{"error":{"code":"ErrorInvalidUser","message":"The requested user 'x' is invalid."}}"#,
        );
        assert!(matches!(gone, GraphError::MailboxGone { .. }), "{gone:?}");
        assert!(gone.stops_account() && !gone.is_transient() && !gone.needs_sign_in());
        let unlicensed = GraphError::from_status(
            404,
            None,
            br#"{"error":{"code":"MailboxNotEnabledForRESTAPI","message":"The mailbox is either inactive, soft-deleted, or is hosted on-premise."}}"#,
        );
        assert_eq!(unlicensed.code(), ErrorCode::MailboxGone);
        let item = GraphError::from_status(
            404,
            None,
            br#"{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store."}}"#,
        );
        assert_eq!(item, GraphError::NotFound);
        assert!(!item.stops_account());
    }

    #[test]
    fn unreadable_error_bodies_still_classify() {
        let err = GraphError::from_status(503, None, b"<html>");
        assert!(err.is_transient());
        assert!(err.to_string().contains("no explanation"));
    }

    #[test]
    fn a_failure_that_stops_a_sync_is_told_about_its_mailbox() {
        let link = OrgMailbox {
            object_id: "0b1c".into(),
            display_name: "Meeting room 4".into(),
        };
        let gone = |code: &str| GraphError::MailboxGone {
            code: code.into(),
            message: "says Exchange".into(),
        };
        let forbidden = GraphError::Forbidden {
            message: "policy".into(),
        };
        #[rustfmt::skip]
        let cases: [(&str, Option<&OrgMailbox>, GraphError, &str); 7] = [
            ("a link without a licence", Some(&link), gone("MailboxNotEnabledForRESTAPI"),
                "the mailbox of Meeting room 4 (Object ID 0b1c) cannot be reached"),
            ("an account without a licence", None, gone("mailboxnotsupportedforrestapi"),
                "the mailbox of this account cannot be reached"),
            ("a link's user deleted", Some(&link), gone("ErrorInvalidUser"),
                "the mailbox of Meeting room 4 (Object ID 0b1c) no longer exists"),
            ("a link's mailbox not found", Some(&link), GraphError::NotFound,
                "the mailbox of Meeting room 4 (Object ID 0b1c) no longer exists"),
            ("an account's user deleted", None, gone("ErrorInvalidUser"),
                "the mailbox of this account no longer exists in Microsoft 365 (Microsoft"),
            ("a link the organisation's app may not reach", Some(&link), forbidden.clone(),
                "Microsoft 365 refused the organisation's app access to the mailbox of Meeting"),
            ("anything else in the error's own words", None, forbidden.clone(),
                "Microsoft 365 refused access (HTTP 403): policy"),
        ];
        for (why, link, err, start) in cases {
            let words = err.about_mailbox(link);
            assert!(words.starts_with(start), "{why}: {words}");
        }
    }
}
