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

    world.store.set_may_edit_resource_settings(true).unwrap();
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

    world.store.set_may_edit_resource_settings(true).unwrap();
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

/// Runs a scheduled "Synchronize Office365 Calendars" job of every resource, as the app and
/// `quick3 daemon` do, on a store connection of its own.
async fn run_sync_job(world: &mut World) -> quick3_core::jobs::JobOutcome {
    use quick3_core::model::{FailureNotice, Frequency, FrequencyUnit, JobKind, JobScope, JobSpec};
    let name = format!("Sync {}", world.store.list_jobs().unwrap().len());
    let job = quick3_core::api::add_job(
        &mut world.store,
        JobSpec {
            name,
            kind: JobKind::SynchronizeOffice365Calendars,
            frequency: Frequency {
                every: 15,
                unit: FrequencyUnit::Minutes,
            },
            enabled: true,
            active_hours: None,
            scope: JobScope::AllResources,
            notify: FailureNotice::default(),
        },
        now(),
    )
    .unwrap();
    let path = world.store.path().unwrap().to_path_buf();
    quick3_core::jobs::work::run(&path, &world.credentials, &job, &now).await
}

#[tokio::test]
async fn an_archived_resources_accounts_make_no_graph_request_until_it_is_restored() {
    let mut world = world().await;
    let d = day(6);
    let megan = world.connect(MEGAN, Direction::UpAndDown).await;
    world.sync(&megan).await;
    world.store.set_may_edit_resource_settings(true).unwrap();
    let archived =
        quick3_core::api::resources::archive_resource(&mut world.store, world.resource, now())
            .unwrap();
    assert_eq!(
        archived.accounts,
        [MEGAN],
        "the archive paused Megan's account"
    );
    world
        .outlook_create(
            MEGAN,
            timed(
                "Booked while archived",
                &format!("{d}T09:00:00"),
                &format!("{d}T09:30:00"),
            ),
        )
        .await;

    world.clear_requests().await;
    let outcome = run_sync_job(&mut world).await;
    assert!(outcome.succeeded, "{:?}", outcome.failures);
    let resource_scope = SyncScope {
        account: None,
        resource: Some(world.resource),
    };
    let summaries = world
        .sync_with(resource_scope, &SyncOptions::default())
        .await;
    assert!(
        summaries.is_empty(),
        "a sync of the resource syncs no account: {summaries:?}"
    );
    assert_eq!(
        world.graph_requests().await.len(),
        0,
        "neither the scheduled job nor a sync of the archived resource asks Graph for its mailbox"
    );
    assert!(world.titled("Booked while archived").is_empty());

    let restored =
        quick3_core::api::resources::restore_resource(&mut world.store, world.resource, now())
            .unwrap();
    assert_eq!(restored.accounts, [MEGAN]);
    assert_eq!(
        world.store.account(megan.id).unwrap().direction,
        Direction::UpAndDown,
        "restored with the direction it had"
    );
    let outcome = run_sync_job(&mut world).await;
    assert!(outcome.succeeded, "{:?}", outcome.failures);
    assert!(
        !world.graph_requests().await.is_empty(),
        "the restored resource's account syncs again"
    );
    assert_eq!(
        world.titled("Booked while archived").len(),
        1,
        "what Outlook got meanwhile comes down once it is restored"
    );
}

#[tokio::test]
async fn a_deleted_resource_keeping_its_history_sends_what_waited_and_pulls_nothing_more() {
    let mut world = world().await;
    let d = day(6);
    let megan = world.connect(MEGAN, Direction::UpAndDown).await;
    world.sync(&megan).await;
    // Saved in Quick3 but not yet sent when the resource is deleted.
    world.create_local(
        "Planned before",
        &format!("{d}T14:00"),
        &format!("{d}T15:00"),
    );
    world.store.set_may_edit_resource_settings(true).unwrap();
    let removed = quick3_core::api::resources::delete_resource(
        &mut world.store,
        Some(&world.credentials),
        world.resource,
        quick3_core::api::resources::AppointmentsOnDelete::Keep,
        now(),
    )
    .unwrap();
    assert_eq!(removed.accounts_held, [MEGAN], "{}", removed.message);
    world
        .outlook_create(
            MEGAN,
            timed(
                "Booked after the deletion",
                &format!("{d}T09:00:00"),
                &format!("{d}T09:30:00"),
            ),
        )
        .await;

    world.clear_requests().await;
    let outcome = run_sync_job(&mut world).await;
    assert!(outcome.succeeded, "{:?}", outcome.failures);
    let pulls: Vec<String> = world
        .graph_requests()
        .await
        .iter()
        .map(|r| format!("{} {}", r["method"], r["path"]))
        .filter(|r| r.contains("delta"))
        .collect();
    assert_eq!(pulls, Vec::<String>::new(), "the held account only uploads");
    assert_eq!(
        world.outlook_titled(MEGAN, "Planned before").await.len(),
        1,
        "the upload saved before the deletion still reaches Outlook"
    );
    assert!(
        world.titled("Booked after the deletion").is_empty(),
        "nothing more is pulled into a deleted resource"
    );
    assert!(
        world.store.all_accounts().unwrap().is_empty(),
        "once its uploads are sent, the account goes with its resource"
    );
    world.clear_requests().await;
    run_sync_job(&mut world).await;
    assert_eq!(
        world.graph_requests().await.len(),
        0,
        "a later scheduled job asks Graph nothing for it"
    );
}
