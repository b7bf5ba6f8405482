//! The signed-in planner, the organisation's activated modules, and the overview the UI starts from.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::ResourceId;
use crate::model::Resource;

/// An integration module that Support activates for an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Module {
    Office365,
}

impl Module {
    pub fn key(self) -> &'static str {
        match self {
            Module::Office365 => "office365",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "office365" | "office-365" | "m365" => Some(Module::Office365),
            _ => None,
        }
    }
}

/// The person using this installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Planner {
    pub name: String,
    /// The resource that is "My Resource" in the top bar.
    pub my_resource_id: Option<ResourceId>,
    /// Granted by the planner's local management; needed to change a resource's settings.
    pub may_edit_resource_settings: bool,
}

/// Everything the window needs at start: who is planning, with what rights and modules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Overview {
    pub planner: Planner,
    pub my_resource: Option<Resource>,
    pub office365_module_active: bool,
    /// The planner administers the organisation's Office 365 connection (Client settings, Test
    /// settings, organisation links).
    pub administrator: bool,
    pub demo_mode: bool,
    /// The IANA zone that local times are read and shown in by default.
    pub time_zone: String,
    /// The IANA zone the Scheduler shows times in (the planner's setting; the machine's zone
    /// unless chosen).
    pub display_time_zone: String,
    /// How the window writes dates and times (the planner's setting; the system's unless chosen).
    pub date_format: DateFormat,
}

/// How the window writes dates and times: a language and region and an hour cycle, each the
/// system's (the webview's locale) when not chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DateFormat {
    /// A BCP 47 language tag such as `en-GB`, `nb-NO` or `de-DE`; `None`: the system's.
    #[serde(default)]
    pub locale: Option<String>,
    /// 24-hour or 12-hour clock; `None`: what the language and region use.
    #[serde(default)]
    pub hour_cycle: Option<HourCycle>,
}

/// The clock times are written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HourCycle {
    /// 00:00–23:59.
    H24,
    /// 12:00 AM–11:59 PM.
    H12,
}

impl HourCycle {
    pub fn key(self) -> &'static str {
        match self {
            HourCycle::H24 => "h24",
            HourCycle::H12 => "h12",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "h24" | "24" => Some(HourCycle::H24),
            "h12" | "12" => Some(HourCycle::H12),
            _ => None,
        }
    }
}

/// Whether `tag` has the shape of a BCP 47 language tag the window can be given: a language of 2–3
/// letters, then subtags of 1–8 letters or digits (`en-GB`, `nb-NO`, `zh-Hant-TW`), at most 35
/// characters. Whether Intl knows it is the window's concern (it falls back to the language).
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    tag.len() <= 35
        && (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}
