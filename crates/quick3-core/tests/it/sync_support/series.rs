//! Series test support: a weekly series made in Quick3, its master and instances as Outlook
//! holds them, Graph's times read as instants, and a sync that must report no error.

use chrono::{DateTime, NaiveDateTime, Utc};
use quick3_core::model::recurrence::{Repeat, RepeatUnit};
use quick3_core::model::{Account, Appointment, AppointmentInput};
use quick3_core::sync::SyncSummary;
use serde_json::Value;

use super::{MEGAN, World, day, now};

/// A weekly series of `count` made in Quick3, 09:00–09:30 Oslo time from `first` (`YYYY-MM-DD`);
/// its master.
pub fn quick3_series(world: &mut World, title: &str, first: &str, count: u32) -> Appointment {
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
                every: RepeatUnit::Weekly,
                count: Some(count),
                ..Repeat::default()
            },
            now(),
        )
        .unwrap()
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
