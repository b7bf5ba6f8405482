//! The organisation's application token: the client credentials grant (with the `oauth2` crate,
//! scope `https://graph.microsoft.com/.default`), what its failures mean for an administrator, and
//! the expiry warning of the credential it uses.

use chrono::{DateTime, NaiveDate, Utc};
use oauth2::basic::BasicClient;
use oauth2::{AuthType, ClientId, ClientSecret, RequestTokenError, Scope, TokenResponse, TokenUrl};

use super::certificate::{ASSERTION_TYPE, SigningCertificate, certificate_info};
use super::error::{aadsts_code, classify};
use super::{Endpoints, IdentityError, OrgError, Secret, TokenSet};
use crate::model::{OrgCertificate, OrgSettings, credential_expiry_warning};
use crate::store::Store;

/// The keyring key of the organisation's client secret.
pub const ORG_SECRET_KEY: &str = "org/client-secret";
/// Application permissions are asked for as Graph's `.default` scope.
pub const GRAPH_DEFAULT_SCOPE: &str = "https://graph.microsoft.com/.default";

/// How the organisation's app proves who it is in the client credentials grant.
#[derive(Debug)]
pub enum AppCredential {
    Secret(Secret),
    Certificate(Box<SigningCertificate>),
}

/// Maps an identity platform error of the client credentials grant.
pub fn classify_token_error(
    error: &str,
    description: &str,
    settings: &OrgSettings,
    certificate: Option<&OrgCertificate>,
    now: DateTime<Utc>,
) -> OrgError {
    let thumbprint = || {
        certificate
            .map(|c| c.thumbprint.clone())
            .unwrap_or_else(|| "(unknown)".into())
    };
    let expired = || certificate.is_some_and(|c| c.not_after <= now);
    let expires = || certificate.map(|c| c.not_after.date_naive());
    match aadsts_code(description) {
        Some(7000215) => OrgError::WrongSecret,
        Some(7000222) => OrgError::SecretExpired {
            expires: settings.secret_expires,
        },
        // The certificate is no longer valid (Entra names it either way).
        Some(code @ (1000502 | 7000274 | 700027)) if expired() => OrgError::CertificateExpired {
            thumbprint: thumbprint(),
            expires: expires(),
            code,
        },
        Some(code @ 1000502) => OrgError::CertificateExpired {
            thumbprint: thumbprint(),
            expires: expires(),
            code,
        },
        // 700027 is also sent for a bad signature ("Client assertion contains an invalid
        // signature"); the key not found is the usual case.
        Some(code @ 700027)
            if description.contains("invalid signature")
                && !description.contains("key was not found") =>
        {
            OrgError::CertificateWrongKey {
                thumbprint: thumbprint(),
                code,
            }
        }
        Some(700027) => OrgError::CertificateNotRegistered {
            thumbprint: thumbprint(),
        },
        Some(code @ 7000274) => OrgError::CertificateWrongKey {
            thumbprint: thumbprint(),
            code,
        },
        Some(700024) => OrgError::ClockWrong,
        Some(code @ (700021 | 700023 | 50027 | 50048)) => OrgError::AssertionRefused {
            code,
            reason: format!(
                "{} This is a fault in Quick3 Planner or in a proxy changing its requests; please \
                 report it.",
                description
                    .split_once(": ")
                    .map_or(description, |(_, text)| text)
                    .split(" Trace ID")
                    .next()
                    .unwrap_or_default()
                    .trim()
            ),
        },
        Some(700016) => OrgError::UnknownApplication {
            client_id: settings.client_id.clone(),
        },
        Some(90002 | 900023) => OrgError::UnknownTenant {
            tenant: settings.tenant.clone(),
        },
        Some(65001 | 7000112 | 500011) => OrgError::PermissionNotGranted {
            permission: "Calendars.ReadWrite".into(),
        },
        _ => OrgError::Identity(classify(error, description, String::new)),
    }
}

/// Asks the identity platform for an application token (client credentials grant), with the
/// client secret or a client assertion signed with the certificate's key.
pub async fn client_credentials(
    endpoints: &Endpoints,
    http: &reqwest::Client,
    settings: &OrgSettings,
    credential: &AppCredential,
    now: DateTime<Utc>,
) -> Result<TokenSet, OrgError> {
    let mut tenant_endpoints = endpoints.clone();
    tenant_endpoints.tenant = settings.tenant.clone();
    let token_url = tenant_endpoints.token_url();
    let mut client = BasicClient::new(ClientId::new(settings.client_id.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::from_url(token_url.clone()));
    let mut assertion = None;
    let mut certificate = None;
    match credential {
        AppCredential::Secret(secret) => {
            client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
        }
        AppCredential::Certificate(signing) => {
            assertion =
                Some(signing.client_assertion(&settings.client_id, token_url.as_str(), now)?);
            certificate = Some(&signing.info);
        }
    }
    let mut request = client
        .exchange_client_credentials()
        .add_scope(Scope::new(GRAPH_DEFAULT_SCOPE.to_owned()));
    if let Some(assertion) = assertion {
        request = request
            .add_extra_param("client_assertion_type", ASSERTION_TYPE)
            .add_extra_param("client_assertion", assertion);
    }
    let response = request.request_async(http).await.map_err(|err| match err {
        RequestTokenError::ServerResponse(response) => {
            let json = serde_json::to_value(&response).unwrap_or_default();
            let text = |name: &str| {
                json.get(name)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            classify_token_error(
                &text("error"),
                &text("error_description"),
                settings,
                certificate,
                now,
            )
        }
        RequestTokenError::Request(e) => OrgError::Identity(IdentityError::Network {
            reason: describe(&e),
        }),
        RequestTokenError::Parse(e, _) => OrgError::Identity(IdentityError::BadResponse {
            reason: e.to_string(),
        }),
        RequestTokenError::Other(e) => OrgError::Identity(IdentityError::BadResponse { reason: e }),
    })?;
    Ok(TokenSet {
        access_token: Secret::new(response.access_token().secret().clone()),
        expires_at: super::tokens::expiry(now, response.expires_in()),
        refresh_token: None,
        scopes: vec![GRAPH_DEFAULT_SCOPE.to_owned()],
        user: None,
    })
}

/// The application permissions (`roles`) an access token carries, when it is a readable JWT.
/// Microsoft calls access tokens opaque, so this is only a hint for explaining a 403.
pub fn token_roles(token: &Secret) -> Option<Vec<String>> {
    use base64::Engine;
    let payload = token.expose().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    Some(
        claims
            .get("roles")?
            .as_array()?
            .iter()
            .filter_map(|r| r.as_str().map(str::to_owned))
            .collect(),
    )
}

fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut inner: &dyn std::error::Error = err;
    while let Some(source) = inner.source() {
        inner = source;
    }
    inner.to_string()
}

/// The organisation's certificate as imported (public part, from the settings), if any.
pub fn stored_certificate(store: &Store) -> Option<OrgCertificate> {
    store
        .org_certificate_pem()
        .ok()
        .flatten()
        .and_then(|pem| certificate_info(&pem))
}

/// The expiry warning of the organisation's credential in use (secret or certificate) on `today`.
pub fn org_expiry_warning(store: &Store, today: NaiveDate) -> Option<String> {
    let settings = store.org_settings().ok()??;
    credential_expiry_warning(&settings, stored_certificate(store).as_ref(), today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn settings() -> OrgSettings {
        OrgSettings {
            tenant: "contoso.example".into(),
            client_id: "7d1c4e9a-3f6b-4a2d-8e5c-b0f9a1c3d5e7".into(),
            credential: crate::model::OrgCredential::Secret,
            secret_expires: Some("2026-10-01".parse().unwrap()),
            directions: vec![],
        }
    }

    #[test]
    fn secret_failures_are_told_apart() {
        let wrong = classify_token_error(
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1",
            &settings(),
            None,
            Utc::now(),
        );
        assert_eq!(wrong.code(), ErrorCode::OrgWrongSecret);
        let expired = classify_token_error(
            "invalid_client",
            "AADSTS7000222: The provided client secret keys for app '…' are expired.",
            &settings(),
            None,
            Utc::now(),
        );
        assert_eq!(expired.code(), ErrorCode::OrgSecretExpired);
        assert!(
            expired.to_string().contains("2026-10-01"),
            "the expiry date entered is named: {expired}"
        );
        let unknown = classify_token_error(
            "unauthorized_client",
            "AADSTS700016: Application not found in the directory",
            &settings(),
            None,
            Utc::now(),
        );
        assert_eq!(unknown.code(), ErrorCode::OrgUnknownApplication);
    }

    #[test]
    fn certificate_failures_are_told_apart() {
        let now: DateTime<Utc> = "2026-12-06T10:00:00Z".parse().unwrap();
        let certificate = OrgCertificate {
            subject: "CN=Quick3".into(),
            thumbprint: "2BC2DF45".into(),
            not_before: "2026-01-01T00:00:00Z".parse().unwrap(),
            not_after: "2027-01-01T00:00:00Z".parse().unwrap(),
        };
        let classify = |description: &str, now| {
            classify_token_error(
                "invalid_client",
                description,
                &settings(),
                Some(&certificate),
                now,
            )
        };
        let unknown = classify(
            "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '2BC2DF45']",
            now,
        );
        assert_eq!(unknown.code(), ErrorCode::OrgCertificateNotRegistered);
        assert!(unknown.to_string().contains("2BC2DF45"), "{unknown}");
        let old_wording = classify(
            "AADSTS700027: Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value.]",
            now,
        );
        assert_eq!(old_wording.code(), ErrorCode::OrgCertificateWrongKey);
        let wrong_key = classify(
            "AADSTS7000274: Client assertion contains an invalid signature.",
            now,
        );
        assert_eq!(wrong_key.code(), ErrorCode::OrgCertificateWrongKey);
        let clock = classify(
            "AADSTS700024: Client assertion is not within its valid time range.",
            now,
        );
        assert_eq!(clock.code(), ErrorCode::OrgClockWrong);
        let later: DateTime<Utc> = "2027-01-02T00:00:00Z".parse().unwrap();
        let expired = classify("AADSTS700027: The key was not found.", later);
        assert_eq!(expired.code(), ErrorCode::OrgCertificateExpired);
        assert!(expired.to_string().contains("2027-01-01"), "{expired}");
        let audience = classify(
            "AADSTS700023: Client assertion audience claim does not match Realm issuer. Trace ID: 1",
            now,
        );
        assert_eq!(audience.code(), ErrorCode::OrgAssertionRefused);
        assert!(
            audience
                .to_string()
                .contains("audience claim does not match")
                && !audience.to_string().contains("Trace ID"),
            "{audience}"
        );
    }

    #[test]
    fn roles_are_read_from_a_readable_token_only() {
        use base64::Engine;
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"roles":["Calendars.ReadWrite","User.Read.All"]}"#);
        let token = Secret::new(format!("eyJhbGciOiJub25lIn0.{claims}."));
        assert_eq!(
            token_roles(&token),
            Some(vec!["Calendars.ReadWrite".into(), "User.Read.All".into()])
        );
        assert_eq!(token_roles(&Secret::new("opaque")), None);
    }
}
