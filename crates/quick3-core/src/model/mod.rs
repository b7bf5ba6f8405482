//! The domain: resources, appointments (their synced `Content`, their zones' Windows names),
//! sync conflicts, Microsoft 365 accounts, scheduled jobs and the planner.

mod account;
pub(crate) mod appointment;
mod conflict;
mod content;
mod job;
mod journal;
mod organisation;
mod planner;
pub mod recurrence;
mod resource;
mod undo;
pub mod zones;

pub use account::{
    Account, AccountStatus, Direction, NewAccount, SyncFailure, checked_scopes, scope_warning,
};
pub use appointment::{
    Appointment, AppointmentCard, AppointmentInput, AppointmentPatch, AppointmentRecord, Origin,
    PRIVATE_TITLE, Recurrence, RecurrencePattern, RecurrenceRange, Sensitivity, ShowAs,
    UploadState, When,
};
pub use conflict::{ConflictField, ConflictVersion, Keep, same_pattern};
pub use content::{Content, local_hash, pattern_digest, pattern_of_hash};
pub use job::{
    ADVISED_MINIMUM_MINUTES, ActiveHours, FailureNotice, Frequency, FrequencyUnit, Job, JobKind,
    JobRun, JobRunResult, JobScope, JobSpec,
};
pub use journal::{
    ChangeCause, ChangeKind, ChangeSide, FieldChange, JournalChange, JournalRun,
    PRIVATE_IN_JOURNAL, RunOutcome, SyncTrigger, changed_fields,
};
pub use organisation::{
    MailboxCalendar, MailboxLookup, NewOrgLink, OrgCertificate, OrgCredential, OrgMailbox,
    OrgSettings, OrgSettingsRecord, OrgTestReport, SECRET_EXPIRY_WARNING_DAYS,
    certificate_expiry_warning, credential_expiry_warning, secret_expiry_warning,
};
pub use planner::{DateFormat, HourCycle, Module, Overview, Planner, is_language_tag};
pub use recurrence::{Repeat, RepeatUnit, Rule, WeekIndex};
pub use resource::{
    NewResource, Resource, ResourceFields, ResourceKind, ResourcePatch, WorkingHours,
};
pub use undo::{PreviewChange, UndoAction, UndoItem};
