//! Down: Microsoft 365 → Quick3 against the emulator over HTTPS. First sync, a no-change sync that
//! makes exactly one request per calendar, and Outlook-side creates, updates and deletes.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use quick3_core::model::{Account, Direction, Origin};
use quick3_core::sync::SyncOptions;
use serde_json::json;
use sync_support::*;

#[tokio::test]
async fn down_pulls_every_calendar_then_a_quiet_sync_costs_one_request_per_calendar() {
    let mut world = world_with_seed(json!("demo")).await;
    let calendars = world.calendars(MEGAN).await;
    assert_eq!(
        calendars.len(),
        3,
        "Megan has Calendar, Projects and Travel: {calendars:?}"
    );
    let account = world.connect(MEGAN, Direction::Down).await;

    let first = world.sync(&account).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert!(first.added > 100, "the demo mailbox arrives: {first:?}");
    let pulled = world.appointments();
    assert!(
        pulled.iter().all(|a| matches!(&a.origin, Origin::Microsoft365 { account_id: Some(id), .. } if *id == account.id)),
        "pulled appointments name their account"
    );
    assert!(
        pulled.iter().all(|a| a.resource_id == world.resource),
        "on the account's resource"
    );

    world.clear_requests().await;
    let quiet = world.sync(&account).await;
    let requests = world.graph_requests().await;
    assert_eq!(
        requests.len(),
        3,
        "a no-change sync of 3 calendars makes exactly 3 Graph requests: {requests:#?}"
    );
    assert!(
        requests
            .iter()
            .all(|r| r["path"].as_str().unwrap().contains("/calendarView/delta")),
        "only the delta links are followed"
    );
    assert_eq!(
        (quiet.added, quiet.updated, quiet.deleted),
        (0, 0, 0),
        "nothing changed"
    );
    assert_eq!(quiet.requests, 3);
    assert_eq!(world.appointments().len(), pulled.len(), "no duplicates");

    let tomorrow = day(1);
    let mut in_projects = timed(
        "Quarterly budget (new)",
        &format!("{tomorrow}T13:00:00"),
        &format!("{tomorrow}T14:00:00"),
    );
    in_projects["calendarId"] = json!(calendars[1].0);
    world.outlook_create(MEGAN, in_projects).await;
    let after = world.sync(&account).await;
    assert_eq!(
        after.added, 1,
        "an event created in another calendar arrives: {after:?}"
    );
    assert_eq!(world.titled("Quarterly budget (new)").len(), 1);
    let synced = world.store.account(account.id).unwrap();
    assert!(synced.last_sync_at.is_some() && synced.last_error.is_none());
}

#[tokio::test]
async fn a_down_over_many_small_pages_asks_for_each_page_once_and_misses_nothing() {
    // The next page downloads while the current one is written: that must neither add requests
    // nor lose a page.
    let mut world = world_with_seed(json!("demo")).await;
    let account = world.connect(MEGAN, Direction::Down).await;
    world.clear_requests().await;
    let first = world.sync_in_pages_of(&account, 5).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    let requests = world.graph_requests().await;
    assert_eq!(first.requests as usize, requests.len(), "{requests:#?}");
    assert!(requests.iter().all(|r| r["status"] == 200), "{requests:#?}");
    let pages = requests
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains("/calendarView/delta"))
        .count();
    let added = first.added as usize;
    assert!(added > 100, "the demo mailbox arrives: {first:?}");
    assert!(
        pages * 5 >= added && pages <= added.div_ceil(5) + 3,
        "one request per page of at most 5 events (and at most one short last page per \
         calendar): {pages} pages for {added} events"
    );
    every_page_was_written_with_its_link(&mut world, &account).await;
}

#[tokio::test]
async fn a_mailboxs_calendars_download_side_by_side_never_more_than_four_requests_at_once() {
    // Each calendar's pages come one after the other (a page's nextLink asks for the next), so
    // the calendars download side by side while one is written.
    let (mut world, account, at_once) = first_sync_over_a_latency(SyncOptions {
        page_size: 10,
        ..SyncOptions::default()
    })
    .await;
    assert_eq!(at_once.pages, 3, "Megan's 3 calendars download at once");
    assert!(
        at_once.requests <= 4,
        "within the mailbox's 4 requests in flight (series masters are read beside the pages): \
         {} at most at once",
        at_once.requests
    );
    every_page_was_written_with_its_link(&mut world, &account).await;
}

#[tokio::test]
async fn a_mailbox_synced_beside_others_downloads_one_calendar_at_a_time() {
    // What `api::sync` asks of each mailbox when it syncs several at once: their waits overlap
    // already, and each holds no more pages than before.
    let (mut world, account, at_once) = first_sync_over_a_latency(SyncOptions {
        page_size: 10,
        calendars_at_once: 1,
        pages_held: 0,
        ..SyncOptions::default()
    })
    .await;
    assert_eq!(at_once.pages, 1, "one page of one calendar at a time");
    assert!(at_once.requests <= 2, "and a series master beside it");
    every_page_was_written_with_its_link(&mut world, &account).await;
}

/// How many requests ran at most at once: delta pages, and requests of any kind.
struct AtOnce {
    pages: usize,
    requests: usize,
}

/// Megan's first sync with `options` while every request takes 100 ms (so requests that overlap
/// show in the emulator's log): each page is asked for once. The latency is off again afterwards.
async fn first_sync_over_a_latency(options: SyncOptions) -> (World, Account, AtOnce) {
    let mut world = world_with_seed(json!("demo")).await;
    let account = world.connect(MEGAN, Direction::Down).await;
    world
        .admin_call(reqwest::Method::PUT, "/latency", Some(json!({"ms": 100})))
        .await;
    world.clear_requests().await;
    let scope = quick3_core::api::SyncScope {
        account: Some(account.id),
        resource: None,
    };
    let first = world.sync_with(scope, &options).await.pop().unwrap();
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    let requests = world.graph_requests().await;
    assert_eq!(first.requests as usize, requests.len(), "{requests:#?}");
    let deltas: Vec<&serde_json::Value> = requests
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains("/calendarView/delta"))
        .collect();
    let mut paths: Vec<&str> = deltas.iter().map(|r| r["path"].as_str().unwrap()).collect();
    paths.sort_unstable();
    paths.dedup();
    assert_eq!(paths.len(), deltas.len(), "no page is asked for twice");
    let at_once = AtOnce {
        pages: most_at_once(&deltas),
        requests: most_at_once(&requests.iter().collect::<Vec<_>>()),
    };
    world
        .admin_call(reqwest::Method::PUT, "/latency", Some(json!({"ms": 0})))
        .await;
    (world, account, at_once)
}

/// How many of `requests` ran at most at once (each ended at `at`, after `durationMs`).
fn most_at_once(requests: &[&serde_json::Value]) -> usize {
    let spans: Vec<(i64, i64)> = requests
        .iter()
        .map(|r| {
            let end = chrono::DateTime::parse_from_rfc3339(r["at"].as_str().unwrap())
                .unwrap()
                .timestamp_micros();
            (end - r["durationMs"].as_i64().unwrap() * 1000, end)
        })
        .collect();
    spans
        .iter()
        .map(|&(start, _)| {
            spans
                .iter()
                .filter(|&&(s, e)| s <= start && start < e)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn outlook_creates_updates_and_deletes_flow_down_once() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Down).await;
    let d = day(3);
    let standup = world
        .outlook_create(
            MEGAN,
            timed(
                "Stand-up",
                &format!("{d}T08:00:00"),
                &format!("{d}T08:15:00"),
            ),
        )
        .await;
    let lunch = world
        .outlook_create(
            MEGAN,
            timed("Lunch", &format!("{d}T11:00:00"), &format!("{d}T12:00:00")),
        )
        .await;
    world.sync(&account).await;
    assert_eq!(world.appointments().len(), 2);

    world
        .outlook_update(
            MEGAN,
            standup["id"].as_str().unwrap(),
            json!({"subject": "Stand-up (moved)", "location": {"displayName": "Room 4"}}),
        )
        .await;
    world
        .outlook_delete(MEGAN, lunch["id"].as_str().unwrap())
        .await;
    world
        .outlook_create(
            MEGAN,
            timed("Retro", &format!("{d}T15:00:00"), &format!("{d}T16:00:00")),
        )
        .await;
    let summary = world.sync(&account).await;
    assert_eq!(
        (summary.added, summary.updated, summary.deleted),
        (1, 1, 1),
        "one of each: {summary:?}"
    );
    let titles: Vec<String> = world.appointments().into_iter().map(|a| a.title).collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(
        titles.contains(&"Stand-up (moved)".to_owned()) && titles.contains(&"Retro".to_owned())
    );
    assert_eq!(world.titled("Stand-up (moved)")[0].location, "Room 4");
    assert!(
        world.titled("Lunch").is_empty(),
        "the deletion arrived as a tombstone"
    );

    let again = world.sync(&account).await;
    assert_eq!(
        (again.added, again.updated, again.deleted),
        (0, 0, 0),
        "a second sync changes nothing"
    );
    assert_eq!(world.appointments().len(), 2, "no duplicates");
}

#[tokio::test]
async fn a_dry_run_reports_the_changes_and_writes_nothing() {
    let mut world = world().await;
    let d = day(2);
    world
        .outlook_create(
            MEGAN,
            timed(
                "Preview me",
                &format!("{d}T08:00:00"),
                &format!("{d}T09:00:00"),
            ),
        )
        .await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    world.create_local(
        "Not yet uploaded",
        &format!("{d}T10:00"),
        &format!("{d}T11:00"),
    );
    let scope = quick3_core::api::SyncScope {
        account: Some(account.id),
        resource: None,
    };
    let dry = quick3_core::sync::SyncOptions {
        dry_run: true,
        ..Default::default()
    };
    let preview = world.sync_with(scope, &dry).await.remove(0);
    assert!(preview.dry_run);
    assert_eq!(
        (preview.added, preview.errors.len()),
        (2, 0),
        "one to pull, one to push: {preview:?}"
    );
    assert!(world.titled("Preview me").is_empty(), "nothing pulled");
    assert!(
        world
            .outlook_titled(MEGAN, "Not yet uploaded")
            .await
            .is_empty(),
        "nothing pushed"
    );
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        1,
        "the outbox is untouched"
    );
    let real = world.sync(&account).await;
    assert_eq!(
        real.added, 2,
        "the real sync does what the preview said: {real:?}"
    );
}

/// A quiet sync of Megan's three calendars after a first one: one request each, nothing changes,
/// nothing comes twice.
async fn every_page_was_written_with_its_link(world: &mut World, account: &Account) {
    let pulled = world.appointments().len();
    let quiet = world.sync(account).await;
    assert_eq!(
        (quiet.added, quiet.updated, quiet.deleted, quiet.requests),
        (0, 0, 0, 3),
        "every page was written with its link: {quiet:?}"
    );
    assert_eq!(world.appointments().len(), pulled, "no duplicates");
}
