//! The sync journal against the emulator: Down and Up runs journal each change they make (side,
//! kind, cause, fields before and after, snapshots, the event's id and change keys), a mass
//! deletion the planner allowed says so, another resource's private appointment is journalled
//! as "A private appointment", a change never commits without its line, and the journal stays
//! within its bound after 10,000 runs, pruning fast.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use quick3_core::Store;
use quick3_core::api::SyncScope;
use quick3_core::api::journal::{self as journal_api, ChangeRecord, PRIVATE_IN_JOURNAL};
use quick3_core::ids::SyncRunId;
use quick3_core::model::{
    AppointmentInput, AppointmentRecord, ChangeCause, ChangeKind, ChangeSide, Direction,
    JournalChange, JournalRun, NewAccount, NewResource, ResourceKind, RunOutcome, SyncTrigger,
};
use quick3_core::store::journal::{CHANGES_KEPT, JOURNAL_DAYS, RUNS_KEPT};
use quick3_core::store::sync_state::{PageCommit, PageWrite};
use quick3_core::sync::SyncOptions;
use serde_json::json;
use sync_support::*;

fn runs(world: &World, account: &quick3_core::model::Account) -> Vec<JournalRun> {
    journal_api::recent_runs(&world.store, Some(account.id), None).unwrap()
}

fn changes_of(world: &World, run: SyncRunId) -> Vec<ChangeRecord> {
    journal_api::run_changes(&world.store, run).unwrap().changes
}

fn field<'a>(change: &'a ChangeRecord, name: &str) -> Option<(&'a str, &'a str)> {
    change
        .fields
        .iter()
        .find(|f| f.field == name)
        .map(|f| (f.before.as_str(), f.after.as_str()))
}

#[tokio::test]
async fn a_down_run_journals_each_creation_update_and_deletion_with_its_fields() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Down).await;
    let d = day(2);
    let event = world
        .outlook_create(
            MEGAN,
            timed("Visit", &format!("{d}T09:00:00"), &format!("{d}T10:00:00")),
        )
        .await;
    let id = event["id"].as_str().unwrap().to_owned();

    world.sync(&account).await;
    let run = runs(&world, &account).remove(0);
    assert_eq!(
        (
            run.trigger,
            run.outcome,
            run.created,
            run.updated,
            run.deleted
        ),
        (SyncTrigger::Manual, Some(RunOutcome::Succeeded), 1, 0, 0),
        "the run is closed with its counts per kind: {run:?}"
    );
    assert!(run.finished_at.is_some_and(|f| f >= run.started_at));
    let created = changes_of(&world, run.id);
    assert_eq!(created.len(), 1, "one line per change: {created:?}");
    let line = &created[0];
    assert_eq!(
        (line.side, line.kind, line.cause),
        (
            ChangeSide::Quick3,
            ChangeKind::Created,
            ChangeCause::OutlookChanged
        ),
        "an event made in Outlook was created in Quick3"
    );
    assert_eq!(line.title, "Visit");
    assert_eq!(field(line, "subject"), Some(("", "Visit")), "{line:?}");
    let appointment = world.titled("Visit")[0].clone();
    assert_eq!(
        line.appointment_id, appointment.id,
        "the line names the appointment"
    );
    assert!(line.calendar_id.is_some(), "and the calendar it came from");

    world
        .outlook_update(
            MEGAN,
            &id,
            json!({"start": {"dateTime": format!("{d}T10:00:00"), "timeZone": "UTC"},
                   "end": {"dateTime": format!("{d}T11:00:00"), "timeZone": "UTC"}}),
        )
        .await;
    world.sync(&account).await;
    let moved = changes_of(&world, runs(&world, &account)[0].id);
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(moved[0].kind, ChangeKind::Updated);
    let (before, after) = field(&moved[0], "start").expect("the move names the start");
    assert!(
        before.contains("T09:00") && after.contains("T10:00"),
        "the start before and after: {before} → {after}"
    );
    assert_eq!(
        field(&moved[0], "subject"),
        None,
        "the subject did not change"
    );
    let stored = world.store.appointment_history(appointment.id, 10).unwrap();
    let update = &stored.first().unwrap().change;
    assert_eq!(
        update.remote_id.as_deref(),
        Some(id.as_str()),
        "the event's id is kept for Undo"
    );
    assert!(
        update.change_key_before.is_some()
            && update.change_key_after.is_some()
            && update.change_key_before != update.change_key_after,
        "and its change key before and after: {update:?}"
    );
    assert_eq!(
        update.before.as_ref().map(|r| r.title.as_str()),
        Some("Visit"),
        "the whole appointment before the change is kept"
    );

    world.outlook_delete(MEGAN, &id).await;
    world.sync(&account).await;
    let deleted = changes_of(&world, runs(&world, &account)[0].id);
    assert_eq!(
        deleted
            .iter()
            .map(|c| (c.kind, c.cause, c.title.as_str()))
            .collect::<Vec<_>>(),
        [(ChangeKind::Deleted, ChangeCause::OutlookChanged, "Visit")],
        "a deletion names what was deleted"
    );
    let history =
        journal_api::appointment_history(&world.store, &appointment.id.to_string()).unwrap();
    assert_eq!(
        history.iter().map(|c| c.kind).collect::<Vec<_>>(),
        [
            ChangeKind::Deleted,
            ChangeKind::Updated,
            ChangeKind::Created
        ],
        "an appointment's own history, newest first"
    );

    world.sync(&account).await;
    let quiet = runs(&world, &account).remove(0);
    assert_eq!(
        (quiet.created, quiet.updated, quiet.deleted),
        (0, 0, 0),
        "a quiet run is journalled too, with nothing in it"
    );
    assert!(changes_of(&world, quiet.id).is_empty());
    assert_eq!(runs(&world, &account).len(), 4);
}

#[tokio::test]
async fn an_up_run_journals_what_it_changed_in_outlook() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Up).await;
    let d = day(2);
    let review = world.create_local(
        "Budget review",
        &format!("{d}T10:00"),
        &format!("{d}T11:00"),
    );

    world.sync(&account).await;
    let created = changes_of(&world, runs(&world, &account)[0].id);
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(
        (created[0].side, created[0].kind, created[0].cause),
        (
            ChangeSide::Outlook,
            ChangeKind::Created,
            ChangeCause::Quick3Changed
        ),
        "a Quick3 appointment was created in Outlook"
    );
    let event = world.outlook_titled(MEGAN, "Budget review").await.remove(0);
    let line = world
        .store
        .appointment_history(review.id, 1)
        .unwrap()
        .remove(0);
    assert_eq!(
        line.change.remote_id.as_deref(),
        event["id"].as_str(),
        "the line names the event it created"
    );
    assert_eq!(
        line.change.change_key_after.as_deref(),
        event["changeKey"].as_str()
    );

    world.rename_local(review.id, "Budget review (final)");
    world.sync(&account).await;
    let updated = changes_of(&world, runs(&world, &account)[0].id);
    assert_eq!(updated.len(), 1, "{updated:?}");
    assert_eq!(updated[0].kind, ChangeKind::Updated);
    assert_eq!(
        field(&updated[0], "subject"),
        Some(("Budget review", "Budget review (final)")),
        "Outlook's subject before (the journal's last line) and after"
    );
    assert_eq!(
        updated[0].fields.len(),
        1,
        "only the subject changed: {:?}",
        updated[0].fields
    );

    world.store.delete_appointment(review.id, now()).unwrap();
    world.sync(&account).await;
    let run = runs(&world, &account).remove(0);
    let deleted = changes_of(&world, run.id);
    assert_eq!(
        deleted
            .iter()
            .map(|c| (c.side, c.kind, c.title.as_str()))
            .collect::<Vec<_>>(),
        [(
            ChangeSide::Outlook,
            ChangeKind::Deleted,
            "Budget review (final)"
        )],
    );
    assert_eq!((run.created, run.updated, run.deleted), (0, 0, 1));
}

#[tokio::test]
async fn a_mass_deletion_the_planner_allowed_is_journalled_as_such() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Down).await;
    let ids = with_events(&world, 24).await;
    let scope = SyncScope {
        account: Some(account.id),
        resource: None,
    };
    world.sync_with(scope, &SyncOptions::default()).await;
    for id in &ids[..20] {
        world.outlook_delete(MEGAN, id).await;
    }
    world.sync_with(scope, &SyncOptions::default()).await;
    let blocked = runs(&world, &account).remove(0);
    assert_eq!(blocked.outcome, Some(RunOutcome::MassDeleteBlocked));
    assert!(
        blocked
            .error
            .as_deref()
            .is_some_and(|e| e.contains("allowing mass deletion")),
        "the run says why: {blocked:?}"
    );
    assert!(
        changes_of(&world, blocked.id).is_empty(),
        "nothing was deleted, nothing journalled"
    );

    let allowed = SyncOptions {
        allow_mass_delete: true,
        ..SyncOptions::default()
    };
    world.sync_with(scope, &allowed).await;
    let run = runs(&world, &account).remove(0);
    let lines = changes_of(&world, run.id);
    assert_eq!(run.deleted, 20, "{run:?}");
    assert_eq!(lines.len(), 20);
    assert!(
        lines
            .iter()
            .all(|c| c.kind == ChangeKind::Deleted && c.cause == ChangeCause::MassDeletionAllowed),
        "each deletion names the planner's allowance: {lines:?}"
    );
}

#[tokio::test]
async fn a_calendar_removed_in_outlook_journals_each_appointment_it_takes_along() {
    let mut world = world().await;
    // UpAndDown: the account may create a calendar through Graph.
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    world
        .graph_post(&account, "/me/calendars", &json!({ "name": "Team" }))
        .await;
    let team = world
        .calendars(MEGAN)
        .await
        .into_iter()
        .find(|(_, name)| name == "Team")
        .unwrap()
        .0;
    let d = day(1);
    for subject in ["Team lunch", "Team retro"] {
        let mut event = timed(subject, &format!("{d}T11:00:00"), &format!("{d}T12:00:00"));
        event["calendarId"] = json!(team);
        world.outlook_create(MEGAN, event).await;
    }
    world.sync(&account).await;
    world.remove_calendar(&account, &team).await;
    world.sync(&account).await;
    let run = runs(&world, &account).remove(0);
    let mut lines: Vec<(ChangeKind, ChangeCause, String)> = changes_of(&world, run.id)
        .into_iter()
        .map(|c| (c.kind, c.cause, c.title))
        .collect();
    lines.sort_by(|a, b| a.2.cmp(&b.2));
    assert_eq!(
        lines,
        [
            (
                ChangeKind::Deleted,
                ChangeCause::OutlookChanged,
                "Team lunch".to_owned()
            ),
            (
                ChangeKind::Deleted,
                ChangeCause::OutlookChanged,
                "Team retro".to_owned()
            ),
        ],
        "the calendar's appointments left with it, each journalled: {run:?}"
    );
    assert_eq!(run.deleted, 2);
    assert!(world.titled("Team lunch").is_empty(), "and they are gone");
}

#[tokio::test]
async fn another_resources_private_appointment_is_journalled_as_a_private_appointment() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Down).await;
    let d = day(3);
    let mut private = timed("Doctor", &format!("{d}T09:00:00"), &format!("{d}T10:00:00"));
    private["sensitivity"] = json!("private");
    private["location"] = json!("Clinic");
    world.outlook_create(MEGAN, private).await;
    world.sync(&account).await;
    let run = runs(&world, &account)[0].id;
    world.store.set_my_resource(world.resource).unwrap();
    let own = changes_of(&world, run);
    assert_eq!(
        own[0].title, "Doctor",
        "the planner's own resource shows its subject"
    );

    let other = world
        .store
        .add_resource(
            NewResource {
                name: "Planner".into(),
                email: None,
                kind: ResourceKind::Person,
                colour: None,
                hours: None,
            },
            now(),
        )
        .unwrap();
    world.store.set_my_resource(other.id).unwrap();
    let seen = changes_of(&world, run);
    assert_eq!(seen[0].title, PRIVATE_IN_JOURNAL);
    assert!(seen[0].private);
    assert!(
        seen[0]
            .fields
            .iter()
            .all(|f| !f.after.contains("Doctor") && !f.after.contains("Clinic")),
        "neither subject nor location reaches another planner: {:?}",
        seen[0].fields
    );
    assert!(field(&seen[0], "start").is_some(), "its time does");
}

/// A store with one resource and one account, in a temporary folder.
fn journal_store() -> (
    tempfile::TempDir,
    Store,
    quick3_core::model::Account,
    AppointmentRecord,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("q.db")).unwrap();
    let resource = store
        .add_resource(
            NewResource {
                name: "Megan".into(),
                email: None,
                kind: ResourceKind::Person,
                colour: None,
                hours: None,
            },
            now(),
        )
        .unwrap()
        .id;
    let account = store
        .add_account(
            NewAccount {
                resource_id: resource,
                email: MEGAN.into(),
                direction: Direction::Down,
                scopes: vec![],
            },
            now(),
        )
        .unwrap();
    let appointment = store
        .create_appointment(
            AppointmentInput {
                resource_id: resource,
                title: "Visit".into(),
                all_day: false,
                start: "2026-03-02T09:00".into(),
                end: Some("2026-03-02T10:00".into()),
                time_zone: Some("Europe/Berlin".into()),
                location: None,
                notes: None,
                categories: vec![],
                show_as: None,
                sensitivity: None,
            },
            now(),
        )
        .unwrap();
    (dir, store, account, AppointmentRecord::from(&appointment))
}

fn line(record: &AppointmentRecord, account: &quick3_core::model::Account) -> JournalChange {
    JournalChange::between(
        None,
        Some(record.clone()),
        (
            ChangeSide::Quick3,
            ChangeKind::Created,
            ChangeCause::OutlookChanged,
        ),
        account.id,
    )
    .unwrap()
}

#[test]
fn a_change_never_commits_without_its_line() {
    let (_dir, mut store, account, record) = journal_store();
    let mut renamed = store.appointment(record.id).unwrap();
    renamed.title = "Visit (moved)".into();
    let page = PageWrite {
        appointments: vec![(renamed, None)],
        // No such run: the line cannot be written.
        run: Some(SyncRunId(4242)),
        journal: vec![line(&record, &account)],
        ..Default::default()
    };
    assert!(
        store
            .write_page(account.id, &page, now(), PageCommit::Now)
            .is_err(),
        "a line that cannot be written fails the page"
    );
    assert_eq!(
        store.appointment(record.id).unwrap().title,
        "Visit",
        "and the change it carried was not written either"
    );
}

#[test]
fn ten_thousand_runs_stay_within_the_bound_and_prune_fast() {
    let (_dir, mut store, account, record) = journal_store();
    let appointment = store.appointment(record.id).unwrap();
    let start = now() - Duration::days(JOURNAL_DAYS + 10);
    // An old run, past the 90 days by the time the others are written.
    let old = store
        .begin_sync_run(account.id, MEGAN, SyncTrigger::Scheduled, None, start)
        .unwrap();
    store
        .finish_sync_run(old, RunOutcome::Succeeded, None, 0, start)
        .unwrap();
    // 5,000 runs of 12 lines would pass the bound in changes: both bounds are reached.
    let lines_per_run = 12;
    let mut closing = Vec::new();
    let began = Instant::now();
    for n in 0..10_000 {
        let at = now();
        let run = store
            .begin_sync_run(account.id, MEGAN, SyncTrigger::Scheduled, None, at)
            .unwrap();
        let page = PageWrite {
            appointments: vec![(appointment.clone(), None)],
            run: Some(run),
            journal: vec![line(&record, &account); lines_per_run],
            ..Default::default()
        };
        store
            .write_page(account.id, &page, at, PageCommit::Now)
            .unwrap();
        let pruning = Instant::now();
        store
            .finish_sync_run(run, RunOutcome::Succeeded, None, 0, at)
            .unwrap();
        if n >= 5_000 {
            closing.push(pruning.elapsed());
        }
    }
    let (runs, changes) = store.journal_size().unwrap();
    assert!(
        runs <= RUNS_KEPT,
        "{runs} runs kept, the bound is {RUNS_KEPT}"
    );
    assert!(
        changes <= CHANGES_KEPT + lines_per_run as u64,
        "{changes} changes kept, the bound is {CHANGES_KEPT} (and the last run)"
    );
    assert!(
        changes >= CHANGES_KEPT - 2 * lines_per_run as u64,
        "only what exceeds the bound goes: {changes}"
    );
    assert!(
        store.sync_run(old).is_err(),
        "a run older than {JOURNAL_DAYS} days is pruned"
    );
    let newest = store.sync_runs(Some(account.id), 1).unwrap().remove(0);
    assert_eq!(
        store.sync_run_changes(newest.id).unwrap().len(),
        lines_per_run,
        "the newest run keeps its lines"
    );
    // Timings on a shared machine (other tests run beside this one): the median and the 99th
    // percentile, not the total.
    closing.sort();
    let median = closing[closing.len() / 2];
    let p99 = closing[closing.len() * 99 / 100];
    eprintln!(
        "closing a run with pruning: median {median:?}, 99th percentile {p99:?}; 10,000 runs in {:?}",
        began.elapsed()
    );
    assert!(
        median < StdDuration::from_millis(10) && p99 < StdDuration::from_secs(1),
        "closing a run and pruning a full journal takes {median:?} (median), {p99:?} (99th percentile)"
    );
}
