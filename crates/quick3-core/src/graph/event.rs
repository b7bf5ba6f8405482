//! Graph events as they come and go: a tolerant reading of an event (or an `@removed` entry) and
//! the JSON Quick3 sends when it creates or changes one. Attendees are never written.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;
use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::GraphError;
use crate::ids::AppointmentId;
use crate::model::appointment::{MAX_LOCATION_CHARS, MAX_NOTES_CHARS, MAX_TITLE_CHARS};
use crate::model::{Content, Recurrence, Sensitivity, ShowAs, When, zones};

/// The extended property that tags events Quick3 created, with the appointment id as its value.
pub const QUICK3_ID_PROPERTY: &str = "String {66f5a359-4659-4638-81f7-4e7c4f1f9d3a} Name Quick3Id";

// The wire shapes borrow their text from the answer (`Cow`: owned only where JSON escapes it), so
// an event is read straight from the page's bytes without an intermediate `serde_json::Value`.
// Unknown fields are skipped; missing optional fields are `None`.

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireTime<'a> {
    #[serde(borrow)]
    date_time: Cow<'a, str>,
    #[serde(default, borrow)]
    time_zone: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireBody<'a> {
    #[serde(default, borrow)]
    content: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireLocation<'a> {
    #[serde(default, borrow)]
    display_name: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireProperty<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow)]
    value: Option<Cow<'a, str>>,
}

/// A recurrence as Graph sends it, or anything else (read as no recurrence, as before).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum WireRecurrence {
    Read(Recurrence),
    Unreadable(IgnoredAny),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireEvent<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "@removed", default)]
    removed: Option<IgnoredAny>,
    #[serde(default, borrow)]
    change_key: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    subject: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    body: Option<WireBody<'a>>,
    #[serde(default, borrow)]
    start: Option<WireTime<'a>>,
    #[serde(default, borrow)]
    end: Option<WireTime<'a>>,
    #[serde(default, borrow)]
    original_start_time_zone: Option<Cow<'a, str>>,
    #[serde(default)]
    is_all_day: Option<bool>,
    #[serde(default)]
    is_cancelled: Option<bool>,
    #[serde(rename = "type", default, borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    series_master_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    original_start: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    location: Option<WireLocation<'a>>,
    #[serde(default, borrow)]
    categories: Option<Vec<Cow<'a, str>>>,
    #[serde(default, borrow)]
    show_as: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    sensitivity: Option<Cow<'a, str>>,
    #[serde(default)]
    recurrence: Option<WireRecurrence>,
    #[serde(default, borrow)]
    transaction_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    single_value_extended_properties: Option<Vec<WireProperty<'a>>>,
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
    entry_of(wire)
}

/// Reads one entry from its JSON text, as [`read_entry`] does from a `Value` (the same answers),
/// without building the `Value`.
pub fn read_entry_json(text: &str) -> Result<RemoteEntry, GraphError> {
    match serde_json::from_str::<WireEvent<'_>>(text) {
        Ok(wire) => entry_of(wire),
        // Only a broken entry pays for reading it twice, to name it.
        Err(e) => Err(GraphError::Malformed {
            what: format!(
                "event {}: {e}",
                serde_json::from_str::<Value>(text)
                    .ok()
                    .as_ref()
                    .and_then(|value| value["id"].as_str())
                    .unwrap_or("without an id")
            ),
        }),
    }
}

fn entry_of(wire: WireEvent<'_>) -> Result<RemoteEntry, GraphError> {
    if wire.removed.is_some() {
        return Ok(RemoteEntry::Removed {
            id: wire.id.into_owned(),
        });
    }
    Ok(RemoteEntry::Present(Box::new(read_event(wire)?)))
}

/// One delta page read from the answer's bytes: each entry read on its own (a broken one is its
/// own `Malformed`, the others still count), and where to go next.
#[derive(Debug)]
pub struct DeltaPage {
    pub entries: Vec<Result<RemoteEntry, GraphError>>,
    pub next_link: Option<String>,
    pub delta_link: Option<String>,
}

/// Reads a delta page from the answer's bytes: the same reading as [`super::read_page`] then
/// [`read_entry`] of each item, without a `serde_json::Value` of the page.
///
/// The outer error is an answer that is not JSON at all (cut off: worth asking again), the inner
/// one JSON that is not a page.
pub fn read_delta_page(body: &[u8]) -> Result<Result<DeltaPage, GraphError>, GraphError> {
    let not_json = |e: &dyn std::fmt::Display| GraphError::Malformed {
        what: format!("the JSON body ends early or is not JSON: {e}"),
    };
    let not_a_page = |what: &str| GraphError::Malformed { what: what.into() };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Err(not_a_page("a page that is not a JSON object")));
    }
    let text = std::str::from_utf8(body).map_err(|e| not_json(&e))?;
    // A link that is not a string is no link (as `Value::as_str` reads it).
    let link =
        |raw: Option<&RawValue>| raw.and_then(|raw| serde_json::from_str::<String>(raw.get()).ok());
    // Mostly every entry is a readable event: the page is read in one pass. Otherwise it is read
    // again entry by entry, so that a broken entry spoils only itself.
    if let Ok(WirePage {
        value: Some(events),
        next_link,
        delta_link,
    }) = serde_json::from_str::<WirePage<'_, Vec<WireEvent<'_>>>>(text)
    {
        return Ok(Ok(DeltaPage {
            entries: events.into_iter().map(entry_of).collect(),
            next_link: link(next_link),
            delta_link: link(delta_link),
        }));
    }
    let page = match serde_json::from_str::<WirePage<'_, &RawValue>>(text) {
        Ok(page) => page,
        Err(e) if e.is_data() => {
            // Valid JSON but no object, or cut off after something that is not an object.
            return match serde_json::from_str::<IgnoredAny>(text) {
                Ok(_) => Ok(Err(not_a_page("a page that is not a JSON object"))),
                Err(e) => Err(not_json(&e)),
            };
        }
        Err(e) => return Err(not_json(&e)),
    };
    let Some(items) = page
        .value
        .and_then(|raw| serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok())
    else {
        return Ok(Err(not_a_page("a page without a value list")));
    };
    Ok(Ok(DeltaPage {
        entries: items
            .into_iter()
            .map(|item| read_entry_json(item.get()))
            .collect(),
        next_link: link(page.next_link),
        delta_link: link(page.delta_link),
    }))
}

/// A page's fields: its `value` as `T`, its links as their JSON text; any other field is
/// skipped, and a field given twice counts as its last (as a `serde_json::Value` keeps it).
struct WirePage<'a, T> {
    value: Option<T>,
    next_link: Option<&'a RawValue>,
    delta_link: Option<&'a RawValue>,
}

impl<'de: 'a, 'a, T: Deserialize<'de>> Deserialize<'de> for WirePage<'a, T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields<'a, T>(std::marker::PhantomData<(&'a (), T)>);
        impl<'de: 'a, 'a, T: Deserialize<'de>> serde::de::Visitor<'de> for Fields<'a, T> {
            type Value = WirePage<'a, T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut page = WirePage {
                    value: None,
                    next_link: None,
                    delta_link: None,
                };
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match key.as_ref() {
                        "value" => page.value = Some(map.next_value()?),
                        "@odata.nextLink" => page.next_link = Some(map.next_value()?),
                        "@odata.deltaLink" => page.delta_link = Some(map.next_value()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(page)
            }
        }
        deserializer.deserialize_map(Fields(std::marker::PhantomData))
    }
}

fn malformed(id: &str, what: &str) -> GraphError {
    GraphError::Malformed {
        what: format!("event {id}: {what}"),
    }
}

/// An event's time: dates for an all-day event (taken as given, in whatever zone they came; an
/// end not after the start is the next day), else instants in the zone it was planned in (its
/// original start zone, else its start's, else UTC; an end before the start is the start).
fn when_of(
    id: &str,
    start: Option<WireTime<'_>>,
    end: Option<WireTime<'_>>,
    is_all_day: bool,
    original_start_time_zone: Option<&str>,
) -> Result<When, GraphError> {
    let start = start.ok_or_else(|| malformed(id, "no start"))?;
    let end = end.ok_or_else(|| malformed(id, "no end"))?;
    if is_all_day {
        let start = date_of(&start.date_time).ok_or_else(|| malformed(id, "bad start date"))?;
        let end = date_of(&end.date_time).ok_or_else(|| malformed(id, "bad end date"))?;
        let end = if end <= start {
            start + Days::new(1)
        } else {
            end
        };
        return Ok(When::AllDay { start, end });
    }
    let start_at = instant(&start).ok_or_else(|| malformed(id, "bad start time"))?;
    let end_at = instant(&end).ok_or_else(|| malformed(id, "bad end time"))?;
    let (start_at, end_at) = wall_span(&start, &end).unwrap_or((start_at, end_at));
    let time_zone = original_start_time_zone
        .and_then(zones::to_iana)
        .or_else(|| zones::to_iana(&start.time_zone))
        .unwrap_or(Tz::UTC);
    Ok(When::Timed {
        start: start_at,
        end: end_at.max(start_at),
        time_zone,
    })
}

/// The Quick3 appointment an event was pushed from: its `Quick3Id` tag, else its transactionId.
fn quick3_id_of(
    properties: Option<&[WireProperty<'_>]>,
    transaction_id: Option<&str>,
) -> Option<AppointmentId> {
    let tagged = properties
        .into_iter()
        .flatten()
        .find(|p| p.id.eq_ignore_ascii_case(QUICK3_ID_PROPERTY))
        .and_then(|p| p.value.as_deref())
        .and_then(|v| v.parse::<AppointmentId>().ok());
    tagged.or_else(|| transaction_id.and_then(appointment_of_transaction))
}

fn read_event(wire: WireEvent<'_>) -> Result<RemoteEvent, GraphError> {
    let id = wire.id.into_owned();
    let when = when_of(
        &id,
        wire.start,
        wire.end,
        wire.is_all_day.unwrap_or(false),
        wire.original_start_time_zone.as_deref(),
    )?;
    if !when.is_storable() {
        return Err(malformed(&id, "a time outside the years 0001 to 9999"));
    }
    let series = match (wire.series_master_id, &wire.original_start) {
        (Some(master_id), Some(original)) if !master_id.is_empty() => Some(SeriesSlot {
            master_id: master_id.into_owned(),
            original_start: parse_utc(original)
                .filter(|t| t.nanosecond() < 1_000_000_000 && (1..=9999).contains(&t.year()))
                .ok_or_else(|| malformed(&id, "bad originalStart"))?,
        }),
        _ => None,
    };
    let recurrence = match wire.recurrence {
        Some(WireRecurrence::Read(recurrence)) => Some(recurrence),
        Some(WireRecurrence::Unreadable(_)) | None => None,
    };
    let quick3_id = quick3_id_of(
        wire.single_value_extended_properties.as_deref(),
        wire.transaction_id.as_deref(),
    );
    // Cut to what Quick3 keeps before normalising, so that the stored text is already normal
    // and hashes the same on every read (a cut after trimming could end in a space).
    let text = |field: Option<Cow<'_, str>>, max: usize| {
        field.map_or_else(String::new, |text| at_most(text, max))
    };
    let content = Content {
        title: text(wire.subject, MAX_TITLE_CHARS),
        when,
        location: text(
            wire.location.and_then(|l| l.display_name),
            MAX_LOCATION_CHARS,
        ),
        notes: text(wire.body.map(|b| b.content), MAX_NOTES_CHARS),
        categories: wire
            .categories
            .unwrap_or_default()
            .into_iter()
            .map(Cow::into_owned)
            .collect(),
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
        change_key: wire.change_key.map(Cow::into_owned),
        content,
        kind: wire
            .kind
            .map_or_else(|| "singleInstance".to_owned(), Cow::into_owned),
        series,
        recurrence,
        is_cancelled: wire.is_cancelled.unwrap_or(false),
        quick3_id,
    })
}

/// At most `max` characters of a text from Outlook: longer is cut (Quick3 keeps no more than
/// its own limits for subjects, locations and notes), borrowed text copied only when kept.
fn at_most(text: Cow<'_, str>, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => text[..cut].to_owned(),
        None => text.into_owned(),
    }
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
    graph_wall_time(text)
        .or_else(|| NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S%.f").ok())
}

/// Graph's own shape of a wall time, `2019-03-15T12:00:00.0000000`, read without chrono's format
/// machinery (twice per pulled event). Anything else is `None`, to be read the general way; what
/// this reads, chrono reads the same.
fn graph_wall_time(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let (year, month, day) = (number(&b[0..4])?, number(&b[5..7])?, number(&b[8..10])?);
    let (hour, minute, second) = (
        number(&b[11..13])?,
        number(&b[14..16])?,
        number(&b[17..19])?,
    );
    if second > 59 {
        // A leap second: chrono's reading.
        return None;
    }
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            number(digits)? * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?
        .and_hms_nano_opt(hour, minute, second, nanos)
}

/// A Graph `dateTimeTimeZone` as an instant: the wall time read in its zone (UTC when we asked
/// for UTC, as we always do).
fn instant(time: &WireTime<'_>) -> Option<DateTime<Utc>> {
    // Graph's shape has no offset, so it is no RFC 3339 time: read it at once.
    if let Some(local) = graph_wall_time(&time.date_time) {
        return in_zone(local, &time.time_zone);
    }
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(time.date_time.trim()) {
        return Some(with_offset.with_timezone(&Utc));
    }
    in_zone(naive(&time.date_time)?, &time.time_zone)
}

/// Start and end given as wall times in one zone (not UTC, as we ask for) read together, as
/// Outlook reads them: an event whose start the clocks skip moves whole (`local_span`).
fn wall_span(start: &WireTime<'_>, end: &WireTime<'_>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if start.time_zone != end.time_zone {
        return None;
    }
    let from = naive(&start.date_time)?;
    let to = naive(&end.date_time)?;
    let zone = zones::to_iana(&start.time_zone).unwrap_or(Tz::UTC);
    Some(crate::model::recurrence::local_span(from, to, zone))
}

fn in_zone(local: NaiveDateTime, zone: &str) -> Option<DateTime<Utc>> {
    let zone = zones::to_iana(zone).unwrap_or(Tz::UTC);
    // A wall time the clocks skip or repeat is read as Outlook reads it, not dropped.
    Some(crate::model::recurrence::local_instant(local, zone))
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

/// A series' `recurrence` as Graph takes it: the stored pattern and range, the zone as its
/// Windows name (the store keeps the IANA name).
pub fn graph_recurrence(recurrence: &Recurrence) -> Value {
    let mut value = serde_json::to_value(recurrence).unwrap_or(Value::Null);
    if let Some(zone) = recurrence
        .range
        .recurrence_time_zone
        .as_deref()
        .and_then(|name| name.parse::<Tz>().ok())
    {
        value["range"]["recurrenceTimeZone"] = json!(zones::to_graph(zone));
    }
    value
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
    use crate::ErrorCode;

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
    fn times_the_store_cannot_keep_make_the_entry_unreadable_not_a_stored_row() {
        for (start, end) in [
            ("+12026-01-01T09:00:00", "+12026-01-01T10:00:00"),
            ("2026-01-01T09:00:60", "2026-01-01T10:00:00"),
            ("0000-12-31T09:00:00", "0001-01-01T10:00:00"),
            ("9999-12-31T23:00:00", "9999-12-31T23:30:00"),
        ] {
            let value = json!({"id": "far",
                "start": {"dateTime": start, "timeZone": "UTC"},
                "end": {"dateTime": end, "timeZone": "UTC"},
                "originalStartTimeZone": "Tonga Standard Time"});
            assert!(
                read_entry(&value).is_err(),
                "{start} – {end} (9999-12-31T23:00 UTC is 10000 in Tonga) is refused"
            );
        }
        let fine = json!({"id": "ok",
            "start": {"dateTime": "9999-12-30T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "9999-12-30T10:00:00", "timeZone": "UTC"}});
        assert!(read_entry(&fine).is_ok(), "the last years are kept");
    }

    #[test]
    fn wall_times_the_clocks_skip_or_repeat_are_read_as_outlook_reads_them() {
        let read = |start: &str, end: &str, zone: &str| {
            let value = json!({"id": "dst",
                "start": {"dateTime": start, "timeZone": zone},
                "end": {"dateTime": end, "timeZone": zone}});
            let RemoteEntry::Present(event) = read_entry(&value).unwrap() else {
                panic!("an event")
            };
            (
                event.content.when.start_text(),
                event.content.when.end_text(),
            )
        };
        assert_eq!(
            read(
                "2025-03-09T02:30:00.0000000",
                "2025-03-09T03:15:00.0000000",
                "Eastern Standard Time"
            ),
            (
                "2025-03-09T03:30:00-04:00".to_owned(),
                "2025-03-09T04:15:00-04:00".to_owned()
            ),
            "a start New York skips moves the event whole by the gap, keeping its 45 minutes"
        );
        assert_eq!(
            read(
                "2025-03-30T01:30:00.0000000",
                "2025-03-30T02:15:00.0000000",
                "W. Europe Standard Time"
            ),
            (
                "2025-03-30T01:30:00+01:00".to_owned(),
                "2025-03-30T03:15:00+02:00".to_owned()
            ),
            "an end alone in Berlin's gap moves on by the gap"
        );
        assert_eq!(
            read(
                "2025-10-26T02:30:00.0000000",
                "2025-10-26T02:45:00.0000000",
                "Europe/Oslo"
            ),
            (
                "2025-10-26T02:30:00+02:00".to_owned(),
                "2025-10-26T02:45:00+02:00".to_owned()
            ),
            "Oslo's repeated hour: the first one, in summer time"
        );
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
        assert_eq!(
            read_entry(&broken).unwrap_err().code(),
            ErrorCode::Malformed
        );
        assert_eq!(
            read_entry(&json!([1, 2])).unwrap_err().code(),
            ErrorCode::Malformed
        );
    }

    /// Microsoft's documented delta pages (the fuzz seeds) read from their bytes as from a
    /// `Value`: entries, `@removed`, nextLink and deltaLink.
    #[test]
    fn documented_delta_pages_read_from_their_bytes() {
        let seeds = [
            (
                include_str!("../../../../fuzz/seeds/delta_page/next_link.json"),
                2,
                true,
            ),
            (
                include_str!("../../../../fuzz/seeds/delta_page/delta_link.json"),
                2,
                false,
            ),
            (
                include_str!("../../../../fuzz/seeds/delta_page/empty_with_next_link.json"),
                0,
                true,
            ),
        ];
        for (text, entries, has_next) in seeds {
            let page = read_delta_page(text.as_bytes()).unwrap().unwrap();
            let value: Value = serde_json::from_str(text).unwrap();
            let by_value = super::super::read_page(value).unwrap();
            assert_eq!(page.entries.len(), entries, "{text}");
            assert_eq!(page.next_link.is_some(), has_next);
            assert_eq!(page.delta_link.is_some(), !has_next, "never both");
            assert_eq!(
                (&page.next_link, &page.delta_link),
                (&by_value.next_link, &by_value.delta_link)
            );
            for (entry, item) in page.entries.iter().zip(&by_value.items) {
                assert_eq!(entry.as_ref().unwrap(), &read_entry(item).unwrap());
            }
        }
        let page = read_delta_page(
            include_str!("../../../../fuzz/seeds/delta_page/delta_link.json").as_bytes(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            page.entries[0].as_ref().unwrap(),
            &RemoteEntry::Removed {
                id: "AAMkADVjNGQ2".into()
            }
        );
        let page = read_delta_page(
            include_str!("../../../../fuzz/seeds/delta_page/next_link.json").as_bytes(),
        )
        .unwrap()
        .unwrap();
        let Ok(RemoteEntry::Present(occurrence)) = &page.entries[1] else {
            panic!("an occurrence")
        };
        assert_eq!(occurrence.kind, "occurrence");
        assert_eq!(
            occurrence.series.as_ref().map(|s| s.master_id.as_str()),
            Some("AAMkMaster")
        );
    }

    /// Each entry of a page stands alone: a broken one is reported by its id (or as without an
    /// id) and the others still read; unknown and missing optional fields are fine.
    #[test]
    fn a_broken_entry_spoils_only_itself() {
        let body = json!({"value": [
            {"id": "fine", "start": {"dateTime": "2026-03-30T07:00:00"}, "end": {"dateTime": "2026-03-30T08:00:00"},
             "somethingNew": [1, {"x": null}]},
            {"id": "bad", "start": {"dateTime": "yesterday"}, "end": {"dateTime": "today"}},
            {"id": "wrong type", "subject": 5, "start": {"dateTime": "2026-03-30T07:00:00"}, "end": {"dateTime": "2026-03-30T08:00:00"}},
            {"subject": "no id"},
            7,
            {"id": "gone", "@removed": {"reason": "changed"}},
        ], "@odata.deltaLink": "https://graph.example/delta?$deltatoken=1"})
        .to_string();
        let page = read_delta_page(body.as_bytes()).unwrap().unwrap();
        let read: Vec<Result<&str, String>> = page
            .entries
            .iter()
            .map(|entry| match entry {
                Ok(entry) => Ok(entry.id()),
                Err(GraphError::Malformed { what }) => Err(what.clone()),
                Err(other) => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(read[0], Ok("fine"));
        assert_eq!(read[1], Err("event bad: bad start time".to_owned()));
        assert!(
            matches!(&read[2], Err(what) if what.starts_with("event wrong type: invalid type")),
            "{read:?}"
        );
        assert!(
            matches!(&read[3], Err(what) if what.starts_with("event without an id: missing field `id`")),
            "{read:?}"
        );
        assert!(
            matches!(&read[4], Err(what) if what.starts_with("event without an id:")),
            "{read:?}"
        );
        assert_eq!(read[5], Ok("gone"));
        assert!(matches!(page.entries[5], Ok(RemoteEntry::Removed { .. })));
    }

    /// Text with JSON escapes reads the same as plain text; a title is trimmed as before.
    #[test]
    fn escaped_text_reads_as_its_characters() {
        let body = r#"{"value": [{"id": "AAMk\/1\u002b=", "subject": "  Caf\u00e9 \"Zo\u00eb\"\n",
            "body": {"content": "line 1\r\nline 2"}, "categories": ["b\u0020", "a", "a"],
            "start": {"dateTime": "2026-03-30T07:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2026-03-30T08:00:00.0000000", "timeZone": "UTC"}}]}"#;
        let page = read_delta_page(body.as_bytes()).unwrap().unwrap();
        let Ok(RemoteEntry::Present(event)) = &page.entries[0] else {
            panic!("an event: {:?}", page.entries)
        };
        assert_eq!(event.id, "AAMk/1+=");
        assert_eq!(event.content.title, "Café \"Zoë\"");
        assert_eq!(event.content.notes, "line 1\nline 2");
        assert_eq!(
            event.content.categories,
            vec!["a".to_owned(), "b".to_owned()]
        );
        assert_eq!(page.next_link, None);
        assert_eq!(page.delta_link, None);
    }

    /// What is not a page, and what is cut off (the outer error: worth asking again).
    #[test]
    fn pages_that_are_not_pages() {
        let not_a_page = |body: &str| match read_delta_page(body.as_bytes()) {
            Ok(Err(GraphError::Malformed { what })) => what,
            other => panic!("{body}: {other:?}"),
        };
        assert_eq!(not_a_page("[1, 2]"), "a page that is not a JSON object");
        assert_eq!(not_a_page("\"value\""), "a page that is not a JSON object");
        assert_eq!(not_a_page(" \n"), "a page that is not a JSON object");
        assert_eq!(not_a_page("{}"), "a page without a value list");
        assert_eq!(not_a_page(r#"{"value": 3}"#), "a page without a value list");
        assert_eq!(
            not_a_page(r#"{"value": null}"#),
            "a page without a value list"
        );
        for cut_off in [
            r#"{"value": [{"id": "a""#,
            r#"{"value": [], "@odata.nextLink": "x"} trailing"#,
            "[1, 2",
            "{",
            "nul",
        ] {
            let err = read_delta_page(cut_off.as_bytes()).unwrap_err();
            assert!(err.is_transient(), "{cut_off}: {err:?}");
            assert_eq!(err.code(), ErrorCode::Malformed);
        }
        assert!(read_delta_page(b"{\"value\": [\"\xff\"]}").is_err());
        // Links that are not text are no links; a field given twice counts as its last.
        let page = read_delta_page(
            br#"{"value": [{"id": "x", "@removed": {}}], "@odata.nextLink": 5, "@odata.deltaLink": null, "value": []}"#,
        )
        .unwrap()
        .unwrap();
        assert!(page.entries.is_empty());
        assert_eq!((page.next_link, page.delta_link), (None, None));
    }

    proptest::proptest! {
        /// The quick reading of Graph's wall times agrees with chrono's wherever it answers, and
        /// answers for Graph's own shape.
        #[test]
        fn graph_wall_times_read_as_chrono_reads_them(
            text in "[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{0,11})?[Z ]?",
        ) {
            let chrono = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S%.f").ok();
            if let Some(quick) = graph_wall_time(&text) {
                proptest::prop_assert_eq!(Some(quick), chrono);
            }
            proptest::prop_assert_eq!(naive(&text), chrono);
        }
    }

    #[test]
    fn graph_wall_times_in_graph_shape_are_read_quickly() {
        for (text, expected) in [
            ("2019-03-15T12:00:00.0000000", "2019-03-15T12:00:00"),
            ("2019-03-15T12:00:00", "2019-03-15T12:00:00"),
            (
                "2026-12-31T23:59:59.1234567",
                "2026-12-31T23:59:59.123456700",
            ),
            ("2024-02-29T00:00:00.5", "2024-02-29T00:00:00.500"),
        ] {
            let read = graph_wall_time(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(read, expected.parse::<NaiveDateTime>().unwrap(), "{text}");
        }
        for other in [
            "2019-03-15T12:00:60",
            "2023-02-29T00:00:00",
            "2019-03-15T12:00:00Z",
            " 2019-03-15T12:00:00",
            "2019-03-15 12:00:00",
            "2019-03-15T12:00:00.",
            "2019-03-15T12:00:00.1234567890",
        ] {
            assert_eq!(graph_wall_time(other), None, "{other}");
        }
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
