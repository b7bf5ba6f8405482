//! Graph JSON for users, calendars and events as Microsoft returns them.

use chrono::SecondsFormat;
use serde_json::{Map, Value, json};

use crate::graph::query::{ExpandProperties, Options};
use crate::store::instances::{Instance, InstanceKind};
use crate::store::model::{Calendar, Event, User, ZonedTime};
use crate::timezone;

/// `W/"changeKey"`.
pub fn etag(change_key: &str) -> String {
    format!("W/\"{change_key}\"")
}

pub fn user(user: &User) -> Value {
    json!({
        "businessPhones": [],
        "displayName": user.display_name,
        "givenName": user.given_name,
        "jobTitle": user.job_title,
        "mail": user.mail,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": "en-US",
        "surname": user.surname,
        "userPrincipalName": user.mail,
        "id": user.id,
    })
}

pub fn calendar(calendar: &Calendar, owner: &User) -> Value {
    json!({
        "@odata.etag": etag(&calendar.change_key),
        "id": calendar.id,
        "name": calendar.name,
        "color": calendar.color,
        "hexColor": calendar.hex_color,
        "groupClassId": "0006f0b7-0000-0000-c000-000000000046",
        "isDefaultCalendar": calendar.is_default,
        "changeKey": calendar.change_key,
        "canShare": true,
        "canViewPrivateItems": true,
        "canEdit": true,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": true,
        "isRemovable": !calendar.is_default,
        "owner": {"name": owner.display_name, "address": owner.mail},
    })
}

/// A time as the client asked to see it: in the `Prefer: outlook.timezone` zone, else UTC.
/// All-day times are floating dates and keep their wall-clock value.
fn time(zoned: &ZonedTime, is_all_day: bool, options: &Options) -> Value {
    let (name, zone) = options
        .time_zone
        .clone()
        .unwrap_or_else(|| ("UTC".to_owned(), chrono_tz::Tz::UTC));
    let local = if is_all_day {
        zoned.date_time
    } else {
        let instant = crate::store::instances::zoned_utc(zoned);
        timezone::utc_to_local(instant, zone)
    };
    json!({"dateTime": timezone::format_graph(local), "timeZone": name})
}

fn preview(body: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(255)
        .collect()
}

/// An event, occurrence or exception.
pub fn event(instance: &Instance<'_>, owner: &User, options: &Options) -> Map<String, Value> {
    let mut out = Map::new();
    insert_identity(&mut out, instance);
    insert_fixed(&mut out, instance);
    insert_content(&mut out, instance, owner, options);
    insert_overrides(&mut out, instance);
    if let Some(expand) = &options.expand {
        insert_extended_properties(&mut out, instance.event, expand);
    }
    select(out, options)
}

/// Ids, change key and times of change, the series an instance belongs to.
fn insert_identity(out: &mut Map<String, Value>, instance: &Instance<'_>) {
    let event = instance.event;
    let change_key = instance.change_key();
    let last_modified = instance
        .exception
        .map_or(event.last_modified, |exception| exception.last_modified);
    let ical_uid = match instance.original_start {
        Some(original) => format!("{}{}", event.ical_uid, original.format("%Y%m%d")),
        None => event.ical_uid.clone(),
    };
    out.insert("@odata.etag".into(), json!(etag(change_key)));
    out.insert("id".into(), json!(instance.id));
    out.insert(
        "createdDateTime".into(),
        json!(event.created.to_rfc3339_opts(SecondsFormat::Micros, true)),
    );
    out.insert(
        "lastModifiedDateTime".into(),
        json!(last_modified.to_rfc3339_opts(SecondsFormat::Micros, true)),
    );
    out.insert("changeKey".into(), json!(change_key));
    out.insert("categories".into(), json!(event.categories));
    if let Some(transaction_id) = &event.transaction_id
        && instance.kind != InstanceKind::Occurrence
        && instance.kind != InstanceKind::Exception
    {
        out.insert("transactionId".into(), json!(transaction_id));
    }
    out.insert("originalStartTimeZone".into(), json!(event.start.time_zone));
    out.insert("originalEndTimeZone".into(), json!(event.end.time_zone));
    if let Some(original) = instance.original_start {
        let zone = timezone::resolve_or_utc(&crate::store::instances::series_zone(event));
        let instant = timezone::local_to_utc(original, zone);
        out.insert(
            "originalStart".into(),
            json!(instant.to_rfc3339_opts(SecondsFormat::Secs, true)),
        );
        out.insert(
            "occurrenceId".into(),
            json!(format!("OID.{}.{}", event.id, original.format("%Y-%m-%d"))),
        );
    } else {
        out.insert("occurrenceId".into(), Value::Null);
    }
    out.insert("iCalUId".into(), json!(ical_uid));
    out.insert("uid".into(), json!(event.ical_uid));
}

/// The subject, the flags and settings an organizer's event carries, its kind and web link.
fn insert_fixed(out: &mut Map<String, Value>, instance: &Instance<'_>) {
    let event = instance.event;
    let series_master_id = matches!(
        instance.kind,
        InstanceKind::Occurrence | InstanceKind::Exception
    )
    .then(|| event.id.clone());
    out.insert(
        "reminderMinutesBeforeStart".into(),
        json!(if event.is_all_day { 1080 } else { 15 }),
    );
    out.insert("isReminderOn".into(), json!(!event.is_all_day));
    out.insert("hasAttachments".into(), json!(false));
    out.insert("subject".into(), json!(event.subject));
    out.insert("bodyPreview".into(), json!(preview(&event.body)));
    out.insert("importance".into(), json!(event.importance));
    out.insert("sensitivity".into(), json!(event.sensitivity));
    out.insert("isAllDay".into(), json!(event.is_all_day));
    out.insert("isCancelled".into(), json!(event.is_cancelled));
    out.insert("isOrganizer".into(), json!(true));
    out.insert("responseRequested".into(), json!(true));
    out.insert("seriesMasterId".into(), json!(series_master_id));
    out.insert("showAs".into(), json!(event.show_as));
    out.insert("type".into(), json!(instance.kind.as_str()));
    out.insert(
        "webLink".into(),
        json!(format!(
            "https://outlook.office365.com/owa/?itemid={}&exvsurl=1&path=/calendar/item",
            instance.id
        )),
    );
    out.insert("onlineMeetingUrl".into(), Value::Null);
    out.insert("isOnlineMeeting".into(), json!(false));
    out.insert("onlineMeetingProvider".into(), json!("unknown"));
    out.insert("allowNewTimeProposals".into(), json!(true));
    out.insert("isDraft".into(), json!(false));
    out.insert("hideAttendees".into(), json!(false));
    out.insert(
        "responseStatus".into(),
        json!({"response": "organizer", "time": "0001-01-01T00:00:00Z"}),
    );
}

/// The body, the times, the location, the recurrence of a series master and the organizer.
fn insert_content(
    out: &mut Map<String, Value>,
    instance: &Instance<'_>,
    owner: &User,
    options: &Options,
) {
    let event = instance.event;
    let location = json!({
        "displayName": event.location,
        "locationType": "default",
        "uniqueIdType": if event.location.is_empty() { "unknown" } else { "private" },
        "address": {},
        "coordinates": {},
    });
    let (content_type, content) = match options.body_content_type.as_deref() {
        Some("text") if event.body_content_type == "html" => {
            ("text".to_owned(), preview(&event.body))
        }
        _ => (event.body_content_type.clone(), event.body.clone()),
    };
    out.insert(
        "body".into(),
        json!({"contentType": content_type, "content": content}),
    );
    out.insert(
        "start".into(),
        time(&instance.start, event.is_all_day, options),
    );
    out.insert("end".into(), time(&instance.end, event.is_all_day, options));
    out.insert(
        "locations".into(),
        if event.location.is_empty() {
            json!([])
        } else {
            json!([location.clone()])
        },
    );
    out.insert("location".into(), location);
    out.insert(
        "recurrence".into(),
        match (&event.recurrence, instance.kind) {
            (Some(recurrence), InstanceKind::SeriesMaster) => {
                serde_json::to_value(recurrence).unwrap_or(Value::Null)
            }
            _ => Value::Null,
        },
    );
    out.insert("attendees".into(), json!([]));
    out.insert(
        "organizer".into(),
        json!({"emailAddress": {"name": owner.display_name, "address": owner.mail}}),
    );
    out.insert("onlineMeeting".into(), Value::Null);
}

/// Fields stored as they were sent, and those an exception of a series overrides.
fn insert_overrides(out: &mut Map<String, Value>, instance: &Instance<'_>) {
    let event = instance.event;
    for (name, value) in &event.extra {
        out.insert(name.clone(), value.clone());
    }
    if let Some(exception) = instance.exception {
        for (name, value) in &exception.overrides {
            match name.as_str() {
                "location" => {
                    out.insert("location".into(), value.clone());
                }
                "body" => {
                    out.insert("body".into(), value.clone());
                }
                _ => {
                    out.insert(name.clone(), value.clone());
                }
            }
        }
    }
}

/// `singleValueExtendedProperties` as `$expand` asked for them.
fn insert_extended_properties(
    out: &mut Map<String, Value>,
    event: &Event,
    expand: &ExpandProperties,
) {
    let properties: Vec<Value> = event
        .extended_properties
        .iter()
        .filter(|property| match expand {
            ExpandProperties::All => true,
            ExpandProperties::Only(id) => property.id.eq_ignore_ascii_case(id),
        })
        .map(|property| json!({"id": property.id, "value": property.value}))
        .collect();
    out.insert(
        "singleValueExtendedProperties".into(),
        Value::Array(properties),
    );
}

/// Keeps only `$select`ed fields (plus id, etag and expansions).
pub fn select(object: Map<String, Value>, options: &Options) -> Map<String, Value> {
    let Some(fields) = &options.select else {
        return object;
    };
    object
        .into_iter()
        .filter(|(name, _)| {
            name == "id"
                || name.starts_with('@')
                || name == "singleValueExtendedProperties"
                || fields.iter().any(|field| field.eq_ignore_ascii_case(name))
        })
        .collect()
}
