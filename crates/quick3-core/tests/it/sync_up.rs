//! Up and Up and Down against the emulator: create, edit and delete pushed with a transactionId
//! and the Quick3Id tag, idempotent after a lost answer; 1,000 edits in at most 55 requests, never
//! more than 4 at once; pushed events recognised on the way down; Outlook edits flowing back;
//! conflicts held and reported.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use quick3_core::ErrorCode;
use quick3_core::graph::QUICK3_ID_PROPERTY;
use quick3_core::graph::event::{new_event, transaction_id};
use quick3_core::model::Content;
use quick3_core::model::{Direction, Origin};
use serde_json::json;
use sync_support::*;

#[tokio::test]
async fn up_creates_patches_and_deletes_with_a_tag_and_a_transaction_id() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Up).await;
    let d = day(2);
    let review = world.create_local(
        "Budget review",
        &format!("{d}T10:00"),
        &format!("{d}T11:00"),
    );
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        1,
        "the change waits in the outbox"
    );

    let created = world.sync(&account).await;
    assert!(created.errors.is_empty(), "{:?}", created.errors);
    assert_eq!(created.added, 1);
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        0,
        "confirmed pushes leave the outbox"
    );
    let events = world.outlook_titled(MEGAN, "Budget review").await;
    assert_eq!(events.len(), 1, "one event in Outlook");
    assert_eq!(
        events[0]["transactionId"],
        json!(transaction_id(review.id, account.id.0, 0)),
        "the POST carried the deterministic transactionId"
    );
    let filter = format!(
        "/me/events?$filter=singleValueExtendedProperties/Any(ep: ep/id eq '{QUICK3_ID_PROPERTY}' and ep/value eq '{}')",
        review.id
    );
    let tagged = world.graph_get(&account, &filter).await;
    assert_eq!(
        tagged["value"].as_array().unwrap().len(),
        1,
        "tagged with the appointment id"
    );

    world.rename_local(review.id, "Budget review (final)");
    let edited = world.sync(&account).await;
    assert_eq!(edited.updated, 1, "{edited:?}");
    assert_eq!(
        world
            .outlook_titled(MEGAN, "Budget review (final)")
            .await
            .len(),
        1
    );
    assert!(
        world
            .outlook_titled(MEGAN, "Budget review")
            .await
            .is_empty(),
        "patched, not duplicated"
    );

    world.clear_requests().await;
    let nothing = world.sync(&account).await;
    assert_eq!(
        nothing.requests, 0,
        "Up with an empty outbox makes no request"
    );

    world.store.delete_appointment(review.id, now()).unwrap();
    let deleted = world.sync(&account).await;
    assert_eq!(deleted.deleted, 1);
    assert!(
        world
            .outlook_titled(MEGAN, "Budget review (final)")
            .await
            .is_empty(),
        "deleted in Outlook"
    );
}

#[tokio::test]
async fn a_push_whose_answer_was_lost_is_not_duplicated() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Up).await;
    let d = day(4);
    let appointment = world.create_local(
        "Board meeting",
        &format!("{d}T14:00"),
        &format!("{d}T15:00"),
    );
    // The first attempt reached Microsoft, then the process died before the answer was stored.
    let body = new_event(
        &Content::of(&appointment),
        appointment.id,
        &transaction_id(appointment.id, account.id.0, 0),
    );
    world.graph_post(&account, "/me/events", &body).await;

    let summary = world.sync(&account).await;
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert_eq!(
        world.outlook_titled(MEGAN, "Board meeting").await.len(),
        1,
        "the retried POST with the same transactionId returned the same event"
    );
    world.rename_local(appointment.id, "Board meeting (moved)");
    world.sync(&account).await;
    assert_eq!(
        world
            .outlook_titled(MEGAN, "Board meeting (moved)")
            .await
            .len(),
        1,
        "and it is linked"
    );
}

#[tokio::test]
async fn a_thousand_edits_take_at_most_55_requests_never_more_than_4_at_once() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Up).await;
    let mut ids = Vec::new();
    for i in 0..1000 {
        let d = day(1 + (i % 300));
        let hour = 8 + (i / 300);
        ids.push(
            world
                .create_local(
                    &format!("Slot {i}"),
                    &format!("{d}T{hour:02}:00"),
                    &format!("{d}T{hour:02}:30"),
                )
                .id,
        );
    }
    world.clear_requests().await;
    let created = world.sync(&account).await;
    assert!(
        created.errors.is_empty(),
        "{:?}",
        &created.errors[..created.errors.len().min(3)]
    );
    assert_eq!(created.added, 1000);
    let log = world.graph_requests().await;
    assert!(log.len() <= 55, "1,000 creates in {} requests", log.len());
    assert!(
        log.iter().all(|r| r["status"] != 429),
        "never throttled: never more than 4 in flight"
    );

    for (i, id) in ids.iter().enumerate() {
        world.rename_local(*id, &format!("Slot {i} (edited)"));
    }
    world.clear_requests().await;
    let edited = world.sync(&account).await;
    assert_eq!(
        edited.updated,
        1000,
        "{:?}",
        &edited.errors[..edited.errors.len().min(3)]
    );
    let log = world.graph_requests().await;
    assert!(
        log.len() <= 55,
        "1,000 edits in {} requests (goal ≤ 55)",
        log.len()
    );
    assert_eq!(
        edited.requests as usize,
        log.len(),
        "the summary counts what the emulator saw"
    );
    assert!(
        log.iter().all(|r| r["status"] != 429),
        "no 429: at most 4 requests of the mailbox ran at once"
    );
}

#[tokio::test]
async fn up_and_down_recognises_its_own_events_and_outlook_edits_flow_back() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let d = day(5);
    let planning = world.create_local("Planning", &format!("{d}T09:00"), &format!("{d}T10:00"));
    world.sync(&account).await;
    let echo = world.sync(&account).await;
    assert_eq!(
        (echo.added, echo.updated),
        (0, 0),
        "the pushed event is recognised on the way down: {echo:?}"
    );
    assert_eq!(world.titled("Planning").len(), 1, "never imported twice");

    let event = world.outlook_titled(MEGAN, "Planning").await.remove(0);
    let id = event["id"].as_str().unwrap().to_owned();
    world
        .outlook_update(
            MEGAN,
            &id,
            json!({"subject": "Planning (room changed)", "location": {"displayName": "Atlas"}}),
        )
        .await;
    let back = world.sync(&account).await;
    assert_eq!(back.updated, 1, "{back:?}");
    let local = world.store.appointment(planning.id).unwrap();
    assert_eq!(
        (local.title.as_str(), local.location.as_str()),
        ("Planning (room changed)", "Atlas")
    );
    assert_eq!(local.origin, Origin::Quick3, "still Quick3's appointment");

    // Both sides change: held as a conflict, nothing overwritten, until the planner keeps
    // Quick3's version (`sync_conflicts` has the other ways).
    world.rename_local(planning.id, "Planning (Quick3)");
    world
        .outlook_update(MEGAN, &id, json!({"subject": "Planning (Outlook)"}))
        .await;
    let clash = world.sync(&account).await;
    assert_eq!(clash.conflicts, 1, "{clash:?}");
    assert!(
        clash.conflict_notes[0].contains("neither version is overwritten"),
        "{:?}",
        clash.conflict_notes
    );
    assert_eq!(
        world
            .outlook_titled(MEGAN, "Planning (Outlook)")
            .await
            .len(),
        1,
        "Outlook's version is not overwritten"
    );
    let conflict = quick3_core::api::conflicts::sync_conflicts(&world.store).unwrap()[0].id;
    quick3_core::api::conflicts::resolve_conflict(
        &mut world.store,
        conflict,
        quick3_core::model::Keep::Quick3,
        now(),
    )
    .unwrap();
    world.sync(&account).await;
    assert_eq!(
        world.outlook_titled(MEGAN, "Planning (Quick3)").await.len(),
        1,
        "Quick3's version reached Outlook"
    );
    assert_eq!(
        world.store.appointment(planning.id).unwrap().title,
        "Planning (Quick3)"
    );
    let calm = world.sync(&account).await;
    assert_eq!(
        (calm.conflicts, calm.updated, calm.added),
        (0, 0, 0),
        "settled: {calm:?}"
    );

    // An Outlook event belongs to Outlook: its copy refuses local changes (they could never be
    // uploaded), and Outlook's edits arrive.
    let outlook = world
        .outlook_create(
            MEGAN,
            timed(
                "Vendor call",
                &format!("{d}T13:00:00"),
                &format!("{d}T14:00:00"),
            ),
        )
        .await;
    world.sync(&account).await;
    let copy = world.titled("Vendor call").remove(0);
    let refused = world
        .store
        .edit_appointment(
            copy.id,
            quick3_core::model::AppointmentPatch {
                title: Some("Vendor call (local)".into()),
                ..Default::default()
            },
            now(),
        )
        .unwrap_err();
    assert_eq!(
        refused.code(),
        ErrorCode::ReadOnly,
        "a pulled copy is read-only in Quick3"
    );
    assert!(refused.to_string().contains("change it in Outlook"));
    assert_eq!(
        world
            .store
            .delete_appointment(copy.id, now())
            .unwrap_err()
            .code(),
        ErrorCode::ReadOnly
    );
    world
        .outlook_update(
            MEGAN,
            outlook["id"].as_str().unwrap(),
            json!({"subject": "Vendor call (Outlook)"}),
        )
        .await;
    let update = world.sync(&account).await;
    assert_eq!(update.conflicts, 0, "{update:?}");
    assert_eq!(
        world.store.appointment(copy.id).unwrap().title,
        "Vendor call (Outlook)",
        "Outlook's edit arrives"
    );
}

#[tokio::test]
async fn sync_messages_name_a_private_appointment_without_its_subject() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let d = day(3);
    let private = world
        .store
        .create_appointment(
            quick3_core::model::AppointmentInput {
                resource_id: world.resource,
                title: "Salary talk with HR".into(),
                all_day: false,
                start: format!("{d}T10:00"),
                end: Some(format!("{d}T11:00")),
                time_zone: None,
                location: None,
                notes: None,
                categories: vec![],
                show_as: None,
                sensitivity: Some(quick3_core::model::Sensitivity::Private),
            },
            now(),
        )
        .unwrap();
    world.sync(&account).await;
    let event = world.outlook_titled(MEGAN, "Salary talk with HR").await;
    assert_eq!(event.len(), 1, "pushed");

    // Changed on both sides: a conflict note.
    world.rename_local(private.id, "Salary talk with HR (moved)");
    world
        .outlook_update(
            MEGAN,
            event[0]["id"].as_str().unwrap(),
            json!({"subject": "Salary talk with HR (Outlook)"}),
        )
        .await;
    let summary = world.sync(&account).await;
    // Settled with Quick3's version; then an upload refused: an error naming it.
    let conflict = quick3_core::api::conflicts::sync_conflicts(&world.store).unwrap()[0].id;
    let settled = quick3_core::api::conflicts::resolve_conflict(
        &mut world.store,
        conflict,
        quick3_core::model::Keep::Quick3,
        now(),
    )
    .unwrap();
    assert!(
        settled.message.starts_with("A private appointment ("),
        "{}",
        settled.message
    );
    world.rename_local(private.id, "Salary talk with HR (again)");
    world
        .add_fault(json!({"path": "/v1.0/$batch", "count": 10, "kind": "status", "status": 400}))
        .await;
    let failed = world.sync(&account).await;

    let messages: Vec<&String> = summary
        .conflict_notes
        .iter()
        .chain([&settled.message])
        .chain(&summary.errors)
        .chain(&failed.conflict_notes)
        .chain(&failed.errors)
        .collect();
    assert!(summary.conflicts > 0, "{summary:?}");
    assert!(!failed.errors.is_empty(), "{failed:?}");
    for message in messages {
        assert!(
            !message.contains("Salary"),
            "the subject was quoted: {message}"
        );
    }
    assert!(
        summary.conflict_notes[0].starts_with("A private appointment ("),
        "{:?}",
        summary.conflict_notes
    );
}
