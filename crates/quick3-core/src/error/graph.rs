//! What can go wrong talking to Microsoft Graph, in a plain sentence each, typed so that callers
//! know whether a retry helps (`graph::error` reads Graph's answers into it).

use std::time::Duration;

use super::{ErrorCode, IdentityError, OrgError};

/// A Graph failure. Messages are plain sentences and never contain a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("Microsoft 365 is busy and asked Quick3 Planner to slow down (HTTP 429).")]
    Throttled { retry_after: Option<Duration> },
    /// Microsoft asked for a wait longer than [`crate::graph::error::MAX_RETRY_AFTER`]: the run
    /// stops rather than hold its job (and a scheduled run) for hours or for good.
    #[error(
        "Microsoft asked Quick3 Planner to wait {} hours before the next request; the sync stopped and will try again at its next run.",
        whole_hours(*asked)
    )]
    WaitTooLong { asked: Duration },
    #[error("Microsoft 365 did not accept the sign-in for this account (HTTP 401): sign in again.")]
    Unauthorized,
    #[error("Microsoft 365 refused access (HTTP 403): {message}")]
    Forbidden { message: String },
    #[error("Microsoft 365 no longer has this item (HTTP 404).")]
    NotFound,
    /// Exchange no longer has the mailbox: its user was deleted, or lost the licence (404
    /// `ErrorInvalidUser`, `MailboxNotEnabledForRESTAPI`, `MailboxNotSupportedForRESTAPI`).
    #[error("Microsoft 365 no longer has this mailbox (HTTP 404 {code}): {message}")]
    MailboxGone { code: String, message: String },
    #[error("The item was changed in Outlook at the same time (HTTP {status}).")]
    PreconditionFailed { status: u16 },
    #[error("Microsoft 365 forgot where the last sync stopped; a full sync is needed.")]
    SyncStateNotFound,
    #[error("Microsoft 365 had a problem (HTTP {status}): {message}")]
    Server {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("Microsoft 365 refused the request (HTTP {status} {code}): {message}")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    #[error("Microsoft 365 sent an answer that could not be read ({what}).")]
    Malformed { what: String },
    /// A next or delta link (or any absolute URL) away from the configured Graph host, or over
    /// plain http to a host that is not this computer: not followed, the bearer token not sent.
    #[error(
        "Microsoft 365 sent a link to another address ({origin}) than the configured Graph; Quick3 Planner did not follow it, and the sync stopped."
    )]
    ForeignLink { origin: String },
    #[error(
        "Microsoft 365 sent an answer larger than {limit_mb} MB; Quick3 Planner did not read it, and the sync stopped."
    )]
    TooLarge { limit_mb: usize },
    #[error("Microsoft 365 could not be reached: {reason}.")]
    Network { reason: String },
    #[error("{0}")]
    Identity(IdentityError),
    #[error("{0}")]
    Organisation(Box<OrgError>),
}

impl GraphError {
    /// Whether the same request may succeed later without anybody doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            GraphError::Throttled { .. } | GraphError::Network { .. } => true,
            GraphError::Server { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            // A cut-off body is a transport accident: asking again is safe (every request is
            // idempotent: POSTs carry a transactionId).
            GraphError::Malformed { .. } => true,
            GraphError::Identity(err) => err.is_transient(),
            GraphError::Organisation(err) => err.is_transient(),
            _ => false,
        }
    }

    /// Whether the failure is about the whole account (its sign-in or its mailbox), so that
    /// syncing its other calendars or pushes is pointless.
    pub fn stops_account(&self) -> bool {
        self.needs_sign_in()
            || matches!(
                self,
                GraphError::MailboxGone { .. }
                    | GraphError::Identity(IdentityError::AccountNotFound)
            )
    }

    /// How long Microsoft asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            GraphError::Throttled { retry_after } | GraphError::Server { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// Whether the account needs an interactive sign-in before it can sync again.
    pub fn needs_sign_in(&self) -> bool {
        match self {
            GraphError::Unauthorized => true,
            GraphError::Identity(err) => err.needs_sign_in(),
            _ => false,
        }
    }

    /// A stable identifier for the UI.
    pub fn code(&self) -> ErrorCode {
        match self {
            GraphError::Throttled { .. } | GraphError::WaitTooLong { .. } => ErrorCode::Throttled,
            GraphError::Unauthorized => ErrorCode::Unauthorized,
            GraphError::Forbidden { .. } => ErrorCode::Forbidden,
            GraphError::NotFound => ErrorCode::NotFound,
            GraphError::MailboxGone { .. } => ErrorCode::MailboxGone,
            GraphError::PreconditionFailed { .. } => ErrorCode::PreconditionFailed,
            GraphError::SyncStateNotFound => ErrorCode::SyncStateNotFound,
            GraphError::Server { .. } => ErrorCode::ServerError,
            GraphError::Rejected { .. } => ErrorCode::Rejected,
            GraphError::Malformed { .. } => ErrorCode::Malformed,
            GraphError::ForeignLink { .. } => ErrorCode::ForeignLink,
            GraphError::TooLarge { .. } => ErrorCode::TooLarge,
            GraphError::Network { .. } => ErrorCode::Network,
            GraphError::Identity(err) => err.code(),
            GraphError::Organisation(err) => err.code(),
        }
    }
}

impl From<IdentityError> for GraphError {
    fn from(err: IdentityError) -> Self {
        GraphError::Identity(err)
    }
}

/// Whole hours of `wait`, rounded up.
fn whole_hours(wait: Duration) -> u64 {
    wait.as_secs().div_ceil(3600)
}
