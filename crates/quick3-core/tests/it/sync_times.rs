//! Times pulled exactly: all-day events stay on their dates, timed events keep their instant and
//! their zone across DST, and a series keeps its master, its exception and loses its cancelled
//! occurrence — with its identity by series master and original start; a series edited as a whole
//! changes its occurrences in place; an exception edited again and again stays one row in its slot.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use chrono::{Datelike, Duration, NaiveDate, Offset, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use quick3_core::model::{Direction, Origin, When};
use serde_json::json;
use sync_support::*;

/// The first Monday from a week ahead whose Monday a week later has another UTC offset in `zone`.
fn monday_before_dst(zone: Tz) -> NaiveDate {
    let mut day = (Utc::now() + Duration::days(7)).date_naive();
    while day.weekday() != Weekday::Mon {
        day = day.succ_opt().unwrap();
    }
    let offset = |d: NaiveDate| {
        zone.from_local_datetime(&d.and_hms_opt(9, 0, 0).unwrap())
            .unwrap()
            .offset()
            .fix()
    };
    while offset(day) == offset(day + Duration::days(7)) {
        day += Duration::days(7);
    }
    day
}

#[tokio::test]
async fn all_day_dst_and_foreign_zones_arrive_exactly() {
    let mut world = world().await;
    let d = day(10);
    world
        .outlook_create(MEGAN, json!({"subject": "Company holiday", "isAllDay": true,
            "start": {"dateTime": format!("{d}T00:00:00"), "timeZone": "Pacific Standard Time"},
            "end": {"dateTime": format!("{}T00:00:00", day(12)), "timeZone": "Pacific Standard Time"}}))
        .await;
    world
        .outlook_create(
            MEGAN,
            json!({"subject": "Tokyo sync",
            "start": {"dateTime": format!("{d}T09:30:00"), "timeZone": "Tokyo Standard Time"},
            "end": {"dateTime": format!("{d}T10:30:00"), "timeZone": "Tokyo Standard Time"}}),
        )
        .await;
    let monday = monday_before_dst(Tz::America__Los_Angeles);
    world
        .outlook_create(MEGAN, json!({"subject": "West coast weekly",
            "start": {"dateTime": format!("{monday}T09:00:00"), "timeZone": "Pacific Standard Time"},
            "end": {"dateTime": format!("{monday}T09:30:00"), "timeZone": "Pacific Standard Time"},
            "recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
                           "range": {"type": "numbered", "startDate": monday.to_string(), "numberOfOccurrences": 2}}}))
        .await;
    let account = world.connect(MEGAN, Direction::Down).await;
    let summary = world.sync(&account).await;
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);

    let holiday = world.titled("Company holiday").remove(0);
    assert_eq!(
        holiday.when,
        When::AllDay {
            start: d.parse().unwrap(),
            end: day(12).parse().unwrap()
        },
        "all-day events stay on their dates, whatever the zone"
    );
    let tokyo = world.titled("Tokyo sync").remove(0);
    assert_eq!(
        tokyo.when.time_zone(),
        Some(Tz::Asia__Tokyo),
        "the Windows zone name maps to IANA"
    );
    assert_eq!(tokyo.when.start_text(), format!("{d}T09:30:00+09:00"));
    let weekly = world.titled("West coast weekly");
    assert_eq!(weekly.len(), 2, "both occurrences");
    for occurrence in &weekly {
        let local = occurrence.when.start_text();
        assert!(
            local.contains("T09:00:00-0"),
            "09:00 in Los Angeles on both sides of DST: {local}"
        );
        assert_eq!(occurrence.when.time_zone(), Some(Tz::America__Los_Angeles));
    }
    let utc_hours: Vec<u32> = weekly
        .iter()
        .map(|o| match o.when {
            When::Timed { start, .. } => chrono::Timelike::hour(&start),
            When::AllDay { .. } => 99,
        })
        .collect();
    assert_ne!(
        utc_hours[0], utc_hours[1],
        "the UTC hour moves with DST: {utc_hours:?}"
    );
}

#[tokio::test]
async fn a_series_keeps_its_master_exception_and_cancellation() {
    let mut world = world().await;
    let first = day(2);
    let master = world
        .outlook_create(MEGAN, json!({"subject": "Daily stand-up",
            "start": {"dateTime": format!("{first}T09:00:00"), "timeZone": "W. Europe Standard Time"},
            "end": {"dateTime": format!("{first}T09:15:00"), "timeZone": "W. Europe Standard Time"},
            "recurrence": {"pattern": {"type": "daily", "interval": 1},
                           "range": {"type": "numbered", "startDate": first, "numberOfOccurrences": 5}}}))
        .await;
    let account = world.connect(MEGAN, Direction::Down).await;
    world.clear_requests().await;
    let pulled = world.sync(&account).await;
    assert_eq!(pulled.added, 5, "{pulled:?}");
    let log = world.graph_requests().await;
    let master_id = master["id"].as_str().unwrap();
    assert_eq!(
        log.iter()
            .filter(|r| r["path"].as_str().unwrap().starts_with("/v1.0/me/events/"))
            .count(),
        1,
        "the series master is fetched once, for its recurrence"
    );
    assert_eq!(
        log.len(),
        3,
        "calendar list, one delta page, the master: {log:#?}"
    );
    let master_copy = world
        .store
        .pulled_appointment(account.id, master_id)
        .unwrap()
        .expect("the master is kept");
    assert!(master_copy.recurrence.is_some(), "with its recurrence");

    let mut occurrences = world.titled("Daily stand-up");
    occurrences.sort_by_key(|a| a.original_start);
    assert!(
        occurrences
            .iter()
            .all(|o| o.series_id == Some(master_copy.id))
    );
    let remote_id = |a: &quick3_core::model::Appointment| match &a.origin {
        Origin::Microsoft365 { remote_id, .. } => remote_id.clone(),
        Origin::Quick3 => panic!("pulled"),
    };
    let second = occurrences[1].clone();
    let fourth = occurrences[3].clone();
    world
        .outlook_update(
            MEGAN,
            &remote_id(&second),
            json!({"subject": "Daily stand-up (demo day)"}),
        )
        .await;
    world.outlook_delete(MEGAN, &remote_id(&fourth)).await;
    let changed = world.sync(&account).await;
    assert_eq!(
        (changed.updated, changed.deleted, changed.added),
        (1, 1, 0),
        "{changed:?}"
    );
    let exception = world
        .store
        .appointment(second.id)
        .expect("the exception keeps its identity");
    assert_eq!(exception.title, "Daily stand-up (demo day)");
    assert_eq!(exception.original_start, second.original_start);
    assert!(
        world.store.appointment(fourth.id).is_err(),
        "the cancelled occurrence is gone"
    );
    assert_eq!(world.titled("Daily stand-up").len(), 3);
    let masters_listed = world
        .appointments()
        .iter()
        .filter(|a| a.recurrence.is_some())
        .count();
    assert_eq!(
        masters_listed, 0,
        "a series shows as its occurrences, not its master"
    );
}

#[tokio::test]
async fn a_series_edited_as_a_whole_in_outlook_changes_its_occurrences_once() {
    let mut world = world().await;
    let first = day(3);
    let master = world
        .outlook_create(MEGAN, json!({"subject": "Weekly review",
            "start": {"dateTime": format!("{first}T14:00:00"), "timeZone": "UTC"},
            "end": {"dateTime": format!("{first}T15:00:00"), "timeZone": "UTC"},
            "recurrence": {"pattern": {"type": "daily", "interval": 1},
                           "range": {"type": "numbered", "startDate": first, "numberOfOccurrences": 4}}}))
        .await;
    let account = world.connect(MEGAN, Direction::Down).await;
    let pulled = world.sync(&account).await;
    assert_eq!(pulled.added, 4, "{pulled:?}");
    let before: Vec<_> = world
        .titled("Weekly review")
        .iter()
        .map(|a| (a.id, a.original_start))
        .collect();
    assert_eq!(before.len(), 4);

    // The whole series is renamed in Outlook: its occurrences change, in place.
    world
        .outlook_update(
            MEGAN,
            master["id"].as_str().unwrap(),
            json!({"subject": "Weekly review (new room)", "location": {"displayName": "Room 4"}}),
        )
        .await;
    let changed = world.sync(&account).await;
    assert_eq!(
        (changed.added, changed.updated, changed.deleted),
        (0, 4, 0),
        "{changed:?}"
    );
    assert!(world.titled("Weekly review").is_empty());
    let mut after: Vec<_> = world
        .titled("Weekly review (new room)")
        .iter()
        .map(|a| {
            assert_eq!(a.location, "Room 4");
            (a.id, a.original_start)
        })
        .collect();
    after.sort_by_key(|(_, start)| *start);
    let mut before = before;
    before.sort_by_key(|(_, start)| *start);
    assert_eq!(after, before, "the same rows, the same slots in the series");
    let quiet = world.sync(&account).await;
    assert_eq!((quiet.added, quiet.updated, quiet.deleted), (0, 0, 0));
}

#[tokio::test]
async fn an_exception_edited_again_and_again_in_outlook_stays_one_row_in_its_slot() {
    let mut world = world().await;
    let first = day(4);
    world
        .outlook_create(MEGAN, json!({"subject": "Site visit",
            "start": {"dateTime": format!("{first}T10:00:00"), "timeZone": "W. Europe Standard Time"},
            "end": {"dateTime": format!("{first}T11:00:00"), "timeZone": "W. Europe Standard Time"},
            "recurrence": {"pattern": {"type": "daily", "interval": 1},
                           "range": {"type": "numbered", "startDate": first, "numberOfOccurrences": 3}}}))
        .await;
    let account = world.connect(MEGAN, Direction::Down).await;
    assert_eq!(world.sync(&account).await.added, 3);
    let mut occurrences = world.titled("Site visit");
    occurrences.sort_by_key(|a| a.original_start);
    let second = occurrences[1].clone();
    let remote_id = match &second.origin {
        Origin::Microsoft365 { remote_id, .. } => remote_id.clone(),
        Origin::Quick3 => panic!("pulled"),
    };
    let (start, end) = match &second.when {
        When::Timed { start, end, .. } => (*start, *end),
        other => panic!("timed: {other:?}"),
    };

    // First edit: the occurrence moves two hours later and becomes an exception.
    world
        .outlook_update(MEGAN, &remote_id, json!({
            "start": {"dateTime": (start + Duration::hours(2)).naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string(), "timeZone": "UTC"},
            "end": {"dateTime": (end + Duration::hours(2)).naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string(), "timeZone": "UTC"}}))
        .await;
    let moved = world.sync(&account).await;
    assert_eq!(
        (moved.added, moved.updated, moved.deleted),
        (0, 1, 0),
        "{moved:?}"
    );
    let exception = world.store.appointment(second.id).unwrap();
    match &exception.when {
        When::Timed {
            start: s, end: e, ..
        } => {
            assert_eq!(
                (*s, *e),
                (start + Duration::hours(2), end + Duration::hours(2))
            );
        }
        other => panic!("timed: {other:?}"),
    }
    assert_eq!(
        exception.original_start, second.original_start,
        "its slot in the series"
    );

    // Second edit of the same exception: renamed and given a room; its moved time stays.
    world
        .outlook_update(
            MEGAN,
            &remote_id,
            json!({"subject": "Site visit (client B)",
            "location": {"displayName": "Gate 3"}}),
        )
        .await;
    let renamed = world.sync(&account).await;
    assert_eq!(
        (renamed.added, renamed.updated, renamed.deleted),
        (0, 1, 0),
        "{renamed:?}"
    );
    let exception = world.store.appointment(second.id).unwrap();
    assert_eq!(exception.title, "Site visit (client B)");
    assert_eq!(exception.location, "Gate 3");
    assert!(
        matches!(exception.when, When::Timed { start: s, .. } if s == start + Duration::hours(2)),
        "the earlier move is kept: {:?}",
        exception.when
    );
    assert_eq!(exception.original_start, second.original_start);
    assert_eq!(
        world.titled("Site visit").len(),
        2,
        "the other occurrences are untouched"
    );
    assert_eq!(
        world.titled("Site visit (client B)").len(),
        1,
        "one row, not two"
    );

    // Third: the exception is cancelled in Outlook; it goes and does not come back.
    world.outlook_delete(MEGAN, &remote_id).await;
    let cancelled = world.sync(&account).await;
    assert_eq!(
        (cancelled.added, cancelled.updated, cancelled.deleted),
        (0, 0, 1),
        "{cancelled:?}"
    );
    assert!(world.store.appointment(second.id).is_err());
    let quiet = world.sync(&account).await;
    assert_eq!((quiet.added, quiet.updated, quiet.deleted), (0, 0, 0));
    assert!(world.titled("Site visit (client B)").is_empty());
    assert_eq!(world.titled("Site visit").len(), 2);
}
