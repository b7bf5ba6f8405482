//! The refresh token grant: a refresh token of the client, neither expired nor revoked, of a user
//! still in the tenant, for the scopes it was issued with or fewer, each still consented to.

use axum::response::Response;

use super::super::errors::AadError;
use super::super::tokens::RefreshGrant;
use super::super::{OIDC_SCOPES, has_scope, normalize_scopes, resolve_default};
use super::TokenRequest;
use super::issue::{self, Issue};
use crate::store::model::User;

pub(super) fn redeem(request: &TokenRequest<'_>) -> Result<Response, AadError> {
    let TokenRequest {
        emulator,
        origin,
        ref app,
        now,
        ..
    } = *request;
    let (grant, user) = live_grant(request)?;
    let scopes = consented_scopes(request, &grant, &user)?;
    Ok(issue::user_tokens(
        emulator,
        Issue {
            origin,
            tenant_id: &grant.tenant_id,
            client_id: &app.client_id,
            user: &user,
            scopes,
            nonce: None,
        },
        now,
    ))
}

/// The refresh token presented and its user, if the token may still be used here.
fn live_grant(request: &TokenRequest<'_>) -> Result<(RefreshGrant, User), AadError> {
    let TokenRequest {
        emulator,
        ref app,
        now,
        ..
    } = *request;
    let presented = request.field("refresh_token").unwrap_or_default();
    let grant = emulator
        .tokens()
        .refresh_grant(presented)
        .cloned()
        .ok_or_else(|| {
            AadError::new(
                "invalid_grant",
                9002313,
                "Invalid request. Request is malformed or invalid.",
                now,
            )
        })?;
    if grant.client_id != app.client_id {
        return Err(AadError::new(
            "invalid_grant",
            70000,
            "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.",
            now,
        ));
    }
    if grant.expires_at <= now {
        return Err(AadError::new(
            "invalid_grant",
            700082,
            format!(
                "The refresh token has expired due to inactivity. The token was issued on {} and was inactive for {}.",
                grant.issued_at.to_rfc3339(),
                emulator.lifetimes.refresh_token
            ),
            now,
        ));
    }
    let user = issue::user(emulator, &grant.user_id, now)?;
    if grant.issued_at <= user.refresh_tokens_valid_from {
        return Err(AadError::new("invalid_grant", 50173, format!("The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{}'.", grant.issued_at.to_rfc3339(), user.refresh_tokens_valid_from.to_rfc3339()), now).with_suberror("bad_token"));
    }
    if let Some(scope_tenant) = &request.tenant
        && scope_tenant.id != grant.tenant_id
    {
        return Err(AadError::new(
            "invalid_grant",
            50020,
            "User account from identity provider does not exist in tenant and cannot access the application.",
            now,
        ));
    }
    Ok((grant, user))
}

/// The scopes asked for (the grant's when none are), with `offline_access`, if all are consented.
fn consented_scopes(
    request: &TokenRequest<'_>,
    grant: &RefreshGrant,
    user: &User,
) -> Result<Vec<String>, AadError> {
    let TokenRequest {
        emulator,
        ref app,
        now,
        ..
    } = *request;
    let requested = request
        .field("scope")
        .map(|scope| resolve_default(normalize_scopes(scope), app))
        .unwrap_or_else(|| grant.scopes.clone());
    let missing =
        emulator
            .store()
            .missing_consent(&grant.tenant_id, &app.client_id, &user.id, &requested);
    let missing: Vec<String> = missing
        .into_iter()
        .filter(|scope| !OIDC_SCOPES.contains(&scope.to_ascii_lowercase().as_str()))
        .collect();
    if !missing.is_empty() {
        return Err(AadError::new("invalid_grant", 65001, format!("The user or administrator has not consented to use the application with ID '{}' named '{}'. Send an interactive authorization request for this user and resource.", app.client_id, app.name), now).with_suberror("consent_required"));
    }
    let mut scopes = requested;
    if !has_scope(&scopes, "offline_access") {
        scopes.push("offline_access".to_owned());
    }
    Ok(scopes)
}
