//! The tokens the user grants answer with: an access token, a refresh token and an ID token, as
//! unsigned JWTs the emulator looks up rather than verifies.

use axum::Json;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::super::errors::AadError;
use super::super::tokens::{AccessGrant, RefreshGrant, Subject};
use super::super::{GRAPH_RESOURCE, OIDC_SCOPES, has_scope};
use crate::emulator::Emulator;
use crate::ids::random_token;
use crate::store::model::User;

/// The user a code, refresh token or device code was issued to, while still in the directory.
pub(super) fn user(
    emulator: &Emulator,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<User, AadError> {
    emulator.store().user(user_id).cloned().ok_or_else(|| {
        AadError::new(
            "invalid_grant",
            50034,
            "The user account does not exist in the directory.",
            now,
        )
    })
}

fn b64_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// An unsigned JWT (`alg: none`): clients read the claims, the emulator looks tokens up.
pub(super) fn unsigned_jwt(claims: &Value) -> String {
    format!(
        "{}.{}.{}",
        b64_json(&json!({"typ": "JWT", "alg": "none"})),
        b64_json(claims),
        random_token(16)
    )
}

/// A user's sign-in a grant accepted: whom to issue tokens to, for which client and scopes.
pub(super) struct Issue<'a> {
    pub(super) origin: &'a str,
    pub(super) tenant_id: &'a str,
    pub(super) client_id: &'a str,
    pub(super) user: &'a User,
    pub(super) scopes: Vec<String>,
    pub(super) nonce: Option<String>,
}

/// The access token, and the refresh and ID tokens when `offline_access` and `openid` ask for them.
pub(super) fn user_tokens(emulator: &Emulator, issue: Issue<'_>, now: DateTime<Utc>) -> Response {
    let lifetime = emulator.lifetimes.access_token;
    let expires_at = now + lifetime;
    let graph_scopes: Vec<String> = issue
        .scopes
        .iter()
        .filter(|scope| !OIDC_SCOPES.contains(&scope.to_ascii_lowercase().as_str()))
        .cloned()
        .collect();
    let access_token = unsigned_jwt(&json!({
        "aud": GRAPH_RESOURCE.trim_end_matches('/'),
        "iss": format!("https://sts.windows.net/{}/", issue.tenant_id),
        "iat": now.timestamp(), "nbf": now.timestamp(), "exp": expires_at.timestamp(),
        "appid": issue.client_id, "name": issue.user.display_name, "oid": issue.user.id,
        "scp": graph_scopes.join(" "), "tid": issue.tenant_id, "upn": issue.user.mail, "ver": "1.0",
    }));
    let mut tokens = emulator.tokens();
    tokens.prune(now);
    tokens.access.insert(
        access_token.clone(),
        AccessGrant {
            tenant_id: issue.tenant_id.to_owned(),
            client_id: issue.client_id.to_owned(),
            subject: Subject::User(issue.user.id.clone()),
            scopes: graph_scopes.clone(),
            roles: Vec::new(),
            expires_at,
        },
    );
    let mut scope_out: Vec<String> = graph_scopes.clone();
    for oidc in ["openid", "profile", "email"] {
        if has_scope(&issue.scopes, oidc) {
            scope_out.push(oidc.to_owned());
        }
    }
    let mut body = json!({
        "token_type": "Bearer",
        "scope": scope_out.join(" "),
        "expires_in": lifetime.num_seconds(),
        "ext_expires_in": lifetime.num_seconds(),
        "access_token": access_token,
        "client_info": b64_json(&json!({"uid": issue.user.id, "utid": issue.tenant_id})),
    });
    if has_scope(&issue.scopes, "offline_access") {
        let refresh_token = format!("1.{}", random_token(128));
        tokens.add_refresh(
            refresh_token.clone(),
            RefreshGrant {
                tenant_id: issue.tenant_id.to_owned(),
                client_id: issue.client_id.to_owned(),
                user_id: issue.user.id.clone(),
                scopes: issue.scopes.clone(),
                issued_at: now,
                expires_at: now + emulator.lifetimes.refresh_token,
            },
        );
        body["refresh_token"] = json!(refresh_token);
    }
    if has_scope(&issue.scopes, "openid") {
        let subject = URL_SAFE_NO_PAD.encode(Sha256::digest(format!(
            "{}:{}",
            issue.user.id, issue.client_id
        )));
        let mut claims = json!({
            "aud": issue.client_id,
            "iss": format!("{}/{}/v2.0", issue.origin, issue.tenant_id),
            "iat": now.timestamp(), "nbf": now.timestamp(), "exp": (now + chrono::TimeDelta::hours(1)).timestamp(),
            "name": issue.user.display_name, "oid": issue.user.id, "preferred_username": issue.user.mail,
            "email": issue.user.mail, "sub": subject, "tid": issue.tenant_id, "ver": "2.0",
        });
        if let Some(nonce) = issue.nonce {
            claims["nonce"] = json!(nonce);
        }
        body["id_token"] = json!(unsigned_jwt(&claims));
    }
    Json(body).into_response()
}
