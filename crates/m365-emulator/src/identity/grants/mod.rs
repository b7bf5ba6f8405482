//! The token endpoint (`/oauth2/v2.0/token`): one check of the client and the grant type, then
//! one module per grant redeems the request.

mod authorization_code;
mod client;
mod client_credentials;
pub(super) mod device_code;
mod issue;
mod refresh_token;

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::Params;
use super::errors::AadError;
use crate::emulator::Emulator;
use crate::origin::Origin;
use crate::store::model::{App, Tenant};

/// A token request whose client passed the check: what every grant reads.
struct TokenRequest<'a> {
    emulator: &'a Emulator,
    /// The emulator's own origin as the client reached it (`https://127.0.0.1:PORT`).
    origin: &'a str,
    form: &'a Params,
    /// The app the client id names; its credential is checked.
    app: App,
    /// The tenant the path names; `None` for `common` and `organizations`.
    tenant: Option<Tenant>,
    now: DateTime<Utc>,
}

impl TokenRequest<'_> {
    fn field(&self, name: &str) -> Option<&str> {
        field(self.form, name)
    }
}

/// A form field; an empty one counts as absent.
fn field<'a>(form: &'a Params, name: &str) -> Option<&'a str> {
    form.get(name)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
}

pub(super) async fn token(
    State(emulator): State<Arc<Emulator>>,
    Path(tenant): Path<String>,
    Origin(origin): Origin,
    headers: HeaderMap,
    Form(form): Form<Params>,
) -> Response {
    match redeem(&emulator, &tenant, &origin, &headers, &form) {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

/// Checks the client and the grant type, then lets the grant answer.
fn redeem(
    emulator: &Emulator,
    tenant: &str,
    origin: &str,
    headers: &HeaderMap,
    form: &Params,
) -> Result<Response, AadError> {
    let now = super::now(emulator);
    let request = client::check(emulator, tenant, origin, headers, form, now)?;
    let grant_type = request.field("grant_type").ok_or_else(|| {
        AadError::new(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
            now,
        )
    })?;
    match grant_type {
        "authorization_code" => authorization_code::redeem(&request),
        "refresh_token" => refresh_token::redeem(&request),
        "urn:ietf:params:oauth:grant-type:device_code" | "device_code" => {
            device_code::redeem(&request)
        }
        "client_credentials" => client_credentials::redeem(&request),
        other => Err(AadError::new(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
            now,
        )),
    }
}
