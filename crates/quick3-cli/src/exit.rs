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
        || err
            .downcast_ref::<CoreError>()
            .is_some_and(CoreError::is_typed_value);
    if usage { 2 } else { 1 }
}
