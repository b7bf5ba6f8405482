//! Down of series against the emulator: a series edited as a whole in Outlook (subject, times,
//! pattern) refreshes its local master; a series made in Quick3 and changed in Outlook (an
//! occurrence moved, one deleted, the subject edited) shows that change in Quick3, as the
//! series' own exception, cancellation or master, never as a copy. After each step two more
//! syncs change nothing, ask Outlook for no event, and nothing shows twice.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use quick3_core::ids::AppointmentId;
use quick3_core::model::recurrence::{Repeat, RepeatUnit};
use quick3_core::model::{Account, AppointmentInput, ChangeCause, ChangeKind, Direction, When};
use quick3_core::store::AppointmentQuery;
use serde_json::{Value, json};
use sync_support::*;

const TITLE: &str = "Crew stand-up";
const OSLO: Tz = chrono_tz::Europe::Oslo;

/// The instances of the series `master` in Outlook over the next 60 days (times in UTC).
async fn instances(world: &World, account: &Account, master: &str) -> Vec<Value> {
    let path = format!(
        "/me/events/{master}/instances?startDateTime={}T00:00:00Z&endDateTime={}T00:00:00Z",
        day(-1),
        day(60)
    );
    let page = world.graph_get(account, &path).await;
    page["value"].as_array().cloned().unwrap_or_default()
}

fn utc(text: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text.as_str().unwrap())
        .unwrap()
        .to_utc()
}

fn start_of(when: &When) -> DateTime<Utc> {
    match when {
        When::Timed { start, .. } => *start,
        other => panic!("timed: {other:?}"),
    }
}

/// Two more syncs change nothing, leave nothing to upload and ask Outlook for no event or
/// instance (only the delta round); Outlook holds one series titled `title`.
async fn quiet(world: &mut World, account: &Account, title: &str) {
    for round in 0..2 {
        world.clear_requests().await;
        let summary = world.sync(account).await;
        assert!(summary.errors.is_empty(), "{:?}", summary.errors);
        assert_nothing_changed(&[summary]);
        let asked = world.logged_requests("/v1.0/me/events*").await;
        assert!(
            asked.is_empty(),
            "resync {round} reads no master or instances when nothing changed: {asked:#?}"
        );
        let batches = world.logged_requests("/v1.0/$batch").await;
        assert!(
            batches.is_empty(),
            "resync {round} sends nothing up: {batches:#?}"
        );
        assert_eq!(world.store.outbox_len(account.id).unwrap(), 0);
    }
    let masters = world.outlook_titled(MEGAN, title).await;
    assert_eq!(masters.len(), 1, "one series in Outlook, no loose copies");
}

/// The occurrences listed here: (original start, start, title, changed on its own).
fn listed(world: &World) -> Vec<(DateTime<Utc>, DateTime<Utc>, String, bool)> {
    let mut found: Vec<_> = world
        .store
        .list_marked(AppointmentQuery {
            resource: Some(world.resource),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|l| {
            (
                l.appointment.original_start.unwrap(),
                start_of(&l.appointment.when),
                l.appointment.title,
                l.exception,
            )
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn an_outlook_series_edited_as_a_whole_refreshes_its_local_master() {
    let mut world = world().await;
    let first = day(3);
    let master = world
        .outlook_create(MEGAN, json!({"subject": "Weekly review",
            "start": {"dateTime": format!("{first}T14:00:00"), "timeZone": "UTC"},
            "end": {"dateTime": format!("{first}T15:00:00"), "timeZone": "UTC"},
            "recurrence": {"pattern": {"type": "daily", "interval": 1},
                           "range": {"type": "numbered", "startDate": first, "numberOfOccurrences": 4}}}))
        .await;
    let master_id = master["id"].as_str().unwrap().to_owned();
    let account = world.connect(MEGAN, Direction::Down).await;
    assert_eq!(world.sync(&account).await.added, 4);
    let copy = |world: &World| {
        world
            .store
            .pulled_appointment(account.id, &master_id)
            .unwrap()
            .expect("the master is kept")
    };
    assert_eq!(copy(&world).title, "Weekly review");
    quiet(&mut world, &account, "Weekly review").await;

    // The subject and location of the whole series, in Outlook.
    world
        .outlook_update(
            MEGAN,
            &master_id,
            json!({"subject": "Weekly review (new room)", "location": {"displayName": "Room 4"}}),
        )
        .await;
    world.clear_requests().await;
    let changed = world.sync(&account).await;
    assert_eq!(
        (changed.added, changed.updated, changed.deleted),
        (0, 4, 0),
        "the occurrences change in place: {changed:?}"
    );
    let masters_read = world.logged_requests("/v1.0/me/events/*").await;
    assert_eq!(
        masters_read.len(),
        1,
        "the master is read once for its four occurrences: {masters_read:#?}"
    );
    let refreshed = copy(&world);
    assert_eq!(
        (refreshed.title.as_str(), refreshed.location.as_str()),
        ("Weekly review (new room)", "Room 4"),
        "the local master is no longer stale"
    );
    quiet(&mut world, &account, "Weekly review (new room)").await;

    // New times and a shorter pattern: 16:00, three occurrences.
    world
        .outlook_update(
            MEGAN,
            &master_id,
            json!({
                "start": {"dateTime": format!("{first}T16:00:00"), "timeZone": "UTC"},
                "end": {"dateTime": format!("{first}T17:00:00"), "timeZone": "UTC"},
                "recurrence": {"pattern": {"type": "daily", "interval": 1},
                               "range": {"type": "numbered", "startDate": first, "numberOfOccurrences": 3}}}),
        )
        .await;
    let changed = world.sync(&account).await;
    assert!(changed.errors.is_empty(), "{:?}", changed.errors);
    let refreshed = copy(&world);
    assert_eq!(
        start_of(&refreshed.when).hour(),
        16,
        "the master's times are Outlook's"
    );
    assert_eq!(
        refreshed
            .recurrence
            .as_ref()
            .unwrap()
            .range
            .number_of_occurrences,
        Some(3),
        "and its pattern"
    );
    let shown = world.titled("Weekly review (new room)");
    assert_eq!(shown.len(), 3, "three occurrences, once each: {shown:?}");
    assert!(shown.iter().all(|a| start_of(&a.when).hour() == 16));
    quiet(&mut world, &account, "Weekly review (new room)").await;
}

#[tokio::test]
async fn a_series_made_in_quick3_and_changed_in_outlook_shows_the_change_once() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let first = day(2);
    let master = world
        .store
        .create_series(
            AppointmentInput {
                resource_id: world.resource,
                title: TITLE.into(),
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
                count: Some(6),
                ..Repeat::default()
            },
            now(),
        )
        .unwrap();
    let created = world.sync(&account).await;
    assert!(created.errors.is_empty(), "{:?}", created.errors);
    let master_id = world.outlook_titled(MEGAN, TITLE).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    quiet(&mut world, &account, TITLE).await;
    let before = listed(&world);
    assert_eq!(before.len(), 6);
    let all = instances(&world, &account, &master_id).await;
    let instance_at = |all: &[Value], original: DateTime<Utc>| {
        all.iter()
            .find(|i| utc(&i["originalStart"]) == original)
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .unwrap()
    };

    // Outlook moves the second occurrence to 11:00 (Oslo).
    let moved = before[1].0;
    let moved_day = moved.with_timezone(&OSLO).date_naive();
    world
        .outlook_update(
            MEGAN,
            &instance_at(&all, moved),
            json!({
                "start": {"dateTime": format!("{moved_day}T11:00:00"), "timeZone": "W. Europe Standard Time"},
                "end": {"dateTime": format!("{moved_day}T11:30:00"), "timeZone": "W. Europe Standard Time"}}),
        )
        .await;
    let summary = world.sync(&account).await;
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert_eq!(
        (summary.added, summary.updated, summary.deleted),
        (0, 1, 0),
        "{summary:?}"
    );
    let after = listed(&world);
    assert_eq!(after.len(), 6, "no duplicate: {after:?}");
    let exception = after.iter().find(|o| o.0 == moved).unwrap();
    assert_eq!(
        exception.1.with_timezone(&OSLO).hour(),
        11,
        "moved to 11:00 as in Outlook"
    );
    assert!(
        exception.3,
        "shown as an occurrence changed on its own of the Quick3 series"
    );
    let row = world
        .store
        .appointment(AppointmentId::occurrence(master.id, moved))
        .expect("the exception is the occurrence's own row");
    assert_eq!(row.series_id, Some(master.id));
    let journalled = world.store.appointment_history(row.id, 1).unwrap();
    let line = &journalled.first().expect("the move is journalled").change;
    assert_eq!(
        (line.kind, line.cause),
        (ChangeKind::Updated, ChangeCause::OutlookChanged),
        "an occurrence moved in Outlook is an update of the occurrence it was"
    );
    assert!(
        line.fields.iter().any(|f| f.field == "start"),
        "with its start before and after: {:?}",
        line.fields
    );
    quiet(&mut world, &account, TITLE).await;

    // Outlook deletes the third occurrence.
    let cancelled = before[2].0;
    world
        .outlook_delete(MEGAN, &instance_at(&all, cancelled))
        .await;
    let summary = world.sync(&account).await;
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert_eq!(
        (summary.added, summary.updated, summary.deleted),
        (0, 0, 1),
        "{summary:?}"
    );
    let after = listed(&world);
    assert_eq!(after.len(), 5, "{after:?}");
    assert!(
        after.iter().all(|o| o.0 != cancelled),
        "the occurrence deleted in Outlook is gone here"
    );
    let gone = world
        .store
        .appointment_history(AppointmentId::occurrence(master.id, cancelled), 1)
        .unwrap();
    assert_eq!(
        gone.first().map(|l| l.change.kind),
        Some(ChangeKind::Deleted),
        "the cancellation is journalled as a deletion"
    );
    quiet(&mut world, &account, TITLE).await;

    // Outlook renames the whole series.
    let renamed = "Crew stand-up (yard)";
    world
        .outlook_update(MEGAN, &master_id, json!({"subject": renamed}))
        .await;
    let outlook_before = (
        world.outlook_titled(MEGAN, renamed).await,
        instances(&world, &account, &master_id).await,
    );
    let summary = world.sync(&account).await;
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert_eq!(summary.added, 0, "{summary:?}");
    assert_eq!(
        world.store.appointment(master.id).unwrap().title,
        renamed,
        "the Quick3 master takes Outlook's subject"
    );
    let after = listed(&world);
    assert_eq!(after.len(), 5, "{after:?}");
    assert!(
        after.iter().all(|o| o.2 == renamed),
        "every occurrence, the moved one too, has the new subject: {after:?}"
    );
    let exception = after.iter().find(|o| o.0 == moved).unwrap();
    assert!(
        exception.3 && exception.1.with_timezone(&OSLO).hour() == 11,
        "the moved occurrence stays moved (a new subject keeps the exceptions)"
    );
    let outlook_after = (
        world.outlook_titled(MEGAN, renamed).await,
        instances(&world, &account, &master_id).await,
    );
    assert_eq!(
        outlook_after, outlook_before,
        "nothing went back up: Outlook's series and instances are as Outlook left them"
    );
    assert_eq!(outlook_after.1.len(), 5);
    quiet(&mut world, &account, renamed).await;

    // Outlook moves the whole series to 10:00: its exceptions and cancellations go back to the
    // pattern there (Outlook's rule), and so here.
    world
        .outlook_update(
            MEGAN,
            &master_id,
            json!({
                "start": {"dateTime": format!("{first}T10:00:00"), "timeZone": "W. Europe Standard Time"},
                "end": {"dateTime": format!("{first}T10:30:00"), "timeZone": "W. Europe Standard Time"}}),
        )
        .await;
    let summary = world.sync(&account).await;
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    let after = listed(&world);
    assert_eq!(after.len(), 6, "the cancellation is reset too: {after:?}");
    assert!(
        after
            .iter()
            .all(|o| !o.3 && o.1.with_timezone(&OSLO).hour() == 10 && o.2 == renamed),
        "every occurrence at the new time, none changed on its own: {after:?}"
    );
    let local_master = world.store.appointment(master.id).unwrap();
    assert_eq!(
        local_master.when.time_zone(),
        Some(OSLO),
        "the series stays in its own zone (Outlook names it W. Europe Standard Time)"
    );
    quiet(&mut world, &account, renamed).await;
}
