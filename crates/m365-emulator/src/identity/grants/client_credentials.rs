//! The client credentials grant: a confidential app's own token (no user), for the `/.default`
//! scope of a named tenant, carrying the application permissions granted there as `roles`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::super::GRAPH_RESOURCE;
use super::super::errors::AadError;
use super::super::tokens::{AccessGrant, Subject};
use super::TokenRequest;
use super::issue::unsigned_jwt;

pub(super) fn redeem(request: &TokenRequest<'_>) -> Result<Response, AadError> {
    let TokenRequest {
        emulator,
        ref app,
        now,
        ..
    } = *request;
    if !app.is_confidential() {
        return Err(AadError::new("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", now).with_status(StatusCode::UNAUTHORIZED));
    }
    let scope = request.field("scope").unwrap_or_default();
    if !scope
        .split_whitespace()
        .all(|one| one.ends_with("/.default"))
        || scope.is_empty()
    {
        return Err(AadError::new(
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
            now,
        ));
    }
    let tenant = request.tenant.as_ref().ok_or_else(|| AadError::new("invalid_request", 900023, "Specified tenant identifier 'common' is neither a valid DNS name, nor a valid external domain. Use a tenant id for client credentials.", now))?;
    let roles: Vec<String> = emulator
        .store()
        .app_roles(&tenant.id, &app.client_id)
        .into_iter()
        .collect();
    let lifetime = emulator.lifetimes.access_token;
    let expires_at = now + lifetime;
    let access_token = unsigned_jwt(&json!({
        "aud": GRAPH_RESOURCE.trim_end_matches('/'),
        "iss": format!("https://sts.windows.net/{}/", tenant.id),
        "iat": now.timestamp(), "nbf": now.timestamp(), "exp": expires_at.timestamp(),
        "appid": app.client_id, "roles": roles, "tid": tenant.id, "ver": "1.0",
    }));
    let mut tokens = emulator.tokens();
    tokens.prune(now);
    tokens.access.insert(
        access_token.clone(),
        AccessGrant {
            tenant_id: tenant.id.clone(),
            client_id: app.client_id.clone(),
            subject: Subject::App,
            scopes: Vec::new(),
            roles,
            expires_at,
        },
    );
    Ok(Json(json!({
        "token_type": "Bearer",
        "expires_in": lifetime.num_seconds(),
        "ext_expires_in": lifetime.num_seconds(),
        "access_token": access_token,
    }))
    .into_response())
}
