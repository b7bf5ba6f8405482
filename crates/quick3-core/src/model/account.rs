//! Microsoft 365 accounts connected to a resource, with the direction of their sync.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::ids::{AccountId, ResourceId};

/// Which way appointments flow between Quick3 and the account's calendars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Direction {
    /// Pull Microsoft 365 → Quick3.
    Down,
    /// Push Quick3 → Microsoft 365 (main account only).
    Up,
    /// Both.
    UpAndDown,
    /// Paused: no traffic, the account and its data stay.
    None,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Down => "down",
            Direction::Up => "up",
            Direction::UpAndDown => "up_and_down",
            Direction::None => "none",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "down" => Ok(Direction::Down),
            "up" => Ok(Direction::Up),
            "both" | "up_and_down" | "upanddown" => Ok(Direction::UpAndDown),
            "none" | "paused" => Ok(Direction::None),
            other => Err(CoreError::InvalidInput {
                field: "direction",
                reason: format!("\"{other}\" is not one of down, up, both, none"),
            }),
        }
    }

    /// The delegated scopes a new account asks for by default.
    pub fn default_scopes(self) -> Vec<String> {
        let calendars = match self {
            Direction::Down | Direction::None => "Calendars.Read",
            Direction::Up | Direction::UpAndDown => "Calendars.ReadWrite",
        };
        [
            "openid",
            "profile",
            "offline_access",
            "User.Read",
            calendars,
        ]
        .into_iter()
        .map(String::from)
        .collect()
    }
}

/// An account's last sync that failed: when, and why in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncFailure {
    pub at: DateTime<Utc>,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AccountStatus {
    WaitingForSignIn,
    Connected,
    SignInNeeded,
    Paused,
    Error,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::WaitingForSignIn => "waiting_for_sign_in",
            AccountStatus::Connected => "connected",
            AccountStatus::SignInNeeded => "sign_in_needed",
            AccountStatus::Paused => "paused",
            AccountStatus::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "waiting_for_sign_in" => AccountStatus::WaitingForSignIn,
            "connected" => AccountStatus::Connected,
            "sign_in_needed" => AccountStatus::SignInNeeded,
            "paused" => AccountStatus::Paused,
            "error" => AccountStatus::Error,
            other => {
                return Err(CoreError::Corrupt(format!(
                    "unknown account status {other}"
                )));
            }
        })
    }
}

/// A Microsoft 365 mailbox connected to a resource. Tokens are never part of it: they live in the
/// OS keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Account {
    pub id: AccountId,
    pub resource_id: ResourceId,
    pub email: String,
    pub direction: Direction,
    pub scopes: Vec<String>,
    /// The only account that receives uploads.
    pub is_main: bool,
    #[ts(type = "number")]
    pub position: i64,
    pub status: AccountStatus,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The status's message (a sign-in's, a permission's or a sync's).
    pub last_error: Option<String>,
    /// Why the last sync failed (all of it, or some calendars or uploads), until a sync succeeds.
    pub last_sync_failure: Option<SyncFailure>,
    /// Set for an organisation link: reached with the organisation's token, no sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub organisation: Option<super::OrgMailbox>,
    /// The key of the account's entries in the OS keyring: random, never reused by another
    /// account (row ids are). Never leaves the core.
    #[serde(skip)]
    #[ts(skip)]
    pub keyring_id: String,
}

impl Account {
    /// Whether this is an organisation link rather than a planner's own sign-in.
    pub fn is_organisation_link(&self) -> bool {
        self.organisation.is_some()
    }
}

/// A new account as typed in the + dialog or on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewAccount {
    pub resource_id: ResourceId,
    /// The Microsoft 365 user name (e-mail).
    pub email: String,
    pub direction: Direction,
    /// Empty: the defaults for the direction.
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl NewAccount {
    /// Checks the e-mail and the direction (None is only for accounts that exist) and fills in the
    /// default scopes.
    pub fn validate(self) -> Result<NewAccount> {
        if self.direction == Direction::None {
            return Err(CoreError::InvalidInput {
                field: "direction",
                reason:
                    "a new account must be Down, Up or Up and Down; None pauses an existing one"
                        .into(),
            });
        }
        Ok(NewAccount {
            email: crate::validate::email(&self.email)?,
            scopes: checked_scopes(self.direction, self.scopes),
            ..self
        })
    }
}

/// The scopes to ask for: the given ones (de-duplicated, with the sign-in scopes always present),
/// or the direction's defaults.
pub fn checked_scopes(direction: Direction, scopes: Vec<String>) -> Vec<String> {
    let mut wanted: Vec<String> = Vec::new();
    let given: Vec<String> = scopes
        .into_iter()
        .flat_map(|s| {
            s.split([' ', ','])
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect();
    let source = if given.is_empty() {
        direction.default_scopes()
    } else {
        given
    };
    for scope in ["openid", "profile", "offline_access", "User.Read"]
        .into_iter()
        .map(String::from)
        .chain(source)
    {
        if !wanted.iter().any(|w| w.eq_ignore_ascii_case(&scope)) {
            wanted.push(scope);
        }
    }
    wanted
}

/// Why these scopes cannot serve the direction, if they cannot (shown as a warning).
pub fn scope_warning(direction: Direction, scopes: &[String]) -> Option<String> {
    let has = |name: &str| {
        scopes.iter().any(|s| {
            s.eq_ignore_ascii_case(name)
                || s.to_ascii_lowercase()
                    .ends_with(&format!("/{}", name.to_ascii_lowercase()))
        })
    };
    let writes = has("Calendars.ReadWrite") || has("Calendars.ReadWrite.Shared");
    let reads = writes || has("Calendars.Read") || has("Calendars.Read.Shared");
    match direction {
        Direction::Up | Direction::UpAndDown if !writes => Some(
            "Uploading to Microsoft 365 needs Calendars.ReadWrite: without it every upload will be refused.".into(),
        ),
        Direction::Down if !reads => Some(
            "Reading Microsoft 365 calendars needs Calendars.Read (or Calendars.ReadWrite).".into(),
        ),
        _ if !has("offline_access") => Some(
            "Without offline_access the connection lasts only about an hour before you must sign in again.".into(),
        ),
        _ => None,
    }
}
