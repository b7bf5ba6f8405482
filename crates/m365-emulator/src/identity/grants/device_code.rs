//! The device code grant (RFC 8628): the device authorization endpoint hands out a device code and
//! a user code; the token endpoint answers the device's polls until the user approved or declined.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde_json::json;

use super::super::errors::AadError;
use super::super::tokens::{DeviceCode, DeviceState};
use super::super::{Params, normalize_scopes, resolve_default, tenant_scope};
use super::TokenRequest;
use super::client::unknown_client;
use super::issue::{self, Issue};
use crate::emulator::Emulator;
use crate::ids::random_token;
use crate::origin::Origin;

/// The device authorization endpoint (`/oauth2/v2.0/devicecode`): a device code and the user code
/// a person enters at `/devicelogin`.
pub(in crate::identity) async fn device_authorization(
    State(emulator): State<Arc<Emulator>>,
    Path(tenant): Path<String>,
    Origin(origin): Origin,
    Form(form): Form<Params>,
) -> Response {
    let now = super::super::now(&emulator);
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    let app = {
        let store = emulator.store();
        if let Err(error) = tenant_scope(&store, &tenant, now) {
            return error.into_response();
        }
        store.app(&client_id).cloned()
    };
    let Some(app) = app else {
        return unknown_client(&client_id, now).into_response();
    };
    if !app.allow_public_client_flows {
        return AadError::new("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", now).with_status(StatusCode::UNAUTHORIZED).into_response();
    }
    let scopes = resolve_default(
        normalize_scopes(form.get("scope").map(String::as_str).unwrap_or_default()),
        &app,
    );
    let device_code = random_token(48);
    let letters: String = (0..9)
        .map(|_| char::from(b'A' + rand::random_range(0..26u8)))
        .collect();
    let verification_uri = format!("{origin}/devicelogin");
    let lifetime = emulator.lifetimes.device_code;
    let interval = 5;
    emulator.tokens().devices.insert(
        device_code.clone(),
        DeviceCode {
            device_code: device_code.clone(),
            user_code: letters.clone(),
            tenant,
            client_id,
            scopes,
            expires_at: now + lifetime,
            interval_seconds: interval,
            last_poll: None,
            state: DeviceState::Pending,
        },
    );
    Json(json!({
        "user_code": letters,
        "device_code": device_code,
        "verification_uri": verification_uri,
        "expires_in": lifetime.num_seconds(),
        "interval": interval,
        "message": format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {letters} to authenticate."),
    }))
    .into_response()
}

/// A poll of the token endpoint: tokens once the user approved, otherwise why not yet or not.
pub(super) fn redeem(request: &TokenRequest<'_>) -> Result<Response, AadError> {
    let TokenRequest {
        emulator,
        origin,
        ref app,
        now,
        ..
    } = *request;
    let (user_id, scopes) = poll(request)?;
    let user = issue::user(emulator, &user_id, now)?;
    Ok(issue::user_tokens(
        emulator,
        Issue {
            origin,
            tenant_id: &user.tenant_id,
            client_id: &app.client_id,
            user: &user,
            scopes,
            nonce: None,
        },
        now,
    ))
}

/// Records the poll; the approving user and the code's scopes once approved, the code then spent.
fn poll(request: &TokenRequest<'_>) -> Result<(String, Vec<String>), AadError> {
    let TokenRequest {
        emulator,
        ref app,
        now,
        ..
    } = *request;
    let presented = request
        .field("device_code")
        .or_else(|| request.field("code"))
        .unwrap_or_default();
    let mut tokens = emulator.tokens();
    let device = tokens.devices.get_mut(presented).ok_or_else(|| {
        AadError::new(
            "bad_verification_code",
            70019,
            "Verification code expired or is unknown.",
            now,
        )
    })?;
    if device.client_id != app.client_id {
        return Err(AadError::new(
            "invalid_grant",
            70000,
            "The device code was issued to another client.",
            now,
        ));
    }
    if device.expires_at <= now {
        return Err(AadError::new(
            "expired_token",
            70020,
            "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
            now,
        ));
    }
    let too_soon = device.last_poll.is_some_and(|last| {
        now - last
            < chrono::TimeDelta::seconds(device.interval_seconds)
                - chrono::TimeDelta::milliseconds(500)
    });
    device.last_poll = Some(now);
    match device.state.clone() {
        DeviceState::Pending if too_soon => Err(AadError::new(
            "slow_down",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending and the client polls faster than the interval. Slow down.",
            now,
        )),
        DeviceState::Pending => Err(AadError::new(
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            now,
        )),
        DeviceState::Declined => Err(AadError::new(
            "authorization_declined",
            70000,
            "The user declined the sign-in request.",
            now,
        )),
        DeviceState::Redeemed => Err(AadError::new(
            "invalid_grant",
            54005,
            "The device code was already redeemed.",
            now,
        )),
        DeviceState::Approved { user_id } => {
            device.state = DeviceState::Redeemed;
            Ok((user_id, device.scopes.clone()))
        }
    }
}
