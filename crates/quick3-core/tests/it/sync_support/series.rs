//! Series test support: a weekly series made in Quick3, one of its occurrences moved or
//! cancelled there, a daily series made in Outlook, its master and instances as Outlook holds them, Graph's times read as
//! instants, and a sync that must report no error.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use quick3_core::ids::AppointmentId;
use quick3_core::model::recurrence::{Repeat, RepeatUnit};
use quick3_core::model::{Account, Appointment, AppointmentInput, AppointmentPatch};
use quick3_core::sync::SyncSummary;
use serde_json::{Value, json};

use super::{MEGAN, World, day, now};

/// A weekly series of `count` made in Quick3, 09:00–09:30 Oslo time from `first` (`YYYY-MM-DD`);
/// its master.
pub fn quick3_series(world: &mut World, title: &str, first: &str, count: u32) -> Appointment {
    quick3_series_every(world, RepeatUnit::Weekly, title, first, count)
}

/// A series of `count` made in Quick3 repeating `every` unit, 09:00–09:30 Oslo time from `first`
/// (`YYYY-MM-DD`); its master.
pub fn quick3_series_every(
    world: &mut World,
    every: RepeatUnit,
    title: &str,
    first: &str,
    count: u32,
) -> Appointment {
    world
        .store
        .create_series(
            AppointmentInput {
                resource_id: world.resource,
                title: title.into(),
                all_day: false,
                start: format!("{first}T09:00"),
                end: Some(format!("{first}T09:30")),
                time_zone: Some("Europe/Oslo".into()),
                location: None,
                notes: None,
                categories: vec![],
                show_as: None,
                sensitivity: None,
            },
            &Repeat {
                every,
                count: Some(count),
                ..Repeat::default()
            },
            now(),
        )
        .unwrap()
}

/// The original starts of the occurrences titled `title` in Quick3, in their order.
pub fn original_starts(world: &World, title: &str) -> Vec<DateTime<Utc>> {
    world
        .titled(title)
        .iter()
        .map(|a| a.original_start.unwrap())
        .collect()
}

/// A weekly series made in Quick3 as by [`quick3_series`], then synced up by `account` with no
/// error; its master and the master's Graph id in Outlook.
pub async fn quick3_series_synced_up(
    world: &mut World,
    account: &Account,
    title: &str,
    first: &str,
    count: u32,
) -> (Appointment, String) {
    let master = quick3_series(world, title, first, count);
    world.sync_ok(account).await;
    let master_id = outlook_master_id(world, title).await;
    (master, master_id)
}

/// Moves the occurrence of the series `master` that starts at `original` to 11:00–11:30 Oslo
/// time on its own Oslo date, in Quick3 (the next sync sends it).
pub fn move_occurrence_to_eleven(
    world: &mut World,
    master: AppointmentId,
    original: DateTime<Utc>,
) {
    const OSLO: Tz = chrono_tz::Europe::Oslo;
    let moved_day = original.with_timezone(&OSLO).date_naive();
    world
        .store
        .edit_occurrence(
            master,
            original,
            AppointmentPatch {
                start: Some(format!("{moved_day}T11:00")),
                end: Some(format!("{moved_day}T11:30")),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
}

/// Cancels the occurrence of the series `master` that starts at `original`, in Quick3.
pub fn cancel_occurrence(world: &mut World, master: AppointmentId, original: DateTime<Utc>) {
    world
        .store
        .delete_occurrence(master, original, now())
        .unwrap();
}

/// A daily series of `count` made in Megan's Outlook, 14:00–15:00 UTC from `first`
/// (`YYYY-MM-DD`); its master's Graph id.
pub async fn outlook_daily_series(world: &World, title: &str, first: &str, count: u32) -> String {
    let master = world
        .outlook_create(MEGAN, json!({"subject": title,
            "start": {"dateTime": format!("{first}T14:00:00"), "timeZone": "UTC"},
            "end": {"dateTime": format!("{first}T15:00:00"), "timeZone": "UTC"},
            "recurrence": {"pattern": {"type": "daily", "interval": 1},
                           "range": {"type": "numbered", "startDate": first, "numberOfOccurrences": count}}}))
        .await;
    master["id"].as_str().unwrap().to_owned()
}

/// The instances of the series `master` in Outlook over the next 60 days, by Graph's
/// `instances` (times in UTC).
pub async fn instances(world: &World, account: &Account, master: &str) -> Vec<Value> {
    let path = format!(
        "/me/events/{master}/instances?startDateTime={}T00:00:00Z&endDateTime={}T00:00:00Z",
        day(-1),
        day(60)
    );
    let page = world.graph_get(account, &path).await;
    page["value"].as_array().cloned().unwrap_or_default()
}

/// A Graph time (`{"dateTime", "timeZone": "UTC"}`, or an `originalStart` with its offset) as
/// an instant.
pub fn utc(time: &Value) -> DateTime<Utc> {
    if let Some(text) = time.as_str() {
        return DateTime::parse_from_rfc3339(text).unwrap().to_utc();
    }
    assert_eq!(time["timeZone"], "UTC", "Graph answers in UTC unless asked");
    let text = time["dateTime"].as_str().unwrap();
    let text = text.split('.').next().unwrap();
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .unwrap()
        .and_utc()
}

/// The Graph id of the first event titled `title` in Megan's Outlook (the series' master).
pub async fn outlook_master_id(world: &World, title: &str) -> String {
    world.outlook_titled(MEGAN, title).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

impl World {
    /// Like [`Self::sync`], and the summary reports no error.
    pub async fn sync_ok(&mut self, account: &Account) -> SyncSummary {
        let summary = self.sync(account).await;
        assert!(summary.errors.is_empty(), "{:?}", summary.errors);
        summary
    }
}
