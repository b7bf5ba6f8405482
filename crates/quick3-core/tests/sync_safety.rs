//! Sync when things go wrong: a 410 reset without duplicates, a 429 storm, 503, 504 and a
//! cut-off JSON body, a refresh token revoked mid-sync, and the mass-deletion guard.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod support;
mod sync_support;

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use quick3_core::api::{self, SyncScope};
use quick3_core::model::{AccountStatus, Direction};
use quick3_core::sync::SyncOptions;
use serde_json::json;
use sync_support::*;

#[tokio::test]
async fn a_410_restarts_the_round_without_duplicates_and_catches_missed_deletions() {
    let mut world = world().await;
    let ids = with_events(&world, 6).await;
    let account = world.connect(MEGAN, Direction::Down).await;
    world.sync_in_pages_of(&account, 2).await;
    assert_eq!(world.appointments().len(), 6);

    world.expire_delta_tokens().await;
    world.outlook_delete(MEGAN, &ids[0]).await;
    let d = day(20);
    world
        .outlook_create(
            MEGAN,
            timed(
                "After the reset",
                &format!("{d}T09:00:00"),
                &format!("{d}T10:00:00"),
            ),
        )
        .await;
    let reset = world.sync_in_pages_of(&account, 2).await;
    assert!(reset.errors.is_empty(), "{:?}", reset.errors);
    assert_eq!((reset.added, reset.deleted), (1, 1), "{reset:?}");
    let titles: Vec<String> = world.appointments().into_iter().map(|a| a.title).collect();
    assert_eq!(titles.len(), 6, "5 kept + 1 new, no duplicates: {titles:?}");
    assert!(
        !titles.contains(&"Event 0".to_owned()),
        "the deletion missed during the reset is caught"
    );
    let quiet = world.sync_in_pages_of(&account, 2).await;
    assert_eq!((quiet.added, quiet.updated, quiet.deleted), (0, 0, 0));
}

#[tokio::test]
async fn a_410_after_a_page_that_deletes_restarts_cleanly_without_counting_deletions_twice() {
    let mut world = world().await;
    let ids = with_events(&world, 30).await;
    let account = world.connect(MEGAN, Direction::Down).await;
    world.sync_in_pages_of(&account, 10).await;
    assert_eq!(world.appointments().len(), 30);
    let synced: Vec<_> = world
        .store
        .sync_calendars(account.id)
        .unwrap()
        .into_iter()
        .filter(|c| c.delta_link.is_some())
        .collect();
    assert_eq!(synced.len(), 1, "one calendar is synced: {synced:?}");

    // 12 of 30 deleted: fewer than half, so the guard lets them through. The first page of the
    // next round (10 entries) carries deletions and is held; counted again on top of the 12 the
    // full round finds, they would be 22 of 30 and stop the sync.
    for id in &ids[..12] {
        world.outlook_delete(MEGAN, id).await;
    }
    // The round's second page answers 410, as a token that expires between pages.
    world
        .add_fault(json!({"method": "GET", "path": "/v1.0/me/calendars/*/calendarView/delta", "skip": 1, "count": 1, "kind": "status", "status": 410}))
        .await;
    world.clear_requests().await;
    let (reset, reported) = world.sync_reporting(&account, 10).await;
    assert!(reset.errors.is_empty(), "{:?}", reset.errors);
    assert_eq!(
        reported.last().map(|p| p.events),
        Some(18),
        "the progress counts the new full round's 18 events, not the dead round's page too"
    );
    assert!(
        reset.mass_delete_blocked.is_none(),
        "the guard counts each deletion once: {reset:?}"
    );
    let log = world.logged_requests("*/calendarView/delta*").await;
    let statuses: Vec<u64> = log.iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses[..2], [200, 410], "{statuses:?}");
    assert_eq!(
        (reset.added, reset.updated, reset.deleted),
        (0, 0, 12),
        "{reset:?}"
    );
    let titles: Vec<String> = world.appointments().into_iter().map(|a| a.title).collect();
    let expected: Vec<String> = (12..30).map(|i| format!("Event {i}")).collect();
    let mut sorted = titles.clone();
    sorted.sort();
    let mut wanted = expected.clone();
    wanted.sort();
    assert_eq!(
        sorted, wanted,
        "exactly the deleted ones are gone, no duplicates"
    );

    // The stored link is the deltaLink of the new full round, not a page of the dead one.
    let calendar = world
        .store
        .sync_calendars(account.id)
        .unwrap()
        .into_iter()
        .find(|c| c.delta_link.is_some())
        .unwrap();
    let link = calendar.delta_link.clone().unwrap();
    assert!(link.contains("deltatoken"), "{link}");
    assert!(calendar.full_round.is_none(), "{calendar:?}");

    world.clear_requests().await;
    let quiet = vec![world.sync_in_pages_of(&account, 10).await];
    assert_nothing_changed(&quiet);
    let quiet_log = world.logged_requests("*/calendarView/delta*").await;
    assert_eq!(
        quiet_log.len(),
        1,
        "the quiet sync reads the new link once: {quiet_log:?}"
    );
    assert_eq!(quiet_log[0]["status"], 200);
    assert_eq!(world.appointments().len(), 18);
}

#[tokio::test]
async fn throttling_server_errors_and_broken_json_are_retried() {
    let mut world = world().await;
    with_events(&world, 3).await;
    let account = world.connect(MEGAN, Direction::Down).await;
    let options = SyncOptions {
        retry: quick3_core::graph::RetryPolicy {
            base_delay: std::time::Duration::from_millis(50),
            ..Default::default()
        },
        ..Default::default()
    };
    let scope = SyncScope {
        account: Some(account.id),
        resource: None,
    };
    world.add_fault(json!({"path": "/v1.0/me/calendars/*", "count": 1, "kind": "status", "status": 429, "retryAfter": 1})).await;
    world
        .add_fault(
            json!({"path": "/v1.0/me/calendars/*", "count": 1, "kind": "status", "status": 503}),
        )
        .await;
    world
        .add_fault(
            json!({"path": "/v1.0/me/calendars/*", "count": 1, "kind": "status", "status": 504}),
        )
        .await;
    world
        .add_fault(json!({"path": "/v1.0/me/calendars/*", "count": 1, "kind": "malformed"}))
        .await;
    let summary = world.sync_with(scope, &options).await.remove(0);
    assert!(
        summary.errors.is_empty(),
        "every fault was retried: {:?}",
        summary.errors
    );
    assert_eq!(summary.added, 3);
    let log = world.graph_requests().await;
    let statuses: Vec<u64> = log.iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert!(
        statuses.contains(&429) && statuses.contains(&503) && statuses.contains(&504),
        "{statuses:?}"
    );

    // A storm that outlasts the attempts: the sync reports it, keeps what it had, and the next
    // sync goes on from where it stopped.
    world
        .outlook_create(
            MEGAN,
            timed(
                "In the storm",
                &format!("{}T09:00:00", day(9)),
                &format!("{}T10:00:00", day(9)),
            ),
        )
        .await;
    world.add_fault(json!({"path": "/v1.0/me/calendars/*", "count": 10, "kind": "status", "status": 429, "retryAfter": 0})).await;
    let stormy = world.sync_with(scope, &options).await.remove(0);
    assert_eq!(stormy.errors.len(), 1, "{stormy:?}");
    assert!(
        stormy.errors[0].contains("Calendar"),
        "the error names the calendar: {}",
        stormy.errors[0]
    );
    assert_eq!(world.appointments().len(), 3, "nothing lost");
    world
        .tenant
        .admin
        .delete(format!("{}/faults", world.tenant.emulator.admin()))
        .send()
        .await
        .unwrap();
    let after = world.sync_with(scope, &options).await.remove(0);
    assert_eq!(after.added, 1, "{after:?}");
}

#[tokio::test]
async fn a_refresh_token_revoked_mid_sync_asks_for_sign_in() {
    let mut world = world().await;
    with_events(&world, 2).await;
    let account = world.connect(MEGAN, Direction::Down).await;
    world.tenant.revoke_refresh_tokens(MEGAN).await;
    // The clock passed in jumps two hours after the sync started: the access token must be
    // refreshed, and the refresh token was revoked.
    let calls = AtomicUsize::new(0);
    let start = Utc::now();
    let clock = move || -> DateTime<Utc> {
        if calls.fetch_add(1, Ordering::SeqCst) < 2 {
            start
        } else {
            start + chrono::Duration::hours(2)
        }
    };
    let summaries = api::sync(
        &mut world.store,
        &world.credentials,
        SyncScope {
            account: Some(account.id),
            resource: None,
        },
        &SyncOptions::default(),
        &clock,
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(summaries[0].errors.len(), 1, "{:?}", summaries[0]);
    let account = world.store.account(account.id).unwrap();
    assert_eq!(
        account.status,
        AccountStatus::SignInNeeded,
        "{:?}",
        account.last_error
    );
    assert!(account.last_error.unwrap().contains("sign in again"));
}

#[tokio::test]
async fn a_mass_deletion_stops_until_allowed_and_the_allowance_is_remembered() {
    let mut world = world().await;
    let ids = with_events(&world, 24).await;
    let account = world.connect(MEGAN, Direction::Down).await;
    let scope = SyncScope {
        account: Some(account.id),
        resource: None,
    };
    let small_pages = SyncOptions {
        page_size: 5,
        ..Default::default()
    };
    world.sync_with(scope, &small_pages).await;
    assert_eq!(world.appointments().len(), 24);
    for id in &ids[..20] {
        world.outlook_delete(MEGAN, id).await;
    }
    let blocked = world.sync_with(scope, &small_pages).await.remove(0);
    let guard = blocked
        .mass_delete_blocked
        .clone()
        .expect("the guard stops the sync");
    assert_eq!(guard.pulled, 24);
    assert!(guard.would_delete > 12, "{guard:?}");
    assert_eq!(world.appointments().len(), 24, "nothing was deleted");
    assert!(
        blocked.errors[0].contains("allowing mass deletion"),
        "{:?}",
        blocked.errors
    );
    let still = world.sync_with(scope, &small_pages).await.remove(0);
    assert!(
        still.mass_delete_blocked.is_some(),
        "asking again without allowing changes nothing"
    );
    assert_eq!(world.appointments().len(), 24);

    let allowed = SyncOptions {
        allow_mass_delete: true,
        ..small_pages.clone()
    };
    let done = world.sync_with(scope, &allowed).await.remove(0);
    assert!(done.mass_delete_blocked.is_none(), "{done:?}");
    assert_eq!(done.deleted, 20);
    assert_eq!(world.appointments().len(), 4);

    // The allowance was for that change only.
    let more = with_events(&world, 30).await;
    world.sync_with(scope, &small_pages).await;
    for id in &more[..25] {
        world.outlook_delete(MEGAN, id).await;
    }
    let again = world.sync_with(scope, &small_pages).await.remove(0);
    assert!(
        again.mass_delete_blocked.is_some(),
        "a new mass deletion asks again: {again:?}"
    );
    assert_eq!(world.appointments().len(), 34);
}
