//! Tokens as Microsoft issues them: the access token (memory only), the refresh token (the OS
//! keyring only), and what the id token says about the signed-in mailbox.

use std::fmt;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::IdentityError;

/// A secret string whose `Debug` never shows it (so it cannot reach a log by accident).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Who signed in, from the id token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignedInUser {
    /// The mailbox's user name (`preferred_username`, else `email`, else `upn`).
    pub username: Option<String>,
    pub name: Option<String>,
    /// The user's object id in the tenant.
    pub object_id: Option<String>,
    pub tenant_id: Option<String>,
}

/// One answer of the token endpoint.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: Secret,
    pub expires_at: DateTime<Utc>,
    /// Present when `offline_access` was granted; rotated on every refresh.
    pub refresh_token: Option<Secret>,
    pub scopes: Vec<String>,
    pub user: Option<SignedInUser>,
}

/// The longest lifetime Quick3 believes a token endpoint: an access token that claims more is
/// renewed after a day anyway (Microsoft's live about an hour).
pub const MAX_TOKEN_LIFETIME: Duration = Duration::days(1);

/// When a token that lives `expires_in` from `now` expires (an hour when the answer does not
/// say); a lifetime too large to add (a broken or hostile answer) is cut to
/// [`MAX_TOKEN_LIFETIME`] instead of overflowing.
pub fn expiry(now: DateTime<Utc>, expires_in: Option<std::time::Duration>) -> DateTime<Utc> {
    let lifetime = expires_in
        .map(|d| Duration::from_std(d).unwrap_or(MAX_TOKEN_LIFETIME))
        .unwrap_or(Duration::hours(1))
        .min(MAX_TOKEN_LIFETIME);
    now.checked_add_signed(lifetime).unwrap_or(now)
}

impl TokenSet {
    /// Whether the access token is still good for `margin` from `now`.
    pub fn fresh_at(&self, now: DateTime<Utc>, margin: Duration) -> bool {
        self.expires_at - margin > now
    }
}

#[derive(Deserialize)]
struct IdClaims {
    aud: Option<String>,
    nonce: Option<String>,
    preferred_username: Option<String>,
    email: Option<String>,
    upn: Option<String>,
    name: Option<String>,
    oid: Option<String>,
    tid: Option<String>,
}

/// Reads the id token's claims. It came straight from the token endpoint over TLS, so its
/// signature is not checked (as OpenID Connect allows for the code flow); its audience and nonce
/// are.
pub fn read_id_token(
    id_token: &str,
    client_id: &str,
    expected_nonce: Option<&str>,
) -> Result<SignedInUser, IdentityError> {
    let bad = |reason: &str| IdentityError::BadResponse {
        reason: format!("the id token {reason}"),
    };
    let payload = id_token
        .split('.')
        .nth(1)
        .ok_or_else(|| bad("is not a JWT"))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| bad("is not base64url"))?;
    let claims: IdClaims =
        serde_json::from_slice(&bytes).map_err(|_| bad("has unreadable claims"))?;
    if claims.aud.as_deref() != Some(client_id) {
        return Err(bad("was issued for another application"));
    }
    if let Some(expected) = expected_nonce
        && claims.nonce.as_deref() != Some(expected)
    {
        return Err(bad("does not carry this sign-in's nonce"));
    }
    Ok(SignedInUser {
        username: claims.preferred_username.or(claims.email).or(claims.upn),
        name: claims.name,
        object_id: claims.oid,
        tenant_id: claims.tid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn jwt(claims: serde_json::Value) -> String {
        let enc = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.",
            enc(br#"{"alg":"none"}"#),
            enc(claims.to_string().as_bytes())
        )
    }

    #[test]
    fn id_token_names_the_mailbox_and_checks_audience_and_nonce() {
        let token = jwt(
            serde_json::json!({"aud": "app", "nonce": "n1", "preferred_username": "ada@contoso.example", "oid": "o"}),
        );
        let user = read_id_token(&token, "app", Some("n1")).unwrap();
        assert_eq!(user.username.as_deref(), Some("ada@contoso.example"));
        assert_eq!(
            read_id_token(&token, "other", Some("n1"))
                .unwrap_err()
                .code(),
            ErrorCode::BadResponse
        );
        assert_eq!(
            read_id_token(&token, "app", Some("n2")).unwrap_err().code(),
            ErrorCode::BadResponse
        );
    }

    #[test]
    fn absurd_token_lifetimes_are_cut_to_a_day_instead_of_overflowing() {
        let now = Utc::now();
        assert_eq!(
            expiry(now, Some(std::time::Duration::from_secs(3599))),
            now + Duration::seconds(3599)
        );
        assert_eq!(expiry(now, None), now + Duration::hours(1), "no expires_in");
        for huge in [u64::MAX, 100_000_000_000_000_000, 10_000_000_000] {
            assert_eq!(
                expiry(now, Some(std::time::Duration::from_secs(huge))),
                now + MAX_TOKEN_LIFETIME,
                "expires_in {huge}"
            );
        }
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let secret = Secret::new("eyJ0eXAiOi-very-secret");
        assert!(!format!("{secret:?}").contains("very-secret"));
    }
}
