//! Typed errors of the core, each with a stable code for the UI and one plain sentence for people.

use serde::Serialize;
use ts_rs::TS;

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
    #[error("The data folder {path} cannot be used: {reason}.")]
    DataDir { path: String, reason: String },
    #[error("The database could not be read or written: {0}.")]
    Storage(#[from] rusqlite::Error),
    #[error("The database could not be upgraded to this version of Quick3 Planner: {0}.")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("{0}")]
    Identity(#[from] crate::identity::IdentityError),
    #[error("{0}")]
    Organisation(#[from] crate::identity::OrgError),
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
}

impl CoreError {
    /// A stable identifier the UI can branch on (never match on the message).
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::InvalidEmail { .. } => "InvalidEmail",
            CoreError::InvalidInput { .. } => "InvalidInput",
            CoreError::EmptyTitle => "EmptyTitle",
            CoreError::TitleTooLong { .. } => "TitleTooLong",
            CoreError::EndBeforeStart => "EndBeforeStart",
            CoreError::AllDayWithTimes => "AllDayWithTimes",
            CoreError::UnknownTimeZone { .. } => "UnknownTimeZone",
            CoreError::UnknownResource { .. } => "UnknownResource",
            CoreError::UnknownAppointment { .. } => "UnknownAppointment",
            CoreError::DuplicateResourceEmail { .. } => "DuplicateResourceEmail",
            CoreError::UnknownAccount { .. } => "UnknownAccount",
            CoreError::UnknownJob { .. } => "UnknownJob",
            CoreError::ReadOnly { .. } => "ReadOnly",
            CoreError::DuplicateAccount { .. } => "DuplicateAccount",
            CoreError::DataDir { .. } => "DataDir",
            CoreError::Storage(_) => "Storage",
            CoreError::Migration(_) => "Migration",
            CoreError::Corrupt(_) => "Corrupt",
            CoreError::DamagedDatabase { .. } => "DamagedDatabase",
            CoreError::UnknownBackup { .. } => "UnknownBackup",
            CoreError::SyncRunning { .. } => "SyncRunning",
            CoreError::Identity(err) => err.code(),
            CoreError::Organisation(err) => err.code(),
        }
    }

    /// Whether the error is about what the person typed (as opposed to the machine or the data).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            CoreError::InvalidEmail { .. }
                | CoreError::InvalidInput { .. }
                | CoreError::EmptyTitle
                | CoreError::TitleTooLong { .. }
                | CoreError::EndBeforeStart
                | CoreError::AllDayWithTimes
                | CoreError::UnknownTimeZone { .. }
                | CoreError::UnknownResource { .. }
                | CoreError::UnknownAppointment { .. }
                | CoreError::DuplicateResourceEmail { .. }
                | CoreError::UnknownAccount { .. }
                | CoreError::UnknownJob { .. }
                | CoreError::ReadOnly { .. }
                | CoreError::DuplicateAccount { .. }
                | CoreError::UnknownBackup { .. }
        ) || matches!(self, CoreError::Organisation(err) if err.is_bad_input())
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// How an error crosses to the UI: `{ code, message }`.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
}

impl From<&CoreError> for ErrorPayload {
    fn from(err: &CoreError) -> Self {
        ErrorPayload {
            code: err.code().to_owned(),
            message: err.to_string(),
        }
    }
}

impl From<CoreError> for ErrorPayload {
    fn from(err: CoreError) -> Self {
        ErrorPayload::from(&err)
    }
}
