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
    pub position: i64,
    pub status: AccountStatus,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}
