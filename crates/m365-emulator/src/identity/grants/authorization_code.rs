//! The authorization code grant: a code from `/authorize`, redeemed once, by the client it was
//! issued to, with the same redirect URI and the PKCE verifier of its challenge.

use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::super::errors::AadError;
use super::TokenRequest;
use super::issue::{self, Issue};

pub(super) fn redeem(request: &TokenRequest<'_>) -> Result<Response, AadError> {
    let TokenRequest {
        emulator,
        origin,
        now,
        ..
    } = *request;
    let code = request.field("code").unwrap_or_default();
    let mut tokens = emulator.tokens();
    let entry = tokens.codes.get_mut(code).ok_or_else(|| {
        AadError::new(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
            now,
        )
    })?;
    if entry.redeemed {
        return Err(AadError::new(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
            now,
        ));
    }
    if entry.expires_at <= now {
        return Err(AadError::new(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
            now,
        ));
    }
    if entry.client_id != request.app.client_id {
        return Err(AadError::new(
            "invalid_grant",
            70000,
            "The provided value for the 'code' parameter is not valid. The code was issued to a different client.",
            now,
        ));
    }
    if request.field("redirect_uri") != Some(entry.redirect_uri.as_str()) {
        return Err(AadError::new(
            "invalid_grant",
            500112,
            "The reply address does not match the reply address provided when requesting Authorization code.",
            now,
        ));
    }
    if let Some(challenge) = entry.code_challenge.clone() {
        let verifier = request.field("code_verifier").unwrap_or_default();
        if !pkce_matches(&challenge, &entry.code_challenge_method, verifier) {
            return Err(AadError::new(
                "invalid_grant",
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                now,
            ));
        }
    }
    entry.redeemed = true;
    let entry = entry.clone();
    drop(tokens);
    let user = issue::user(emulator, &entry.user_id, now)?;
    Ok(issue::user_tokens(
        emulator,
        Issue {
            origin,
            tenant_id: &entry.tenant_id,
            client_id: &request.app.client_id,
            user: &user,
            scopes: entry.scopes,
            nonce: entry.nonce,
        },
        now,
    ))
}

fn pkce_matches(challenge: &str, method: &str, verifier: &str) -> bool {
    match method {
        "S256" => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge,
        _ => verifier == challenge,
    }
}
