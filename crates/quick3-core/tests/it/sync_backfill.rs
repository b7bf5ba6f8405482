//! An account that becomes the upload target receives the schedule it lacks: Quick3 appointments
//! made before it was connected (or before it became the main account) go up at its next sync,
//! once — not only those edited later. Past appointments behind the window and deleted ones stay.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use quick3_core::api::SyncScope;
use quick3_core::model::Direction;
use quick3_core::sync::SyncOptions;
use sync_support::*;

#[tokio::test]
async fn the_upload_target_receives_the_appointments_made_before_it() {
    let mut world = world().await;
    let (soon, past) = (day(2), day(-60));
    world.create_local(
        "Planned before",
        &format!("{soon}T10:00"),
        &format!("{soon}T11:00"),
    );
    world.create_local(
        "Long ago",
        &format!("{past}T10:00"),
        &format!("{past}T11:00"),
    );
    let gone = world.create_local(
        "Cancelled",
        &format!("{soon}T12:00"),
        &format!("{soon}T13:00"),
    );
    world.store.delete_appointment(gone.id, now()).unwrap();

    let megan = world.connect(MEGAN, Direction::Up).await;
    let first = world.sync(&megan).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert_eq!(world.outlook_titled(MEGAN, "Planned before").await.len(), 1);
    assert!(
        world.outlook_titled(MEGAN, "Long ago").await.is_empty(),
        "behind the window: not uploaded"
    );
    assert!(world.outlook_titled(MEGAN, "Cancelled").await.is_empty());

    world.clear_requests().await;
    world.sync(&megan).await;
    assert!(
        world.graph_requests().await.is_empty(),
        "nothing left to send: a quiet Up makes no request"
    );
    assert_eq!(
        world.outlook_titled(MEGAN, "Planned before").await.len(),
        1,
        "once"
    );

    // Adele becomes the main account: she receives it too; Megan keeps her one copy.
    let adele = world.connect(ADELE, Direction::Up).await;
    world.store.set_main_account(adele.id).unwrap();
    let all = SyncScope {
        account: None,
        resource: Some(world.resource),
    };
    for _ in 0..2 {
        let summaries = world.sync_with(all, &SyncOptions::default()).await;
        assert!(
            summaries.iter().all(|s| s.errors.is_empty()),
            "{summaries:?}"
        );
    }
    assert_eq!(world.outlook_titled(ADELE, "Planned before").await.len(), 1);
    assert_eq!(world.outlook_titled(MEGAN, "Planned before").await.len(), 1);
    assert_eq!(
        world.titled("Planned before").len(),
        1,
        "still one in Quick3"
    );
}
