//! The check every token request passes first: the client id (form or Basic header), the tenant the
//! path names, the app, and the app's credential (none for a public client, a secret or an
//! assertion).

use axum::http::HeaderMap;
use axum::http::StatusCode;
use base64::Engine;
use chrono::{DateTime, Utc};

use super::super::errors::AadError;
use super::super::{Params, assertion, tenant_scope};
use super::{TokenRequest, field};
use crate::emulator::Emulator;
use crate::store::model::App;

/// The client of a token request, checked: an app that exists, in a tenant that exists, with its
/// credential.
pub(super) fn check<'a>(
    emulator: &'a Emulator,
    tenant: &str,
    origin: &'a str,
    headers: &HeaderMap,
    form: &'a Params,
    now: DateTime<Utc>,
) -> Result<TokenRequest<'a>, AadError> {
    let client_id = field(form, "client_id")
        .map(str::to_owned)
        // client_secret_basic carries the id in the Authorization header.
        .or_else(|| basic_credentials(headers).map(|(id, _)| id))
        .ok_or_else(|| {
            AadError::new(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'client_id'.",
                now,
            )
        })?;
    let (app, scope_tenant) = {
        let store = emulator.store();
        let scope_tenant = tenant_scope(&store, tenant, now)?;
        let app = store
            .app(&client_id)
            .cloned()
            .ok_or_else(|| unknown_client(&client_id, now))?;
        (app, scope_tenant)
    };
    // A client assertion's `aud` is the token endpoint, with the tenant as the request named it,
    // its id or its domain.
    let mut audiences = vec![format!("{origin}/{tenant}/oauth2/v2.0/token")];
    if let Some(found) = &scope_tenant {
        audiences.push(format!("{origin}/{}/oauth2/v2.0/token", found.id));
        audiences.push(format!("{origin}/{}/oauth2/v2.0/token", found.domain));
    }
    authenticate(&app, form, headers, &audiences, now)?;
    Ok(TokenRequest {
        emulator,
        origin,
        form,
        app,
        tenant: scope_tenant,
        now,
    })
}

/// `Authorization: Basic` (client_secret_basic): the client id and secret.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|encoded| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
        })
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
        })
}

/// The app's credential: none for a public client, its secret (form or Basic) or an assertion.
fn authenticate(
    app: &App,
    form: &Params,
    headers: &HeaderMap,
    audiences: &[String],
    now: DateTime<Utc>,
) -> Result<(), AadError> {
    let basic = basic_credentials(headers).map(|(_, secret)| secret);
    let presented = form.get("client_secret").cloned().or(basic);
    let assertion = form.get("client_assertion").filter(|a| !a.is_empty());
    if let Some(assertion) = assertion {
        if !app.is_confidential() {
            return Err(AadError::new(
                "invalid_request",
                700025,
                "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
                now,
            ));
        }
        let assertion_type = form.get("client_assertion_type").map(String::as_str);
        return assertion::verify(app, assertion_type, assertion, audiences, now);
    }
    match (&app.client_secret, presented) {
        (None, Some(_)) if !app.is_confidential() => Err(AadError::new("invalid_request", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.", now)),
        (None, Some(_)) => Err(AadError::new("invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.", now).with_status(StatusCode::UNAUTHORIZED)),
        (None, None) if !app.is_confidential() => Ok(()),
        (_, None) => Err(AadError::new("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", now).with_status(StatusCode::UNAUTHORIZED)),
        (Some(expected), Some(given)) if *expected == given => match app.client_secret_expires {
            Some(expires) if expires <= now => Err(AadError::new(
                "invalid_client",
                7000222,
                format!(
                    "The provided client secret keys for app '{}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.",
                    app.client_id
                ),
                now,
            )
            .with_status(StatusCode::UNAUTHORIZED)),
            _ => Ok(()),
        },
        (Some(_), Some(_)) => Err(AadError::new("invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.", now).with_status(StatusCode::UNAUTHORIZED)),
    }
}

/// A client id no app registration has.
pub(super) fn unknown_client(client_id: &str, now: DateTime<Utc>) -> AadError {
    AadError::new(
        "unauthorized_client",
        700016,
        format!(
            "Application with identifier '{client_id}' was not found in the directory. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."
        ),
        now,
    )
}
