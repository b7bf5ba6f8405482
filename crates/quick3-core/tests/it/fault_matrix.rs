//! The fault matrix (docs/reliability.md) against the emulator's fault injection and admin API,
//! Down and Up: 429 with and without Retry-After, 500, 503, 504, cut-off JSON, dropped
//! connections, answers slower than the client's timeout, storms that outlast the retries, an
//! expired refresh token, admin consent withdrawn, a calendar removed, a full disk while the store
//! is written, a deletion after an unconfirmed push, and the clock jumping across DST and
//! backwards. Every cell: no duplicates, no lost local edit, no resurrected deletion, and a plain
//! message when the fault outlasts the retries.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use quick3_core::ErrorCode;
use quick3_core::api::{self, SyncScope};
use quick3_core::graph::RetryPolicy;
use quick3_core::model::{
    Account, AccountStatus, Appointment, AppointmentPatch, Direction, Origin,
};
use quick3_core::sync::{SyncOptions, SyncSummary};
use serde_json::{Value, json};
use sync_support::*;

/// Quick retries, and a client timeout short enough for a slow answer to outlast it.
fn quick() -> SyncOptions {
    SyncOptions {
        retry: RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            timeout: Duration::from_millis(700),
        },
        ..SyncOptions::default()
    }
}

fn scope(account: &Account) -> SyncScope {
    SyncScope {
        account: Some(account.id),
        resource: None,
    }
}

async fn sync_quick(world: &mut World, account: &Account) -> SyncSummary {
    world.sync_with(scope(account), &quick()).await.remove(0)
}

async fn clear_faults(world: &World) {
    world
        .admin_call(reqwest::Method::DELETE, "/faults", None)
        .await;
}

async fn outlook_event(world: &World, subject: &str, days: i64) -> String {
    let d = day(days);
    let event = world
        .outlook_create(
            MEGAN,
            timed(subject, &format!("{d}T09:00:00"), &format!("{d}T10:00:00")),
        )
        .await;
    event["id"].as_str().unwrap().to_owned()
}

/// Titles of the resource's live appointments, with how often each occurs.
fn local_titles(world: &World) -> BTreeMap<String, usize> {
    let mut titles = BTreeMap::new();
    for appointment in world.appointments() {
        *titles.entry(appointment.title).or_default() += 1;
    }
    titles
}

/// Subjects of Megan's events in Outlook, with how often each occurs.
async fn outlook_subjects(world: &World) -> BTreeMap<String, usize> {
    let mut subjects = BTreeMap::new();
    for event in world.outlook_events(MEGAN).await {
        *subjects
            .entry(event["subject"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    subjects
}

fn once(names: &[&str]) -> BTreeMap<String, usize> {
    names.iter().map(|name| ((*name).to_owned(), 1)).collect()
}

/// Whether every fault rule was used up (a request cut off by the client's timeout is not in the
/// request log, but it used its rule).
async fn faults_used_up(world: &World) -> bool {
    let rules: Value = world
        .tenant
        .admin
        .get(format!("{}/faults", world.tenant.emulator.admin()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    rules["value"].as_array().unwrap().is_empty()
}

/// Down under a transient fault on the delta requests: Outlook's create, edit and delete arrive
/// exactly once, the local appointment stays, and the fault was really met.
async fn down_survives(fault: Value) {
    let mut world = world().await;
    let keep = outlook_event(&world, "Kept", 1).await;
    let gone = outlook_event(&world, "Deleted in Outlook", 2).await;
    let account = world.connect(MEGAN, Direction::Down).await;
    let first = sync_quick(&mut world, &account).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    let d = day(3);
    world.create_local(
        "Planned in Quick3",
        &format!("{d}T08:00"),
        &format!("{d}T09:00"),
    );

    outlook_event(&world, "New in Outlook", 4).await;
    world
        .outlook_update(MEGAN, &keep, json!({"subject": "Kept (edited)"}))
        .await;
    world.outlook_delete(MEGAN, &gone).await;
    world.clear_requests().await;
    let mut rule = fault.clone();
    rule["path"] = json!("/v1.0/me/calendars/*");
    rule["count"] = json!(2);
    world.add_fault(rule).await;

    let summary = sync_quick(&mut world, &account).await;
    assert!(
        summary.errors.is_empty(),
        "{fault} was retried: {:?}",
        summary.errors
    );
    assert!(faults_used_up(&world).await, "{fault} was met twice");
    assert_eq!(
        local_titles(&world),
        once(&["Kept (edited)", "New in Outlook", "Planned in Quick3"]),
        "after {fault}: no duplicate, no lost local appointment, the deletion stays"
    );
    let quiet = sync_quick(&mut world, &account).await;
    assert_eq!(
        (quiet.added, quiet.updated, quiet.deleted),
        (0, 0, 0),
        "{quiet:?}"
    );
}

/// Up under a transient fault on the `$batch` requests: creations, an edit and a deletion reach
/// Outlook exactly once, and the fault was really met.
async fn up_survives(fault: Value) {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Up).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let d = day(2 + i);
        ids.push(
            world
                .create_local(
                    &format!("Pushed {i}"),
                    &format!("{d}T10:00"),
                    &format!("{d}T11:00"),
                )
                .id,
        );
    }
    let first = sync_quick(&mut world, &account).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    world.rename_local(ids[0], "Pushed 0 (edited)");
    world.store.delete_appointment(ids[1], now()).unwrap();
    let d = day(9);
    world.create_local("Pushed later", &format!("{d}T10:00"), &format!("{d}T11:00"));
    world.clear_requests().await;
    let mut rule = fault.clone();
    rule["method"] = json!("POST");
    rule["path"] = json!("/v1.0/$batch");
    rule["count"] = json!(2);
    world.add_fault(rule).await;

    let summary = sync_quick(&mut world, &account).await;
    assert!(
        summary.errors.is_empty(),
        "{fault} was retried: {:?}",
        summary.errors
    );
    assert!(
        faults_used_up(&world).await,
        "{fault} was met twice: {summary:?}"
    );
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        0,
        "every change was confirmed"
    );
    // A slow answer may still be worked on after the client gave up: wait for it.
    tokio::time::sleep(Duration::from_millis(1_600)).await;
    assert_eq!(
        outlook_subjects(&world).await,
        once(&["Pushed 0 (edited)", "Pushed 2", "Pushed later"]),
        "after {fault}: each appointment once in Outlook, the edit kept, the deletion done"
    );
}

#[tokio::test]
async fn down_429_without_retry_after_backs_off_and_retries() {
    down_survives(json!({"kind": "status", "status": 429})).await;
}

#[tokio::test]
async fn up_429_without_retry_after_backs_off_and_retries() {
    up_survives(json!({"kind": "status", "status": 429})).await;
}

#[tokio::test]
async fn down_500_is_retried() {
    down_survives(json!({"kind": "status", "status": 500})).await;
}

#[tokio::test]
async fn up_500_is_retried() {
    up_survives(json!({"kind": "status", "status": 500})).await;
}

#[tokio::test]
async fn down_dropped_connections_are_retried() {
    down_survives(json!({"kind": "drop"})).await;
}

#[tokio::test]
async fn up_dropped_connections_are_retried() {
    up_survives(json!({"kind": "drop"})).await;
}

#[tokio::test]
async fn down_an_answer_slower_than_the_timeout_is_retried() {
    down_survives(json!({"kind": "slow", "delayMs": 1500})).await;
}

#[tokio::test]
async fn up_an_answer_slower_than_the_timeout_is_retried_without_duplicates() {
    up_survives(json!({"kind": "slow", "delayMs": 1500})).await;
}

/// A fault on every Graph request, outlasting the retries, for an Up and Down account: the
/// sync says so in a plain sentence, keeps what it had and its pending push; once the fault is
/// gone the next sync catches up, each event once on either side.
async fn storm(fault: Value, sentence: &str) {
    let mut world = world().await;
    outlook_event(&world, "Before", 1).await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    sync_quick(&mut world, &account).await;
    outlook_event(&world, "During the storm", 2).await;
    let d = day(3);
    world.create_local(
        "Local during the storm",
        &format!("{d}T08:00"),
        &format!("{d}T09:00"),
    );
    let mut rule = fault.clone();
    rule["path"] = json!("/v1.0/*");
    world.add_fault(rule).await;
    let stormy = sync_quick(&mut world, &account).await;
    assert!(!stormy.errors.is_empty(), "{stormy:?}");
    assert!(
        stormy.errors.iter().any(|e| e.contains(sentence)),
        "a plain sentence: {:?}",
        stormy.errors
    );
    assert_eq!(
        local_titles(&world),
        once(&["Before", "Local during the storm"])
    );
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        1,
        "the push waits"
    );
    let failure = world.store.account(account.id).unwrap().last_sync_failure;
    assert!(
        failure
            .as_ref()
            .is_some_and(|f| f.reason.contains(sentence) && stormy.errors.contains(&f.reason)),
        "the account keeps why its last sync failed, in the summary's words: {failure:?}"
    );

    clear_faults(&world).await;
    let after = sync_quick(&mut world, &account).await;
    assert!(after.errors.is_empty(), "{:?}", after.errors);
    assert_eq!(
        world.store.account(account.id).unwrap().last_sync_failure,
        None,
        "a sync that succeeded forgets the failure"
    );
    assert_eq!(
        local_titles(&world),
        once(&["Before", "During the storm", "Local during the storm"])
    );
    assert_eq!(
        outlook_subjects(&world).await,
        once(&["Before", "During the storm", "Local during the storm"])
    );
}

#[tokio::test]
async fn a_500_storm_is_reported_plainly_and_the_next_sync_catches_up() {
    storm(
        json!({"kind": "status", "status": 500}),
        "Microsoft 365 had a problem (HTTP 500)",
    )
    .await;
}

#[tokio::test]
async fn a_429_storm_without_retry_after_is_reported_plainly_and_the_next_sync_catches_up() {
    storm(
        json!({"kind": "status", "status": 429}),
        "asked Quick3 Planner to slow down (HTTP 429)",
    )
    .await;
}

#[tokio::test]
async fn up_429_with_retry_after_is_retried() {
    up_survives(json!({"kind": "status", "status": 429, "retryAfter": 1})).await;
}

#[tokio::test]
async fn up_503_is_retried() {
    up_survives(json!({"kind": "status", "status": 503, "retryAfter": 1})).await;
}

#[tokio::test]
async fn up_504_is_retried() {
    up_survives(json!({"kind": "status", "status": 504})).await;
}

#[tokio::test]
async fn up_a_cut_off_json_answer_is_retried() {
    up_survives(json!({"kind": "malformed"})).await;
}

#[tokio::test]
async fn up_a_full_disk_after_outlook_created_the_events_duplicates_nothing() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Up).await;
    let mut titles = Vec::new();
    for i in 0..60 {
        let d = day(1 + i % 30);
        let title = format!("Pushed {i}");
        world.create_local(&title, &format!("{d}T10:00"), &format!("{d}T11:00"));
        titles.push(title);
    }
    // The disk fills up: Outlook creates the events, Quick3 cannot write down that it did.
    world.store.cap_pages(0).unwrap();
    let err = api::sync(
        &mut world.store,
        &world.credentials,
        scope(&account),
        &quick(),
        &now,
        &mut |_| {},
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("disk is full"),
        "a plain sentence: {err}"
    );
    assert!(
        !outlook_subjects(&world).await.is_empty(),
        "Outlook did create events before the store failed"
    );

    world.store.cap_pages(1 << 30).unwrap();
    let after = sync_quick(&mut world, &account).await;
    assert!(after.errors.is_empty(), "{:?}", after.errors);
    let names: Vec<&str> = titles.iter().map(String::as_str).collect();
    assert_eq!(
        outlook_subjects(&world).await,
        once(&names),
        "each appointment once in Outlook: the retried POSTs carried their transactionId"
    );
    assert_eq!(world.store.outbox_len(account.id).unwrap(), 0);
}

/// A clock the test moves: seconds added to the real time.
struct Shifted(AtomicI64);

impl Shifted {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.0.load(Ordering::SeqCst))
    }
}

async fn sync_at(world: &mut World, account: &Account, clock: &Shifted) -> SyncSummary {
    let now = || clock.now();
    api::sync(
        &mut world.store,
        &world.credentials,
        scope(account),
        &quick(),
        &now,
        &mut |_| {},
    )
    .await
    .unwrap()
    .remove(0)
}

#[tokio::test]
async fn an_expired_refresh_token_asks_for_sign_in_and_loses_nothing() {
    let mut world = world().await;
    outlook_event(&world, "Pulled", 1).await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let clock = Shifted(AtomicI64::new(0));
    sync_at(&mut world, &account, &clock).await;
    let d = day(5);
    world.create_local(
        "Waiting to go up",
        &format!("{d}T08:00"),
        &format!("{d}T09:00"),
    );

    // Ninety-one days without a sync: Microsoft's refresh token (90 days) has expired.
    let later = 91 * 24 * 3600;
    world
        .admin_call(
            reqwest::Method::POST,
            "/clock/advance",
            Some(json!({"seconds": later})),
        )
        .await;
    clock.0.store(later, Ordering::SeqCst);
    let summary = sync_at(&mut world, &account, &clock).await;
    assert_eq!(summary.errors.len(), 1, "{summary:?}");
    let account = world.store.account(account.id).unwrap();
    assert_eq!(account.status, AccountStatus::SignInNeeded);
    let message = account.last_error.unwrap();
    assert!(
        message.contains("expired or was revoked: sign in again"),
        "a plain sentence: {message}"
    );
    assert_eq!(local_titles(&world), once(&["Pulled", "Waiting to go up"]));
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        1,
        "the push waits"
    );
}

#[tokio::test]
async fn admin_consent_withdrawn_is_named_with_the_approval_link() {
    let mut world = world().await;
    outlook_event(&world, "Pulled", 1).await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let clock = Shifted(AtomicI64::new(0));
    sync_at(&mut world, &account, &clock).await;
    let d = day(5);
    world.create_local(
        "Waiting to go up",
        &format!("{d}T08:00"),
        &format!("{d}T09:00"),
    );

    world
        .admin_call(
            reqwest::Method::DELETE,
            &format!("/tenants/{}/grants", m365_emulator::DEMO_TENANT_ID),
            None,
        )
        .await;
    // Two hours on, the access token must be renewed: the consent behind it is gone.
    clock.0.store(2 * 3600, Ordering::SeqCst);
    let summary = sync_at(&mut world, &account, &clock).await;
    assert_eq!(summary.errors.len(), 1, "{summary:?}");
    let account = world.store.account(account.id).unwrap();
    let message = account.last_error.clone().unwrap();
    assert!(
        message.contains("must approve Quick3 Planner") && message.contains("adminconsent"),
        "names what to do and the approval link: {message}"
    );
    assert_ne!(account.status, AccountStatus::Connected);
    assert_eq!(local_titles(&world), once(&["Pulled", "Waiting to go up"]));
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        1,
        "the push waits"
    );
}

#[tokio::test]
async fn a_removed_calendar_is_named_once_and_deletes_nothing_elsewhere() {
    let mut world = world().await;
    // Up and Down only so that the test may create the calendar; the cell is about Down.
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let travel = world
        .graph_post(&account, "/me/calendars", &json!({"name": "Travel"}))
        .await;
    let travel_id = travel["id"].as_str().unwrap().to_owned();
    outlook_event(&world, "In the main calendar", 1).await;
    let d = day(2);
    world
        .outlook_create(
            MEGAN,
            json!({"calendarId": travel_id, "subject": "Flight", "start": {"dateTime": format!("{d}T06:00:00"), "timeZone": "UTC"}, "end": {"dateTime": format!("{d}T08:00:00"), "timeZone": "UTC"}}),
        )
        .await;
    let first = sync_quick(&mut world, &account).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert_eq!(
        local_titles(&world),
        once(&["Flight", "In the main calendar"])
    );

    world.remove_calendar(&account, &travel_id).await;
    let summary = sync_quick(&mut world, &account).await;
    assert_eq!(summary.errors.len(), 1, "{summary:?}");
    assert!(
        summary.errors[0].contains("“Travel”") && summary.errors[0].contains("no longer exists"),
        "a plain sentence naming the calendar: {}",
        summary.errors[0]
    );
    assert!(
        local_titles(&world).contains_key("In the main calendar"),
        "the other calendar's appointments are untouched"
    );
    let again = sync_quick(&mut world, &account).await;
    assert!(again.errors.is_empty(), "reported once: {:?}", again.errors);
    assert_eq!(
        world.store.account(account.id).unwrap().status,
        AccountStatus::Connected
    );
}

#[tokio::test]
async fn a_full_disk_while_a_page_is_written_keeps_the_last_good_state() {
    let mut world = world().await;
    for i in 0..5 {
        outlook_event(&world, &format!("First {i}"), 1 + i).await;
    }
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    sync_quick(&mut world, &account).await;
    let d = day(7);
    let local = world.create_local("Local", &format!("{d}T08:00"), &format!("{d}T09:00"));
    sync_quick(&mut world, &account).await;
    for i in 0..150 {
        outlook_event(&world, &format!("Second {i}"), 1 + i % 60).await;
    }
    world.rename_local(local.id, "Local (edited)");

    // The disk is full: the database cannot grow by a single page.
    world.store.cap_pages(0).unwrap();
    let err = api::sync(
        &mut world.store,
        &world.credentials,
        scope(&account),
        &quick(),
        &now,
        &mut |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Storage);
    assert!(
        err.to_string().contains("disk is full"),
        "a plain sentence: {err}"
    );
    let titles = local_titles(&world);
    assert!(
        titles.values().all(|n| *n == 1),
        "nothing half-written twice: {titles:?}"
    );
    assert!(
        titles.contains_key("Local (edited)"),
        "the local edit is kept"
    );

    world.store.cap_pages(1 << 30).unwrap();
    let after = sync_quick(&mut world, &account).await;
    assert!(after.errors.is_empty(), "{:?}", after.errors);
    let titles = local_titles(&world);
    assert_eq!(titles.len(), 156, "5 + 150 pulled + 1 local: {titles:?}");
    assert!(titles.values().all(|n| *n == 1), "no duplicates");
    let subjects = outlook_subjects(&world).await;
    assert_eq!(
        subjects.get("Local (edited)"),
        Some(&1),
        "the edit went up once"
    );
    assert_eq!(subjects.len(), 156, "{subjects:?}");
}

fn rename_at(world: &mut World, appointment: &Appointment, title: &str, at: DateTime<Utc>) {
    world
        .store
        .edit_appointment(
            appointment.id,
            AppointmentPatch {
                title: Some(title.into()),
                ..Default::default()
            },
            at,
        )
        .unwrap();
}

#[tokio::test]
async fn the_clock_jumping_across_dst_and_backwards_loses_and_duplicates_nothing() {
    let mut world = world().await;
    let outlook_gone = outlook_event(&world, "Outlook, deleted later", 1).await;
    let outlook_kept = outlook_event(&world, "Outlook", 2).await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    // The machine's clock: the night Berlin falls back from summer time (02:30 happens twice),
    // then back by a day, then forward again.
    let fall_back = Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap();
    let clock = Shifted(AtomicI64::new((fall_back - Utc::now()).num_seconds()));
    let ambiguous = world.create_local(
        "At the doubled hour",
        "2026-10-25T02:30",
        "2026-10-25T03:30",
    );
    let d = day(3);
    let local = world.create_local("Quick3", &format!("{d}T08:00"), &format!("{d}T09:00"));
    let local_gone = world.create_local(
        "Quick3, deleted later",
        &format!("{d}T10:00"),
        &format!("{d}T11:00"),
    );
    let first = sync_at(&mut world, &account, &clock).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);

    // One hour on in UTC: the wall clock shows 02:30 again.
    clock.0.fetch_add(3600, Ordering::SeqCst);
    rename_at(
        &mut world,
        &local,
        "Quick3 (edited at the repeated hour)",
        clock.now(),
    );
    world
        .outlook_update(MEGAN, &outlook_kept, json!({"subject": "Outlook (edited)"}))
        .await;
    let second = sync_at(&mut world, &account, &clock).await;
    assert!(second.errors.is_empty(), "{:?}", second.errors);

    // Backwards by a day: edits now carry times before the last sync.
    clock.0.fetch_sub(24 * 3600, Ordering::SeqCst);
    rename_at(
        &mut world,
        &local,
        "Quick3 (edited in the past)",
        clock.now(),
    );
    world
        .store
        .delete_appointment(local_gone.id, clock.now())
        .unwrap();
    world.outlook_delete(MEGAN, &outlook_gone).await;
    let third = sync_at(&mut world, &account, &clock).await;
    assert!(third.errors.is_empty(), "{:?}", third.errors);

    // And forward again past the first sync.
    clock.0.fetch_add(48 * 3600, Ordering::SeqCst);
    let fourth = sync_at(&mut world, &account, &clock).await;
    assert!(fourth.errors.is_empty(), "{:?}", fourth.errors);
    assert_eq!(
        (fourth.added, fourth.updated, fourth.deleted),
        (0, 0, 0),
        "{fourth:?}"
    );

    let expected = once(&[
        "At the doubled hour",
        "Outlook (edited)",
        "Quick3 (edited in the past)",
    ]);
    assert_eq!(local_titles(&world), expected, "Quick3's side");
    assert_eq!(outlook_subjects(&world).await, expected, "Outlook's side");
    let doubled = world.store.appointment(ambiguous.id).unwrap();
    assert_eq!(
        doubled.when, ambiguous.when,
        "the doubled hour keeps its instant"
    );
    let pulled = world
        .appointments()
        .into_iter()
        .filter(|a| matches!(a.origin, Origin::Microsoft365 { .. }))
        .count();
    assert_eq!(pulled, 1, "only Outlook's own event was pulled");
}

#[tokio::test]
async fn a_deletion_after_an_unconfirmed_push_removes_the_event_that_did_reach_outlook() {
    use quick3_core::graph::event::{new_event, transaction_id};
    use quick3_core::model::Content;
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Up).await;
    let d = day(4);
    let appointment =
        world.create_local("Short-lived", &format!("{d}T14:00"), &format!("{d}T15:00"));
    // A sync POSTed it, then was killed before the answer was stored (found by the kill -9
    // upload test): Outlook has the event, Quick3 has no link to it.
    let body = new_event(
        &Content::of(&appointment),
        appointment.id,
        &transaction_id(appointment.id, account.id.0, 0),
    );
    world.graph_post(&account, "/me/events", &body).await;
    world
        .store
        .delete_appointment(appointment.id, now())
        .unwrap();

    let summary = sync_quick(&mut world, &account).await;
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert!(
        world.outlook_titled(MEGAN, "Short-lived").await.is_empty(),
        "the deleted appointment does not live on in Outlook"
    );
    assert_eq!(world.store.outbox_len(account.id).unwrap(), 0);
    world.clear_requests().await;
    let quiet = sync_quick(&mut world, &account).await;
    assert_eq!(quiet.requests, 0, "and it costs nothing afterwards");
}

/// The request log since the last clear, every path matching `glob` (identity calls included).
/// Graph answers 401 to an access token that has not expired (Microsoft ended it early; the
/// emulator forgets it) while the refresh token in the keyring is still good.
async fn forget_access_tokens(world: &World, user: &str) {
    world
        .admin_call(
            reqwest::Method::POST,
            "/tokens/forget-access",
            Some(json!({ "user": user })),
        )
        .await;
}

/// What a sync after a 401 asked: (token requests, Graph requests, the refused Graph requests).
async fn after_a_401(world: &World) -> (Vec<Value>, Vec<Value>, Vec<Value>) {
    let tokens = world.logged_requests("*/oauth2/v2.0/token").await;
    let graph = world.graph_requests().await;
    let refused = graph
        .iter()
        .filter(|request| request["status"] == 401)
        .cloned()
        .collect();
    (tokens, graph, refused)
}

/// The refused request was asked again, once, after the one token request.
fn asked_again_once(tokens: &[Value], graph: &[Value], refused: &[Value]) {
    assert_eq!(tokens.len(), 1, "exactly one token request: {tokens:?}");
    assert_eq!(refused.len(), 1, "one 401: {graph:?}");
    let path = &refused[0]["path"];
    let same: Vec<&Value> = graph.iter().filter(|r| r["path"] == *path).collect();
    assert_eq!(
        same.len(),
        2,
        "the refused request is repeated once: {graph:?}"
    );
    assert_eq!(same[1]["status"].as_u64().unwrap() / 100, 2, "{graph:?}");
    let seq = |r: &Value| r["seq"].as_u64().unwrap();
    assert!(
        seq(same[0]) < seq(&tokens[0]) && seq(&tokens[0]) < seq(same[1]),
        "401, then the token request, then the repeat: {graph:?} {tokens:?}"
    );
}

#[tokio::test]
async fn down_a_401_with_a_valid_refresh_token_refreshes_once_and_asks_again() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Down).await;
    sync_quick(&mut world, &account).await;
    // The same change without a 401, to count what one sync asks.
    outlook_event(&world, "Before", 1).await;
    world.clear_requests().await;
    sync_quick(&mut world, &account).await;
    let quiet = world.graph_requests().await.len();

    outlook_event(&world, "After the 401", 2).await;
    forget_access_tokens(&world, MEGAN).await;
    world.clear_requests().await;
    let summary = sync_quick(&mut world, &account).await;
    assert!(summary.errors.is_empty(), "{summary:?}");
    let (tokens, graph, refused) = after_a_401(&world).await;
    asked_again_once(&tokens, &graph, &refused);
    assert_eq!(
        graph.len(),
        quiet + 1,
        "one Graph request more than without the 401"
    );
    assert_eq!(summary.requests as usize, quiet + 1);
    let account = world.store.account(account.id).unwrap();
    assert_eq!(account.status, AccountStatus::Connected, "{account:?}");
    assert_eq!(local_titles(&world), once(&["After the 401", "Before"]));
}

#[tokio::test]
async fn up_a_401_with_a_valid_refresh_token_refreshes_once_and_pushes_once() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Up).await;
    let d = day(3);
    world.create_local("First", &format!("{d}T08:00"), &format!("{d}T09:00"));
    world.clear_requests().await;
    sync_quick(&mut world, &account).await;
    let quiet = world.graph_requests().await.len();

    world.create_local(
        "After the 401",
        &format!("{d}T10:00"),
        &format!("{d}T11:00"),
    );
    forget_access_tokens(&world, MEGAN).await;
    world.clear_requests().await;
    let summary = sync_quick(&mut world, &account).await;
    assert!(summary.errors.is_empty(), "{summary:?}");
    assert_eq!(summary.added, 1, "{summary:?}");
    let (tokens, graph, refused) = after_a_401(&world).await;
    asked_again_once(&tokens, &graph, &refused);
    assert_eq!(
        refused[0]["method"], "POST",
        "the $batch was refused: {graph:?}"
    );
    assert_eq!(
        graph.len(),
        quiet + 1,
        "one Graph request more than without the 401"
    );
    assert_eq!(
        outlook_subjects(&world).await,
        once(&["After the 401", "First"])
    );
    assert_eq!(world.store.outbox_len(account.id).unwrap(), 0);
    assert_eq!(
        world.store.account(account.id).unwrap().status,
        AccountStatus::Connected
    );
}

/// An Up account with one appointment in Outlook, then an edit of it and two new ones waiting:
/// one `$batch` of one PATCH and two POSTs (the only Graph request of an Up sync without faults).
async fn a_batch_of_three_waiting(world: &mut World) -> Account {
    let account = world.connect(MEGAN, Direction::Up).await;
    let d = day(3);
    let first = world.create_local("First", &format!("{d}T08:00"), &format!("{d}T09:00"));
    sync_quick(world, &account).await;
    world.rename_local(first.id, "First (edited)");
    world.create_local("Second", &format!("{d}T10:00"), &format!("{d}T11:00"));
    world.create_local("Third", &format!("{d}T12:00"), &format!("{d}T13:00"));
    assert_eq!(world.store.outbox_len(account.id).unwrap(), 3);
    account
}

#[tokio::test]
async fn up_a_401_on_single_batch_parts_renews_once_and_sends_only_those_parts_again() {
    let mut world = world().await;
    let account = a_batch_of_three_waiting(&mut world).await;
    // The batch is accepted, but Graph refuses the token for the two POSTs (not the PATCH).
    world
        .add_fault(
            json!({"method": "POST", "path": "/v1.0/me/*", "batchPart": true,
                          "count": 2, "kind": "status", "status": 401}),
        )
        .await;
    world.clear_requests().await;
    let summary = sync_quick(&mut world, &account).await;
    assert!(summary.errors.is_empty(), "{summary:?}");
    assert_eq!((summary.added, summary.updated), (2, 1), "{summary:?}");
    assert!(faults_used_up(&world).await, "both parts were refused");
    let tokens = world.logged_requests("*/oauth2/v2.0/token").await;
    assert_eq!(tokens.len(), 1, "exactly one token request: {tokens:?}");
    let graph = world.graph_requests().await;
    let batches: Vec<&Value> = graph
        .iter()
        .filter(|request| request["path"] == "/v1.0/$batch")
        .collect();
    assert_eq!(
        batches.len(),
        2,
        "one more $batch, for the refused parts only: {graph:?}"
    );
    assert_eq!(graph.len(), batches.len(), "nothing else asked: {graph:?}");
    let seq = |r: &Value| r["seq"].as_u64().unwrap();
    assert!(
        seq(batches[0]) < seq(&tokens[0]) && seq(&tokens[0]) < seq(batches[1]),
        "the batch, then the token request, then the repeat: {graph:?} {tokens:?}"
    );
    assert_eq!(
        outlook_subjects(&world).await,
        once(&["First (edited)", "Second", "Third"]),
        "each once: the PATCH was not sent twice, the POSTs not lost"
    );
    assert_eq!(world.store.outbox_len(account.id).unwrap(), 0);
    assert_eq!(
        world.store.account(account.id).unwrap().status,
        AccountStatus::Connected
    );
    world.clear_requests().await;
    let again = sync_quick(&mut world, &account).await;
    assert_eq!((again.added, again.updated), (0, 0), "{again:?}");
    assert!(
        world.graph_requests().await.is_empty(),
        "a quiet sync after"
    );
}

#[tokio::test]
async fn up_a_401_on_batch_parts_again_after_a_new_token_asks_for_sign_in_once() {
    let mut world = world().await;
    let account = a_batch_of_three_waiting(&mut world).await;
    world
        .add_fault(
            json!({"method": "POST", "path": "/v1.0/me/*", "batchPart": true,
                          "kind": "status", "status": 401}),
        )
        .await;
    world.clear_requests().await;
    let summary = sync_quick(&mut world, &account).await;
    assert_eq!(summary.errors.len(), 1, "{summary:?}");
    let tokens = world.logged_requests("*/oauth2/v2.0/token").await;
    assert_eq!(tokens.len(), 1, "one renewal, never a loop: {tokens:?}");
    let graph = world.graph_requests().await;
    assert_eq!(
        graph.len(),
        2,
        "the $batch, and its refused parts once more: {graph:?}"
    );
    let account_now = world.store.account(account.id).unwrap();
    assert_eq!(account_now.status, AccountStatus::SignInNeeded);
    assert_eq!(
        outlook_subjects(&world).await,
        once(&["First (edited)"]),
        "the PATCH that was accepted is recorded"
    );
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        2,
        "the two creations wait"
    );
}

#[tokio::test]
async fn a_401_then_a_refused_refresh_asks_for_sign_in_without_asking_graph_again() {
    let mut world = world().await;
    outlook_event(&world, "Pulled", 1).await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    sync_quick(&mut world, &account).await;
    let d = day(5);
    world.create_local(
        "Waiting to go up",
        &format!("{d}T08:00"),
        &format!("{d}T09:00"),
    );
    world.tenant.revoke_refresh_tokens(MEGAN).await;
    forget_access_tokens(&world, MEGAN).await;
    world.clear_requests().await;
    let summary = sync_quick(&mut world, &account).await;
    assert_eq!(summary.errors.len(), 1, "{summary:?}");
    let (tokens, graph, refused) = after_a_401(&world).await;
    assert_eq!(tokens.len(), 1, "one refresh, refused: {tokens:?}");
    assert_eq!(tokens[0]["status"], 400, "{tokens:?}");
    assert_eq!(refused.len(), 1, "{graph:?}");
    assert_eq!(
        graph.len(),
        1,
        "nothing asked after the refused refresh: {graph:?}"
    );
    let account = world.store.account(account.id).unwrap();
    assert_eq!(account.status, AccountStatus::SignInNeeded);
    assert!(
        account
            .last_error
            .unwrap()
            .contains("expired or was revoked: sign in again")
    );
    assert_eq!(local_titles(&world), once(&["Pulled", "Waiting to go up"]));
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        1,
        "the push waits"
    );
}

#[tokio::test]
async fn a_second_401_after_a_new_token_asks_for_sign_in() {
    let mut world = world().await;
    outlook_event(&world, "Pulled", 1).await;
    let account = world.connect(MEGAN, Direction::Down).await;
    sync_quick(&mut world, &account).await;
    world
        .add_fault(json!({"path": "/v1.0/me/calendars/*", "count": 2,
            "kind": "status", "status": 401}))
        .await;
    world.clear_requests().await;
    let summary = sync_quick(&mut world, &account).await;
    assert_eq!(summary.errors.len(), 1, "{summary:?}");
    let (tokens, graph, refused) = after_a_401(&world).await;
    assert_eq!(tokens.len(), 1, "one new token: {tokens:?}");
    assert_eq!(tokens[0]["status"], 200, "{tokens:?}");
    assert_eq!(refused.len(), 2, "refused, then refused again: {graph:?}");
    assert_eq!(graph.len(), 2, "{graph:?}");
    let account = world.store.account(account.id).unwrap();
    assert_eq!(account.status, AccountStatus::SignInNeeded);
    assert!(account.last_error.unwrap().contains("sign in again"));
    assert_eq!(local_titles(&world), once(&["Pulled"]));
}

async fn sync_all_at(world: &mut World, clock: &Shifted) -> Vec<SyncSummary> {
    let now = || clock.now();
    api::sync(
        &mut world.store,
        &world.credentials,
        SyncScope::default(),
        &quick(),
        &now,
        &mut |_| {},
    )
    .await
    .unwrap()
}

/// Two local appointments on day 3 for the mailbox tests to push: one to edit after the push,
/// one to delete after it.
fn push_pair(world: &mut World) -> (Appointment, Appointment) {
    let d = day(3);
    let edited = world.create_local("Pushed", &format!("{d}T08:00"), &format!("{d}T09:00"));
    let deleted = world.create_local(
        "Pushed, then deleted",
        &format!("{d}T10:00"),
        &format!("{d}T11:00"),
    );
    (edited, deleted)
}

/// After the push: `edited` renamed, `deleted` deleted and one new appointment, so three
/// uploads wait for `account`. Returns that count.
fn edit_delete_and_add_locally(
    world: &mut World,
    account: &Account,
    edited: &Appointment,
    deleted: &Appointment,
) -> u64 {
    let d = day(3);
    world.rename_local(edited.id, "Edited locally");
    world.store.delete_appointment(deleted.id, now()).unwrap();
    world.create_local("New locally", &format!("{d}T12:00"), &format!("{d}T13:00"));
    let waiting = world.store.outbox_len(account.id).unwrap();
    assert_eq!(waiting, 3);
    waiting
}

/// Megan (Up and Down) and Adele (Down) in step, then Megan with local changes waiting for
/// upload: the start of the "mailbox gone" tests.
struct MailboxScene {
    megan: Account,
    adele: Account,
    clock: Shifted,
    waiting: u64,
}

async fn mailbox_scene(world: &mut World) -> MailboxScene {
    for n in 0..12 {
        outlook_event(world, &format!("Pulled {n}"), 1 + n).await;
    }
    let megan = world.connect(MEGAN, Direction::UpAndDown).await;
    let adele = world.connect(ADELE, Direction::Down).await;
    let clock = Shifted(AtomicI64::new(0));
    let (edited, deleted) = push_pair(world);
    sync_all_at(world, &clock).await;
    assert_eq!(outlook_subjects(world).await.len(), 14);

    // Local changes wait for upload when the mailbox goes.
    let waiting = edit_delete_and_add_locally(world, &megan, &edited, &deleted);
    MailboxScene {
        megan,
        adele,
        clock,
        waiting,
    }
}

/// What a sync shows while Megan's mailbox is gone: one error for her in plain words (each of
/// `phrases`), nothing done for her, Adele syncing on, Megan marked Error, the local titles
/// `titles` (nothing local deleted) and every upload still waiting. Returns Adele's summary.
fn assert_mailbox_gone<'a>(
    world: &World,
    scene: &MailboxScene,
    summaries: &'a [SyncSummary],
    phrases: &[&str],
    titles: &BTreeMap<String, usize>,
) -> &'a SyncSummary {
    let of = |id| {
        summaries
            .iter()
            .find(|s: &&SyncSummary| s.account_id == id)
            .unwrap()
    };
    let failed = of(scene.megan.id);
    assert_eq!(failed.errors.len(), 1, "{failed:?}");
    assert!(
        phrases
            .iter()
            .all(|phrase| failed.errors[0].contains(phrase)),
        "plain words: {:?}",
        failed.errors
    );
    assert_eq!((failed.added, failed.updated, failed.deleted), (0, 0, 0));
    let other = of(scene.adele.id);
    assert!(other.errors.is_empty(), "{other:?}");
    let megan_now = world.store.account(scene.megan.id).unwrap();
    assert_eq!(megan_now.status, AccountStatus::Error, "{megan_now:?}");
    assert_eq!(local_titles(world), *titles, "nothing local deleted");
    assert_eq!(
        world.store.outbox_len(scene.megan.id).unwrap(),
        scene.waiting,
        "the uploads wait"
    );
    other
}

/// "Delete user" in Microsoft 365's admin centre (the emulator's admin API).
async fn delete_user(world: &World, user: &str) {
    world
        .admin_call(reqwest::Method::DELETE, &format!("/users/{user}"), None)
        .await;
}

#[tokio::test]
async fn a_deleted_mailbox_is_named_plainly_deletes_nothing_and_stops_no_other_account() {
    let mut world = world().await;
    let scene = mailbox_scene(&mut world).await;
    let (megan, adele, clock, waiting) = (&scene.megan, &scene.adele, &scene.clock, scene.waiting);
    delete_user(&world, MEGAN).await;
    let a = day(2);
    world
        .outlook_create(
            ADELE,
            timed(
                "Adele's meeting",
                &format!("{a}T09:00:00"),
                &format!("{a}T10:00:00"),
            ),
        )
        .await;
    let before = local_titles(&world);

    // With the access token still valid, Exchange answers 404 ErrorInvalidUser.
    let summaries = sync_all_at(&mut world, clock).await;
    let mut expected = before.clone();
    expected.insert("Adele's meeting".into(), 1);
    let other = assert_mailbox_gone(
        &world,
        &scene,
        &summaries,
        &[
            "no longer exists in Microsoft 365",
            "nothing waiting for upload was dropped",
        ],
        &expected,
    );
    assert_eq!(other.added, 1, "the other account keeps syncing");

    // Two hours on, the access token is renewed: the refresh answers AADSTS50034.
    clock.0.store(2 * 3600, Ordering::SeqCst);
    let summaries = sync_all_at(&mut world, clock).await;
    let failed = summaries.iter().find(|s| s.account_id == megan.id).unwrap();
    assert_eq!(failed.errors.len(), 1, "{failed:?}");
    let megan_now = world.store.account(megan.id).unwrap();
    let message = megan_now.last_error.clone().unwrap();
    assert!(
        message.contains("no longer knows this account") && message.contains("AADSTS50034"),
        "plain words: {message}"
    );
    assert_eq!(
        megan_now.status,
        AccountStatus::Error,
        "signing in again cannot help"
    );
    assert_eq!(
        local_titles(&world),
        expected,
        "still nothing local deleted"
    );
    assert_eq!(world.store.outbox_len(megan.id).unwrap(), waiting);
    assert!(
        summaries
            .iter()
            .find(|s| s.account_id == adele.id)
            .unwrap()
            .errors
            .is_empty()
    );
}

async fn set_mailbox_licence(world: &World, user: &str, licensed: bool) {
    let method = if licensed {
        reqwest::Method::PUT
    } else {
        reqwest::Method::DELETE
    };
    world
        .admin_call(method, &format!("/users/{user}/mailbox-licence"), None)
        .await;
}

#[tokio::test]
async fn a_user_who_lost_the_licence_is_named_plainly_and_the_sync_goes_on_once_it_is_back() {
    let mut world = world().await;
    let scene = mailbox_scene(&mut world).await;
    let (megan, clock) = (&scene.megan, &scene.clock);
    set_mailbox_licence(&world, MEGAN, false).await;
    let before = local_titles(&world);

    // Twice: with the access token of before, and two hours on with a renewed one (the user
    // still exists, so the refresh works and Exchange answers the same).
    for hours in [0, 2] {
        clock.0.store(hours * 3600, Ordering::SeqCst);
        let summaries = sync_all_at(&mut world, clock).await;
        assert_mailbox_gone(
            &world,
            &scene,
            &summaries,
            &[
                "has no Exchange Online licence",
                "nothing waiting for upload was dropped",
                "once the licence is given back",
            ],
            &before,
        );
    }

    set_mailbox_licence(&world, MEGAN, true).await;
    let summaries = sync_all_at(&mut world, clock).await;
    let back = summaries.iter().find(|s| s.account_id == megan.id).unwrap();
    assert!(back.errors.is_empty(), "{back:?}");
    assert_eq!(back.conflicts, 0, "{back:?}");
    assert_eq!(
        world.store.account(megan.id).unwrap().status,
        AccountStatus::Connected
    );
    assert_eq!(world.store.outbox_len(megan.id).unwrap(), 0);
    let mut in_outlook: Vec<String> = (0..12).map(|n| format!("Pulled {n}")).collect();
    in_outlook.extend(["Edited locally".to_owned(), "New locally".to_owned()]);
    let in_outlook: Vec<&str> = in_outlook.iter().map(String::as_str).collect();
    assert_eq!(
        outlook_subjects(&world).await,
        once(&in_outlook),
        "each once with its last edit, the deleted one gone"
    );
    assert_eq!(local_titles(&world), before, "no duplicate pulled back");
    let quiet = sync_all_at(&mut world, clock).await;
    assert_nothing_changed(&quiet);
}

#[tokio::test]
async fn up_a_deleted_mailbox_keeps_every_waiting_upload_and_recreates_nothing() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Up).await;
    let (edited, deleted) = push_pair(&mut world);
    sync_quick(&mut world, &account).await;
    edit_delete_and_add_locally(&mut world, &account, &edited, &deleted);
    let before = local_titles(&world);
    delete_user(&world, MEGAN).await;
    world.clear_requests().await;

    let summary = sync_quick(&mut world, &account).await;
    assert_eq!(summary.errors.len(), 1, "{summary:?}");
    assert!(
        summary.errors[0].contains("no longer exists in Microsoft 365"),
        "{:?}",
        summary.errors
    );
    assert_eq!((summary.added, summary.updated, summary.deleted), (0, 0, 0));
    assert_eq!(
        summary.conflicts, 0,
        "a PATCH refused for the mailbox is no deleted event"
    );
    let graph = world.graph_requests().await;
    assert_eq!(
        graph.len(),
        1,
        "one $batch, no second pass re-creating: {graph:?}"
    );
    let account = world.store.account(account.id).unwrap();
    assert_eq!(account.status, AccountStatus::Error);
    assert_eq!(local_titles(&world), before, "nothing local deleted");
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        3,
        "every upload waits"
    );
}
