//! The synced window slides with the calendar date: events that come into reach later arrive,
//! events it leaves behind stay as history (not deletions), and the slide costs one full round
//! per calendar about once a week, never on every sync.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use chrono::{DateTime, Duration, Utc};
use quick3_core::api::{self, SyncScope};
use quick3_core::model::{Account, Direction};
use quick3_core::sync::{SyncOptions, SyncSummary};
use sync_support::*;

/// Syncs `account` as if the calendar date were `days` from today.
async fn sync_on_day(world: &mut World, account: &Account, days: i64) -> SyncSummary {
    sync_on_day_with(world, account, days, &SyncOptions::default()).await
}

/// [`sync_on_day`] with `options`.
async fn sync_on_day_with(
    world: &mut World,
    account: &Account,
    days: i64,
    options: &SyncOptions,
) -> SyncSummary {
    let at = move || -> DateTime<Utc> { Utc::now() + Duration::days(days) };
    let scope = SyncScope {
        account: Some(account.id),
        resource: None,
    };
    let mut summaries = api::sync(
        &mut world.store,
        &world.credentials,
        scope,
        options,
        &at,
        &mut |_| {},
    )
    .await
    .unwrap();
    let summary = summaries.pop().unwrap();
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    summary
}

#[tokio::test]
async fn the_window_slides_on_far_events_arrive_and_past_ones_stay() {
    let mut world = world().await;
    // The default window: 30 days back, 365 forward.
    world
        .outlook_create(
            MEGAN,
            timed(
                "Far ahead",
                &format!("{}T09:00:00", day(380)),
                &format!("{}T10:00:00", day(380)),
            ),
        )
        .await;
    world
        .outlook_create(
            MEGAN,
            timed(
                "Last week",
                &format!("{}T09:00:00", day(-7)),
                &format!("{}T10:00:00", day(-7)),
            ),
        )
        .await;
    let account = world.connect(MEGAN, Direction::Down).await;

    let first = sync_on_day(&mut world, &account, 0).await;
    assert_eq!(first.added, 1, "only what lies in the window: {first:?}");
    assert_eq!(world.titled("Last week").len(), 1);
    assert!(
        world.titled("Far ahead").is_empty(),
        "380 days ahead is out of reach today"
    );

    // Three days on: the window has not moved enough to be worth a full round.
    world.clear_requests().await;
    let soon = sync_on_day(&mut world, &account, 3).await;
    assert_eq!((soon.added, soon.deleted), (0, 0));
    assert_eq!(
        world.graph_requests().await.len(),
        1,
        "a quiet sync of one calendar is still one request"
    );

    // Forty days on: the window is [day 10, day 405]. "Far ahead" comes into reach; "Last week"
    // (now 47 days back) is behind the window, which is not a deletion in Outlook.
    let later = sync_on_day(&mut world, &account, 40).await;
    assert_eq!(
        (later.added, later.deleted),
        (1, 0),
        "the slid window pulls what came into reach and deletes nothing: {later:?}"
    );
    assert_eq!(world.titled("Far ahead").len(), 1);
    assert_eq!(
        world.titled("Last week").len(),
        1,
        "what the window left behind stays as history"
    );

    // The next sync on the same day follows the new delta link again: one request.
    world.clear_requests().await;
    let quiet = sync_on_day(&mut world, &account, 40).await;
    assert_eq!((quiet.added, quiet.updated, quiet.deleted), (0, 0, 0));
    let requests = world.graph_requests().await;
    assert_eq!(requests.len(), 1, "{requests:#?}");
    assert_eq!(
        world.appointments().len(),
        2,
        "no duplicates after the full round"
    );
}

#[tokio::test]
async fn an_event_moved_out_of_the_window_and_back_returns_once() {
    let mut world = world().await;
    let event = world
        .outlook_create(
            MEGAN,
            timed(
                "Board meeting",
                &format!("{}T09:00:00", day(5)),
                &format!("{}T10:00:00", day(5)),
            ),
        )
        .await;
    let id = event["id"].as_str().unwrap().to_owned();
    let account = world.connect(MEGAN, Direction::Down).await;
    sync_on_day(&mut world, &account, 0).await;
    assert_eq!(world.titled("Board meeting").len(), 1);

    // Postponed by more than a year: out of the window, out of the Scheduler.
    let far = day(400);
    world
        .outlook_update(
            MEGAN,
            &id,
            serde_json::json!({"start": {"dateTime": format!("{far}T09:00:00"), "timeZone": "UTC"},
                               "end": {"dateTime": format!("{far}T10:00:00"), "timeZone": "UTC"}}),
        )
        .await;
    let gone = sync_on_day(&mut world, &account, 0).await;
    assert_eq!(gone.deleted, 1, "{gone:?}");
    assert!(world.titled("Board meeting").is_empty());

    // Brought back: the same event returns, once, at its new time.
    let back = day(6);
    world
        .outlook_update(
            MEGAN,
            &id,
            serde_json::json!({"start": {"dateTime": format!("{back}T09:00:00"), "timeZone": "UTC"},
                               "end": {"dateTime": format!("{back}T10:00:00"), "timeZone": "UTC"}}),
        )
        .await;
    let returned = sync_on_day(&mut world, &account, 0).await;
    assert_eq!(returned.added, 1, "{returned:?}");
    let shown = world.titled("Board meeting");
    assert_eq!(shown.len(), 1, "once");
    assert!(
        shown[0].when.covering_span().0.date_naive().to_string() == back,
        "at its new day: {:?}",
        shown[0].when
    );
}

#[tokio::test]
async fn a_meeting_cancelled_before_the_window_slides_deletes_only_itself() {
    let mut world = world().await;
    let ids = with_events(&world, 30).await;
    let account = world.connect(MEGAN, Direction::Down).await;
    let options = SyncOptions {
        page_size: 10,
        ..Default::default()
    };
    let first = sync_on_day_with(&mut world, &account, 0, &options).await;
    assert_eq!(first.added, 30, "{first:?}");

    // The organiser cancels the second meeting: Outlook keeps it in Megan's calendar with
    // isCancelled, on the first page of the next round.
    world
        .admin_call(
            reqwest::Method::POST,
            &format!("/users/{MEGAN}/events/{}/cancel", ids[1]),
            None,
        )
        .await;

    // Ten days on the window slides: a full round of three pages. The first carries the
    // cancellation, so it and the two after it are held and counted for the guard; the events
    // of the first two pages are in this round, not deletions of it.
    let slid = sync_on_day_with(&mut world, &account, 10, &options).await;
    assert!(
        slid.mass_delete_blocked.is_none(),
        "one cancelled meeting is not a mass deletion: {slid:?}"
    );
    assert_eq!(
        (slid.added, slid.updated, slid.deleted),
        (0, 0, 1),
        "{slid:?}"
    );
    let mut titles: Vec<String> = world.appointments().into_iter().map(|a| a.title).collect();
    titles.sort();
    let mut wanted: Vec<String> = (0..30)
        .filter(|i| *i != 1)
        .map(|i| format!("Event {i}"))
        .collect();
    wanted.sort();
    assert_eq!(titles, wanted, "the 29 others, once each");

    let quiet = sync_on_day_with(&mut world, &account, 10, &options).await;
    assert_nothing_changed(&[quiet]);
    assert_eq!(world.appointments().len(), 29);
}
