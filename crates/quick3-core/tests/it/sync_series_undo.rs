//! Undo of runs that changed series, against the emulator and checked through Graph's
//! `instances`: a series made in Quick3 and deleted in Outlook comes back with its exceptions
//! and goes up as a new series; an Outlook edit of the whole series, or of one occurrence, is
//! put back on both sides (a move of the whole series with the exceptions and cancellations it
//! reset; a cancelled occurrence is said to stay cancelled in Outlook); an Up
//! run's new series is deleted again, its moved occurrence and renamed master patched back, its
//! deletion of a series created again; a series made in Outlook and deleted there comes back
//! as Quick3's and goes up as one series, an occurrence cancelled there is said to stay so. Each
//! undo is said first by its dry run; after it two syncs change nothing, read and send nothing,
//! and nothing shows twice; undoing twice undoes once.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use quick3_core::api::journal as journal_api;
use quick3_core::api::undo::undo_run;
use quick3_core::ids::{AppointmentId, SyncRunId};
use quick3_core::model::{Account, AppointmentPatch, Direction, UndoAction, UndoItem, When};
use quick3_core::store::AppointmentQuery;
use quick3_core::sync::SyncSummary;
use serde_json::{Value, json};
use sync_support::series::*;
use sync_support::*;

const TITLE: &str = "Crew stand-up";
const OSLO: Tz = chrono_tz::Europe::Oslo;

fn last_run(world: &World, account: &Account) -> SyncRunId {
    journal_api::recent_runs(&world.store, Some(account.id), None).unwrap()[0].id
}

async fn undo(world: &mut World, run: SyncRunId, dry_run: bool) -> SyncSummary {
    let summary = undo_run(&mut world.store, &world.credentials, run, dry_run, &now)
        .await
        .unwrap();
    assert_eq!(summary.errors, Vec::<String>::new(), "{summary:?}");
    summary
}

/// Each item of an undo as (action, reason).
fn said(summary: &SyncSummary) -> Vec<(UndoAction, Option<String>)> {
    summary
        .undo
        .iter()
        .map(|i: &UndoItem| (i.action, i.reason.clone()))
        .collect()
}

fn start_of(when: &When) -> DateTime<Utc> {
    match when {
        When::Timed { start, .. } => *start,
        other => panic!("timed: {other:?}"),
    }
}

/// The occurrences listed here: (original start, Oslo hour, title, changed on its own).
fn listed(world: &World) -> Vec<(DateTime<Utc>, u32, String, bool)> {
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
                start_of(&l.appointment.when).with_timezone(&OSLO).hour(),
                l.appointment.title,
                l.exception,
            )
        })
        .collect();
    found.sort();
    found
}

/// Outlook's instances of the series `master`: (original start, Oslo hour, subject, type).
async fn outlook_listed(
    world: &World,
    account: &Account,
    master: &str,
) -> Vec<(DateTime<Utc>, u32, String, String)> {
    let mut found: Vec<_> = instances(world, account, master)
        .await
        .iter()
        .map(|i| {
            (
                utc(&i["originalStart"]),
                utc(&i["start"]).with_timezone(&OSLO).hour(),
                i["subject"].as_str().unwrap().to_owned(),
                i["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

/// Two more syncs change nothing, leave nothing to upload and ask Outlook for no event or
/// instance and send nothing; Outlook holds `series` series titled `title`.
async fn settled(world: &mut World, account: &Account, title: &str, series: usize) {
    for round in 0..2 {
        world.clear_requests().await;
        let summary = world.sync_ok(account).await;
        assert_nothing_changed(&[summary]);
        let asked = world.logged_requests("/v1.0/me/events*").await;
        assert!(asked.is_empty(), "resync {round} reads nothing: {asked:#?}");
        let batches = world.logged_requests("/v1.0/$batch").await;
        assert!(
            batches.is_empty(),
            "resync {round} sends nothing: {batches:#?}"
        );
        assert_eq!(world.store.outbox_len(account.id).unwrap(), 0);
    }
    let masters = world.outlook_titled(MEGAN, title).await;
    assert_eq!(
        masters.len(),
        series,
        "{series} series titled {title} in Outlook, no copies"
    );
}

/// A weekly series of `count` uploaded and settled; its master, its Outlook id, the original
/// starts.
async fn uploaded(
    world: &mut World,
    account: &Account,
    count: u32,
) -> (quick3_core::model::Appointment, String, Vec<DateTime<Utc>>) {
    let (master, id) = quick3_series_synced_up(world, account, TITLE, &day(2), count).await;
    settled(world, account, TITLE, 1).await;
    let starts = listed(world).iter().map(|o| o.0).collect();
    (master, id, starts)
}

fn instance_id(all: &[Value], original: DateTime<Utc>) -> String {
    all.iter()
        .find(|i| utc(&i["originalStart"]) == original)
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .unwrap()
}

/// Undoes `run` a second time: every item is skipped as undone already.
async fn undo_again_skips_all_as_undone(world: &mut World, run: SyncRunId) {
    let again = undo(world, run, false).await;
    assert!(
        again.undo.iter().all(|i| i.action == UndoAction::Skip
            && i.reason
                .as_deref()
                .is_some_and(|r| r.contains("undid it already"))),
        "undoing twice undoes once: {:?}",
        again.undo
    );
}

/// A time of day on the Oslo date of `at`, as Graph takes it.
fn oslo_time(at: DateTime<Utc>, time: &str) -> Value {
    let date = at.with_timezone(&OSLO).date_naive();
    json!({"dateTime": format!("{date}T{time}"), "timeZone": "W. Europe Standard Time"})
}

#[tokio::test]
async fn a_series_deleted_in_outlook_undone_comes_back_with_its_exceptions_and_goes_up_again() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let master = quick3_series(&mut world, TITLE, &day(2), 6);
    let starts: Vec<DateTime<Utc>> = listed(&world).iter().map(|o| o.0).collect();
    move_occurrence_to_eleven(&mut world, master.id, starts[1]);
    cancel_occurrence(&mut world, master.id, starts[2]);
    world.sync_ok(&account).await;
    let master_id = outlook_master_id(&world, TITLE).await;
    settled(&mut world, &account, TITLE, 1).await;
    let before = listed(&world);
    assert_eq!(before.len(), 5);
    let outlook_before = outlook_listed(&world, &account, &master_id).await;

    world.outlook_delete(MEGAN, &master_id).await;
    let deleted = world.sync_ok(&account).await;
    assert_eq!(deleted.deleted, 1, "{deleted:?}");
    assert!(listed(&world).is_empty());
    let run = last_run(&world, &account);

    let preview = undo(&mut world, run, true).await;
    assert_eq!(
        said(&preview),
        [(UndoAction::Recreate, None)],
        "the dry run says the series comes back: {:?}",
        preview.undo
    );
    assert!(
        preview.undo[0].sentence.contains("new series"),
        "and that it goes up as a new series: {:?}",
        preview.undo[0].sentence
    );
    assert!(listed(&world).is_empty(), "a dry run writes nothing");

    let undone = undo(&mut world, run, false).await;
    assert_eq!(said(&undone), said(&preview), "it does what it said");
    assert_eq!(
        listed(&world),
        before,
        "the series is back here with its moved occurrence, still without the cancelled one"
    );
    let restored = world.store.appointment(master.id).unwrap();
    assert_eq!(restored.origin, quick3_core::model::Origin::Quick3);
    let outlook = world.outlook_titled(MEGAN, TITLE).await;
    assert_eq!(outlook.len(), 1, "one new series in Outlook: {outlook:#?}");
    let new_master = outlook[0]["id"].as_str().unwrap().to_owned();
    assert_ne!(new_master, master_id, "created anew: the old one is gone");
    assert_eq!(
        outlook_listed(&world, &account, &new_master).await,
        outlook_before,
        "Outlook's instances as before the deletion: the exception at 11:00, the cancellation"
    );
    settled(&mut world, &account, TITLE, 1).await;
    assert_eq!(
        listed(&world),
        before,
        "the next syncs did not delete it again"
    );

    undo_again_skips_all_as_undone(&mut world, run).await;
    settled(&mut world, &account, TITLE, 1).await;
    assert_eq!(listed(&world), before);
}

#[tokio::test]
async fn an_outlook_edit_of_the_whole_series_undone_puts_the_master_back_on_both_sides() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let (master, master_id, starts) = uploaded(&mut world, &account, 4).await;
    let before = listed(&world);
    let outlook_before = outlook_listed(&world, &account, &master_id).await;

    // Outlook renames the series and moves it to 10:00: one run.
    world
        .outlook_update(
            MEGAN,
            &master_id,
            json!({"subject": "Crew stand-up (yard)",
                   "start": oslo_time(starts[0], "10:00:00"),
                   "end": oslo_time(starts[0], "10:30:00")}),
        )
        .await;
    world.sync_ok(&account).await;
    let run = last_run(&world, &account);
    assert!(
        listed(&world)
            .iter()
            .all(|o| o.1 == 10 && o.2 == "Crew stand-up (yard)"),
        "{:?}",
        listed(&world)
    );

    let preview = undo(&mut world, run, true).await;
    assert_eq!(
        said(&preview),
        [(UndoAction::PutBack, None)],
        "{:?}",
        preview.undo
    );
    assert!(
        !preview.undo[0].sentence.contains("are not brought back"),
        "the run kept what Outlook's move reset (nothing here), so nothing is said lost: {:?}",
        preview.undo[0].sentence
    );
    let undone = undo(&mut world, run, false).await;
    assert_eq!(said(&undone), said(&preview));
    assert_eq!(listed(&world), before, "Quick3's series is as it was");
    assert_eq!(
        world.store.appointment(master.id).unwrap().recurrence,
        master.recurrence,
        "with its pattern"
    );
    assert_eq!(
        outlook_listed(&world, &account, &master_id).await,
        outlook_before,
        "Outlook's master patched back: every instance at 09:00 with the old subject"
    );
    // The new times reset Outlook's instances (new ids, the old ones removed): the next Down
    // reads the series once, as after any whole-series move made here, and changes nothing.
    let echo = world.sync_ok(&account).await;
    assert_nothing_changed(&[echo]);
    settled(&mut world, &account, TITLE, 1).await;

    // Outlook renames it, the run comes down, then Outlook renames it again: the undo of the
    // first run skips the master and says why.
    world
        .outlook_update(MEGAN, &master_id, json!({"subject": "Crew stand-up (A)"}))
        .await;
    world.sync_ok(&account).await;
    let first = last_run(&world, &account);
    world
        .outlook_update(MEGAN, &master_id, json!({"subject": "Crew stand-up (B)"}))
        .await;
    let skipped = undo(&mut world, first, true).await;
    assert_eq!(
        said(&skipped),
        [(
            UndoAction::Skip,
            Some("its event was changed in Outlook since the run".to_owned())
        )],
        "said before, plainly"
    );
    undo(&mut world, first, false).await;
    world.sync_ok(&account).await;
    assert!(
        listed(&world).iter().all(|o| o.2 == "Crew stand-up (B)"),
        "Outlook's later change stays, and comes down: {:?}",
        listed(&world)
    );
    settled(&mut world, &account, "Crew stand-up (B)", 1).await;
}

#[tokio::test]
async fn an_outlook_move_of_the_whole_series_undone_brings_back_the_exceptions_it_reset() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let master = quick3_series(&mut world, TITLE, &day(2), 5);
    let starts: Vec<DateTime<Utc>> = listed(&world).iter().map(|o| o.0).collect();
    move_occurrence_to_eleven(&mut world, master.id, starts[1]);
    cancel_occurrence(&mut world, master.id, starts[3]);
    world.sync_ok(&account).await;
    let master_id = outlook_master_id(&world, TITLE).await;
    settled(&mut world, &account, TITLE, 1).await;
    let before = listed(&world);
    assert_eq!(before.len(), 4, "one moved, one cancelled: {before:?}");
    assert!(before.iter().any(|o| o.1 == 11 && o.3), "{before:?}");
    let outlook_before = outlook_listed(&world, &account, &master_id).await;
    assert_eq!(outlook_before.len(), 4, "{outlook_before:?}");

    // Outlook moves the whole series to 10:00, which resets its exceptions there: one run.
    world
        .outlook_update(
            MEGAN,
            &master_id,
            json!({"start": oslo_time(starts[0], "10:00:00"),
                   "end": oslo_time(starts[0], "10:30:00")}),
        )
        .await;
    world.sync_ok(&account).await;
    let run = last_run(&world, &account);
    let reset = listed(&world);
    assert_eq!(
        reset.len(),
        5,
        "Outlook's move reset both here too: {reset:?}"
    );
    assert!(reset.iter().all(|o| o.1 == 10 && !o.3), "{reset:?}");

    let preview = undo(&mut world, run, true).await;
    assert_eq!(
        said(&preview),
        [(UndoAction::PutBack, None), (UndoAction::PutBack, None)],
        "the dry run puts back the master and the moved occurrence the run reset: {:?}",
        preview.undo
    );
    assert!(
        preview
            .undo
            .iter()
            .any(|i| i.sentence.contains("come back with it")),
        "and says the reset occurrences come back: {:?}",
        preview.undo
    );
    assert_eq!(listed(&world), reset, "a dry run writes nothing");

    let undone = undo(&mut world, run, false).await;
    assert_eq!(said(&undone), said(&preview), "it does what it said");
    assert_eq!(
        listed(&world),
        before,
        "Quick3's series is as it was: the moved occurrence at 11:00, the cancelled one gone"
    );
    assert_eq!(
        world.store.appointment(master.id).unwrap().when,
        master.when,
        "the master's times back"
    );
    assert_eq!(
        outlook_listed(&world, &account, &master_id).await,
        outlook_before,
        "Outlook's master patched back, then its exception moved and its cancellation made again"
    );
    // Patching the master back reset Outlook's instances (new ids): the next Down reads the
    // series once, as after any whole-series move made here, and changes nothing.
    world.clear_requests().await;
    let echo = world.sync_ok(&account).await;
    assert_nothing_changed(&[echo]);
    let sent = world.logged_requests("/v1.0/$batch").await;
    assert!(sent.len() <= 2, "the echo reads the series once: {sent:#?}");
    settled(&mut world, &account, TITLE, 1).await;
    assert_eq!(listed(&world), before, "the next syncs took nothing back");
    assert_eq!(
        outlook_listed(&world, &account, &master_id).await,
        outlook_before,
        "nor sent anything"
    );

    undo_again_skips_all_as_undone(&mut world, run).await;
    settled(&mut world, &account, TITLE, 1).await;
    assert_eq!(listed(&world), before);
}

#[tokio::test]
async fn an_occurrence_moved_in_outlook_goes_back_and_a_cancelled_one_is_said_to_stay() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let (_, master_id, starts) = uploaded(&mut world, &account, 4).await;
    let before = listed(&world);
    let all = instances(&world, &account, &master_id).await;
    world
        .outlook_update(
            MEGAN,
            &instance_id(&all, starts[1]),
            json!({"start": oslo_time(starts[1], "12:00:00"), "end": oslo_time(starts[1], "12:30:00")}),
        )
        .await;
    world
        .outlook_delete(MEGAN, &instance_id(&all, starts[2]))
        .await;
    let down = world.sync_ok(&account).await;
    assert_eq!((down.updated, down.deleted), (1, 1), "{down:?}");
    let run = last_run(&world, &account);

    let preview = undo(&mut world, run, true).await;
    let day = starts[2].with_timezone(&OSLO).format("%a %-d %b %Y");
    assert_eq!(
        said(&preview),
        [
            (UndoAction::PutBack, None),
            (
                UndoAction::Skip,
                Some(format!(
                    "the occurrence of {day} was cancelled in Outlook and cannot be brought back there"
                ))
            )
        ],
        "the move goes back; the cancellation is said to stay, before: {:?}",
        preview.undo
    );
    undo(&mut world, run, false).await;
    let expected: Vec<_> = before
        .iter()
        .filter(|o| o.0 != starts[2])
        .cloned()
        .collect();
    assert_eq!(
        listed(&world),
        expected,
        "the moved occurrence is back at 09:00, a plain occurrence again"
    );
    let outlook = outlook_listed(&world, &account, &master_id).await;
    let moved = outlook.iter().find(|o| o.0 == starts[1]).unwrap();
    assert_eq!(
        moved.1, 9,
        "Outlook's instance patched back to the pattern's time"
    );
    assert_eq!(
        outlook.len(),
        3,
        "the cancelled one stays cancelled there: {outlook:?}"
    );
    settled(&mut world, &account, TITLE, 1).await;
    assert_eq!(listed(&world), expected);
}

#[tokio::test]
async fn an_up_run_that_created_a_series_undone_deletes_it_on_both_sides() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let master = quick3_series(&mut world, TITLE, &day(2), 4);
    // One occurrence moved before the first upload: the run sends it to its instance too.
    let second = listed(&world)[1].0;
    move_occurrence_to_eleven(&mut world, master.id, second);
    world.sync_ok(&account).await;
    let run = last_run(&world, &account);
    settled(&mut world, &account, TITLE, 1).await;

    let preview = undo(&mut world, run, true).await;
    assert_eq!(
        said(&preview),
        [(UndoAction::Remove, None), (UndoAction::Remove, None)],
        "the series, and its moved occurrence with it: {:?}",
        preview.undo
    );
    assert_eq!(
        preview.undo[1].sentence, "Deleted again with its series.",
        "the occurrence goes with its series"
    );
    assert!(
        preview.undo[0]
            .sentence
            .contains("in Quick3 Planner and in Outlook"),
        "the preview says both sides: {:?}",
        preview.undo[0].sentence
    );
    let undone = undo(&mut world, run, false).await;
    assert_eq!(undone.deleted, 1, "one DELETE of the series: {undone:?}");
    assert!(listed(&world).is_empty(), "gone here: {:?}", listed(&world));
    assert!(world.store.appointment(master.id).is_err());
    settled(&mut world, &account, TITLE, 0).await;
    let twice = undo(&mut world, run, false).await;
    assert!(
        twice.undo.iter().all(|i| i.action == UndoAction::Skip),
        "undoing twice undoes once: {:?}",
        twice.undo
    );
    settled(&mut world, &account, TITLE, 0).await;
}

#[tokio::test]
async fn an_up_runs_move_rename_and_deletion_of_a_series_undone_put_outlook_back() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let (master, master_id, starts) = uploaded(&mut world, &account, 4).await;
    let before = listed(&world);
    let outlook_before = outlook_listed(&world, &account, &master_id).await;

    move_occurrence_to_eleven(&mut world, master.id, starts[1]);
    world.sync_ok(&account).await;
    let moved = last_run(&world, &account);
    assert_ne!(
        outlook_listed(&world, &account, &master_id).await,
        outlook_before
    );
    let preview = undo(&mut world, moved, true).await;
    assert_eq!(
        said(&preview),
        [(UndoAction::PutBack, None)],
        "{:?}",
        preview.undo
    );
    let undone = undo(&mut world, moved, false).await;
    assert_eq!(undone.updated, 1, "one PATCH of the instance: {undone:?}");
    assert_eq!(
        listed(&world),
        before,
        "a plain occurrence at 09:00 again here"
    );
    assert!(
        world
            .store
            .appointment(AppointmentId::occurrence(master.id, starts[1]))
            .is_err(),
        "its row is forgotten once Outlook holds the pattern's values"
    );
    let outlook = outlook_listed(&world, &account, &master_id).await;
    assert_eq!(
        outlook.iter().map(|o| o.1).collect::<Vec<_>>(),
        [9, 9, 9, 9],
        "Outlook's instance back at the pattern's time: {outlook:?}"
    );
    settled(&mut world, &account, TITLE, 1).await;

    world
        .store
        .edit_series(
            master.id,
            AppointmentPatch {
                title: Some("Crew stand-up (new site)".into()),
                ..Default::default()
            },
            None,
            now(),
        )
        .unwrap();
    world.sync_ok(&account).await;
    let renamed = last_run(&world, &account);
    undo(&mut world, renamed, false).await;
    assert_eq!(listed(&world), before, "the old subject here");
    assert!(
        outlook_listed(&world, &account, &master_id)
            .await
            .iter()
            .all(|o| o.2 == TITLE),
        "and in Outlook: the master patched back"
    );
    settled(&mut world, &account, TITLE, 1).await;

    // The planner cancels one occurrence and then deletes the whole series; an Up run deletes it
    // in Outlook; its undo brings it back as it was (still without the cancelled one), created
    // anew in Outlook.
    cancel_occurrence(&mut world, master.id, starts[3]);
    world.sync_ok(&account).await;
    // The cancelled instance's removal comes down with an id no link places: the next Down
    // reads the series once, as after any cancellation made here, and changes nothing.
    let echo = world.sync_ok(&account).await;
    assert_nothing_changed(&[echo]);
    settled(&mut world, &account, TITLE, 1).await;
    let kept = listed(&world);
    let outlook_kept = outlook_listed(&world, &account, &master_id).await;
    world.store.delete_appointment(master.id, now()).unwrap();
    world.sync_ok(&account).await;
    assert!(world.outlook_titled(MEGAN, TITLE).await.is_empty());
    let deleted = last_run(&world, &account);
    let preview = undo(&mut world, deleted, true).await;
    assert_eq!(
        said(&preview),
        [(UndoAction::Recreate, None)],
        "{:?}",
        preview.undo
    );
    undo(&mut world, deleted, false).await;
    assert_eq!(
        listed(&world),
        kept,
        "back here as it was before the deletion"
    );
    let again = outlook_master_id(&world, TITLE).await;
    assert_ne!(again, master_id, "a new series in Outlook");
    // Types aside: the occurrence moved back earlier is typed `exception` in the old series
    // (Graph keeps that type), a plain `occurrence` in the new one.
    let untyped = |all: Vec<(DateTime<Utc>, u32, String, String)>| -> Vec<_> {
        all.into_iter().map(|(o, h, s, _)| (o, h, s)).collect()
    };
    assert_eq!(
        untyped(outlook_listed(&world, &account, &again).await),
        untyped(outlook_kept),
        "with the same instances, the cancelled one left out"
    );
    settled(&mut world, &account, TITLE, 1).await;
}

#[tokio::test]
async fn a_series_made_in_outlook_and_deleted_there_undone_becomes_quick3s_and_goes_up() {
    let mut world = world().await;
    let first = day(3);
    let master_id = outlook_daily_series(&world, "Weekly review", &first, 5).await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let all = instances(&world, &account, &master_id).await;
    let starts: Vec<DateTime<Utc>> = all.iter().map(|i| utc(&i["originalStart"])).collect();
    // In Outlook: the second occurrence moved to 16:00, the fourth cancelled.
    let moved_day = starts[1].date_naive();
    world
        .outlook_update(
            MEGAN,
            &instance_id(&all, starts[1]),
            json!({"start": {"dateTime": format!("{moved_day}T16:00:00"), "timeZone": "UTC"},
                   "end": {"dateTime": format!("{moved_day}T17:00:00"), "timeZone": "UTC"}}),
        )
        .await;
    world
        .outlook_delete(MEGAN, &instance_id(&all, starts[3]))
        .await;
    world.sync_ok(&account).await;
    settled(&mut world, &account, "Weekly review", 1).await;
    let hours = |world: &World| -> Vec<(DateTime<Utc>, u32)> {
        let mut found: Vec<_> = world
            .titled("Weekly review")
            .iter()
            .map(|a| (a.original_start.unwrap(), start_of(&a.when).hour()))
            .collect();
        found.sort();
        found
    };
    let before = hours(&world);
    assert_eq!(
        before,
        [
            (starts[0], 14),
            (starts[1], 16),
            (starts[2], 14),
            (starts[4], 14)
        ],
        "pulled as Outlook has it"
    );

    world.outlook_delete(MEGAN, &master_id).await;
    let allowed = quick3_core::sync::SyncOptions {
        allow_mass_delete: true,
        ..Default::default()
    };
    let scope = quick3_core::api::SyncScope {
        account: Some(account.id),
        resource: None,
    };
    let deleted = world.sync_with(scope, &allowed).await.remove(0);
    assert_eq!(deleted.deleted, 4, "{deleted:?}");
    assert!(hours(&world).is_empty());
    let run = last_run(&world, &account);

    let preview = undo(&mut world, run, true).await;
    assert_eq!(
        said(&preview),
        vec![(UndoAction::Recreate, None); 4],
        "each occurrence comes back, in its series: {:?}",
        preview.undo
    );
    assert!(
        preview.undo[0].sentence.contains("becomes Quick3's"),
        "the series is said to become Quick3's: {:?}",
        preview.undo[0].sentence
    );
    assert!(hours(&world).is_empty(), "a dry run writes nothing");

    undo(&mut world, run, false).await;
    let back: Vec<_> = listed(&world)
        .into_iter()
        .map(|(start, oslo_hour, _, exception)| (start, oslo_hour - 1, exception))
        .collect();
    assert_eq!(
        back,
        [
            (starts[0], 14, false),
            (starts[1], 16, true),
            (starts[2], 14, false),
            (starts[4], 14, false)
        ],
        "back here as a Quick3 series: the moved one its exception, the cancelled one still cancelled"
    );
    let outlook = world.outlook_titled(MEGAN, "Weekly review").await;
    assert_eq!(outlook.len(), 1, "one new series in Outlook: {outlook:#?}");
    let new_master = outlook[0]["id"].as_str().unwrap().to_owned();
    assert_ne!(new_master, master_id);
    let again: Vec<_> = instances(&world, &account, &new_master)
        .await
        .iter()
        .map(|i| (utc(&i["originalStart"]), utc(&i["start"]).hour()))
        .collect();
    let mut again = again;
    again.sort();
    assert_eq!(
        again,
        [
            (starts[0], 14),
            (starts[1], 16),
            (starts[2], 14),
            (starts[4], 14)
        ],
        "its exception and cancellation applied again in Outlook"
    );
    settled(&mut world, &account, "Weekly review", 1).await;
    assert_eq!(world.titled("Weekly review").len(), 4, "nothing twice here");
    let twice = undo(&mut world, run, false).await;
    assert!(
        twice.undo.iter().all(|i| i.action == UndoAction::Skip),
        "undoing twice undoes once: {:?}",
        twice.undo
    );
    settled(&mut world, &account, "Weekly review", 1).await;
}

#[tokio::test]
async fn an_occurrence_cancelled_in_a_series_made_in_outlook_is_said_to_stay_cancelled() {
    let mut world = world().await;
    let first = day(3);
    let master_id = outlook_daily_series(&world, "Weekly review", &first, 3).await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    world.sync_ok(&account).await;
    settled(&mut world, &account, "Weekly review", 1).await;
    let all = instances(&world, &account, &master_id).await;
    let cancelled = utc(&all[1]["originalStart"]);
    world
        .outlook_delete(MEGAN, all[1]["id"].as_str().unwrap())
        .await;
    assert_eq!(world.sync_ok(&account).await.deleted, 1);
    let run = last_run(&world, &account);

    let day = cancelled.format("%a %-d %b %Y");
    let expected = [(
        UndoAction::Skip,
        Some(format!(
            "the occurrence of {day} was cancelled in Outlook and cannot be brought back there"
        )),
    )];
    assert_eq!(
        said(&undo(&mut world, run, true).await),
        expected,
        "said before"
    );
    assert_eq!(said(&undo(&mut world, run, false).await), expected);
    assert_eq!(
        world.titled("Weekly review").len(),
        2,
        "nothing brought back here either, and no copy made"
    );
    settled(&mut world, &account, "Weekly review", 1).await;
    assert_eq!(instances(&world, &account, &master_id).await.len(), 2);
}
