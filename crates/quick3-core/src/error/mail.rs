//! Why a mail could not be sent.

/// Why a mail could not be sent, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The e-mail could not be sent: {0}")]
pub struct MailError(pub String);
