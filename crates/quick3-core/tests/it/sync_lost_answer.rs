//! Pushes whose answers were lost (Outlook created the events, Quick3 could not write down that it
//! did) followed by local edits: the next sync recognises the events by their Quick3Id tag and
//! still uploads the edits, instead of taking the events as up to date.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use quick3_core::api::{self, SyncScope};
use quick3_core::model::Direction;
use quick3_core::sync::SyncOptions;
use sync_support::*;

#[tokio::test]
async fn edits_after_lost_push_answers_still_reach_outlook() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Up).await;
    // Enough of them that writing down their links needs new pages of the database file.
    let mut made = Vec::new();
    for i in 0..60 {
        let d = day(1 + i % 30);
        made.push(world.create_local(
            &format!("Offsite {i}"),
            &format!("{d}T10:00"),
            &format!("{d}T11:00"),
        ));
    }

    // The disk fills up after Outlook created the events: their links are never written.
    world.store.cap_pages(0).unwrap();
    let scope = SyncScope {
        account: Some(account.id),
        resource: None,
    };
    let failed = api::sync(
        &mut world.store,
        &world.credentials,
        scope,
        &SyncOptions::default(),
        &now,
        &mut |_| {},
    )
    .await;
    assert!(failed.is_err(), "the full disk stops the sync");
    assert!(
        !world.outlook_events(MEGAN).await.is_empty(),
        "Outlook created events before the store failed"
    );
    world.store.cap_pages(1 << 30).unwrap();

    // Now pulling too, so the next sync meets the events before it uploads; and the planner
    // renames every appointment before that sync.
    let account = world
        .store
        .edit_account(account.id, Direction::UpAndDown, vec![])
        .unwrap();
    for (i, appointment) in made.iter().enumerate() {
        world.rename_local(appointment.id, &format!("Offsite {i} (moved)"));
    }
    for _ in 0..2 {
        let summary = world.sync(&account).await;
        assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    }
    let mut subjects: Vec<String> = world
        .outlook_events(MEGAN)
        .await
        .iter()
        .map(|e| e["subject"].as_str().unwrap().to_owned())
        .collect();
    subjects.sort();
    let mut wanted: Vec<String> = (0..60).map(|i| format!("Offsite {i} (moved)")).collect();
    wanted.sort();
    assert_eq!(
        subjects, wanted,
        "every edit reached Outlook, each event once"
    );
    assert_eq!(world.appointments().len(), 60, "nothing imported twice");
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        0,
        "nothing left to send"
    );
}
