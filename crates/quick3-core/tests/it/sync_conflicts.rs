//! Conflicts against the emulator: a Quick3 appointment changed both in Quick3 and in Outlook is
//! held (nothing overwritten, however many syncs follow), then settled each of the three ways
//! (checked in the emulator's mailbox and the store, and quiet after); an Up-only account holds
//! what its refused PATCH found; a series occurrence changed on both sides is held too. Each
//! decision is journalled as a run of its own, with what it changed (`api::journal`).

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use quick3_core::api::journal::ChangeRecord;
use quick3_core::api::{self, conflicts::ConflictRecord};
use quick3_core::model::{
    Account, Appointment, ChangeCause, ChangeKind, ChangeSide, ConflictField, Direction,
    JournalRun, Keep, Repeat, RepeatUnit, RunOutcome, SyncTrigger, UploadState,
};
use serde_json::json;
use sync_support::*;

/// Megan (Up and Down) with "Visit" made in Quick3 and synced; the appointment and its event id.
async fn visit_in_both(direction: Direction) -> (World, Account, Appointment, String) {
    let mut world = world().await;
    let account = world.connect(MEGAN, direction).await;
    let d = day(4);
    let visit = world.create_local("Visit", &format!("{d}T09:00"), &format!("{d}T10:00"));
    world.sync(&account).await;
    assert_nothing_changed(&[world.sync(&account).await]);
    let event = world.outlook_titled(MEGAN, "Visit").await.remove(0);
    let id = event["id"].as_str().unwrap().to_owned();
    (world, account, visit, id)
}

/// The subjects of Megan's events, sorted.
async fn outlook_subjects(world: &World) -> Vec<String> {
    let mut subjects: Vec<String> = world
        .outlook_events(MEGAN)
        .await
        .iter()
        .map(|e| e["subject"].as_str().unwrap().to_owned())
        .collect();
    subjects.sort();
    subjects
}

/// The titles of the live appointments, sorted.
fn local_titles(world: &World) -> Vec<String> {
    let mut titles: Vec<String> = world.appointments().into_iter().map(|a| a.title).collect();
    titles.sort();
    titles
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Both sides edit "Visit": Quick3 renames it, Outlook renames it and moves it to Atlas. The
/// sync holds the conflict; two more syncs overwrite nothing. Returns the conflict.
async fn held_conflict(
    world: &mut World,
    account: &Account,
    visit: &Appointment,
    id: &str,
) -> ConflictRecord {
    world.rename_local(visit.id, "Visit (Quick3)");
    world
        .outlook_update(
            MEGAN,
            id,
            json!({"subject": "Visit (Outlook)", "location": {"displayName": "Atlas"}}),
        )
        .await;
    let found = world.sync(account).await;
    assert_eq!(
        found.conflicts, 1,
        "the change on both sides is a conflict: {found:?}"
    );
    assert!(
        found.conflict_notes[0].contains("neither version is overwritten"),
        "{:?}",
        found.conflict_notes
    );
    for _ in 0..2 {
        let later = world.sync(account).await;
        assert_nothing_changed(&[later]);
        assert_eq!(
            outlook_subjects(world).await,
            strings(&["Visit (Outlook)"]),
            "Outlook keeps its version while the conflict is open"
        );
        assert_eq!(
            local_titles(world),
            strings(&["Visit (Quick3)"]),
            "Quick3 keeps its version while the conflict is open"
        );
        assert_eq!(
            world.store.outbox_len(account.id).unwrap(),
            1,
            "the upload is held, not sent and not dropped"
        );
    }
    let conflicts = api::conflicts::sync_conflicts(&world.store).unwrap();
    assert_eq!(conflicts.len(), 1, "listed once: {conflicts:?}");
    let conflict = conflicts[0].clone();
    assert_eq!(
        conflict.fields,
        [ConflictField::Subject, ConflictField::Location],
        "only the fields that differ"
    );
    assert_eq!(
        (
            conflict.quick3.title.as_str(),
            conflict.outlook.title.as_str()
        ),
        ("Visit (Quick3)", "Visit (Outlook)")
    );
    assert_eq!(conflict.outlook.location, "Atlas");
    assert_eq!(conflict.account, MEGAN);
    assert!(
        matches!(
            world.store.upload_states().unwrap().get(&visit.id),
            Some(UploadState::Conflict { conflict: c, .. }) if *c == conflict.id
        ),
        "the appointment's card shows the conflict"
    );
    conflict
}

/// The newest run of the account in the journal, with its changes.
fn newest_run(world: &World, account: &Account) -> (JournalRun, Vec<ChangeRecord>) {
    let run = api::journal::recent_runs(&world.store, Some(account.id), Some(1))
        .unwrap()
        .remove(0);
    let changes = api::journal::run_changes(&world.store, run.id)
        .unwrap()
        .changes;
    (run, changes)
}

/// The decision's own run: journalled at once, before any sync, as a finished run of the
/// account with the trigger `conflict_decision`; its lines, as (side, kind, cause, title).
fn decision_run(
    world: &World,
    account: &Account,
) -> (
    JournalRun,
    Vec<(ChangeSide, ChangeKind, ChangeCause, String)>,
) {
    let (run, changes) = newest_run(world, account);
    assert_eq!(
        run.trigger,
        SyncTrigger::ConflictDecision,
        "the decision is a run of its own: {run:?}"
    );
    assert_eq!(run.outcome, Some(RunOutcome::Succeeded), "{run:?}");
    assert_eq!(run.finished_at, Some(run.started_at), "over as it starts");
    let lines = changes
        .iter()
        .map(|c| (c.side, c.kind, c.cause, c.title.clone()))
        .collect();
    (run, lines)
}

/// A line's fields as (field, before, after).
fn fields_of(change: &ChangeRecord) -> Vec<(String, String, String)> {
    change
        .fields
        .iter()
        .map(|f| (f.field.clone(), f.before.clone(), f.after.clone()))
        .collect()
}

/// After the choice, two syncs: the second changes nothing, and nothing is listed any more.
async fn settled_quietly(world: &mut World, account: &Account) {
    let first = world.sync(account).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert_eq!(first.conflicts, 0, "{first:?}");
    assert_nothing_changed(&[world.sync(account).await]);
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        0,
        "nothing waits"
    );
    assert!(
        api::conflicts::sync_conflicts(&world.store)
            .unwrap()
            .is_empty(),
        "settled"
    );
}

#[tokio::test]
async fn keep_quick3s_patches_outlook_to_quick3s_version() {
    let (mut world, account, visit, id) = visit_in_both(Direction::UpAndDown).await;
    let conflict = held_conflict(&mut world, &account, &visit, &id).await;
    let outcome =
        api::conflicts::resolve_conflict(&mut world.store, conflict.id, Keep::Quick3, now())
            .unwrap();
    assert!(
        outcome.message.contains("Quick3 Planner's version"),
        "{outcome:?}"
    );
    let (decided, lines) = decision_run(&world, &account);
    assert!(
        lines.is_empty(),
        "Keep Quick3's changes nothing in Quick3; Outlook is patched by the next sync: {lines:?}"
    );
    assert_eq!(
        (decided.created, decided.updated, decided.deleted),
        (0, 0, 0)
    );
    settled_quietly(&mut world, &account).await;
    // The sync that patched Outlook is the second newest run (the last changed nothing).
    let runs = api::journal::recent_runs(&world.store, Some(account.id), Some(2)).unwrap();
    let patched = api::journal::run_changes(&world.store, runs[1].id)
        .unwrap()
        .changes;
    assert_eq!(
        patched
            .iter()
            .map(|c| (c.side, c.kind, c.cause))
            .collect::<Vec<_>>(),
        [(
            ChangeSide::Outlook,
            ChangeKind::Updated,
            ChangeCause::ConflictDecided
        )],
        "the PATCH that carries the decision is journalled as the decision's, not as an edit"
    );
    assert!(
        fields_of(&patched[0]).contains(&(
            "subject".into(),
            "Visit (Outlook)".into(),
            "Visit (Quick3)".into()
        )),
        "Outlook's subject went from its version to Quick3's: {:?}",
        patched[0].fields
    );
    assert_eq!(
        outlook_subjects(&world).await,
        strings(&["Visit (Quick3)"]),
        "patched, not copied"
    );
    let event = world
        .outlook_titled(MEGAN, "Visit (Quick3)")
        .await
        .remove(0);
    assert_eq!(event["id"], id.as_str(), "the same event, patched");
    assert_eq!(
        event["location"]["displayName"], "",
        "Quick3's version whole: its (empty) location too"
    );
    assert_eq!(local_titles(&world), strings(&["Visit (Quick3)"]));
    let again =
        api::conflicts::resolve_conflict(&mut world.store, conflict.id, Keep::Quick3, now())
            .unwrap();
    assert!(again.already, "a second click does nothing again");
    assert!(
        api::conflicts::resolve_conflict(&mut world.store, conflict.id, Keep::Outlook, now())
            .is_err(),
        "a settled conflict cannot be settled another way"
    );
}

#[tokio::test]
async fn keep_outlooks_takes_outlooks_newest_version() {
    let (mut world, account, visit, id) = visit_in_both(Direction::UpAndDown).await;
    held_conflict(&mut world, &account, &visit, &id).await;
    // Outlook changes it again while the conflict is open: the conflict's version follows.
    world
        .outlook_update(MEGAN, &id, json!({"subject": "Visit (Outlook, later)"}))
        .await;
    let renewed = world.sync(&account).await;
    assert_eq!(
        renewed.conflicts, 0,
        "the same conflict, not a second one: {renewed:?}"
    );
    assert_eq!(
        local_titles(&world),
        strings(&["Visit (Quick3)"]),
        "still not overwritten"
    );
    let conflicts = api::conflicts::sync_conflicts(&world.store).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].outlook.title, "Visit (Outlook, later)");

    let outcome =
        api::conflicts::resolve_conflict(&mut world.store, conflicts[0].id, Keep::Outlook, now())
            .unwrap();
    assert_eq!(outcome.copy_id, None);
    let local = world.store.appointment(visit.id).unwrap();
    assert_eq!(
        (local.title.as_str(), local.location.as_str()),
        ("Visit (Outlook, later)", "Atlas"),
        "Quick3 took Outlook's version at once"
    );
    let (decided, lines) = decision_run(&world, &account);
    assert_eq!(
        lines,
        [(
            ChangeSide::Quick3,
            ChangeKind::Updated,
            ChangeCause::ConflictDecided,
            "Visit (Outlook, later)".to_owned()
        )],
        "one line: the Quick3 appointment updated to Outlook's version"
    );
    assert_eq!(
        (decided.created, decided.updated, decided.deleted),
        (0, 1, 0)
    );
    let (_, changes) = newest_run(&world, &account);
    assert_eq!(changes[0].appointment_id, visit.id);
    assert_eq!(
        fields_of(&changes[0]),
        [
            (
                "subject".to_owned(),
                "Visit (Quick3)".to_owned(),
                "Visit (Outlook, later)".to_owned()
            ),
            ("location".to_owned(), String::new(), "Atlas".to_owned()),
        ],
        "the fields Quick3's version lost, before and after"
    );
    settled_quietly(&mut world, &account).await;
    assert_eq!(
        outlook_subjects(&world).await,
        strings(&["Visit (Outlook, later)"])
    );
    assert_eq!(local_titles(&world), strings(&["Visit (Outlook, later)"]));
    assert_eq!(
        world.store.appointment(visit.id).unwrap().origin,
        quick3_core::model::Origin::Quick3,
        "still Quick3's appointment, linked to the same event"
    );
}

#[tokio::test]
async fn keep_both_uploads_quick3s_version_as_a_second_event() {
    let (mut world, account, visit, id) = visit_in_both(Direction::UpAndDown).await;
    let conflict = held_conflict(&mut world, &account, &visit, &id).await;
    let outcome =
        api::conflicts::resolve_conflict(&mut world.store, conflict.id, Keep::Both, now()).unwrap();
    let copy = outcome
        .copy_id
        .expect("keep both makes a second appointment");
    assert_eq!(
        world.store.appointment(copy).unwrap().title,
        "Visit (Quick3)"
    );
    assert_eq!(
        world.store.appointment(visit.id).unwrap().title,
        "Visit (Outlook)"
    );
    let (decided, lines) = decision_run(&world, &account);
    assert_eq!(
        lines,
        [
            (
                ChangeSide::Quick3,
                ChangeKind::Created,
                ChangeCause::ConflictDecided,
                "Visit (Quick3)".to_owned()
            ),
            (
                ChangeSide::Quick3,
                ChangeKind::Updated,
                ChangeCause::ConflictDecided,
                "Visit (Outlook)".to_owned()
            ),
        ],
        "the copy created with Quick3's version, the original updated to Outlook's"
    );
    assert_eq!(
        (decided.created, decided.updated, decided.deleted),
        (1, 1, 0)
    );
    let (_, changes) = newest_run(&world, &account);
    assert_eq!(
        (changes[0].appointment_id, changes[1].appointment_id),
        (copy, visit.id)
    );
    assert!(
        fields_of(&changes[1]).contains(&(
            "subject".into(),
            "Visit (Quick3)".into(),
            "Visit (Outlook)".into()
        )),
        "{:?}",
        changes[1].fields
    );
    settled_quietly(&mut world, &account).await;
    let runs = api::journal::recent_runs(&world.store, Some(account.id), Some(2)).unwrap();
    let uploaded = api::journal::run_changes(&world.store, runs[1].id)
        .unwrap()
        .changes;
    assert_eq!(
        uploaded
            .iter()
            .map(|c| (c.side, c.kind, c.cause, c.appointment_id))
            .collect::<Vec<_>>(),
        [(
            ChangeSide::Outlook,
            ChangeKind::Created,
            ChangeCause::ConflictDecided,
            copy
        )],
        "the copy's upload carries the decision"
    );
    assert_eq!(
        outlook_subjects(&world).await,
        strings(&["Visit (Outlook)", "Visit (Quick3)"]),
        "two events, each once"
    );
    assert_eq!(
        local_titles(&world),
        strings(&["Visit (Outlook)", "Visit (Quick3)"]),
        "two appointments, each once"
    );
    let original = world
        .outlook_titled(MEGAN, "Visit (Outlook)")
        .await
        .remove(0);
    assert_eq!(
        original["id"],
        id.as_str(),
        "Outlook's stays the linked event"
    );
    let again =
        api::conflicts::resolve_conflict(&mut world.store, conflict.id, Keep::Both, now()).unwrap();
    assert!(again.already);
    assert_eq!(again.copy_id, Some(copy), "no third appointment");
    assert_nothing_changed(&[world.sync(&account).await]);
    assert_eq!(local_titles(&world).len(), 2);
}

#[tokio::test]
async fn an_up_only_account_holds_what_its_refused_patch_found() {
    let (mut world, account, visit, id) = visit_in_both(Direction::Up).await;
    world.rename_local(visit.id, "Visit (Quick3)");
    world
        .outlook_update(MEGAN, &id, json!({"subject": "Visit (Outlook)"}))
        .await;
    let found = world.sync(&account).await;
    assert_eq!(
        found.conflicts, 1,
        "the 412 led to a look and a conflict: {found:?}"
    );
    for _ in 0..2 {
        let later = world.sync(&account).await;
        assert_eq!((later.updated, later.conflicts), (0, 0), "{later:?}");
    }
    assert_eq!(
        outlook_subjects(&world).await,
        strings(&["Visit (Outlook)"]),
        "not overwritten"
    );
    let conflicts = api::conflicts::sync_conflicts(&world.store).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].fields, [ConflictField::Subject]);
    api::conflicts::resolve_conflict(&mut world.store, conflicts[0].id, Keep::Quick3, now())
        .unwrap();
    let patched = world.sync(&account).await;
    assert_eq!((patched.updated, patched.conflicts), (1, 0), "{patched:?}");
    assert_eq!(outlook_subjects(&world).await, strings(&["Visit (Quick3)"]));
    assert_nothing_changed(&[world.sync(&account).await]);
}

#[tokio::test]
async fn an_occurrence_changed_on_both_sides_is_held_and_settled() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let d = day(2);
    let master = world
        .store
        .create_series(
            quick3_core::model::AppointmentInput {
                resource_id: world.resource,
                title: "Stand-up".into(),
                all_day: false,
                start: format!("{d}T09:00"),
                end: Some(format!("{d}T09:15")),
                time_zone: None,
                location: None,
                notes: None,
                categories: vec![],
                show_as: None,
                sensitivity: None,
            },
            &Repeat {
                every: RepeatUnit::Daily,
                count: Some(3),
                ..Repeat::default()
            },
            now(),
        )
        .unwrap();
    world.sync(&account).await;
    // The second occurrence changed on its own in Quick3, synced: an exception linked to its
    // instance.
    let second = master.when.covering_span().0 + chrono::Duration::days(1);
    let exception = world
        .store
        .edit_occurrence(
            master.id,
            second,
            quick3_core::model::AppointmentPatch {
                title: Some("Stand-up (short)".into()),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    world.sync(&account).await;
    assert_nothing_changed(&[world.sync(&account).await]);
    let instance = world.outlook_titled(MEGAN, "Stand-up (short)").await;
    let instance_id = match instance.first() {
        Some(event) => event["id"].as_str().unwrap().to_owned(),
        None => {
            // The admin listing shows masters only: find the instance through Graph.
            let master_event = world.outlook_titled(MEGAN, "Stand-up").await.remove(0);
            let path = format!(
                "/me/events/{}/instances?startDateTime={}T00:00:00Z&endDateTime={}T00:00:00Z",
                master_event["id"].as_str().unwrap(),
                day(0),
                day(10)
            );
            let instances = world.graph_get(&account, &path).await;
            instances["value"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["subject"] == "Stand-up (short)")
                .expect("the exception's instance")["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    world.rename_local(exception.id, "Stand-up (Quick3)");
    world
        .outlook_update(
            MEGAN,
            &instance_id,
            json!({"subject": "Stand-up (Outlook)"}),
        )
        .await;
    let found = world.sync(&account).await;
    assert_eq!(found.conflicts, 1, "{found:?}");
    assert_nothing_changed(&[world.sync(&account).await]);
    assert_eq!(
        world.store.appointment(exception.id).unwrap().title,
        "Stand-up (Quick3)",
        "the occurrence keeps Quick3's version while held"
    );
    let conflicts = api::conflicts::sync_conflicts(&world.store).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(
        conflicts[0].series_id,
        Some(master.id),
        "an occurrence of the series"
    );
    api::conflicts::resolve_conflict(&mut world.store, conflicts[0].id, Keep::Quick3, now())
        .unwrap();
    settled_quietly(&mut world, &account).await;
    let path = format!("/me/events/{instance_id}");
    assert_eq!(
        world.graph_get(&account, &path).await["subject"],
        "Stand-up (Quick3)",
        "the instance was patched to Quick3's version"
    );
}

const SERIES: &str = "Crew stand-up";

/// A weekly series of 4 made in Quick3 for Megan (Up and Down), synced; its master and the
/// master's event id.
async fn series_in_both() -> (World, Account, Appointment, String) {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let master = sync_support::series::quick3_series(&mut world, SERIES, &day(2), 4);
    world.sync(&account).await;
    assert_nothing_changed(&[world.sync(&account).await]);
    let id = sync_support::series::outlook_master_id(&world, SERIES).await;
    (world, account, master, id)
}

/// The occurrences listed here, as (title, location), sorted.
fn listed_occurrences(world: &World) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = world
        .store
        .list_marked(quick3_core::store::AppointmentQuery {
            resource: Some(world.resource),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|l| (l.appointment.title, l.appointment.location))
        .collect();
    found.sort();
    found
}

/// The instances of the series `master` in Megan's Outlook, as (subject, location).
async fn outlook_occurrences(
    world: &World,
    account: &Account,
    master: &str,
) -> Vec<(String, String)> {
    sync_support::series::instances(world, account, master)
        .await
        .iter()
        .map(|i| {
            (
                i["subject"].as_str().unwrap().to_owned(),
                i["location"]["displayName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

fn times(n: usize, title: &str, location: &str) -> Vec<(String, String)> {
    vec![(title.to_owned(), location.to_owned()); n]
}

/// Both sides change the whole series: Quick3 renames it (and with `three`, makes it end after
/// 3 occurrences), Outlook renames it and moves it to Atlas. The sync holds the conflict over
/// the master; two more syncs overwrite neither side. Returns the conflict.
async fn held_series_conflict(
    world: &mut World,
    account: &Account,
    master: &Appointment,
    id: &str,
    three: bool,
) -> ConflictRecord {
    let shorter = Repeat {
        every: RepeatUnit::Weekly,
        count: Some(3),
        ..Repeat::default()
    };
    world
        .store
        .edit_series(
            master.id,
            quick3_core::model::AppointmentPatch {
                title: Some(format!("{SERIES} (Quick3)")),
                ..Default::default()
            },
            three.then_some(&shorter),
            now(),
        )
        .unwrap();
    world
        .outlook_update(
            MEGAN,
            id,
            json!({"subject": format!("{SERIES} (Outlook)"), "location": {"displayName": "Atlas"}}),
        )
        .await;
    let found = world.sync(account).await;
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert_eq!(
        found.conflicts, 1,
        "the series changed on both sides is one conflict: {found:?}"
    );
    assert!(
        found.conflict_notes[0].contains("neither version is overwritten"),
        "{:?}",
        found.conflict_notes
    );
    let quick3_count = if three { 3 } else { 4 };
    for _ in 0..2 {
        let later = world.sync(account).await;
        assert_nothing_changed(&[later]);
        assert_eq!(
            outlook_subjects(world).await,
            strings(&["Crew stand-up (Outlook)"]),
            "Outlook keeps its series while the conflict is open"
        );
        assert_eq!(
            outlook_occurrences(world, account, id).await,
            times(4, "Crew stand-up (Outlook)", "Atlas"),
            "and its four occurrences"
        );
        assert_eq!(
            listed_occurrences(world),
            times(quick3_count, "Crew stand-up (Quick3)", ""),
            "Quick3 keeps its series while the conflict is open"
        );
        assert_eq!(
            world.store.outbox_len(account.id).unwrap(),
            1,
            "the master's upload is held, not sent and not dropped"
        );
    }
    let conflicts = api::conflicts::sync_conflicts(&world.store).unwrap();
    assert_eq!(conflicts.len(), 1, "listed once: {conflicts:?}");
    let conflict = conflicts[0].clone();
    assert_eq!(conflict.appointment_id, master.id, "held over the master");
    let mut fields = vec![ConflictField::Subject, ConflictField::Location];
    if three {
        fields.push(ConflictField::Pattern);
    }
    assert_eq!(conflict.fields, fields, "only the fields that differ");
    let (mine, theirs) = (
        conflict.quick3.repeat.clone().unwrap(),
        conflict.outlook.repeat.clone().unwrap(),
    );
    assert!(theirs.contains('4'), "Outlook's pattern in words: {theirs}");
    assert_eq!(
        mine.contains('3'),
        three,
        "Quick3's pattern in words: {mine}"
    );
    assert!(
        matches!(
            world.store.upload_states().unwrap().get(&master.id),
            Some(UploadState::Conflict { conflict: c, .. }) if *c == conflict.id
        ),
        "the series' cards show the conflict"
    );
    conflict
}

#[tokio::test]
async fn a_series_changed_on_both_sides_keeps_quick3s_when_chosen() {
    let (mut world, account, master, id) = series_in_both().await;
    let conflict = held_series_conflict(&mut world, &account, &master, &id, false).await;
    api::conflicts::resolve_conflict(&mut world.store, conflict.id, Keep::Quick3, now()).unwrap();
    settled_quietly(&mut world, &account).await;
    assert_eq!(
        outlook_subjects(&world).await,
        strings(&["Crew stand-up (Quick3)"]),
        "Outlook's master was patched to Quick3's version, no second series"
    );
    assert_eq!(
        outlook_occurrences(&world, &account, &id).await,
        times(4, "Crew stand-up (Quick3)", ""),
        "every occurrence follows it"
    );
    assert_eq!(
        listed_occurrences(&world),
        times(4, "Crew stand-up (Quick3)", ""),
        "Quick3 shows its series once"
    );
}

#[tokio::test]
async fn a_series_changed_on_both_sides_takes_outlooks_when_chosen() {
    let (mut world, account, master, id) = series_in_both().await;
    let conflict = held_series_conflict(&mut world, &account, &master, &id, true).await;
    let outcome =
        api::conflicts::resolve_conflict(&mut world.store, conflict.id, Keep::Outlook, now())
            .unwrap();
    assert!(outcome.message.contains("Outlook's version"), "{outcome:?}");
    assert_eq!(
        listed_occurrences(&world),
        times(4, "Crew stand-up (Outlook)", "Atlas"),
        "Quick3 takes Outlook's subject, location and pattern (four again)"
    );
    settled_quietly(&mut world, &account).await;
    assert_eq!(
        outlook_subjects(&world).await,
        strings(&["Crew stand-up (Outlook)"])
    );
    assert_eq!(
        outlook_occurrences(&world, &account, &id).await,
        times(4, "Crew stand-up (Outlook)", "Atlas"),
        "Outlook's series untouched"
    );
    assert_eq!(
        listed_occurrences(&world),
        times(4, "Crew stand-up (Outlook)", "Atlas"),
        "still once each after two syncs"
    );
}

#[tokio::test]
async fn a_series_changed_on_both_sides_becomes_two_series_when_both_are_kept() {
    let (mut world, account, master, id) = series_in_both().await;
    let conflict = held_series_conflict(&mut world, &account, &master, &id, true).await;
    let outcome =
        api::conflicts::resolve_conflict(&mut world.store, conflict.id, Keep::Both, now()).unwrap();
    assert!(outcome.message.contains("second series"), "{outcome:?}");
    let copy = outcome.copy_id.expect("the second series");
    assert!(
        world.store.appointment(copy).unwrap().recurrence.is_some(),
        "Quick3's version is a series of its own"
    );
    settled_quietly(&mut world, &account).await;
    assert_eq!(
        outlook_subjects(&world).await,
        strings(&["Crew stand-up (Outlook)", "Crew stand-up (Quick3)"]),
        "two series in Outlook, each once"
    );
    let second = sync_support::series::outlook_master_id(&world, "Crew stand-up (Quick3)").await;
    assert_eq!(
        outlook_occurrences(&world, &account, &second).await,
        times(3, "Crew stand-up (Quick3)", ""),
        "the second series with Quick3's pattern"
    );
    assert_eq!(
        outlook_occurrences(&world, &account, &id).await,
        times(4, "Crew stand-up (Outlook)", "Atlas"),
        "Outlook's series stays the linked one"
    );
    let mut expected = times(4, "Crew stand-up (Outlook)", "Atlas");
    expected.extend(times(3, "Crew stand-up (Quick3)", ""));
    assert_eq!(
        listed_occurrences(&world),
        expected,
        "Quick3 shows both series, each occurrence once"
    );
    let again =
        api::conflicts::resolve_conflict(&mut world.store, conflict.id, Keep::Both, now()).unwrap();
    assert!(
        again.already && again.copy_id == Some(copy),
        "no third series"
    );
    assert_nothing_changed(&[world.sync(&account).await]);
}

#[tokio::test]
async fn an_up_only_account_holds_a_series_its_refused_patch_found_changed() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Up).await;
    let master = sync_support::series::quick3_series(&mut world, SERIES, &day(2), 4);
    world.sync(&account).await;
    let id = sync_support::series::outlook_master_id(&world, SERIES).await;
    // An occurrence changed in Outlook (which in Exchange may move the master's change key, not
    // its fields): Quick3's edit of the series still goes up, no conflict.
    let first = sync_support::series::instances(&world, &account, &id).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    world
        .outlook_update(MEGAN, &first, json!({"location": {"displayName": "Yard"}}))
        .await;
    world
        .store
        .edit_series(
            master.id,
            quick3_core::model::AppointmentPatch {
                notes: Some("Bring the checklist".into()),
                ..Default::default()
            },
            None,
            now(),
        )
        .unwrap();
    let quiet = world.sync(&account).await;
    assert_eq!(
        (quiet.conflicts, quiet.updated),
        (0, 1),
        "an instance's change is no conflict over the master: {quiet:?}"
    );
    // Both rename the series: the PATCH is refused (412), the look finds Outlook's edit.
    world
        .store
        .edit_series(
            master.id,
            quick3_core::model::AppointmentPatch {
                title: Some(format!("{SERIES} (Quick3)")),
                ..Default::default()
            },
            None,
            now(),
        )
        .unwrap();
    world
        .outlook_update(
            MEGAN,
            &id,
            json!({"subject": format!("{SERIES} (Outlook)")}),
        )
        .await;
    let found = world.sync(&account).await;
    assert_eq!(found.conflicts, 1, "held, not overwritten: {found:?}");
    for _ in 0..2 {
        let later = world.sync(&account).await;
        assert_eq!((later.updated, later.conflicts), (0, 0), "{later:?}");
    }
    assert_eq!(
        outlook_subjects(&world).await,
        strings(&["Crew stand-up (Outlook)"]),
        "Outlook's series is not overwritten while held"
    );
    let conflicts = api::conflicts::sync_conflicts(&world.store).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].appointment_id, master.id);
    assert_eq!(conflicts[0].fields, [ConflictField::Subject]);
    assert!(
        conflicts[0].outlook.repeat.is_some(),
        "Outlook's pattern is kept with its version"
    );
    api::conflicts::resolve_conflict(&mut world.store, conflicts[0].id, Keep::Quick3, now())
        .unwrap();
    let patched = world.sync(&account).await;
    assert_eq!((patched.updated, patched.conflicts), (1, 0), "{patched:?}");
    assert_eq!(
        outlook_subjects(&world).await,
        strings(&["Crew stand-up (Quick3)"]),
        "patched to Quick3's version, one series"
    );
    assert_nothing_changed(&[world.sync(&account).await]);
}

#[tokio::test]
async fn keep_both_copies_the_occurrences_quick3_changed_into_the_second_series() {
    let (mut world, account, master, id) = series_in_both().await;
    // The second occurrence cancelled in Quick3 and synced: three left on each side.
    let second = master.when.covering_span().0 + chrono::Duration::weeks(1);
    world
        .store
        .delete_occurrence(master.id, second, now())
        .unwrap();
    world.sync(&account).await;
    assert_nothing_changed(&[world.sync(&account).await]);
    assert_eq!(
        sync_support::series::instances(&world, &account, &id)
            .await
            .len(),
        3
    );
    // Both rename it (details only: the cancellation stays on both sides).
    world
        .store
        .edit_series(
            master.id,
            quick3_core::model::AppointmentPatch {
                title: Some(format!("{SERIES} (Quick3)")),
                ..Default::default()
            },
            None,
            now(),
        )
        .unwrap();
    world
        .outlook_update(
            MEGAN,
            &id,
            json!({"subject": format!("{SERIES} (Outlook)")}),
        )
        .await;
    assert_eq!(world.sync(&account).await.conflicts, 1);
    let conflict = api::conflicts::sync_conflicts(&world.store)
        .unwrap()
        .remove(0);
    let outcome =
        api::conflicts::resolve_conflict(&mut world.store, conflict.id, Keep::Both, now()).unwrap();
    let copy = outcome.copy_id.expect("the second series");
    settled_quietly(&mut world, &account).await;
    let second_id = sync_support::series::outlook_master_id(&world, "Crew stand-up (Quick3)").await;
    assert_eq!(
        outlook_occurrences(&world, &account, &second_id).await,
        times(3, "Crew stand-up (Quick3)", ""),
        "the second series without the occurrence Quick3 had cancelled"
    );
    assert_eq!(
        outlook_occurrences(&world, &account, &id).await,
        times(3, "Crew stand-up (Outlook)", ""),
        "Outlook's series as it was"
    );
    let mut expected = times(3, "Crew stand-up (Outlook)", "");
    expected.extend(times(3, "Crew stand-up (Quick3)", ""));
    assert_eq!(
        listed_occurrences(&world),
        expected,
        "three of each here too, none twice"
    );
    assert!(
        world
            .store
            .series_rows(copy)
            .unwrap()
            .iter()
            .any(|(row, live)| !live && row.original_start == Some(second)),
        "the copy holds its own cancellation of that occurrence"
    );
}
