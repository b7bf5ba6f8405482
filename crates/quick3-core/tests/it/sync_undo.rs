//! Undo of a sync run and the preview of a sync, against the emulator: a mass deletion allowed
//! and then undone brings every appointment back on both sides, once; an Up run that moved 20
//! appointments undone puts Outlook back at the old times; undoing twice undoes once; what
//! changed in Outlook since the run is skipped and said before (the undo's dry run); the preview
//! lists what a sync would change on both sides, and the deletions the guard holds back, while
//! writing nothing.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use std::collections::BTreeMap;

use quick3_core::api::SyncScope;
use quick3_core::api::journal as journal_api;
use quick3_core::api::undo::{preview_groups, preview_sync, undo_run};
use quick3_core::ids::SyncRunId;
use quick3_core::model::{
    Account, AppointmentPatch, ChangeCause, ChangeKind, ChangeSide, Direction, SyncTrigger,
    UndoAction,
};
use quick3_core::sync::{SyncOptions, SyncSummary};
use serde_json::json;
use sync_support::*;

fn last_run(world: &World, account: &Account) -> SyncRunId {
    journal_api::recent_runs(&world.store, Some(account.id), None).unwrap()[0].id
}

async fn undo(world: &mut World, run: SyncRunId, dry_run: bool) -> SyncSummary {
    undo_run(&mut world.store, &world.credentials, run, dry_run, &now)
        .await
        .unwrap()
}

fn actions(summary: &SyncSummary) -> BTreeMap<String, usize> {
    let mut counted = BTreeMap::new();
    for item in &summary.undo {
        *counted.entry(format!("{:?}", item.action)).or_insert(0) += 1;
    }
    counted
}

/// Subjects of Megan's Outlook events with how many events have each.
async fn outlook_subjects(world: &World) -> BTreeMap<String, usize> {
    let mut counted = BTreeMap::new();
    for event in world.outlook_events(MEGAN).await {
        *counted
            .entry(event["subject"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    counted
}

fn local_subjects(world: &World) -> BTreeMap<String, usize> {
    let mut counted = BTreeMap::new();
    for a in world.appointments() {
        *counted.entry(a.title).or_insert(0) += 1;
    }
    counted
}

fn scope(account: &Account) -> SyncScope {
    SyncScope {
        account: Some(account.id),
        resource: None,
    }
}

#[tokio::test]
async fn a_mass_deletion_undone_brings_every_appointment_back_on_both_sides_once() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let ids = with_events(&world, 24).await;
    world.sync(&account).await;
    let before = local_subjects(&world);
    assert_eq!(before.len(), 24, "{before:?}");
    for id in &ids[..20] {
        world.outlook_delete(MEGAN, id).await;
    }
    let allowed = SyncOptions {
        allow_mass_delete: true,
        ..SyncOptions::default()
    };
    world.sync_with(scope(&account), &allowed).await;
    assert_eq!(world.appointments().len(), 4, "the mass deletion came down");
    let mass = last_run(&world, &account);

    let preview = undo(&mut world, mass, true).await;
    assert_eq!(
        actions(&preview),
        BTreeMap::from([("Recreate".to_owned(), 20)]),
        "the dry run says each deletion comes back: {:?}",
        preview.undo
    );
    assert_eq!(world.appointments().len(), 4, "a dry run writes nothing");

    let undone = undo(&mut world, mass, false).await;
    assert_eq!(undone.errors, Vec::<String>::new(), "{undone:?}");
    assert_eq!(actions(&undone), actions(&preview), "it does what it said");
    assert_eq!(
        undone.added, 20,
        "20 events created again in Outlook: {undone:?}"
    );
    assert_eq!(
        local_subjects(&world),
        before,
        "every appointment back in Quick3, once"
    );
    assert_eq!(
        outlook_subjects(&world).await,
        before,
        "every appointment back in Outlook, once"
    );
    let run = journal_api::recent_runs(&world.store, Some(account.id), None).unwrap()[0].clone();
    assert_eq!(
        (run.trigger, run.undoes_run),
        (SyncTrigger::Undo, Some(mass)),
        "the undo is a run of its own, naming the run it undoes"
    );
    let lines = journal_api::run_changes(&world.store, run.id)
        .unwrap()
        .changes;
    assert!(
        lines.len() == 40 && lines.iter().all(|l| l.cause == ChangeCause::Undo),
        "20 restored in Quick3 and 20 created in Outlook, each for the undo: {lines:?}"
    );
    let restored = world.titled("Event 0").remove(0);
    assert_eq!(
        restored.origin,
        quick3_core::model::Origin::Quick3,
        "a restored appointment whose event is gone is Quick3's own now"
    );

    for n in 1..=2 {
        let calm = world.sync(&account).await;
        assert_nothing_changed(std::slice::from_ref(&calm));
        assert_eq!(calm.errors, Vec::<String>::new(), "sync {n}: {calm:?}");
    }
    let again = undo(&mut world, mass, false).await;
    assert!(
        again.undo.iter().all(|i| i.action == UndoAction::Skip
            && i.reason
                .as_deref()
                .is_some_and(|r| r.contains("undid it already"))),
        "undoing twice undoes once: {:?}",
        again.undo
    );
    assert_eq!(local_subjects(&world), before, "still each once in Quick3");
    assert_eq!(outlook_subjects(&world).await, before, "and in Outlook");
}

#[tokio::test]
async fn an_up_run_that_moved_20_appointments_undone_puts_outlook_back_at_the_old_times() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let mut made = Vec::new();
    for i in 0..20 {
        let d = day(1 + i);
        made.push(world.create_local(
            &format!("Visit {i}"),
            &format!("{d}T09:00"),
            &format!("{d}T10:00"),
        ));
    }
    world.sync(&account).await;
    let starts = |events: Vec<serde_json::Value>| -> BTreeMap<String, String> {
        events
            .into_iter()
            .map(|e| {
                (
                    e["subject"].as_str().unwrap().to_owned(),
                    e["start"]["dateTime"].as_str().unwrap()[..16].to_owned(),
                )
            })
            .collect()
    };
    let old = starts(world.outlook_events(MEGAN).await);
    assert_eq!(old.len(), 20);
    for (i, a) in made.iter().enumerate() {
        let d = day(1 + i as i64);
        world
            .store
            .edit_appointment(
                a.id,
                AppointmentPatch {
                    start: Some(format!("{d}T11:00")),
                    end: Some(format!("{d}T12:00")),
                    ..Default::default()
                },
                now(),
            )
            .unwrap();
    }
    let moved = world.sync(&account).await;
    assert_eq!(moved.updated, 20, "{moved:?}");
    assert_ne!(
        starts(world.outlook_events(MEGAN).await),
        old,
        "Outlook moved"
    );
    let run = last_run(&world, &account);

    let undone = undo(&mut world, run, false).await;
    assert_eq!(
        actions(&undone),
        BTreeMap::from([("PutBack".to_owned(), 20)]),
        "{:?}",
        undone.undo
    );
    assert_eq!(
        (undone.updated, undone.added, undone.deleted),
        (20, 0, 0),
        "20 PATCHes, nothing created or deleted: {undone:?}"
    );
    assert_eq!(
        starts(world.outlook_events(MEGAN).await),
        old,
        "Outlook is back at the old times"
    );
    for a in &made {
        let back = world.store.appointment(a.id).unwrap();
        assert_eq!(back.when, a.when, "Quick3 is back at the old time too");
    }
    let calm = world.sync(&account).await;
    assert_nothing_changed(std::slice::from_ref(&calm));
    let twice = undo(&mut world, run, false).await;
    assert_eq!(
        (twice.updated, actions(&twice)),
        (0, BTreeMap::from([("Skip".to_owned(), 20)])),
        "undoing twice changes nothing: {twice:?}"
    );
}

#[tokio::test]
async fn an_event_changed_in_outlook_since_the_run_is_skipped_and_said_before() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let d = day(3);
    let kept = world.create_local("Kept", &format!("{d}T09:00"), &format!("{d}T10:00"));
    let other = world.create_local("Other", &format!("{d}T13:00"), &format!("{d}T14:00"));
    world.sync(&account).await;
    world.rename_local(kept.id, "Kept (moved on)");
    world.rename_local(other.id, "Other (renamed)");
    world.sync(&account).await;
    let run = last_run(&world, &account);
    let event = world
        .outlook_titled(MEGAN, "Other (renamed)")
        .await
        .remove(0);
    world
        .outlook_update(
            MEGAN,
            event["id"].as_str().unwrap(),
            json!({"location": {"displayName": "Room 7"}}),
        )
        .await;

    let said = undo(&mut world, run, true).await;
    let by_action: BTreeMap<String, (UndoAction, Option<String>)> = said
        .undo
        .iter()
        .map(|i| (i.name.clone(), (i.action, i.reason.clone())))
        .collect();
    let (action, reason) = by_action
        .iter()
        .find(|(name, _)| name.contains("Other"))
        .unwrap()
        .1
        .clone();
    assert_eq!(
        (action, reason.as_deref()),
        (
            UndoAction::Skip,
            Some("its event was changed in Outlook since the run")
        ),
        "said before, plainly: {said:?}"
    );
    assert!(
        said.undo
            .iter()
            .any(|i| i.name.contains("Kept") && i.action == UndoAction::PutBack),
        "{said:?}"
    );
    assert_eq!(
        world.store.appointment(kept.id).unwrap().title,
        "Kept (moved on)",
        "the dry run changed nothing"
    );

    let undone = undo(&mut world, run, false).await;
    let undo_run_id = last_run(&world, &account);
    let pushed: Vec<String> = journal_api::run_changes(&world.store, undo_run_id)
        .unwrap()
        .changes
        .into_iter()
        .filter(|c| c.side == ChangeSide::Outlook && c.cause == ChangeCause::Undo)
        .map(|c| c.title)
        .collect();
    assert_eq!(
        pushed,
        ["Kept"],
        "only the one not changed since goes back: {undone:?}"
    );
    assert_eq!(world.store.appointment(kept.id).unwrap().title, "Kept");
    assert_eq!(world.outlook_titled(MEGAN, "Kept").await.len(), 1);
    assert_eq!(
        world.outlook_titled(MEGAN, "Other (renamed)").await[0]["location"]["displayName"],
        "Room 7",
        "Outlook's later change stays"
    );
}

#[tokio::test]
async fn the_preview_lists_both_sides_by_kind_and_the_deletions_held_back_writing_nothing() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let ids = with_events(&world, 14).await;
    world.sync(&account).await;
    let d = day(2);
    world
        .outlook_create(
            MEGAN,
            timed(
                "New in Outlook",
                &format!("{d}T15:00:00"),
                &format!("{d}T16:00:00"),
            ),
        )
        .await;
    world
        .outlook_update(MEGAN, &ids[0], json!({"subject": "Event 0 (renamed)"}))
        .await;
    world.create_local(
        "New in Quick3",
        &format!("{d}T08:00"),
        &format!("{d}T08:30"),
    );
    let summaries = preview_sync(&mut world.store, &world.credentials, scope(&account), &now)
        .await
        .unwrap();
    let preview = &summaries[0].preview;
    let groups: Vec<(ChangeSide, ChangeKind, Vec<String>)> = preview_groups(preview)
        .into_iter()
        .map(|g| {
            (
                g.side,
                g.kind,
                g.changes.iter().map(|c| c.name.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(groups.len(), 3, "{groups:?}");
    assert_eq!(
        (groups[0].0, groups[0].1),
        (ChangeSide::Quick3, ChangeKind::Created)
    );
    assert!(groups[0].2[0].contains("New in Outlook"), "{groups:?}");
    assert_eq!(
        (groups[1].0, groups[1].1),
        (ChangeSide::Quick3, ChangeKind::Updated)
    );
    assert!(groups[1].2[0].contains("Event 0 (renamed)"), "{groups:?}");
    assert_eq!(
        (groups[2].0, groups[2].1),
        (ChangeSide::Outlook, ChangeKind::Created)
    );
    assert!(groups[2].2[0].contains("New in Quick3"), "{groups:?}");
    let renamed = preview
        .iter()
        .find(|c| c.kind == ChangeKind::Updated)
        .unwrap();
    assert_eq!(
        renamed
            .fields
            .iter()
            .map(|f| f.field.as_str())
            .collect::<Vec<_>>(),
        ["subject"],
        "a change names its fields"
    );
    assert!(
        world.titled("New in Outlook").is_empty(),
        "a preview writes nothing"
    );

    let applied = world.sync(&account).await;
    assert_eq!(
        (applied.added, applied.updated),
        (2, 1),
        "the sync does what the preview listed: {applied:?}"
    );

    for id in &ids[1..14] {
        world.outlook_delete(MEGAN, id).await;
    }
    let held = preview_sync(&mut world.store, &world.credentials, scope(&account), &now)
        .await
        .unwrap()
        .remove(0);
    assert!(held.mass_delete_blocked.is_some(), "{held:?}");
    assert_eq!(held.deleted, 0, "nothing counted as deleted: {held:?}");
    assert_eq!(
        held.preview
            .iter()
            .filter(|c| c.held_back && c.kind == ChangeKind::Deleted)
            .count(),
        13,
        "the question lists the deletions it holds back: {:?}",
        held.preview
    );
    assert_eq!(world.appointments().len(), 16, "still nothing written");
}
