//! Sync when things go wrong: a 410 reset without duplicates, a 429 storm, 503, 504 and a
//! cut-off JSON body, a refresh token revoked mid-sync, and the mass-deletion guard.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

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

/// Megan's extra calendars, created through Graph (the account must be allowed to write); their
/// ids by name, the default calendar's under "Calendar".
async fn with_calendars(
    world: &World,
    account: &quick3_core::model::Account,
    names: &[&str],
) -> std::collections::HashMap<String, String> {
    for name in names {
        world
            .graph_post(account, "/me/calendars", &json!({ "name": name }))
            .await;
    }
    world
        .calendars(MEGAN)
        .await
        .into_iter()
        .map(|(id, name)| (name, id))
        .collect()
}

/// `n` events "`prefix` N" in the calendar `calendar_id`, one a day from tomorrow; their ids.
async fn events_in(world: &World, calendar_id: &str, prefix: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let d = day(1 + i as i64);
        let mut event = timed(
            &format!("{prefix} {i}"),
            &format!("{d}T11:00:00"),
            &format!("{d}T12:00:00"),
        );
        event["calendarId"] = json!(calendar_id);
        let created = world.outlook_create(MEGAN, event).await;
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    ids
}

#[tokio::test]
async fn a_mass_deletion_across_calendars_deletes_nothing_until_the_whole_run_is_known() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let calendars = with_calendars(&world, &account, &["Team", "Travel"]).await;
    let mut deleted = Vec::new();
    for name in ["Calendar", "Team", "Travel"] {
        let ids = events_in(&world, &calendars[name], name, 10).await;
        deleted.extend(ids[..8].iter().cloned());
    }
    let scope = SyncScope {
        account: Some(account.id),
        resource: None,
    };
    let small_pages = SyncOptions {
        page_size: 4,
        ..Default::default()
    };
    world.sync_with(scope, &small_pages).await;
    assert_eq!(world.appointments().len(), 30);

    // 80% of the mailbox, 8 of 10 in each calendar: no calendar alone is a mass deletion.
    for id in &deleted {
        world.outlook_delete(MEGAN, id).await;
    }
    let blocked = world.sync_with(scope, &small_pages).await.remove(0);
    let guard = blocked
        .mass_delete_blocked
        .clone()
        .expect("the guard stops the sync");
    assert_eq!(
        (guard.would_delete, guard.pulled),
        (24, 30),
        "the guard weighs the whole run: {blocked:?}"
    );
    assert_eq!(
        world.appointments().len(),
        30,
        "nothing was deleted, as the message says: {:?}",
        blocked.errors
    );
    assert_eq!(blocked.deleted, 0);
    assert!(
        blocked.errors[0].contains("would delete 24 of its 30")
            && blocked.errors[0].contains("nothing was deleted"),
        "{:?}",
        blocked.errors
    );

    let allowed = SyncOptions {
        allow_mass_delete: true,
        ..small_pages.clone()
    };
    let done = world.sync_with(scope, &allowed).await.remove(0);
    assert!(done.mass_delete_blocked.is_none(), "{done:?}");
    assert_eq!(done.deleted, 24);
    assert_eq!(world.appointments().len(), 6);
    assert_nothing_changed(&world.sync_with(scope, &small_pages).await);
}

/// Megan's mailbox with the calendars Team and Travel beside her default one, `events` (name,
/// count) created in them and synced once; the account and the calendars' ids by name.
async fn synced_calendars(
    world: &mut World,
    events: &[(&str, &str, usize)],
) -> (
    quick3_core::model::Account,
    std::collections::HashMap<String, String>,
) {
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let calendars = with_calendars(world, &account, &["Team", "Travel"]).await;
    for (calendar, prefix, n) in events {
        events_in(world, &calendars[*calendar], prefix, *n).await;
    }
    world.sync(&account).await;
    let total: usize = events.iter().map(|(_, _, n)| n).sum();
    assert_eq!(world.appointments().len(), total);
    (account, calendars)
}

#[tokio::test]
async fn a_calendar_list_that_lost_a_full_calendar_asks_before_forgetting_it() {
    let mut world = world().await;
    let (account, calendars) = synced_calendars(
        &mut world,
        &[
            ("Calendar", "Main", 2),
            ("Team", "Team", 1),
            ("Travel", "Flight", 12),
        ],
    )
    .await;
    let scope = SyncScope {
        account: Some(account.id),
        resource: None,
    };
    let options = SyncOptions::default();

    // Team is removed in Outlook: its 404 refreshes the calendar list, whose answer loses
    // Travel (12 appointments) on its way.
    world.remove_calendar(&account, &calendars["Team"]).await;
    world
        .add_fault(json!({"method": "GET", "path": "/v1.0/me/calendars", "count": 1, "kind": "truncated", "keep": 1}))
        .await;
    let blocked = world.sync_with(scope, &options).await.remove(0);
    assert!(
        blocked.mass_delete_blocked.is_some(),
        "forgetting a calendar of 12 appointments asks first: {blocked:?}"
    );
    assert_eq!(
        world
            .appointments()
            .iter()
            .filter(|a| a.title.starts_with("Flight"))
            .count(),
        12,
        "Travel's appointments are kept"
    );
    assert!(
        world.titled("Team 0").is_empty(),
        "the removed calendar of one appointment is forgotten"
    );
    assert!(
        blocked
            .errors
            .iter()
            .any(|e| e.contains("“Travel”") && e.contains("nothing was deleted")),
        "{:?}",
        blocked.errors
    );
    let kept = world.store.sync_calendars(account.id).unwrap();
    assert!(
        kept.iter().any(|c| c.name == "Travel" && c.selected),
        "the calendar and its choice are kept: {kept:?}"
    );

    // With Microsoft's whole list again, Travel goes on as before.
    let next = world.sync_with(scope, &options).await.remove(0);
    assert!(next.errors.is_empty(), "{:?}", next.errors);
    assert_eq!(world.appointments().len(), 14);
    assert_nothing_changed(&world.sync_with(scope, &options).await);
}

#[tokio::test]
async fn an_empty_calendar_list_forgets_nothing() {
    let mut world = world().await;
    let (account, calendars) = synced_calendars(
        &mut world,
        &[("Travel", "Flight", 3), ("Calendar", "Main", 2)],
    )
    .await;
    let scope = SyncScope {
        account: Some(account.id),
        resource: None,
    };
    let options = SyncOptions::default();

    world.remove_calendar(&account, &calendars["Team"]).await;
    world
        .add_fault(json!({"method": "GET", "path": "/v1.0/me/calendars", "count": 1, "kind": "truncated", "keep": 0}))
        .await;
    let summary = world.sync_with(scope, &options).await.remove(0);
    assert_eq!(
        world.appointments().len(),
        5,
        "an empty list forgets no calendar: {:?}",
        summary.errors
    );
    assert!(
        summary
            .errors
            .iter()
            .any(|e| e.contains("listed no calendars") && e.contains("deleted nothing")),
        "{:?}",
        summary.errors
    );
    assert_eq!(world.store.sync_calendars(account.id).unwrap().len(), 3);
}

#[tokio::test]
async fn an_edit_made_while_a_page_is_planned_reaches_outlook() {
    use quick3_core::sync::crash::{Pause, Step};
    use std::sync::atomic::AtomicBool;

    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let d = day(3);
    let local = world.create_local("Draft", &format!("{d}T09:00"), &format!("{d}T10:00"));
    world.sync(&account).await;
    let event = world.outlook_titled(MEGAN, "Draft").await.remove(0);
    let event_id = event["id"].as_str().unwrap().to_owned();

    // The planner renames it (waiting for upload) and Outlook comes to hold the same name, so
    // the next page links the two and drops the waiting upload…
    world.rename_local(local.id, "Review");
    world
        .outlook_update(MEGAN, &event_id, json!({"subject": "Review"}))
        .await;
    // …while the planner renames it again, between the page's plan and its write.
    let path = world.dir.path().join("q.db");
    let edited = arc(AtomicBool::new(false));
    let done = edited.clone();
    let pause = Pause::new(move |step| {
        if step == Step::DownPagePlanned && !done.swap(true, Ordering::SeqCst) {
            let mut other = quick3_core::Store::open(&path).unwrap();
            other
                .edit_appointment(
                    local.id,
                    quick3_core::model::AppointmentPatch {
                        title: Some("Final".into()),
                        ..Default::default()
                    },
                    now(),
                )
                .unwrap();
        }
    });
    let scope = SyncScope {
        account: Some(account.id),
        resource: None,
    };
    let racing = SyncOptions {
        pause: Some(pause),
        ..Default::default()
    };
    world.sync_with(scope, &racing).await;
    assert!(edited.load(Ordering::SeqCst), "the edit was made mid-sync");
    // Planned again under the write lock, "Final" against Outlook's "Review" (both changed
    // since "Draft") is a conflict: the edit is neither overwritten nor dropped, and reaches
    // Outlook once the planner keeps Quick3's version.
    assert_eq!(
        world.titled("Final").len(),
        1,
        "the edit is kept while held"
    );
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        1,
        "its upload still waits"
    );
    let conflicts = quick3_core::api::conflicts::sync_conflicts(&world.store).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    quick3_core::api::conflicts::resolve_conflict(
        &mut world.store,
        conflicts[0].id,
        quick3_core::model::Keep::Quick3,
        now(),
    )
    .unwrap();
    world.sync(&account).await;

    assert_eq!(
        world.titled("Final").len(),
        1,
        "the planner's last edit is kept"
    );
    let outlook: Vec<String> = world
        .outlook_events(MEGAN)
        .await
        .iter()
        .map(|e| e["subject"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(outlook, ["Final"], "Outlook has the last edit, once");
    assert_nothing_changed(&world.sync_with(scope, &SyncOptions::default()).await);
}

#[tokio::test]
async fn two_hundred_edits_made_during_a_ten_thousand_event_down_are_all_stored_and_uploaded() {
    let mut world = world_with_seed(json!({"scale": {"events": 10_000, "calendars": 1}})).await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    // Microsoft is some way off, so the Down lasts as it does in an office.
    world
        .admin_call(reqwest::Method::PUT, "/latency", Some(json!({"ms": 30})))
        .await;
    let path = world.dir.path().join("q.db");
    let resource = world.resource;
    // The planner works in the window (a connection of its own) while the first Down runs.
    let editing = std::thread::spawn(move || {
        let mut window = quick3_core::Store::open(&path).unwrap();
        let day = day(2);
        (0..200)
            .map(|i| {
                window
                    .create_appointment(
                        quick3_core::model::AppointmentInput {
                            resource_id: resource,
                            title: format!("Edit {i}"),
                            all_day: false,
                            start: format!("{day}T{:02}:{:02}", 6 + i / 60, i % 60),
                            end: Some(format!("{day}T{:02}:{:02}", 7 + i / 60, i % 60)),
                            time_zone: Some("Europe/Berlin".into()),
                            location: None,
                            notes: None,
                            categories: vec![],
                            show_as: None,
                            sensitivity: None,
                        },
                        now(),
                    )
                    .map(|_| std::time::Instant::now())
                    .map_err(|e| e.to_string())
            })
            .collect::<Vec<_>>()
    });
    let first = world.sync(&account).await;
    let synced = std::time::Instant::now();
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    let results = editing.join().unwrap();
    let during = results
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|at| *at < synced))
        .count();
    assert!(
        during >= 100,
        "most edits were made while the sync wrote its pages: {during} of 200"
    );
    let failed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        failed.is_empty(),
        "every edit is stored, none meets a locked database: {failed:?}"
    );
    let local = world.appointments();
    let edits = local
        .iter()
        .filter(|a| a.title.starts_with("Edit "))
        .count();
    assert_eq!(edits, 200, "every edit is in the Scheduler");
    let pulled = local.len() - edits;
    assert!(
        pulled > 5_000,
        "the Down (the scale seed's events in the synced window, about two thirds of 10,000) \
         went on beside the edits: {pulled} pulled ({first:?})"
    );
    // Edits made after the first sync's Up go with the next.
    world.sync(&account).await;
    let mut uploaded: Vec<String> = world
        .outlook_events(MEGAN)
        .await
        .iter()
        .filter_map(|e| e["subject"].as_str())
        .filter(|s| s.starts_with("Edit "))
        .map(str::to_owned)
        .collect();
    uploaded.sort();
    let mut wanted: Vec<String> = (0..200).map(|i| format!("Edit {i}")).collect();
    wanted.sort();
    assert_eq!(uploaded, wanted, "each edit in Outlook once");
    world
        .admin_call(reqwest::Method::PUT, "/latency", Some(json!({"ms": 0})))
        .await;
    assert_nothing_changed(&[world.sync(&account).await]);
}

#[tokio::test]
async fn a_damaged_appointment_row_never_stops_the_sync_of_the_others() {
    let mut world = world().await;
    let ids = with_events(&world, 3).await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    world.sync(&account).await;
    assert_eq!(world.appointments().len(), 3);
    // An older version stored a time no reader converts (year 12026) for the pulled "Event 0".
    let damaged = world.titled("Event 0").remove(0).id;
    let raw = rusqlite::Connection::open(world.dir.path().join("q.db")).unwrap();
    raw.execute(
        "UPDATE appointments SET start_utc = '+12026-11-25T08:00:00Z',
                end_utc = '+12026-11-26T00:00:00Z' WHERE id = ?1",
        [damaged.to_string()],
    )
    .unwrap();
    drop(raw);

    // Outlook changes every event, then removes the one whose row is damaged.
    for (i, id) in ids.iter().enumerate() {
        world
            .outlook_update(MEGAN, id, json!({"subject": format!("Moved {i}")}))
            .await;
    }
    let changed = world.sync(&account).await;
    assert!(changed.errors.is_empty(), "{:?}", changed.errors);
    let mut titles: Vec<String> = world.appointments().into_iter().map(|a| a.title).collect();
    titles.sort();
    assert_eq!(
        titles,
        ["Moved 1", "Moved 2"],
        "the others follow Outlook; the damaged row is left out, not a reason to stop"
    );
    world.outlook_delete(MEGAN, &ids[0]).await;
    let removed = world.sync(&account).await;
    assert!(removed.errors.is_empty(), "{:?}", removed.errors);
    let raw = rusqlite::Connection::open(world.dir.path().join("q.db")).unwrap();
    let gone: bool = raw
        .query_row(
            "SELECT deleted_at IS NOT NULL FROM appointments WHERE id = ?1",
            [damaged.to_string()],
            |row| row.get(0),
        )
        .unwrap();
    assert!(gone, "Outlook's removal still removes the damaged row");
    assert_nothing_changed(&[world.sync(&account).await]);
}

#[tokio::test]
async fn a_switched_off_calendar_survives_one_list_that_lacks_it_and_goes_with_the_second() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let calendars = with_calendars(&world, &account, &["Team", "Temp", "Travel"]).await;
    for name in ["Team", "Temp", "Travel"] {
        events_in(&world, &calendars[name], name, 1).await;
    }
    world.sync(&account).await;
    // The planner switches Travel off.
    world
        .store
        .select_calendar(account.id, &calendars["Travel"], false, now())
        .unwrap();
    let travel = |world: &World| {
        world
            .store
            .sync_calendars(account.id)
            .unwrap()
            .into_iter()
            .find(|c| c.name == "Travel")
    };
    // The emulator lists the default calendar first, then the others in the order they were made.
    let partial_list = |keep: usize| json!({"method": "GET", "path": "/v1.0/me/calendars", "count": 1, "kind": "truncated", "keep": keep});

    // Team is removed in Outlook; its 404 refreshes the list, which arrives without Travel.
    world.remove_calendar(&account, &calendars["Team"]).await;
    world.add_fault(partial_list(2)).await;
    world.sync(&account).await;
    let kept = travel(&world).expect("one list that lacks it keeps the switched-off calendar");
    assert!(!kept.selected, "with the planner's choice: {kept:?}");

    // A second list in a row without it confirms it is gone.
    world.remove_calendar(&account, &calendars["Temp"]).await;
    world.add_fault(partial_list(1)).await;
    world.sync(&account).await;
    assert!(
        travel(&world).is_none(),
        "two lists in a row without it: forgotten"
    );
}
