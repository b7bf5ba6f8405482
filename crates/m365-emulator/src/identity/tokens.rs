//! Authorization codes, device codes, access and refresh tokens the identity platform issued.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

/// Who an access token acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A signed-in user (delegated permissions in `scopes`).
    User(String),
    /// The app itself (application permissions in `roles`).
    App,
}

/// What a bearer token grants.
#[derive(Debug, Clone)]
pub struct AccessGrant {
    pub tenant_id: String,
    pub client_id: String,
    pub subject: Subject,
    pub scopes: Vec<String>,
    pub roles: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

/// A refresh token's grant.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub tenant_id: String,
    pub client_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An authorization code waiting to be redeemed.
#[derive(Debug, Clone)]
pub struct AuthCode {
    pub tenant_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: String,
    pub nonce: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub redeemed: bool,
}

/// Where a device-code sign-in stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceState {
    Pending,
    Approved { user_id: String },
    Declined,
    Redeemed,
}

/// A device-code sign-in.
#[derive(Debug, Clone)]
pub struct DeviceCode {
    pub device_code: String,
    pub user_code: String,
    pub tenant: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
    pub interval_seconds: i64,
    pub last_poll: Option<DateTime<Utc>>,
    pub state: DeviceState,
}

/// A browser sign-in in progress (between the authorize request and the redirect).
#[derive(Debug, Clone)]
pub struct SignInFlow {
    pub purpose: FlowPurpose,
    pub tenant: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: String,
    pub login_hint: Option<String>,
    pub prompt: Option<String>,
    pub user_id: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// What a sign-in flow ends in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowPurpose {
    /// `/authorize`: a code sent to the redirect URI.
    Authorize,
    /// `/adminconsent`: a tenant-wide grant.
    AdminConsent,
    /// The device-login page: approves this device code.
    Device(String),
}

/// Everything issued, by its opaque value.
#[derive(Debug, Default)]
pub struct Tokens {
    pub access: HashMap<String, AccessGrant>,
    pub refresh: HashMap<String, RefreshGrant>,
    pub codes: HashMap<String, AuthCode>,
    pub devices: HashMap<String, DeviceCode>,
    pub flows: HashMap<String, SignInFlow>,
    /// Browser sessions (cookie value → user id), for single sign-on.
    pub sessions: HashMap<String, String>,
}

impl Tokens {
    /// Drops access tokens, codes and flows that can no longer be used.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        self.access.retain(|_, grant| grant.expires_at > now);
        self.codes.retain(|_, code| code.expires_at > now);
        self.flows.retain(|_, flow| flow.expires_at > now);
        self.refresh.retain(|_, grant| grant.expires_at > now);
        self.devices
            .retain(|_, device| device.expires_at + chrono::TimeDelta::hours(1) > now);
    }

    pub fn device_by_user_code(&mut self, user_code: &str) -> Option<&mut DeviceCode> {
        let wanted = user_code.trim().to_ascii_uppercase();
        self.devices
            .values_mut()
            .find(|device| device.user_code == wanted)
    }
}
