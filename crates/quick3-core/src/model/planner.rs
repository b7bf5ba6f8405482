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
}
