//! Microsoft's sign-in failures classified from the identity platform's AADSTS codes into
//! `IdentityError`s (defined with their codes and sentences in `crate::error`).

use super::IdentityError;

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
    use crate::ErrorCode;

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
