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

impl std::fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource's working day, local times `HH:MM` (start before end), as typed `07:00-16:00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WorkingHours {
    pub start: String,
    pub end: String,
}

impl WorkingHours {
    /// Reads `07:00-16:00` (also `7:00 - 16:00`); the start must come before the end.
    pub fn parse(text: &str) -> Result<WorkingHours> {
        let invalid = |reason: String| CoreError::InvalidInput {
            field: "working hours",
            reason,
        };
        let text = text.trim();
        let (start, end) = text.split_once('-').ok_or_else(|| {
            invalid(format!(
                "\"{text}\" is not a span like 07:00-16:00 (start, a dash, end)"
            ))
        })?;
        let time = |part: &str| {
            chrono::NaiveTime::parse_from_str(part.trim(), "%H:%M").map_err(|_| {
                invalid(format!(
                    "\"{}\" is not a time like 07:00 (hours 00-23, minutes 00-59)",
                    part.trim()
                ))
            })
        };
        let (start, end) = (time(start)?, time(end)?);
        if start >= end {
            return Err(invalid(format!(
                "the day must start before it ends ({} is not before {})",
                start.format("%H:%M"),
                end.format("%H:%M")
            )));
        }
        Ok(WorkingHours {
            start: start.format("%H:%M").to_string(),
            end: end.format("%H:%M").to_string(),
        })
    }
}

impl std::fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// A resource as stored. JSON fields are stable: `id`, `name`, `email`, `kind`, `colour`,
/// `hours`, `archived`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Resource {
    pub id: ResourceId,
    pub name: String,
    pub email: Option<String>,
    pub kind: ResourceKind,
    /// `#rrggbb`, used for the resource's appointments in the Scheduler.
    pub colour: String,
    /// Its working day; `None`: the Scheduler's default.
    pub hours: Option<WorkingHours>,
    /// Hidden from the Scheduler and the resource lists, its appointments kept; restorable.
    pub archived: bool,
}

/// What is needed to add a resource; validated by [`NewResource::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewResource {
    pub name: String,
    pub email: Option<String>,
    pub kind: ResourceKind,
    pub colour: Option<String>,
    /// As typed: `07:00-16:00`; empty or `None`: the Scheduler's default day.
    #[serde(default)]
    #[ts(optional)]
    pub hours: Option<String>,
}

/// A change to a resource: fields left `None` stay as they are; an empty e-mail or hours clears
/// them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ResourcePatch {
    #[ts(optional)]
    pub name: Option<String>,
    #[ts(optional)]
    pub email: Option<String>,
    #[ts(optional)]
    pub kind: Option<ResourceKind>,
    #[ts(optional)]
    pub colour: Option<String>,
    #[ts(optional)]
    pub hours: Option<String>,
}

/// A resource's fields checked and trimmed, as they will be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceFields {
    pub name: String,
    pub email: Option<String>,
    pub kind: ResourceKind,
    pub colour: Option<String>,
    pub hours: Option<WorkingHours>,
}

pub const MAX_NAME_CHARS: usize = 200;

impl NewResource {
    /// Trims and checks every field; the returned value is what will be stored.
    pub fn validate(self) -> Result<ResourceFields> {
        Ok(ResourceFields {
            name: name(&self.name)?,
            email: optional(self.email.as_deref(), validate::email)?,
            kind: self.kind,
            colour: optional(self.colour.as_deref(), validate::colour)?,
            hours: optional(self.hours.as_deref(), WorkingHours::parse)?,
        })
    }
}

impl Resource {
    /// This resource with `patch` applied, checked as a new one would be.
    pub fn patched(&self, patch: ResourcePatch) -> Result<ResourceFields> {
        let colour = patch.colour.unwrap_or_else(|| self.colour.clone());
        if colour.trim().is_empty() {
            return Err(CoreError::InvalidInput {
                field: "colour",
                reason: "it must not be empty".into(),
            });
        }
        NewResource {
            name: patch.name.unwrap_or_else(|| self.name.clone()),
            email: patch.email.or_else(|| self.email.clone()),
            kind: patch.kind.unwrap_or(self.kind),
            colour: Some(colour),
            hours: patch
                .hours
                .or_else(|| self.hours.as_ref().map(ToString::to_string)),
        }
        .validate()
    }
}

fn name(text: &str) -> Result<String> {
    let name = text.trim().to_owned();
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
    Ok(name)
}

/// A field that may be left empty: `None` when it is, else checked by `check`.
fn optional<T>(text: Option<&str>, check: impl Fn(&str) -> Result<T>) -> Result<Option<T>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => check(text).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_hours_read_as_typed_or_say_what_is_wrong() {
        let hours = WorkingHours::parse(" 7:00 - 16:30 ").unwrap();
        assert_eq!(hours.to_string(), "07:00-16:30", "stored zero-padded");
        for (typed, says) in [
            ("07:00", "is not a span like 07:00-16:00"),
            ("07:00-25:00", "\"25:00\" is not a time"),
            ("16:00-07:00", "the day must start before it ends"),
            ("09:00-09:00", "the day must start before it ends"),
        ] {
            let err = WorkingHours::parse(typed).unwrap_err().to_string();
            assert!(err.contains(says), "{typed}: {err}");
        }
    }
}
