//! What can go wrong signing in with Microsoft, classified from the identity platform's AADSTS
//! codes so that people get a plain sentence and callers know whether a retry can help.

use crate::error::ErrorCode;

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

/// The AADSTS number at the start of an `error_description` ("AADSTS65001: …").
pub fn aadsts_code(description: &str) -> Option<u32> {
    let rest = description.trim_start().strip_prefix("AADSTS")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Maps an identity platform error (`error`, `error_description`) to what it means for people.
pub fn classify(
    error: &str,
    description: &str,
    admin_consent_url: impl FnOnce() -> String,
) -> IdentityError {
    let first_line = description
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    match aadsts_code(description) {
        Some(65001 | 65004 | 90093 | 90094 | 90095 | 900941) => {
            IdentityError::AdminConsentRequired {
                admin_consent_url: admin_consent_url(),
            }
        }
        Some(70008 | 700082 | 50173 | 70043 | 70000) => IdentityError::SignInExpired,
        // The user is not in the directory (deleted): signing in again cannot help.
        Some(50034) => IdentityError::AccountNotFound,
        Some(50076 | 50079 | 53003 | 50058) => IdentityError::InteractionRequired,
        Some(50011 | 700016 | 700025 | 7000218) => {
            IdentityError::Misconfigured { reason: first_line }
        }
        _ => match error {
            "access_denied" if description.to_ascii_lowercase().contains("cancel") => {
                IdentityError::Cancelled
            }
            "access_denied" if description.is_empty() => IdentityError::Cancelled,
            "access_denied" | "consent_required" => IdentityError::AdminConsentRequired {
                admin_consent_url: admin_consent_url(),
            },
            "invalid_grant" => IdentityError::SignInExpired,
            "interaction_required" | "login_required" => IdentityError::InteractionRequired,
            "authorization_declined" => IdentityError::Cancelled,
            "expired_token" => IdentityError::Expired,
            _ => IdentityError::Rejected {
                code: error.to_owned(),
                description: if first_line.is_empty() {
                    error.to_owned()
                } else {
                    first_line
                },
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aadsts_codes_are_read_from_the_description() {
        assert_eq!(
            aadsts_code("AADSTS65001: The user or administrator has not consented"),
            Some(65001)
        );
        assert_eq!(aadsts_code("no code here"), None);
    }

    #[test]
    fn admin_approval_codes_become_a_plain_request_to_it() {
        for code in [65001, 90094, 90095, 900941] {
            let err = classify(
                "invalid_grant",
                &format!("AADSTS{code}: needs approval\r\nTrace ID: x"),
                || "https://consent".into(),
            );
            assert_eq!(err.code(), ErrorCode::AdminConsentRequired, "AADSTS{code}");
            assert!(err.to_string().contains("https://consent"));
        }
    }

    #[test]
    fn dead_refresh_tokens_ask_for_a_new_sign_in() {
        for code in [70008, 700082, 50173] {
            let err = classify(
                "invalid_grant",
                &format!("AADSTS{code}: expired"),
                String::new,
            );
            assert!(err.needs_sign_in(), "AADSTS{code}");
        }
    }

    #[test]
    fn unknown_errors_keep_the_first_line_only() {
        let err = classify(
            "invalid_request",
            "AADSTS90014: missing field\r\nTrace ID: 1\r\nCorrelation ID: 2",
            String::new,
        );
        assert_eq!(
            err.to_string(),
            "Microsoft refused the sign-in: AADSTS90014: missing field"
        );
    }
}
