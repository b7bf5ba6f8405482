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
use quick3_core::model::{Account, ChangeCause, ChangeKind, Direction, When};
use quick3_core::store::AppointmentQuery;
use serde_json::{Value, json};
use sync_support::series::*;
use sync_support::*;

const TITLE: &str = "Crew stand-up";
const OSLO: Tz = chrono_tz::Europe::Oslo;

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
        let summary = world.sync_ok(account).await;
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
    let master_id = outlook_daily_series(&world, "Weekly review", &first, 4).await;
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
    world.sync_ok(&account).await;
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
    let (master, master_id) = quick3_series_synced_up(&mut world, &account, TITLE, &first, 6).await;
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
    let summary = world.sync_ok(&account).await;
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
    let summary = world.sync_ok(&account).await;
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
    let summary = world.sync_ok(&account).await;
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
    world.sync_ok(&account).await;
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

/// Two more syncs change nothing, upload nothing and read no event; Outlook holds no series
/// titled `title` and Quick3 shows none of its occurrences.
async fn quiet_and_gone(world: &mut World, account: &Account, title: &str) {
    for round in 0..2 {
        world.clear_requests().await;
        let summary = world.sync_ok(account).await;
        assert_nothing_changed(&[summary]);
        let asked = world.logged_requests("/v1.0/me/events*").await;
        assert!(asked.is_empty(), "resync {round} reads nothing: {asked:#?}");
        let batches = world.logged_requests("/v1.0/$batch").await;
        assert!(
            batches.is_empty(),
            "resync {round} sends nothing up: {batches:#?}"
        );
        assert_eq!(world.store.outbox_len(account.id).unwrap(), 0);
        assert!(
            listed(world).iter().all(|o| o.2 != title),
            "resync {round}: no occurrence of the deleted series comes back"
        );
    }
    assert!(
        world.outlook_titled(MEGAN, title).await.is_empty(),
        "nothing of it went back up to Outlook"
    );
}

#[tokio::test]
async fn a_quick3_series_deleted_in_outlook_is_deleted_here_and_can_be_restored() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let master = quick3_series(&mut world, TITLE, &day(2), 6);
    let starts: Vec<DateTime<Utc>> = listed(&world).iter().map(|o| o.0).collect();
    // One occurrence moved to 11:00 and one deleted, each on its own, both uploaded.
    move_occurrence_to_eleven(&mut world, master.id, starts[1]);
    cancel_occurrence(&mut world, master.id, starts[2]);
    world.sync_ok(&account).await;
    let master_id = outlook_master_id(&world, TITLE).await;
    quiet(&mut world, &account, TITLE).await;
    assert_eq!(listed(&world).len(), 5);

    // Outlook deletes the whole series.
    world.outlook_delete(MEGAN, &master_id).await;
    world.clear_requests().await;
    let summary = world.sync_ok(&account).await;
    let batches = world.logged_requests("/v1.0/$batch").await;
    assert_eq!(
        batches.len(),
        1,
        "the series is asked for once: the guard counts the held page with the answer and the \
         write takes it, rather than asking again: {batches:#?}"
    );
    assert_eq!(
        (
            summary.added,
            summary.updated,
            summary.deleted,
            summary.conflicts
        ),
        (0, 0, 1, 0),
        "one deletion, the series: {summary:?}"
    );
    assert!(
        listed(&world).is_empty(),
        "no occurrence of the series is left: {:?}",
        listed(&world)
    );
    let (_, master_deleted) = world
        .store
        .appointment_with_tombstone(master.id)
        .unwrap()
        .expect("the master stays as a tombstone");
    assert!(master_deleted, "the master is deleted");
    let rows = world.store.series_rows(master.id).unwrap();
    assert!(
        rows.iter().all(|(_, live)| !live),
        "its exception went with it: {rows:?}"
    );
    quiet_and_gone(&mut world, &account, TITLE).await;

    // The planner undoes it: the series comes back as it was, with its exception and without
    // the occurrence deleted on its own, and goes up to Outlook again as one series.
    world.store.restore_appointment(master.id, now()).unwrap();
    let back = listed(&world);
    assert_eq!(back.len(), 5, "{back:?}");
    assert!(back.iter().all(|o| o.0 != starts[2]), "still cancelled");
    let exception = back.iter().find(|o| o.0 == starts[1]).unwrap();
    assert!(
        exception.3 && exception.1.with_timezone(&OSLO).hour() == 11,
        "the moved occurrence is back moved: {exception:?}"
    );
    world.sync_ok(&account).await;
    let outlook = world.outlook_titled(MEGAN, TITLE).await;
    assert_eq!(
        outlook.len(),
        1,
        "one series again in Outlook: {outlook:#?}"
    );
    let new_master = outlook[0]["id"].as_str().unwrap().to_owned();
    assert_ne!(new_master, master_id, "created again");
    let again = instances(&world, &account, &new_master).await;
    assert_eq!(again.len(), 5, "the cancellation went up too: {again:#?}");
    let moved = again
        .iter()
        .find(|i| utc(&i["originalStart"]) == starts[1])
        .expect("the moved occurrence's instance");
    assert_eq!(
        moved["type"], "exception",
        "the moved occurrence is an exception in Outlook: {moved:#?}"
    );
    quiet(&mut world, &account, TITLE).await;
    assert_eq!(listed(&world), back, "and nothing changed here");
}

/// Outlook deletes a Quick3 series while the delta link has expired: the full round that follows
/// sees none of its occurrences and never sees a master, so it asks Outlook for the masters it did
/// not see, in one `$batch`, and deletes the gone series as delta's removal would.
#[tokio::test]
async fn a_quick3_series_deleted_in_outlook_while_the_delta_link_expired_is_deleted_here() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let titles = ["Crew stand-up", "Yard walk", "Gate check"];
    let masters: Vec<_> = titles
        .iter()
        .map(|title| quick3_series(&mut world, title, &day(2), 3))
        .collect();
    // The series Outlook will delete has an occurrence moved on its own (a linked exception).
    let second = listed(&world)
        .into_iter()
        .filter(|o| o.2 == titles[1])
        .map(|o| o.0)
        .nth(1)
        .unwrap();
    move_occurrence_to_eleven(&mut world, masters[1].id, second);
    world.sync_ok(&account).await;
    for title in titles {
        quiet(&mut world, &account, title).await;
    }
    assert_eq!(listed(&world).len(), 9);

    // A full round that sees an occurrence of every series looks none up.
    world.expire_delta_tokens().await;
    world.clear_requests().await;
    let summary = world.sync_ok(&account).await;
    assert_nothing_changed(std::slice::from_ref(&summary));
    assert_eq!(
        summary.requests, 2,
        "the expired link (410) and the full round's one page, nothing more: {summary:?}"
    );
    for title in titles {
        quiet(&mut world, &account, title).await;
    }

    let gone_id = outlook_master_id(&world, titles[1]).await;
    world.outlook_delete(MEGAN, &gone_id).await;
    world.expire_delta_tokens().await;
    world.clear_requests().await;
    let summary = world.sync_ok(&account).await;
    assert_eq!(
        (
            summary.added,
            summary.updated,
            summary.deleted,
            summary.conflicts
        ),
        (0, 0, 1, 0),
        "one deletion, the series deleted in Outlook: {summary:?}"
    );
    let left = listed(&world);
    assert_eq!(left.len(), 6, "the two other series stay whole: {left:?}");
    assert!(left.iter().all(|o| o.2 != titles[1]), "{left:?}");
    let (_, deleted) = world
        .store
        .appointment_with_tombstone(masters[1].id)
        .unwrap()
        .expect("the master stays as a tombstone, restorable");
    assert!(deleted, "the series' master is deleted");
    let batches = world.logged_requests("/v1.0/$batch").await;
    assert_eq!(
        batches.len(),
        1,
        "the master the full round did not see is looked up in one $batch, once (the guard's \
         count and the write share it): {batches:#?}"
    );
    let read = world.logged_requests("/v1.0/me/events*").await;
    assert!(read.is_empty(), "no master is read on its own: {read:#?}");
    assert_eq!(
        summary.requests, 3,
        "the expired link (410), the full round's one page and the one $batch: {summary:?}"
    );
    quiet_and_gone(&mut world, &account, titles[1]).await;
    for title in [titles[0], titles[2]] {
        quiet(&mut world, &account, title).await;
    }

    // The planner undoes it: the series goes up again as one series.
    world
        .store
        .restore_appointment(masters[1].id, now())
        .unwrap();
    world.sync_ok(&account).await;
    quiet(&mut world, &account, titles[1]).await;
    assert_eq!(listed(&world).len(), 9);
}

#[tokio::test]
async fn a_quick3_series_deleted_in_outlook_while_changed_here_is_created_again() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let master = quick3_series(&mut world, TITLE, &day(2), 4);
    let starts: Vec<DateTime<Utc>> = listed(&world).iter().map(|o| o.0).collect();
    world.sync_ok(&account).await;
    let master_id = outlook_master_id(&world, TITLE).await;
    quiet(&mut world, &account, TITLE).await;

    // The planner renames one occurrence; before it goes up, Outlook deletes the series.
    let renamed = "Crew stand-up (moved crew)";
    world
        .store
        .edit_occurrence(
            master.id,
            starts[1],
            quick3_core::model::AppointmentPatch {
                title: Some(renamed.into()),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    world.outlook_delete(MEGAN, &master_id).await;
    let summary = world.sync_ok(&account).await;
    assert_eq!(summary.deleted, 0, "Quick3's edit wins: {summary:?}");
    assert!(
        summary.conflicts >= 1 && !summary.conflict_notes.is_empty(),
        "the planner is told: {summary:?}"
    );
    let shown = listed(&world);
    assert_eq!(shown.len(), 4, "the series stays here: {shown:?}");
    let outlook = world.outlook_titled(MEGAN, TITLE).await;
    assert_eq!(
        outlook.len(),
        1,
        "created again as one series: {outlook:#?}"
    );
    let new_master = outlook[0]["id"].as_str().unwrap().to_owned();
    assert_ne!(new_master, master_id);
    let again = instances(&world, &account, &new_master).await;
    assert_eq!(again.len(), 4, "{again:#?}");
    let edited = again
        .iter()
        .find(|i| utc(&i["originalStart"]) == starts[1])
        .unwrap();
    assert_eq!(
        edited["subject"], renamed,
        "the occurrence's edit reached the new series: {edited:#?}"
    );
    quiet(&mut world, &account, TITLE).await;

    // The planner renames the whole series; Outlook deletes it again before the upload.
    let series_title = "Crew stand-up (new site)";
    world
        .store
        .edit_series(
            master.id,
            quick3_core::model::AppointmentPatch {
                title: Some(series_title.into()),
                ..Default::default()
            },
            None,
            now(),
        )
        .unwrap();
    world.outlook_delete(MEGAN, &new_master).await;
    let summary = world.sync_ok(&account).await;
    assert_eq!(summary.deleted, 0, "{summary:?}");
    assert!(summary.conflicts >= 1, "{summary:?}");
    let outlook = world.outlook_titled(MEGAN, series_title).await;
    assert_eq!(outlook.len(), 1, "created again, renamed: {outlook:#?}");
    let third = outlook[0]["id"].as_str().unwrap().to_owned();
    let again = instances(&world, &account, &third).await;
    assert_eq!(again.len(), 4, "{again:#?}");
    assert!(
        again
            .iter()
            .any(|i| utc(&i["originalStart"]) == starts[1] && i["subject"] == renamed),
        "the renamed occurrence kept its own subject: {again:#?}"
    );
    quiet(&mut world, &account, series_title).await;

    // Deleted on both sides: nothing is created again and nothing is left to upload.
    world.store.delete_appointment(master.id, now()).unwrap();
    world.outlook_delete(MEGAN, &third).await;
    let summary = world.sync_ok(&account).await;
    assert_eq!(summary.conflicts, 0, "{summary:?}");
    quiet_and_gone(&mut world, &account, series_title).await;
}

#[tokio::test]
async fn quick3_series_deleted_in_outlook_en_masse_are_held_by_the_guard() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let titles: Vec<String> = (0..11).map(|n| format!("Service {n}")).collect();
    for title in &titles {
        quick3_series(&mut world, title, &day(2), 2);
    }
    world.sync_ok(&account).await;
    assert_eq!(listed(&world).len(), 22);
    // Down sees the series' occurrences once (Up created them after this sync's Down).
    let seen = world.sync(&account).await;
    assert_nothing_changed(&[seen]);
    for title in &titles {
        let id = outlook_master_id(&world, title).await;
        world.outlook_delete(MEGAN, &id).await;
    }
    let blocked = world.sync(&account).await;
    let guard = blocked
        .mass_delete_blocked
        .clone()
        .unwrap_or_else(|| panic!("eleven series deleted at once stop the sync: {blocked:?}"));
    assert_eq!(guard.would_delete, 11, "one deletion a series: {guard:?}");
    assert_eq!(listed(&world).len(), 22, "nothing was deleted");
    assert!(
        world.outlook_titled(MEGAN, &titles[0]).await.is_empty(),
        "and nothing went back up"
    );

    let allowed = quick3_core::sync::SyncOptions {
        allow_mass_delete: true,
        ..Default::default()
    };
    let scope = quick3_core::api::SyncScope {
        account: Some(account.id),
        resource: None,
    };
    let done = world.sync_with(scope, &allowed).await.remove(0);
    assert!(done.mass_delete_blocked.is_none(), "{done:?}");
    assert_eq!(done.deleted, 11, "{done:?}");
    assert!(listed(&world).is_empty(), "{:?}", listed(&world));
    for title in &titles[..2] {
        quiet_and_gone(&mut world, &account, title).await;
    }
}

#[tokio::test]
async fn an_occurrence_moved_far_across_the_window_edge_stays_an_exception_not_a_cancellation() {
    use chrono::{Datelike, Duration};
    use quick3_core::model::recurrence::RepeatUnit;

    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    // A monthly series of 3: the first before the window (30 days back), the second inside it,
    // the third ahead. Day 28 at most, so that every month has it.
    let mut first = (now() - Duration::days(50)).date_naive();
    if first.day() > 28 {
        first = first.with_day(28).unwrap();
    }
    quick3_series_every(
        &mut world,
        RepeatUnit::Monthly,
        TITLE,
        &first.to_string(),
        3,
    );
    world.sync_ok(&account).await;
    let master_id = outlook_master_id(&world, TITLE).await;
    quiet(&mut world, &account, TITLE).await;
    let path = format!(
        "/me/events/{master_id}/instances?startDateTime={}T00:00:00Z&endDateTime={}T00:00:00Z",
        day(-80),
        day(80)
    );
    let mut all = world.graph_get(&account, &path).await["value"]
        .as_array()
        .cloned()
        .unwrap();
    all.sort_by_key(|i| utc(&i["originalStart"]));
    assert_eq!(all.len(), 3, "{all:#?}");
    let second = utc(&all[1]["originalStart"]);
    assert!(
        second > now() - Duration::days(30),
        "the second occurrence is inside the window: {second}"
    );

    // Outlook moves the second 20 days earlier (still after the first): beyond the window's
    // start and the week asked beyond it. The third is renamed, so Down reads the series.
    let moved = second - Duration::days(20);
    let graph_time = |at: DateTime<Utc>| json!({"dateTime": at.format("%Y-%m-%dT%H:%M:%S").to_string(), "timeZone": "UTC"});
    world
        .outlook_update(
            MEGAN,
            all[1]["id"].as_str().unwrap(),
            json!({"start": graph_time(moved), "end": graph_time(moved + Duration::minutes(30))}),
        )
        .await;
    world
        .outlook_update(
            MEGAN,
            all[2]["id"].as_str().unwrap(),
            json!({"subject": "Crew stand-up (yard)"}),
        )
        .await;
    world.sync_ok(&account).await;
    let taken = listed(&world);
    assert_eq!(
        taken.iter().find(|o| o.0 == second),
        Some(&(second, moved, TITLE.to_owned(), true)),
        "the moved occurrence is kept as an exception at its new time, never read as cancelled: {taken:?}"
    );
    assert_eq!(
        taken
            .iter()
            .filter(|o| o.2 == "Crew stand-up (yard)")
            .count(),
        1,
        "the renamed one came down too: {taken:?}"
    );
    quiet(&mut world, &account, TITLE).await;
    assert_eq!(listed(&world), taken, "the next syncs lose nothing");
}
