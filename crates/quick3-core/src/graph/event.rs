//! Graph events as they come and go: a tolerant reading of an event (or an `@removed` entry) and
//! the JSON Quick3 sends when it creates or changes one. Attendees are never written.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{GraphError, zones};
use crate::ids::AppointmentId;
use crate::model::{Recurrence, Sensitivity, ShowAs, When};
use crate::sync::content::Content;

/// The extended property that tags events Quick3 created, with the appointment id as its value.
pub const QUICK3_ID_PROPERTY: &str = "String {66f5a359-4659-4638-81f7-4e7c4f1f9d3a} Name Quick3Id";

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WireTime {
    date_time: String,
    #[serde(default)]
    time_zone: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WireBody {
    #[serde(default)]
    content: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WireLocation {
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireProperty {
    id: String,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireEvent {
    id: String,
    #[serde(rename = "@removed", default)]
    removed: Option<Value>,
    #[serde(default)]
    change_key: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    body: Option<WireBody>,
    #[serde(default)]
    start: Option<WireTime>,
    #[serde(default)]
    end: Option<WireTime>,
    #[serde(default)]
    original_start_time_zone: Option<String>,
    #[serde(default)]
    is_all_day: Option<bool>,
    #[serde(default)]
    is_cancelled: Option<bool>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    series_master_id: Option<String>,
    #[serde(default)]
    original_start: Option<String>,
    #[serde(default)]
    location: Option<WireLocation>,
    #[serde(default)]
    categories: Option<Vec<String>>,
    #[serde(default)]
    show_as: Option<String>,
    #[serde(default)]
    sensitivity: Option<String>,
    #[serde(default)]
    recurrence: Option<Value>,
    #[serde(default)]
    transaction_id: Option<String>,
    #[serde(default)]
    single_value_extended_properties: Option<Vec<WireProperty>>,
}

/// An occurrence's identity in its series: the master's id and the start it had in the series.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeriesSlot {
    pub master_id: String,
    pub original_start: DateTime<Utc>,
}

/// An event as read from Graph.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteEvent {
    pub id: String,
    pub change_key: Option<String>,
    pub content: Content,
    /// `singleInstance`, `occurrence`, `exception` or `seriesMaster`.
    pub kind: String,
    pub series: Option<SeriesSlot>,
    pub recurrence: Option<Recurrence>,
    pub is_cancelled: bool,
    /// The Quick3 appointment this event was pushed from (by tag or transactionId).
    pub quick3_id: Option<AppointmentId>,
}

/// One entry of a delta page.
#[derive(Debug, Clone, PartialEq)]
pub enum RemoteEntry {
    Present(Box<RemoteEvent>),
    Removed { id: String },
}

impl RemoteEntry {
    pub fn id(&self) -> &str {
        match self {
            RemoteEntry::Present(event) => &event.id,
            RemoteEntry::Removed { id } => id,
        }
    }
}

/// Reads one entry; a broken one is `Malformed` naming what is wrong, never a panic.
pub fn read_entry(value: &Value) -> Result<RemoteEntry, GraphError> {
    let wire = WireEvent::deserialize(value).map_err(|e| GraphError::Malformed {
        what: format!(
            "event {}: {e}",
            value["id"].as_str().unwrap_or("without an id")
        ),
    })?;
    if wire.removed.is_some() {
        return Ok(RemoteEntry::Removed { id: wire.id });
    }
    Ok(RemoteEntry::Present(Box::new(read_event(wire)?)))
}

fn malformed(id: &str, what: &str) -> GraphError {
    GraphError::Malformed {
        what: format!("event {id}: {what}"),
    }
}

fn read_event(wire: WireEvent) -> Result<RemoteEvent, GraphError> {
    let id = wire.id.clone();
    let start = wire
        .start
        .clone()
        .ok_or_else(|| malformed(&id, "no start"))?;
    let end = wire.end.clone().ok_or_else(|| malformed(&id, "no end"))?;
    let when = if wire.is_all_day.unwrap_or(false) {
        // All-day events are dates: take the date as given, in whatever zone it came.
        let start = date_of(&start.date_time).ok_or_else(|| malformed(&id, "bad start date"))?;
        let end = date_of(&end.date_time).ok_or_else(|| malformed(&id, "bad end date"))?;
        let end = if end <= start {
            start + Days::new(1)
        } else {
            end
        };
        When::AllDay { start, end }
    } else {
        let start_at = instant(&start).ok_or_else(|| malformed(&id, "bad start time"))?;
        let end_at = instant(&end).ok_or_else(|| malformed(&id, "bad end time"))?;
        let time_zone = wire
            .original_start_time_zone
            .as_deref()
            .and_then(zones::to_iana)
            .or_else(|| zones::to_iana(&start.time_zone))
            .unwrap_or(Tz::UTC);
        When::Timed {
            start: start_at,
            end: end_at.max(start_at),
            time_zone,
        }
    };
    let series = match (&wire.series_master_id, &wire.original_start) {
        (Some(master_id), Some(original)) if !master_id.is_empty() => Some(SeriesSlot {
            master_id: master_id.clone(),
            original_start: parse_utc(original)
                .ok_or_else(|| malformed(&id, "bad originalStart"))?,
        }),
        _ => None,
    };
    let recurrence = match wire.recurrence {
        Some(Value::Null) | None => None,
        Some(value) => serde_json::from_value::<Recurrence>(value).ok(),
    };
    let tagged = wire
        .single_value_extended_properties
        .iter()
        .flatten()
        .find(|p| p.id.eq_ignore_ascii_case(QUICK3_ID_PROPERTY))
        .and_then(|p| p.value.as_deref())
        .and_then(|v| v.parse::<AppointmentId>().ok());
    let quick3_id = tagged.or_else(|| {
        wire.transaction_id
            .as_deref()
            .and_then(appointment_of_transaction)
    });
    let content = Content {
        title: wire.subject.unwrap_or_default(),
        when,
        location: wire
            .location
            .and_then(|l| l.display_name)
            .unwrap_or_default(),
        notes: wire.body.map(|b| b.content).unwrap_or_default(),
        categories: wire.categories.unwrap_or_default(),
        show_as: wire
            .show_as
            .as_deref()
            .map(show_as_from_graph)
            .unwrap_or_default(),
        sensitivity: wire
            .sensitivity
            .as_deref()
            .and_then(|s| Sensitivity::parse(s).ok())
            .unwrap_or_default(),
    }
    .normalised();
    Ok(RemoteEvent {
        id,
        change_key: wire.change_key,
        content,
        kind: wire.kind.unwrap_or_else(|| "singleInstance".into()),
        series,
        recurrence,
        is_cancelled: wire.is_cancelled.unwrap_or(false),
        quick3_id,
    })
}

fn date_of(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| naive(text).map(|n| n.and_utc()))
}

fn naive(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S%.f").ok()
}

/// A Graph `dateTimeTimeZone` as an instant: the wall time read in its zone (UTC when we asked
/// for UTC, as we always do).
fn instant(time: &WireTime) -> Option<DateTime<Utc>> {
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(time.date_time.trim()) {
        return Some(with_offset.with_timezone(&Utc));
    }
    let local = naive(&time.date_time)?;
    let zone = zones::to_iana(&time.time_zone).unwrap_or(Tz::UTC);
    zone.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn show_as_from_graph(text: &str) -> ShowAs {
    match text {
        "free" => ShowAs::Free,
        "tentative" => ShowAs::Tentative,
        "busy" => ShowAs::Busy,
        "oof" => ShowAs::Oof,
        "workingElsewhere" => ShowAs::WorkingElsewhere,
        _ => ShowAs::Unknown,
    }
}

fn show_as_to_graph(show_as: ShowAs) -> &'static str {
    match show_as {
        ShowAs::Free => "free",
        ShowAs::Tentative => "tentative",
        ShowAs::Busy => "busy",
        ShowAs::Oof => "oof",
        ShowAs::WorkingElsewhere => "workingElsewhere",
        ShowAs::Unknown => "unknown",
    }
}

/// The deterministic `transactionId` of pushing appointment `appointment` to account `account`
/// (`generation` > 0 when an event deleted in Outlook is created again), so a POST retried
/// after a crash returns the event already created.
pub fn transaction_id(appointment: AppointmentId, account: i64, generation: u32) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{account}/{generation}").as_bytes());
    let tail: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("q3-{appointment}-{tail}")
}

/// The appointment id inside a transactionId made by [`transaction_id`].
pub fn appointment_of_transaction(transaction_id: &str) -> Option<AppointmentId> {
    let rest = transaction_id.strip_prefix("q3-")?;
    rest.get(..36)?.parse().ok()
}

fn graph_time(when: &When, start: bool) -> Value {
    match *when {
        When::Timed {
            start: from,
            end: to,
            time_zone,
        } => {
            let instant = if start { from } else { to };
            let local = instant.with_timezone(&time_zone).naive_local();
            json!({"dateTime": local.format("%Y-%m-%dT%H:%M:%S").to_string(), "timeZone": zones::to_graph(time_zone)})
        }
        When::AllDay {
            start: from,
            end: to,
        } => {
            let date = if start { from } else { to };
            json!({"dateTime": format!("{date}T00:00:00"), "timeZone": "UTC"})
        }
    }
}

/// The fields Quick3 writes (never attendees).
pub fn event_fields(content: &Content) -> Value {
    json!({
        "subject": content.title,
        "body": {"contentType": "text", "content": content.notes},
        "start": graph_time(&content.when, true),
        "end": graph_time(&content.when, false),
        "isAllDay": content.when.is_all_day(),
        "location": {"displayName": content.location},
        "categories": content.categories,
        "showAs": show_as_to_graph(content.show_as),
        "sensitivity": content.sensitivity.as_str(),
    })
}

/// The body of the POST that creates the event for a Quick3 appointment: its fields, the
/// deterministic transactionId and the Quick3Id tag.
pub fn new_event(content: &Content, appointment: AppointmentId, transaction_id: &str) -> Value {
    let mut body = event_fields(content);
    body["transactionId"] = json!(transaction_id);
    body["singleValueExtendedProperties"] =
        json!([{"id": QUICK3_ID_PROPERTY, "value": appointment.to_string()}]);
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_event_is_exact_and_keeps_its_original_zone() {
        let value = json!({
            "id": "AAMk1", "changeKey": "ck1", "subject": " Stand-up ", "type": "singleInstance",
            "start": {"dateTime": "2026-03-30T07:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2026-03-30T07:15:00.0000000", "timeZone": "UTC"},
            "originalStartTimeZone": "W. Europe Standard Time", "isAllDay": false,
            "showAs": "workingElsewhere", "sensitivity": "private", "unknownField": {"x": 1},
            "attendees": [{"emailAddress": {"address": "x@y"}}]
        });
        let RemoteEntry::Present(event) = read_entry(&value).unwrap() else {
            panic!("an event")
        };
        assert_eq!(event.content.title, "Stand-up");
        assert_eq!(
            event.content.when.start_text(),
            "2026-03-30T09:00:00+02:00",
            "07:00 UTC is 09:00 in Berlin after the DST change"
        );
        assert_eq!(event.content.show_as, ShowAs::WorkingElsewhere);
        assert_eq!(event.content.sensitivity, Sensitivity::Private);
    }

    #[test]
    fn all_day_dates_are_taken_as_given() {
        let value = json!({"id": "d", "isAllDay": true,
            "start": {"dateTime": "2026-12-24T00:00:00.0000000", "timeZone": "Pacific Standard Time"},
            "end": {"dateTime": "2026-12-26T00:00:00.0000000", "timeZone": "Pacific Standard Time"}});
        let RemoteEntry::Present(event) = read_entry(&value).unwrap() else {
            panic!("an event")
        };
        assert_eq!(
            (
                event.content.when.start_text(),
                event.content.when.end_text()
            ),
            ("2026-12-24".to_owned(), "2026-12-26".to_owned()),
            "never shifted by a zone"
        );
    }

    #[test]
    fn removed_entries_and_broken_events() {
        let removed = json!({"@odata.type": "#microsoft.graph.event", "id": "gone", "@removed": {"reason": "deleted"}});
        assert_eq!(
            read_entry(&removed).unwrap(),
            RemoteEntry::Removed { id: "gone".into() }
        );
        let broken =
            json!({"id": "x", "start": {"dateTime": "yesterday"}, "end": {"dateTime": "today"}});
        assert_eq!(read_entry(&broken).unwrap_err().code(), "Malformed");
        assert_eq!(read_entry(&json!([1, 2])).unwrap_err().code(), "Malformed");
    }

    #[test]
    fn transaction_ids_are_deterministic_and_name_the_appointment() {
        let id = AppointmentId::new();
        assert_eq!(transaction_id(id, 3, 0), transaction_id(id, 3, 0));
        assert_ne!(
            transaction_id(id, 3, 0),
            transaction_id(id, 4, 0),
            "per account"
        );
        assert_ne!(
            transaction_id(id, 3, 0),
            transaction_id(id, 3, 1),
            "per generation"
        );
        assert_eq!(
            appointment_of_transaction(&transaction_id(id, 3, 0)),
            Some(id)
        );
        assert_eq!(appointment_of_transaction("someone-else"), None);
    }
}
