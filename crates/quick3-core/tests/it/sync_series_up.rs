//! Up of series made in Quick3 against the emulator: one Graph series with its pattern and
//! Windows zone, an occurrence moved or deleted in Quick3 as that instance's exception or
//! cancellation, a whole-series edit as a PATCH of the master, the series' deletion; after each
//! step two more syncs change nothing and nothing shows twice, here or in Outlook.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use quick3_core::ids::AppointmentId;
use quick3_core::model::recurrence::{Repeat, RepeatUnit};
use quick3_core::model::{Account, AppointmentPatch, Direction};
use quick3_core::store::SeriesEdit;
use serde_json::{Value, json};
use sync_support::series::*;
use sync_support::*;

const TITLE: &str = "Crew stand-up";
const OSLO: Tz = chrono_tz::Europe::Oslo;

/// The Oslo hour an instance starts at.
fn local_hour(instance: &Value) -> u32 {
    utc(&instance["start"]).with_timezone(&OSLO).hour()
}

/// Moves the whole Quick3 series `master` to 10:00–10:30 Oslo time from `first` (its first
/// date, `YYYY-MM-DD`), keeping its pattern; the store's account of the edit.
fn move_series_to_ten(world: &mut World, master: AppointmentId, first: &str) -> SeriesEdit {
    world
        .store
        .edit_series(
            master,
            AppointmentPatch {
                start: Some(format!("{first}T10:00")),
                end: Some(format!("{first}T10:30")),
                ..Default::default()
            },
            None,
            now(),
        )
        .unwrap()
}

/// Two more syncs change nothing; the series is one master in Outlook and `occurrences`
/// appointments here.
async fn settled(world: &mut World, account: &Account, title: &str, occurrences: usize) {
    for round in 0..2 {
        let summary = world.sync_ok(account).await;
        assert_nothing_changed(&[summary]);
        assert_eq!(
            world.store.outbox_len(account.id).unwrap(),
            0,
            "nothing waits after resync {round}"
        );
    }
    let masters = world.outlook_titled(MEGAN, title).await;
    assert_eq!(masters.len(), 1, "one series in Outlook, no loose copies");
    assert_eq!(
        world.titled(title).len(),
        occurrences,
        "the occurrences show once here: Down linked Outlook's echo, created nothing"
    );
    assert_eq!(
        world.appointments().len(),
        occurrences,
        "no pulled copy under another title either"
    );
}

#[tokio::test]
async fn a_series_made_in_quick3_goes_up_as_one_series_and_its_exceptions_follow() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let first = day(2);
    let master = quick3_series(&mut world, TITLE, &first, 6);

    // Create: one POST of a series.
    world.sync_ok(&account).await;
    let events = world.outlook_titled(MEGAN, TITLE).await;
    assert_eq!(events.len(), 1, "exactly one event: the series master");
    let remote = &events[0];
    assert_eq!(remote["type"], "seriesMaster");
    assert_eq!(remote["recurrence"]["pattern"]["type"], "weekly");
    assert_eq!(remote["recurrence"]["range"]["type"], "numbered");
    assert_eq!(remote["recurrence"]["range"]["numberOfOccurrences"], 6);
    assert_eq!(
        remote["recurrence"]["range"]["startDate"],
        first.as_str(),
        "the range starts on the first occurrence's date"
    );
    assert_eq!(
        remote["recurrence"]["range"]["recurrenceTimeZone"], "W. Europe Standard Time",
        "the zone goes as its Windows name"
    );
    let master_id = remote["id"].as_str().unwrap().to_owned();
    let all = instances(&world, &account, &master_id).await;
    assert_eq!(all.len(), 6, "six occurrences in Outlook");
    assert!(
        all.iter()
            .all(|i| local_hour(i) == 9 && i["type"] == "occurrence"),
        "each at 09:00 Oslo time, across any DST change: {all:?}"
    );
    let local = original_starts(&world, TITLE);
    let remote_starts: Vec<DateTime<Utc>> = all.iter().map(|i| utc(&i["start"])).collect();
    assert_eq!(
        local, remote_starts,
        "Quick3's expansion and Outlook's agree"
    );
    settled(&mut world, &account, TITLE, 6).await;

    // Move the second occurrence to 11:00: that instance becomes an exception.
    let moved = local[1];
    move_occurrence_to_eleven(&mut world, master.id, moved);
    world.sync_ok(&account).await;
    let all = instances(&world, &account, &master_id).await;
    let exception = all
        .iter()
        .find(|i| i["type"] == "exception")
        .expect("the moved occurrence is an exception in Outlook");
    assert_eq!(
        utc(&exception["originalStart"]),
        moved,
        "found by its original start"
    );
    assert_eq!(local_hour(exception), 11, "moved to 11:00 Oslo time");
    assert_eq!(all.len(), 6);
    settled(&mut world, &account, TITLE, 6).await;

    // Delete the third occurrence: cancelled in Outlook.
    let cancelled = local[2];
    cancel_occurrence(&mut world, master.id, cancelled);
    world.sync_ok(&account).await;
    let all = instances(&world, &account, &master_id).await;
    assert_eq!(all.len(), 5, "one occurrence cancelled: {all:?}");
    assert!(
        all.iter()
            .all(|i| i["originalStart"].is_null() || utc(&i["originalStart"]) != cancelled),
        "the cancelled occurrence is gone from Outlook"
    );
    settled(&mut world, &account, TITLE, 5).await;

    // Rename the series: the master is patched, the exception kept.
    let renamed = "Crew stand-up (yard)";
    let edit = world
        .store
        .edit_series(
            master.id,
            AppointmentPatch {
                title: Some(renamed.into()),
                ..Default::default()
            },
            None,
            now(),
        )
        .unwrap();
    assert!(!edit.exceptions_reset, "a new subject keeps the exceptions");
    world.sync_ok(&account).await;
    let events = world.outlook_titled(MEGAN, renamed).await;
    assert_eq!(events.len(), 1, "the master was patched, not created again");
    assert_eq!(events[0]["id"], master_id.as_str());
    let all = instances(&world, &account, &master_id).await;
    assert_eq!(all.len(), 5, "the cancellation is kept");
    let exceptions: Vec<&Value> = all.iter().filter(|i| i["type"] == "exception").collect();
    assert_eq!(exceptions.len(), 1, "the exception is kept: {all:?}");
    assert_eq!(local_hour(exceptions[0]), 11, "still at 11:00");
    settled(&mut world, &account, renamed, 5).await;

    // Delete the series: gone in Outlook and here.
    world.store.delete_appointment(master.id, now()).unwrap();
    world.sync_ok(&account).await;
    assert!(
        world.outlook_titled(MEGAN, renamed).await.is_empty(),
        "the series is deleted in Outlook"
    );
    assert!(world.appointments().is_empty(), "and nothing is left here");
    for _ in 0..2 {
        let summary = world.sync(&account).await;
        assert_nothing_changed(&[summary]);
    }
    assert!(
        world.outlook_titled(MEGAN, renamed).await.is_empty(),
        "nothing comes back in Outlook"
    );
    assert!(world.appointments().is_empty(), "nothing comes back");
}

#[tokio::test]
async fn a_new_time_or_pattern_patches_the_master_and_resets_its_exceptions_in_outlook_too() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let first = day(3);
    let master = quick3_series(&mut world, TITLE, &first, 6);
    world.sync(&account).await;
    let master_id = outlook_master_id(&world, TITLE).await;
    let starts = original_starts(&world, TITLE);
    world
        .store
        .edit_occurrence(
            master.id,
            starts[1],
            AppointmentPatch {
                title: Some("Moved".into()),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    cancel_occurrence(&mut world, master.id, starts[2]);
    world.sync(&account).await;
    assert_eq!(instances(&world, &account, &master_id).await.len(), 5);

    // A new time: the exceptions go back to the pattern here (Outlook's rule) and there.
    let edit = move_series_to_ten(&mut world, master.id, &first);
    assert!(edit.exceptions_reset, "a new time resets the exceptions");
    world.sync_ok(&account).await;
    let all = instances(&world, &account, &master_id).await;
    assert_eq!(all.len(), 6, "the cancellation is reset too: {all:?}");
    assert!(
        all.iter()
            .all(|i| i["type"] == "occurrence" && local_hour(i) == 10),
        "every occurrence at the new time, none an exception: {all:?}"
    );
    settled(&mut world, &account, TITLE, 6).await;

    // A new pattern with the same first occurrence: 4 instead of 6. The master's link keeps its
    // pattern's digest, so this is a change to upload though the content is the same.
    world
        .store
        .edit_series(
            master.id,
            AppointmentPatch::default(),
            Some(&Repeat {
                every: RepeatUnit::Weekly,
                count: Some(4),
                ..Repeat::default()
            }),
            now(),
        )
        .unwrap();
    let summary = world.sync_ok(&account).await;
    assert_eq!(summary.updated, 1, "the master is patched: {summary:?}");
    let master_now = &world.outlook_titled(MEGAN, TITLE).await[0];
    assert_eq!(master_now["recurrence"]["range"]["numberOfOccurrences"], 4);
    assert_eq!(instances(&world, &account, &master_id).await.len(), 4);
    settled(&mut world, &account, TITLE, 4).await;
}

#[tokio::test]
async fn an_occurrence_moved_back_to_the_pattern_is_a_plain_occurrence_again() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let first = day(2);
    let (master, master_id) = quick3_series_synced_up(&mut world, &account, TITLE, &first, 4).await;
    settled(&mut world, &account, TITLE, 4).await;
    let second = world.titled(TITLE)[1].original_start.unwrap();
    let second_day = second.with_timezone(&OSLO).date_naive();
    let at = |hour: u32| AppointmentPatch {
        start: Some(format!("{second_day}T{hour:02}:00")),
        end: Some(format!("{second_day}T{hour:02}:30")),
        time_zone: Some("Europe/Oslo".into()),
        ..Default::default()
    };
    let marked = |world: &World| {
        world
            .store
            .list_marked(quick3_core::store::AppointmentQuery {
                resource: Some(world.resource),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .filter(|l| l.exception)
            .count()
    };
    let row = || quick3_core::ids::AppointmentId::occurrence(master.id, second);

    // Not uploaded yet: moved and moved back, nothing is left of it, nothing goes up.
    world
        .store
        .edit_occurrence(master.id, second, at(11), now())
        .unwrap();
    world
        .store
        .edit_occurrence(master.id, second, at(9), now())
        .unwrap();
    assert!(
        world
            .store
            .appointment_with_tombstone(row())
            .unwrap()
            .is_none(),
        "no exception row for an occurrence as the pattern has it"
    );
    assert_eq!(marked(&world), 0);
    settled(&mut world, &account, TITLE, 4).await;
    let all = instances(&world, &account, &master_id).await;
    assert!(
        all.iter().all(|i| i["type"] == "occurrence"),
        "Outlook never saw the move: {all:#?}"
    );

    // Uploaded, then moved back (the drag's undo): Outlook's instance goes back to 09:00 and the
    // occurrence is a plain one here once that is confirmed.
    world
        .store
        .edit_occurrence(master.id, second, at(11), now())
        .unwrap();
    world.sync_ok(&account).await;
    assert_eq!(marked(&world), 1);
    settled(&mut world, &account, TITLE, 4).await;
    world
        .store
        .edit_occurrence(master.id, second, at(9), now())
        .unwrap();
    assert_eq!(
        marked(&world),
        0,
        "shown as a plain occurrence at once, while its upload waits"
    );
    world.sync_ok(&account).await;
    assert!(
        world
            .store
            .appointment_with_tombstone(row())
            .unwrap()
            .is_none(),
        "the exception row is gone once Outlook holds the pattern's time"
    );
    let all = instances(&world, &account, &master_id).await;
    let instance = all
        .iter()
        .find(|i| utc(&i["originalStart"]) == second)
        .unwrap();
    assert_eq!(
        (local_hour(instance), utc(&instance["start"])),
        (9, second),
        "Outlook's instance is back at the pattern's time: {instance:#?}"
    );
    assert_eq!(world.titled(TITLE).len(), 4);
    settled(&mut world, &account, TITLE, 4).await;
    assert_eq!(marked(&world), 0, "and stays a plain occurrence");
}

#[tokio::test]
async fn undoing_a_new_time_patches_the_master_back_and_its_exceptions_again_in_outlook() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let first = day(3);
    let master = quick3_series(&mut world, TITLE, &first, 6);
    world.sync(&account).await;
    let master_id = outlook_master_id(&world, TITLE).await;
    let starts = original_starts(&world, TITLE);
    move_occurrence_to_eleven(&mut world, master.id, starts[1]);
    cancel_occurrence(&mut world, master.id, starts[2]);
    world.sync_ok(&account).await;
    let edit = move_series_to_ten(&mut world, master.id, &first);
    assert_eq!(edit.reset_occurrences, 2);
    world.sync_ok(&account).await;
    assert_eq!(
        instances(&world, &account, &master_id).await.len(),
        6,
        "Outlook reset the exception and the cancellation with the master"
    );

    // Ctrl+Z: the master back at 09:00, the moved one at 11:00 again, the deleted one gone.
    let undone = world
        .store
        .undo_series_edit(master.id, edit.undo.unwrap(), now())
        .unwrap();
    assert_eq!(undone.occurrences, 2);

    // The master's PATCH refused once: its restored occurrences wait for it (sent first, the
    // cancelled one would be looked up in the pattern Outlook still has, missed and taken for
    // done) and go once the run's second pass has patched it back.
    for batch_part in [true, false] {
        world
            .add_fault(
                json!({"method": "PATCH", "path": "/v1.0/*", "batchPart": batch_part,
                "count": 1, "kind": "status", "status": 400}),
            )
            .await;
    }
    let summary = world.sync(&account).await;
    world
        .admin_call(reqwest::Method::DELETE, "/faults", None)
        .await;
    assert!(
        summary.errors.len() == 1 && summary.errors[0].contains(TITLE),
        "only the master's first PATCH failed: {summary:?}"
    );
    assert_eq!(
        (summary.updated, summary.deleted, summary.conflicts),
        (2, 1, 0),
        "the master patched back, the exception patched and the cancellation deleted; \
         Outlook's echo of the edit (its instances reset) is no conflict: {summary:?}"
    );
    let all = instances(&world, &account, &master_id).await;
    assert_eq!(
        all.len(),
        5,
        "the occurrence deleted on its own is cancelled again: {all:?}"
    );
    assert!(
        all.iter()
            .all(|i| i["originalStart"].is_null() || utc(&i["originalStart"]) != starts[2]),
        "no instance at the cancelled occurrence's original start: {all:?}"
    );
    let exceptions: Vec<&Value> = all.iter().filter(|i| i["type"] == "exception").collect();
    assert_eq!(
        exceptions.len(),
        1,
        "the moved occurrence is an exception again: {all:?}"
    );
    assert_eq!(utc(&exceptions[0]["originalStart"]), starts[1]);
    assert_eq!(local_hour(exceptions[0]), 11, "at its moved time");
    assert!(
        all.iter()
            .filter(|i| i["type"] == "occurrence")
            .all(|i| local_hour(i) == 9),
        "the others at the series' time before the edit: {all:?}"
    );
    let moved_here = world
        .titled(TITLE)
        .into_iter()
        .find(|a| a.original_start == Some(starts[1]))
        .unwrap();
    assert_eq!(
        moved_here
            .when
            .covering_span()
            .0
            .with_timezone(&OSLO)
            .hour(),
        11,
        "here too, at its moved time, after Down read Outlook's answer"
    );
    settled(&mut world, &account, TITLE, 5).await;
}

/// Remove recurrence (Repeat "Never" on the whole series): Outlook ends with exactly one single
/// event and no series, nothing comes back with Down, even a full round; the undo brings the
/// series back to Outlook as a new series with its exception and cancellation re-applied.
#[tokio::test]
async fn a_series_made_one_appointment_leaves_one_event_in_outlook_and_its_undo_the_series() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let first = day(4);
    let (master, old_master) =
        quick3_series_synced_up(&mut world, &account, TITLE, &first, 5).await;
    let starts = original_starts(&world, TITLE);
    move_occurrence_to_eleven(&mut world, master.id, starts[1]);
    cancel_occurrence(&mut world, master.id, starts[2]);
    world.sync_ok(&account).await;
    assert_eq!(instances(&world, &account, &old_master).await.len(), 4);

    let made = world
        .store
        .make_series_single(master.id, AppointmentPatch::default(), now())
        .unwrap();
    assert_eq!(
        made.removed,
        Some(3),
        "5 occurrences, 1 cancelled, the first kept"
    );
    // The single appointment's POST fails: the series stays in Outlook until it is there.
    for batch_part in [true, false] {
        world
            .add_fault(serde_json::json!({"method": "POST", "path": "/v1.0/me/*",
                "batchPart": batch_part, "count": 1, "kind": "status", "status": 400}))
            .await;
    }
    let failed = world.sync(&account).await;
    assert_eq!(failed.errors.len(), 1, "the POST failed: {failed:?}");
    assert_eq!(failed.deleted, 0, "the series' deletion waited: {failed:?}");
    let events = world.outlook_titled(MEGAN, TITLE).await;
    assert!(
        events.iter().any(|e| e["id"] == old_master.as_str()),
        "the series is still in Outlook, so Outlook never has neither: {events:?}"
    );
    // The POST went through on Up's second pass; the series' deletion waits for the next sync,
    // which finds the single appointment linked.
    let summary = world.sync_ok(&account).await;
    assert_eq!(
        (summary.added, summary.deleted),
        (u32::from(events.len() == 1), 1),
        "the single appointment posted once, the series deleted: {summary:?}"
    );
    let events = world.outlook_titled(MEGAN, TITLE).await;
    assert_eq!(events.len(), 1, "exactly one event, no series: {events:?}");
    assert_eq!(events[0]["type"], "singleInstance");
    assert!(events[0]["recurrence"].is_null());
    assert_eq!(
        utc(&events[0]["start"]),
        starts[0],
        "at the series' first occurrence"
    );
    assert_ne!(events[0]["id"], old_master.as_str(), "the series is gone");
    let single_id = events[0]["id"].as_str().unwrap().to_owned();
    settled(&mut world, &account, TITLE, 1).await;
    world.expire_delta_tokens().await;
    world.sync_ok(&account).await;
    settled(&mut world, &account, TITLE, 1).await;
    assert_eq!(
        world.titled(TITLE)[0].id,
        made.single.id,
        "a full round neither brings the series back nor deletes the single appointment"
    );

    // Ctrl+Z: the single appointment goes, the series comes back with its exception.
    let back = world
        .store
        .restore_series_of_single(made.single.id, now())
        .unwrap();
    assert_eq!(back.id, master.id);
    world.sync_ok(&account).await;
    let events = world.outlook_titled(MEGAN, TITLE).await;
    assert_eq!(
        events.len(),
        1,
        "one series again, no single event: {events:?}"
    );
    assert_eq!(events[0]["type"], "seriesMaster");
    assert_ne!(
        events[0]["id"],
        single_id.as_str(),
        "the single event was deleted"
    );
    let new_master = events[0]["id"].as_str().unwrap().to_owned();
    let all = instances(&world, &account, &new_master).await;
    assert_eq!(all.len(), 4, "the cancellation is re-applied: {all:?}");
    let exceptions: Vec<&Value> = all.iter().filter(|i| i["type"] == "exception").collect();
    assert_eq!(exceptions.len(), 1, "the exception is re-applied: {all:?}");
    assert_eq!(utc(&exceptions[0]["originalStart"]), starts[1]);
    assert_eq!(local_hour(exceptions[0]), 11);
    settled(&mut world, &account, TITLE, 4).await;
}

/// Remove recurrence taken back before any sync: Outlook's series is left exactly as it was
/// (same master, its exception kept), and nothing is posted or deleted.
#[tokio::test]
async fn a_series_made_one_appointment_and_taken_back_before_a_sync_changes_nothing_in_outlook() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let (master, master_id) =
        quick3_series_synced_up(&mut world, &account, TITLE, &day(5), 3).await;
    let second = world.titled(TITLE)[1].original_start.unwrap();
    world
        .store
        .edit_occurrence(
            master.id,
            second,
            AppointmentPatch {
                location: Some("Yard".into()),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    world.sync_ok(&account).await;
    let made = world
        .store
        .make_series_single(master.id, AppointmentPatch::default(), now())
        .unwrap();
    world
        .store
        .restore_series_of_single(made.single.id, now())
        .unwrap();
    let summary = world.sync_ok(&account).await;
    assert_eq!(
        (summary.added, summary.updated, summary.deleted),
        (0, 0, 0),
        "nothing to send: the series is as Outlook holds it: {summary:?}"
    );
    assert_eq!(
        outlook_master_id(&world, TITLE).await,
        master_id,
        "the same series"
    );
    let all = instances(&world, &account, &master_id).await;
    assert_eq!(
        all.iter().filter(|i| i["type"] == "exception").count(),
        1,
        "its exception kept: {all:?}"
    );
    settled(&mut world, &account, TITLE, 3).await;
}

/// The transactionId of the series titled `TITLE` in Megan's Outlook.
async fn series_transaction(world: &World) -> String {
    let events = world.outlook_titled(MEGAN, TITLE).await;
    let masters: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "seriesMaster")
        .collect();
    assert_eq!(masters.len(), 1, "one series in Outlook: {events:?}");
    masters[0]["transactionId"]
        .as_str()
        .expect("Quick3 creates its events with a transactionId")
        .to_owned()
}

/// Remove recurrence and Ctrl+Z twice, each time after the series' deletion reached Outlook:
/// each series Quick3 creates again carries a transactionId never sent before. (Graph answers
/// a POST whose transactionId it knows with the event it created then, not a new one; the
/// generation in the transactionId used to restart with each outbox entry, so the second
/// re-creation sent the first one's again.)
#[tokio::test]
async fn a_series_brought_back_again_and_again_is_created_with_a_new_transaction_id() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let master = quick3_series(&mut world, TITLE, &day(5), 3);
    world.sync_ok(&account).await;
    let mut sent = vec![series_transaction(&world).await];
    for round in 0..3 {
        let made = world
            .store
            .make_series_single(master.id, AppointmentPatch::default(), now())
            .unwrap();
        // The single appointment goes up first, the series' deletion once it is linked.
        world.sync_ok(&account).await;
        world.sync_ok(&account).await;
        let events = world.outlook_titled(MEGAN, TITLE).await;
        assert!(
            events.iter().all(|e| e["type"] == "singleInstance"),
            "round {round}: the series' deletion reached Outlook: {events:?}"
        );
        world
            .store
            .restore_series_of_single(made.single.id, now())
            .unwrap();
        world.sync_ok(&account).await;
        let again = series_transaction(&world).await;
        assert!(
            !sent.contains(&again),
            "round {round}: the series is created with a transactionId of its own, not one of {sent:?}"
        );
        sent.push(again);
    }
}
