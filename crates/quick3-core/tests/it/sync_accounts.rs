//! Several accounts on one resource: each pulls into it, only the main account receives uploads,
//! switching the main account duplicates nothing, and None makes no traffic.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use quick3_core::api::SyncScope;
use quick3_core::model::Direction;
use quick3_core::sync::SyncOptions;
use sync_support::*;

#[tokio::test]
async fn several_accounts_pull_into_one_resource_and_a_main_switch_duplicates_nothing() {
    let mut world = world().await;
    let d = day(6);
    world
        .outlook_create(
            MEGAN,
            timed(
                "Megan's 1:1",
                &format!("{d}T09:00:00"),
                &format!("{d}T09:30:00"),
            ),
        )
        .await;
    world
        .outlook_create(
            ADELE,
            timed(
                "Adele's review",
                &format!("{d}T11:00:00"),
                &format!("{d}T12:00:00"),
            ),
        )
        .await;
    let megan = world.connect(MEGAN, Direction::UpAndDown).await;
    let adele = world.connect(ADELE, Direction::UpAndDown).await;
    assert!(megan.is_main && !adele.is_main);
    let all = SyncScope {
        account: None,
        resource: Some(world.resource),
    };
    let options = SyncOptions::default();

    world.sync_with(all, &options).await;
    assert_eq!(
        world.appointments().len(),
        2,
        "both mailboxes pull into the resource"
    );
    let offsite = world.create_local("Offsite", &format!("{d}T14:00"), &format!("{d}T17:00"));
    world.sync_with(all, &options).await;
    world.sync_with(all, &options).await;
    assert_eq!(
        world.outlook_titled(MEGAN, "Offsite").await.len(),
        1,
        "pushed to the main account"
    );
    assert!(
        world.outlook_titled(ADELE, "Offsite").await.is_empty(),
        "only the main account receives uploads"
    );

    world.store.set_main_account(adele.id).unwrap();
    world.rename_local(offsite.id, "Offsite (agenda)");
    for _ in 0..2 {
        let summaries = world.sync_with(all, &options).await;
        assert!(
            summaries.iter().all(|s| s.errors.is_empty()),
            "{summaries:?}"
        );
    }
    assert_eq!(
        world.outlook_titled(ADELE, "Offsite (agenda)").await.len(),
        1,
        "the new main account receives it"
    );
    assert_eq!(
        world.titled("Offsite (agenda)").len(),
        1,
        "still one appointment in Quick3"
    );
    assert_eq!(
        world.appointments().len(),
        3,
        "nothing imported twice: {:?}",
        world
            .appointments()
            .iter()
            .map(|a| a.title.clone())
            .collect::<Vec<_>>()
    );

    // None: no traffic, the data stays.
    world
        .store
        .edit_account(megan.id, Direction::None, vec![])
        .unwrap();
    world
        .store
        .edit_account(adele.id, Direction::None, vec![])
        .unwrap();
    world.clear_requests().await;
    let summaries = world.sync_with(all, &options).await;
    assert!(summaries.is_empty());
    assert!(
        world.graph_requests().await.is_empty(),
        "None makes no request"
    );
    assert_eq!(world.appointments().len(), 3);
}

#[tokio::test]
async fn a_down_account_of_the_same_mailbox_never_deletes_or_takes_a_quick3_appointment() {
    let mut world = world().await;
    let megan_up = world.connect(MEGAN, Direction::Up).await;
    let d = day(4);
    let planned = world.create_local(
        "Planned in Quick3",
        &format!("{d}T10:00"),
        &format!("{d}T11:00"),
    );
    world.sync(&megan_up).await;
    let uploaded = world.outlook_titled(MEGAN, "Planned in Quick3").await;
    assert_eq!(uploaded.len(), 1, "the upload reached Outlook");

    // The same mailbox, Down, on another resource.
    let home = world.resource;
    world.resource = world
        .store
        .add_resource(
            quick3_core::model::NewResource {
                name: "Boardroom".into(),
                email: None,
                kind: quick3_core::model::ResourceKind::Room,
                colour: None,
                hours: None,
            },
            now(),
        )
        .unwrap()
        .id;
    let megan_down = world.connect(MEGAN, Direction::Down).await;
    world.resource = home;
    world.sync(&megan_down).await;
    let kept = world.store.appointment(planned.id).unwrap();
    assert_eq!(
        kept.resource_id, home,
        "the Quick3 appointment stays where it was planned"
    );

    // Deleted in Outlook: the Down account removes at most its own pulled copies.
    let id = uploaded[0]["id"].as_str().unwrap().to_owned();
    world.outlook_delete(MEGAN, &id).await;
    world.sync(&megan_down).await;
    assert!(
        world.store.appointment(planned.id).is_ok(),
        "a Down sync never deletes an appointment Quick3 owns"
    );
    assert_eq!(
        world.titled("Planned in Quick3").len(),
        1,
        "the Quick3 appointment is still in the Scheduler, once"
    );
}

#[tokio::test]
async fn a_deleted_resources_appointments_leave_outlook_before_its_account_is_removed() {
    let mut world = world().await;
    let d = day(6);
    let megan = world.connect(MEGAN, Direction::Up).await;
    world.create_local("Offsite", &format!("{d}T14:00"), &format!("{d}T17:00"));
    world.sync(&megan).await;
    assert_eq!(world.outlook_titled(MEGAN, "Offsite").await.len(), 1);

    let removed = quick3_core::api::resources::delete_resource(
        &mut world.store,
        Some(&world.credentials),
        world.resource,
        quick3_core::api::resources::AppointmentsOnDelete::Delete,
        now(),
    )
    .unwrap();
    assert_eq!(
        removed.accounts_held,
        [MEGAN],
        "the account that must send the deletion stays until it has: {}",
        removed.message
    );
    assert_eq!(world.store.all_accounts().unwrap().len(), 1);
    let summaries = world
        .sync_with(SyncScope::default(), &SyncOptions::default())
        .await;
    assert_eq!(summaries[0].deleted, 1, "{summaries:?}");
    assert!(
        world.outlook_titled(MEGAN, "Offsite").await.is_empty(),
        "the deleted resource's appointment left Outlook through the outbox"
    );
    assert!(
        world.store.all_accounts().unwrap().is_empty(),
        "once its deletions are sent, the account goes with its resource"
    );
    assert!(
        !world.credentials.has_sign_in(&megan).unwrap(),
        "its sign-in left the keyring"
    );
}

#[tokio::test]
async fn a_deleted_resource_keeping_its_history_removes_its_account_and_sign_in_at_once() {
    let mut world = world().await;
    let d = day(6);
    world
        .outlook_create(
            MEGAN,
            timed(
                "Megan's 1:1",
                &format!("{d}T09:00:00"),
                &format!("{d}T09:30:00"),
            ),
        )
        .await;
    let megan = world.connect(MEGAN, Direction::Down).await;
    world.sync(&megan).await;
    assert_eq!(world.titled("Megan's 1:1").len(), 1);

    let removed = quick3_core::api::resources::delete_resource(
        &mut world.store,
        Some(&world.credentials),
        world.resource,
        quick3_core::api::resources::AppointmentsOnDelete::Keep,
        now(),
    )
    .unwrap();
    assert_eq!(removed.accounts_removed, [MEGAN], "{}", removed.message);
    assert!(
        removed.accounts_held.is_empty(),
        "a Down account has nothing to send"
    );
    assert!(
        removed.message.contains(&format!(
            "Removed its Microsoft 365 account {MEGAN} and its sign-in."
        )),
        "{}",
        removed.message
    );
    assert!(world.store.all_accounts().unwrap().is_empty());
    assert!(
        !world.credentials.has_sign_in(&megan).unwrap(),
        "its sign-in left the keyring with it"
    );
    assert_eq!(
        world.titled("Megan's 1:1").len(),
        1,
        "the pulled appointment is kept as the deleted resource's history"
    );
}
