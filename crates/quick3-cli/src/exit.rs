//! Exit statuses: 2 when the command line is at fault (a value that does not parse, a required
//! option missing, an id or name nothing answers to), 1 when running the command failed.

use quick3_core::CoreError;

use crate::commands::UsageError;

/// Returns early with a [`UsageError`]: `usage!("\"{x}\" is not …")`.
macro_rules! usage {
    ($($arg:tt)*) => {
        return Err(anyhow::Error::new($crate::commands::UsageError(format!($($arg)*))))
    };
}

/// The exit status for an error: 2 for the command line's fault, 1 for a failure.
pub fn status(err: &anyhow::Error) -> u8 {
    let usage = err.downcast_ref::<UsageError>().is_some()
        || err.downcast_ref::<CoreError>().is_some_and(is_usage);
    if usage { 2 } else { 1 }
}

/// The core's errors about a value typed on the command line. Not usage errors: what the data
/// refuses (a pulled appointment is read-only, an e-mail address is taken) and what Microsoft
/// answers (no such user in the tenant), found only by running the command.
fn is_usage(err: &CoreError) -> bool {
    matches!(
        err,
        CoreError::InvalidEmail { .. }
            | CoreError::InvalidInput { .. }
            | CoreError::EmptyTitle
            | CoreError::TitleTooLong { .. }
            | CoreError::EndBeforeStart
            | CoreError::AllDayWithTimes
            | CoreError::UnknownTimeZone { .. }
            | CoreError::UnknownResource { .. }
            | CoreError::UnknownAppointment { .. }
            | CoreError::UnknownAccount { .. }
            | CoreError::UnknownJob { .. }
    )
}
