//! What can go wrong signing in with Microsoft, in a plain sentence each, with its code and whether
//! a retry can help (`identity::error` classifies the identity platform's answers into it).

use super::ErrorCode;

/// A sign-in or token failure. Messages never contain a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error(
        "Your organisation must approve Quick3 Planner before you can connect. Send your IT \
         administrator this approval link: {admin_consent_url}"
    )]
    AdminConsentRequired { admin_consent_url: String },
    #[error("The sign-in was cancelled.")]
    Cancelled,
    #[error(
        "The Microsoft 365 sign-in for this account has expired or was revoked: sign in again."
    )]
    SignInExpired,
    #[error(
        "Microsoft asks for more verification (such as multi-factor authentication): sign in again."
    )]
    InteractionRequired,
    #[error("The sign-in took too long and expired: start it again.")]
    Expired,
    #[error(
        "This sign-in answer does not belong to a sign-in Quick3 Planner started; it was ignored."
    )]
    UnknownState,
    #[error("Quick3 Planner is not set up for this Microsoft tenant: {reason}")]
    Misconfigured { reason: String },
    #[error(
        "Microsoft could not be reached: {reason}. Check the network connection and try again."
    )]
    Network { reason: String },
    #[error("Microsoft refused the sign-in: {description}")]
    Rejected { code: String, description: String },
    #[error("Microsoft's answer could not be read: {reason}")]
    BadResponse { reason: String },
    #[error(
        "The system keyring is not available ({reason}). Quick3 Planner keeps Microsoft sign-ins \
         only there: on Linux, start and unlock a Secret Service such as GNOME Keyring, then try again."
    )]
    KeyringUnavailable { reason: String },
    #[error("No Microsoft 365 sign-in is stored for this account: sign in first.")]
    NotSignedIn,
    #[error(
        "Microsoft 365 no longer knows this account (AADSTS50034): it was deleted from its \
         organisation. Its appointments stay in Quick3 Planner; ask your IT administrator, or \
         remove the account."
    )]
    AccountNotFound,
}

impl IdentityError {
    /// A stable identifier for the UI.
    pub fn code(&self) -> ErrorCode {
        match self {
            IdentityError::AdminConsentRequired { .. } => ErrorCode::AdminConsentRequired,
            IdentityError::Cancelled => ErrorCode::SignInCancelled,
            IdentityError::SignInExpired => ErrorCode::SignInExpired,
            IdentityError::InteractionRequired => ErrorCode::InteractionRequired,
            IdentityError::Expired => ErrorCode::SignInTimedOut,
            IdentityError::UnknownState => ErrorCode::UnknownSignInState,
            IdentityError::Misconfigured { .. } => ErrorCode::IdentityMisconfigured,
            IdentityError::Network { .. } => ErrorCode::Network,
            IdentityError::Rejected { .. } => ErrorCode::SignInRejected,
            IdentityError::BadResponse { .. } => ErrorCode::BadResponse,
            IdentityError::KeyringUnavailable { .. } => ErrorCode::KeyringUnavailable,
            IdentityError::NotSignedIn => ErrorCode::NotSignedIn,
            IdentityError::AccountNotFound => ErrorCode::AccountNotFound,
        }
    }

    /// Whether trying the same thing again later may succeed without the person doing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, IdentityError::Network { .. })
    }

    /// Whether the account needs an interactive sign-in before it can sync again.
    pub fn needs_sign_in(&self) -> bool {
        matches!(
            self,
            IdentityError::SignInExpired
                | IdentityError::InteractionRequired
                | IdentityError::NotSignedIn
        )
    }
}
