//! Authorization codes, device codes, access and refresh tokens the identity platform issued.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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

/// A refresh token's grant (kept in the state file, so it outlives a restart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// What a sign-in leaves behind that outlives a restart with `--state`: refresh tokens and
/// browser sessions. (Revocation is the user's `refresh_tokens_valid_from`, in the store.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIns {
    pub refresh: HashMap<String, RefreshGrant>,
    /// Browser sessions (cookie value → user id), for single sign-on.
    pub sessions: HashMap<String, String>,
}

/// Everything issued, by its opaque value.
#[derive(Debug, Default)]
pub struct Tokens {
    pub access: HashMap<String, AccessGrant>,
    refresh: HashMap<String, RefreshGrant>,
    pub codes: HashMap<String, AuthCode>,
    pub devices: HashMap<String, DeviceCode>,
    pub flows: HashMap<String, SignInFlow>,
    /// Browser sessions (cookie value → user id), for single sign-on.
    sessions: HashMap<String, String>,
    /// Bumped whenever refresh tokens or sessions change, so they are saved.
    sign_ins_changed: u64,
}

impl Tokens {
    /// Tokens that continue the sign-ins of an earlier run.
    pub fn restored(sign_ins: SignIns) -> Self {
        Self {
            refresh: sign_ins.refresh,
            sessions: sign_ins.sessions,
            ..Self::default()
        }
    }

    /// The refresh tokens and sessions, to save.
    pub fn sign_ins(&self) -> SignIns {
        SignIns {
            refresh: self.refresh.clone(),
            sessions: self.sessions.clone(),
        }
    }

    /// Counts changes to [`Tokens::sign_ins`]; equal counts mean nothing to save.
    pub fn sign_ins_changed(&self) -> u64 {
        self.sign_ins_changed
    }

    pub fn refresh_grant(&self, token: &str) -> Option<&RefreshGrant> {
        self.refresh.get(token)
    }

    pub fn refresh_grants(&self) -> impl Iterator<Item = (&String, &RefreshGrant)> {
        self.refresh.iter()
    }

    pub fn add_refresh(&mut self, token: String, grant: RefreshGrant) {
        self.refresh.insert(token, grant);
        self.sign_ins_changed += 1;
    }

    pub fn session_user(&self, session: &str) -> Option<&String> {
        self.sessions.get(session)
    }

    pub fn add_session(&mut self, session: String, user_id: String) {
        self.sessions.insert(session, user_id);
        self.sign_ins_changed += 1;
    }

    /// Signs the user out of every browser session.
    pub fn end_sessions_of(&mut self, user_id: &str) {
        let before = self.sessions.len();
        self.sessions
            .retain(|_, session_user| session_user != user_id);
        if self.sessions.len() != before {
            self.sign_ins_changed += 1;
        }
    }

    /// Drops access tokens, codes and flows that can no longer be used.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        self.access.retain(|_, grant| grant.expires_at > now);
        self.codes.retain(|_, code| code.expires_at > now);
        self.flows.retain(|_, flow| flow.expires_at > now);
        let before = self.refresh.len();
        self.refresh.retain(|_, grant| grant.expires_at > now);
        if self.refresh.len() != before {
            self.sign_ins_changed += 1;
        }
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
