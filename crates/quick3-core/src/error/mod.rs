//! Typed errors of the core, each with a stable code for the UI and one plain sentence for people.

use std::fmt;

use serde::Serialize;
use ts_rs::TS;

mod graph;
mod identity;
mod mail;
mod organisation;

pub use graph::GraphError;
pub use identity::IdentityError;
pub use mail::MailError;
pub use organisation::OrgError;

/// The stable identifier of a failure, which the UI branches on (never on the message). Each
/// variant crosses as its own name (`"InvalidEmail"`), the same text logs print; the UI gets it as
/// a TypeScript enum. Only codes something produces or compares belong here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[ts(export, repr(enum = name))]
pub enum ErrorCode {
    // `CoreError`
    InvalidEmail,
    InvalidInput,
    EmptyTitle,
    TitleTooLong,
    EndBeforeStart,
    AllDayWithTimes,
    /// A series' pattern or range that cannot be kept (no occurrence, an end before the start…).
    InvalidRepeat,
    /// A series has no occurrence at the given original start (or it was deleted).
    UnknownOccurrence,
    /// An occurrence moved to or past a neighbouring occurrence, which Outlook refuses.
    OccurrenceCrossing,
    UnknownTimeZone,
    UnknownResource,
    UnknownAppointment,
    DuplicateResourceEmail,
    DuplicateResourceName,
    /// The planner lacks local management's right to edit Resource settings (adding, editing,
    /// archiving, restoring or deleting resources).
    NoResourceSettingsRight,
    UnknownAccount,
    UnknownJob,
    ReadOnly,
    DuplicateAccount,
    DataDir,
    Storage,
    Migration,
    Corrupt,
    DamagedDatabase,
    UnknownBackup,
    SyncRunning,
    NoSmtpServer,
    MailFailed,
    // `IdentityError`
    AdminConsentRequired,
    SignInCancelled,
    SignInExpired,
    InteractionRequired,
    SignInTimedOut,
    UnknownSignInState,
    IdentityMisconfigured,
    /// Microsoft could not be reached (sign-in or Graph).
    Network,
    SignInRejected,
    BadResponse,
    KeyringUnavailable,
    NotSignedIn,
    AccountNotFound,
    // `OrgError`
    OrgNotAdministrator,
    OrgNotConfigured,
    OrgSecretMissing,
    OrgCertificateMissing,
    OrgCertificateUnusable,
    OrgCertificateNotRegistered,
    OrgCertificateWrongKey,
    OrgCertificateExpired,
    OrgClockWrong,
    OrgAssertionRefused,
    OrgWrongSecret,
    OrgSecretExpired,
    OrgUnknownApplication,
    OrgUnknownTenant,
    OrgPermissionNotGranted,
    OrgMailboxRestricted,
    OrgUserNotFound,
    OrgUnknownCalendar,
    // `GraphError`
    Throttled,
    Unauthorized,
    Forbidden,
    NotFound,
    MailboxGone,
    PreconditionFailed,
    SyncStateNotFound,
    ServerError,
    Rejected,
    Malformed,
    ForeignLink,
    TooLarge,
    // The desktop shell's
    /// A background task of the shell stopped before it answered.
    Internal,
    /// The system browser did not open Microsoft's sign-in page (the message holds its address).
    BrowserUnavailable,
    /// The session's autostart entry (Start with the session) could not be written or removed.
    AutostartFailed,
    // The window's
    /// The page runs without the desktop app behind it (a plain web browser).
    BackendUnavailable,
    /// A command failed with something other than an `ErrorPayload`.
    Unknown,
}

impl fmt::Display for ErrorCode {
    /// The code's name, as it is serialised.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// What went wrong, in terms a planner understands. Nothing is written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("\"{email}\" is not a valid e-mail address.")]
    InvalidEmail { email: String },
    #[error("The {field} is not valid: {reason}.")]
    InvalidInput { field: &'static str, reason: String },
    #[error("The title must not be empty.")]
    EmptyTitle,
    #[error("The title is too long: at most {max} characters are allowed.")]
    TitleTooLong { max: usize },
    #[error("The end must come after the start.")]
    EndBeforeStart,
    #[error("{reason}")]
    InvalidRepeat { reason: String },
    #[error("The series has no occurrence on {date}.")]
    UnknownOccurrence { date: String },
    #[error(
        "An occurrence cannot move to or past the {neighbour} occurrence ({at}); Outlook refuses that too."
    )]
    OccurrenceCrossing { neighbour: &'static str, at: String },
    #[error("An all-day appointment takes dates only, without times (for example 2026-11-25).")]
    AllDayWithTimes,
    #[error("\"{name}\" is not a known time zone; use an IANA name such as Europe/Berlin.")]
    UnknownTimeZone { name: String },
    #[error("There is no resource \"{reference}\".")]
    UnknownResource { reference: String },
    #[error("There is no appointment \"{id}\".")]
    UnknownAppointment { id: String },
    #[error("There is no Microsoft 365 account \"{reference}\".")]
    UnknownAccount { reference: String },
    #[error("The Microsoft 365 account {email} is already connected to this resource.")]
    DuplicateAccount { email: String },
    #[error("{reason}")]
    ReadOnly { reason: String },
    #[error("There is no scheduled job \"{reference}\".")]
    UnknownJob { reference: String },
    #[error("A resource with the e-mail address {email} already exists.")]
    DuplicateResourceEmail { email: String },
    #[error("A {kind} called \"{name}\" already exists (id {id}): give this one another name.")]
    DuplicateResourceName {
        kind: &'static str,
        name: String,
        id: i64,
    },
    #[error(
        "You do not have the right to edit Resource settings. Ask your local management to grant it."
    )]
    NoResourceSettingsRight,
    #[error("The data folder {path} cannot be used: {reason}.")]
    DataDir { path: String, reason: String },
    #[error("The database could not be read or written: {0}.")]
    Storage(#[from] rusqlite::Error),
    #[error("The database could not be upgraded to this version of Quick3 Planner: {0}.")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("{0}")]
    Identity(#[from] IdentityError),
    #[error("{0}")]
    Organisation(#[from] OrgError),
    #[error("Stored data is damaged: {0}.")]
    Corrupt(String),
    #[error(
        "The database {path} is damaged and was not opened ({detail}); nothing was changed. \
         Go back to a daily backup with `quick3 backup list` and `quick3 backup restore DATE`, \
         or move the file away to start with an empty database."
    )]
    DamagedDatabase { path: String, detail: String },
    #[error("There is no backup \"{reference}\"; `quick3 backup list` shows the backups.")]
    UnknownBackup { reference: String },
    #[error(
        "A sync of {email} is already running (in another Quick3 Planner window or `quick3` process); try again when it has finished."
    )]
    SyncRunning { email: String },
    #[error("Save the SMTP server first (Settings → E-mail).")]
    NoSmtpServer,
    #[error("{0}")]
    MailFailed(#[from] MailError),
}

impl CoreError {
    /// A stable identifier the UI can branch on (never match on the message).
    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::InvalidEmail { .. } => ErrorCode::InvalidEmail,
            CoreError::InvalidInput { .. } => ErrorCode::InvalidInput,
            CoreError::EmptyTitle => ErrorCode::EmptyTitle,
            CoreError::TitleTooLong { .. } => ErrorCode::TitleTooLong,
            CoreError::EndBeforeStart => ErrorCode::EndBeforeStart,
            CoreError::AllDayWithTimes => ErrorCode::AllDayWithTimes,
            CoreError::InvalidRepeat { .. } => ErrorCode::InvalidRepeat,
            CoreError::UnknownOccurrence { .. } => ErrorCode::UnknownOccurrence,
            CoreError::OccurrenceCrossing { .. } => ErrorCode::OccurrenceCrossing,
            CoreError::UnknownTimeZone { .. } => ErrorCode::UnknownTimeZone,
            CoreError::UnknownResource { .. } => ErrorCode::UnknownResource,
            CoreError::UnknownAppointment { .. } => ErrorCode::UnknownAppointment,
            CoreError::DuplicateResourceEmail { .. } => ErrorCode::DuplicateResourceEmail,
            CoreError::DuplicateResourceName { .. } => ErrorCode::DuplicateResourceName,
            CoreError::NoResourceSettingsRight => ErrorCode::NoResourceSettingsRight,
            CoreError::UnknownAccount { .. } => ErrorCode::UnknownAccount,
            CoreError::UnknownJob { .. } => ErrorCode::UnknownJob,
            CoreError::ReadOnly { .. } => ErrorCode::ReadOnly,
            CoreError::DuplicateAccount { .. } => ErrorCode::DuplicateAccount,
            CoreError::DataDir { .. } => ErrorCode::DataDir,
            CoreError::Storage(_) => ErrorCode::Storage,
            CoreError::Migration(_) => ErrorCode::Migration,
            CoreError::Corrupt(_) => ErrorCode::Corrupt,
            CoreError::DamagedDatabase { .. } => ErrorCode::DamagedDatabase,
            CoreError::UnknownBackup { .. } => ErrorCode::UnknownBackup,
            CoreError::SyncRunning { .. } => ErrorCode::SyncRunning,
            CoreError::NoSmtpServer => ErrorCode::NoSmtpServer,
            CoreError::MailFailed(_) => ErrorCode::MailFailed,
            CoreError::Identity(err) => err.code(),
            CoreError::Organisation(err) => err.code(),
        }
    }

    /// Whether the error is about a value as it was typed (a time, an address, an id nothing
    /// answers to), found before anything ran: a front end's usage error. Not what the data
    /// refuses (a read-only appointment, a taken address) nor what Microsoft answers.
    pub fn is_typed_value(&self) -> bool {
        matches!(
            self,
            CoreError::InvalidEmail { .. }
                | CoreError::InvalidInput { .. }
                | CoreError::EmptyTitle
                | CoreError::TitleTooLong { .. }
                | CoreError::EndBeforeStart
                | CoreError::AllDayWithTimes
                | CoreError::InvalidRepeat { .. }
                | CoreError::UnknownOccurrence { .. }
                | CoreError::UnknownTimeZone { .. }
                | CoreError::UnknownResource { .. }
                | CoreError::UnknownAppointment { .. }
                | CoreError::UnknownAccount { .. }
                | CoreError::UnknownJob { .. }
        )
    }

    /// Whether the error is about what the person typed (as opposed to the machine or the data).
    pub fn is_bad_input(&self) -> bool {
        self.is_typed_value()
            || matches!(
                self,
                CoreError::DuplicateResourceEmail { .. }
                    | CoreError::DuplicateResourceName { .. }
                    | CoreError::ReadOnly { .. }
                    | CoreError::OccurrenceCrossing { .. }
                    | CoreError::DuplicateAccount { .. }
                    | CoreError::UnknownBackup { .. }
            )
            || matches!(self, CoreError::Organisation(err) if err.is_bad_input())
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// How an error crosses to the UI: `{ code, message }`.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
}

impl From<&CoreError> for ErrorPayload {
    fn from(err: &CoreError) -> Self {
        ErrorPayload {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

impl From<CoreError> for ErrorPayload {
    fn from(err: CoreError) -> Self {
        ErrorPayload::from(&err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_crosses_and_prints_as_its_name() {
        for (code, name) in [
            (ErrorCode::InvalidEmail, "InvalidEmail"),
            (ErrorCode::SignInCancelled, "SignInCancelled"),
            (ErrorCode::OrgWrongSecret, "OrgWrongSecret"),
            (ErrorCode::ServerError, "ServerError"),
            (ErrorCode::BrowserUnavailable, "BrowserUnavailable"),
        ] {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                name,
                "the UI receives the code's name, as before it was a type"
            );
            assert_eq!(code.to_string(), name, "logs print the same name");
        }
    }

    #[test]
    fn a_payload_carries_the_code_and_the_sentence() {
        assert_eq!(
            serde_json::to_value(ErrorPayload::from(CoreError::NoSmtpServer)).unwrap(),
            serde_json::json!({
                "code": "NoSmtpServer",
                "message": "Save the SMTP server first (Settings → E-mail).",
            })
        );
    }
}
