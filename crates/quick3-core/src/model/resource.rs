//! Resources: the people, rooms and equipment that planners schedule.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::ids::ResourceId;
use crate::validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ResourceKind {
    Person,
    Room,
    Equipment,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Person => "person",
            ResourceKind::Room => "room",
            ResourceKind::Equipment => "equipment",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "person" => Ok(ResourceKind::Person),
            "room" => Ok(ResourceKind::Room),
            "equipment" => Ok(ResourceKind::Equipment),
            other => Err(CoreError::InvalidInput {
                field: "resource kind",
                reason: format!("\"{other}\" is not one of person, room, equipment"),
            }),
        }
    }
}

/// A resource as stored. JSON fields are stable: `id`, `name`, `email`, `kind`, `colour`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Resource {
    pub id: ResourceId,
    pub name: String,
    pub email: Option<String>,
    pub kind: ResourceKind,
    /// `#rrggbb`, used for the resource's appointments in the Scheduler.
    pub colour: String,
}

/// What is needed to add a resource; validated by [`NewResource::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewResource {
    pub name: String,
    pub email: Option<String>,
    pub kind: ResourceKind,
    pub colour: Option<String>,
}

pub const MAX_NAME_CHARS: usize = 200;

impl NewResource {
    /// Trims and checks every field; the returned value is what will be stored.
    pub fn validate(self) -> Result<NewResource> {
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            return Err(CoreError::InvalidInput {
                field: "name",
                reason: "it must not be empty".into(),
            });
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(CoreError::InvalidInput {
                field: "name",
                reason: format!("it is longer than {MAX_NAME_CHARS} characters"),
            });
        }
        let email = match self.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(email) => Some(validate::email(email)?),
        };
        let colour = match self.colour.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(colour) => Some(validate::colour(colour)?),
        };
        Ok(NewResource {
            name,
            email,
            kind: self.kind,
            colour,
        })
    }
}
