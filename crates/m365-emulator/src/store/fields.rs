//! Applying Graph event JSON (POST and PATCH bodies) to stored events.

use serde_json::{Map, Value};

use crate::store::StoreError;
use crate::store::model::{Event, ExtendedProperty, PatternType, Recurrence, ZonedTime};
use crate::timezone;

/// Fields Graph computes itself; clients may send them back (SDK round trips) and they are ignored.
const READ_ONLY: &[&str] = &[
    "@odata.etag",
    "@odata.type",
    "@odata.context",
    "id",
    "changeKey",
    "createdDateTime",
    "lastModifiedDateTime",
    "type",
    "seriesMasterId",
    "iCalUId",
    "uid",
    "originalStart",
    "originalStartTimeZone",
    "originalEndTimeZone",
    "webLink",
    "isCancelled",
    "isOrganizer",
    "occurrenceId",
    "bodyPreview",
    "hasAttachments",
    "responseStatus",
    "organizer",
    "calendar",
    "instances",
    "exceptionOccurrences",
    "cancelledOccurrences",
];

fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::InvalidRequest(message.into())
}

fn string_field(name: &str, value: &Value) -> Result<String, StoreError> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Null => Ok(String::new()),
        _ => Err(invalid(format!("Property '{name}' must be a string."))),
    }
}

fn enum_field(name: &str, value: &Value, allowed: &[&str]) -> Result<String, StoreError> {
    let text = string_field(name, value)?;
    allowed
        .iter()
        .find(|candidate| candidate.eq_ignore_ascii_case(&text))
        .map(|found| (*found).to_owned())
        .ok_or_else(|| {
            invalid(format!(
                "Cannot convert the literal '{text}' to the expected type for '{name}'."
            ))
        })
}

/// Parses a `dateTimeTimeZone` object.
pub fn zoned_time(name: &str, value: &Value) -> Result<ZonedTime, StoreError> {
    let date_time = value
        .get("dateTime")
        .and_then(Value::as_str)
        .and_then(timezone::parse_graph)
        .ok_or_else(|| invalid(format!("Property '{name}' needs a valid 'dateTime'.")))?;
    let time_zone = value
        .get("timeZone")
        .and_then(Value::as_str)
        .unwrap_or("UTC")
        .to_owned();
    if timezone::resolve(&time_zone).is_none() {
        return Err(StoreError::TimeZoneNotSupported(time_zone));
    }
    Ok(ZonedTime {
        date_time,
        time_zone,
    })
}

/// Applies the fields of a POST or PATCH body; `creating` allows `transactionId`.
pub fn apply(
    event: &mut Event,
    body: &Map<String, Value>,
    creating: bool,
) -> Result<(), StoreError> {
    for (name, value) in body {
        match name.as_str() {
            "subject" => event.subject = string_field(name, value)?,
            "body" => apply_body(event, value)?,
            "start" => event.start = zoned_time(name, value)?,
            "end" => event.end = zoned_time(name, value)?,
            "isAllDay" => {
                event.is_all_day = value
                    .as_bool()
                    .ok_or_else(|| invalid("Property 'isAllDay' must be a boolean."))?;
            }
            "showAs" => {
                event.show_as = enum_field(
                    name,
                    value,
                    &[
                        "free",
                        "tentative",
                        "busy",
                        "oof",
                        "workingElsewhere",
                        "unknown",
                    ],
                )?;
            }
            "sensitivity" => {
                event.sensitivity = enum_field(
                    name,
                    value,
                    &["normal", "personal", "private", "confidential"],
                )?;
            }
            "importance" => event.importance = enum_field(name, value, &["low", "normal", "high"])?,
            "categories" => event.categories = categories(value)?,
            "location" => {
                event.location = value
                    .get("displayName")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
            }
            "recurrence" => {
                event.recurrence = match value {
                    Value::Null => None,
                    _ => Some(serde_json::from_value::<Recurrence>(value.clone()).map_err(
                        |error| invalid(format!("Property 'recurrence' is invalid: {error}")),
                    )?),
                };
            }
            "transactionId" => apply_transaction_id(event, value, creating)?,
            "singleValueExtendedProperties" => apply_extended_properties(event, value)?,
            other if READ_ONLY.contains(&other) || other.starts_with("@odata") => {}
            other if other.contains("@odata") => {}
            other => {
                event.extra.insert(other.to_owned(), value.clone());
            }
        }
    }
    Ok(())
}

/// `body`: its content type (text or html) and content.
fn apply_body(event: &mut Event, value: &Value) -> Result<(), StoreError> {
    event.body_content_type = match value.get("contentType") {
        Some(kind) => enum_field("contentType", kind, &["text", "html"])?,
        None => "text".to_owned(),
    };
    event.body = value
        .get("content")
        .map(|content| string_field("content", content))
        .transpose()?
        .unwrap_or_default();
    Ok(())
}

/// `categories`: an array of strings, or null for none.
fn categories(value: &Value) -> Result<Vec<String>, StoreError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|item| string_field("categories", item))
            .collect(),
        _ => Err(invalid(
            "Property 'categories' must be an array of strings.",
        )),
    }
}

/// `transactionId`: set when the event is created, never changed after.
fn apply_transaction_id(
    event: &mut Event,
    value: &Value,
    creating: bool,
) -> Result<(), StoreError> {
    let requested = string_field("transactionId", value)?;
    if creating {
        event.transaction_id = Some(requested).filter(|id| !id.is_empty());
    } else if event.transaction_id.as_deref() != Some(requested.as_str()) {
        return Err(invalid("The property 'transactionId' cannot be changed."));
    }
    Ok(())
}

/// `singleValueExtendedProperties`: each set by id (case-insensitive), added when new.
fn apply_extended_properties(event: &mut Event, value: &Value) -> Result<(), StoreError> {
    let items = value
        .as_array()
        .ok_or_else(|| invalid("Property 'singleValueExtendedProperties' must be an array."))?;
    for item in items {
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("An extended property needs an 'id'."))?;
        let value = item
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match event
            .extended_properties
            .iter_mut()
            .find(|existing| existing.id.eq_ignore_ascii_case(id))
        {
            Some(existing) => existing.value = value.to_owned(),
            None => event.extended_properties.push(ExtendedProperty {
                id: id.to_owned(),
                value: value.to_owned(),
            }),
        }
    }
    Ok(())
}

/// Checks an event's times after an update (times the clocks skip resolved first): an end not
/// before its start, all-day events at midnight in one zone, and a recurrence whose range starts
/// on the event's start date.
pub fn validate(event: &mut Event) -> Result<(), StoreError> {
    // Exchange keeps an event's times as instants: a time the clocks skip is kept as the time it
    // takes place at, and an event whose start they skip moves whole (`timezone::resolve_span`).
    if !event.is_all_day {
        (event.start, event.end) = crate::store::instances::resolved_span(&event.start, &event.end);
    }
    let start = crate::store::instances::zoned_utc(&event.start);
    let end = crate::store::instances::zoned_utc(&event.end);
    if end < start {
        return Err(invalid(
            "The end time of the event must be after its start time.",
        ));
    }
    if event.is_all_day {
        let midnight = chrono::NaiveTime::MIN;
        if event.start.date_time.time() != midnight || event.end.date_time.time() != midnight {
            return Err(StoreError::PropertyValidation(
                "All-day events must start and end at midnight.".to_owned(),
            ));
        }
        if event.end.date_time <= event.start.date_time {
            return Err(StoreError::PropertyValidation(
                "All-day events must last at least one day.".to_owned(),
            ));
        }
    }
    if let Some(recurrence) = &event.recurrence {
        // Outlook refuses a series whose occurrence lasts longer than the pattern's period
        // (ErrorCalendarDurationIsTooLong); without this, one event of centuries would make every
        // occurrence of its series overlap every window (found by fuzzing).
        let pattern = &recurrence.pattern;
        let period_days = i64::from(pattern.interval.max(1)).saturating_mul(match pattern.kind {
            PatternType::Daily => 1,
            PatternType::Weekly => 7,
            PatternType::AbsoluteMonthly | PatternType::RelativeMonthly => 28,
            PatternType::AbsoluteYearly | PatternType::RelativeYearly => 365,
        });
        if (end - start).num_days() > period_days {
            return Err(StoreError::PropertyValidation(
                "ErrorCalendarDurationIsTooLong: an occurrence must be shorter than how often the \
                 series recurs."
                    .to_owned(),
            ));
        }
    }
    if let Some(recurrence) = event.recurrence.as_mut()
        && recurrence.range.recurrence_time_zone.is_empty()
    {
        recurrence.range.recurrence_time_zone = event.start.time_zone.clone();
    }
    Ok(())
}
