//! Outside input that must not be trusted as it comes (docs/reliability.md, "Outside input"):
//! waits Microsoft asks for, links it sends, the size of its answers, against the emulator.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::support;
use crate::sync_support;

use std::time::{Duration, Instant};

use quick3_core::api::SyncScope;
use quick3_core::graph::RetryPolicy;
use quick3_core::model::{Account, Direction};
use quick3_core::sync::{SyncOptions, SyncSummary};
use serde_json::{Value, json};
use sync_support::*;

/// Ten trillion seconds: about 317,000 years, past chrono's last representable date.
const HUGE_RETRY_AFTER: u64 = 10_000_000_000_000;
const TOO_LONG: &str = "Microsoft asked Quick3 Planner to wait 2777777778 hours before the next request; the sync stopped and will try again at its next run.";

fn scope(account: &Account) -> SyncScope {
    SyncScope {
        account: Some(account.id),
        resource: None,
    }
}

/// Syncs `account` with `options`, failing the test if it takes longer than `limit`.
async fn sync_within(
    world: &mut World,
    account: &Account,
    options: &SyncOptions,
    limit: Duration,
) -> (SyncSummary, Duration) {
    let started = Instant::now();
    let summary = tokio::time::timeout(limit, world.sync_with(scope(account), options))
        .await
        .unwrap_or_else(|_| panic!("the sync was still waiting after {limit:?}"))
        .remove(0);
    (summary, started.elapsed())
}

async fn outlook_event(world: &World, subject: &str, days: i64) {
    let d = day(days);
    world
        .outlook_create(
            MEGAN,
            timed(subject, &format!("{d}T09:00:00"), &format!("{d}T10:00:00")),
        )
        .await;
}

fn titles(world: &World) -> Vec<String> {
    let mut titles: Vec<String> = world.appointments().into_iter().map(|a| a.title).collect();
    titles.sort();
    titles
}

#[tokio::test]
async fn down_a_huge_retry_after_stops_the_sync_at_once_with_a_plain_sentence() {
    let mut world = world().await;
    outlook_event(&world, "In Outlook", 1).await;
    let account = world.connect(MEGAN, Direction::Down).await;
    world
        .add_fault(
            json!({"path": "*/delta", "count": 1, "kind": "status", "status": 429,
            "retryAfter": HUGE_RETRY_AFTER}),
        )
        .await;

    let (summary, took) = sync_within(
        &mut world,
        &account,
        &SyncOptions::default(),
        Duration::from_secs(20),
    )
    .await;
    assert!(
        took < Duration::from_secs(5),
        "the sync ends promptly, without waiting: {took:?}"
    );
    assert!(
        summary.errors.iter().any(|e| e.contains(TOO_LONG)),
        "a plain sentence: {:?}",
        summary.errors
    );
    assert!(
        titles(&world).is_empty(),
        "nothing was written: {summary:?}"
    );

    let next = world.sync(&account).await;
    assert!(next.errors.is_empty(), "{:?}", next.errors);
    assert_eq!(
        titles(&world),
        ["In Outlook"],
        "the next run catches up, nothing lost"
    );
}

#[tokio::test]
async fn up_a_huge_retry_after_on_batch_parts_keeps_the_upload_waiting() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::Up).await;
    let d = day(2);
    world.create_local("Planned", &format!("{d}T10:00"), &format!("{d}T11:00"));
    world
        .add_fault(json!({"method": "POST", "path": "/v1.0/me/*events",
            "batchPart": true, "count": 5, "kind": "status", "status": 429,
            "retryAfter": HUGE_RETRY_AFTER}))
        .await;
    let quick = SyncOptions {
        retry: RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            timeout: Duration::from_secs(5),
        },
        ..SyncOptions::default()
    };

    let (summary, _) = sync_within(&mut world, &account, &quick, Duration::from_secs(20)).await;
    assert!(
        summary.errors.iter().any(|e| e.contains(TOO_LONG)),
        "a plain sentence, no panic on the date: {:?}",
        summary.errors
    );
    assert_eq!(
        world.store.outbox_len(account.id).unwrap(),
        1,
        "the upload waits"
    );

    world
        .admin_call(reqwest::Method::DELETE, "/faults", None)
        .await;
    let next = world.sync_with(scope(&account), &quick).await.remove(0);
    assert!(next.errors.is_empty(), "{:?}", next.errors);
    let subjects: Vec<Value> = world
        .outlook_events(MEGAN)
        .await
        .into_iter()
        .map(|e| e["subject"].clone())
        .collect();
    assert_eq!(subjects, [json!("Planned")], "pushed once on the next run");
}

#[tokio::test]
async fn a_device_code_answer_asking_for_an_endless_wait_is_refused_plainly() {
    let tenant = support::demo_tenant().await;
    let http = tenant.endpoints.http_client().unwrap();
    for (interval, expires_in) in [(u64::MAX, 900), (5, u64::MAX), (86_400, 900)] {
        tenant
            .admin
            .post(format!("{}/faults", tenant.emulator.admin()))
            .json(
                &json!({"path": "*/devicecode", "count": 1, "kind": "answer", "body": {
                "device_code": "device", "user_code": "ABCD-EFGH",
                "verification_uri": "https://microsoft.com/devicelogin",
                "expires_in": expires_in, "interval": interval,
                "message": "To sign in, enter ABCD-EFGH."}}),
            )
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        let scopes = vec!["Calendars.ReadWrite".to_owned()];
        let started = Instant::now();
        let refused =
            quick3_core::identity::flow::begin_device_sign_in(&tenant.endpoints, &http, &scopes)
                .await
                .map(|device| device.user_code)
                .unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("longer than a sign-in can wait"),
            "interval {interval}, expires_in {expires_in}: {refused}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

/// A server on another loopback port that records every connection and what it was sent.
async fn listening_elsewhere() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = std::sync::Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = vec![0; 8192];
            let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buffer))
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or(0);
            record
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buffer[..read]).into_owned());
        }
    });
    (port, seen)
}

/// A delta page with one event tomorrow and `next_link`.
fn poisoned_page(next_link: &str) -> Value {
    let d = day(1);
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(event)",
        "@odata.nextLink": next_link,
        "value": [{
            "@odata.etag": "W/\"DwAAABYAAAB\"", "id": "AAMkPoisonedPage", "changeKey": "DwAAABYAAAB",
            "subject": "From the poisoned page", "isAllDay": false, "isCancelled": false,
            "showAs": "busy", "type": "singleInstance", "sensitivity": "normal",
            "start": {"dateTime": format!("{d}T12:00:00.0000000"), "timeZone": "UTC"},
            "end": {"dateTime": format!("{d}T13:00:00.0000000"), "timeZone": "UTC"}
        }]
    })
}

#[tokio::test]
async fn down_a_next_link_to_another_host_is_not_followed_and_nothing_of_its_page_is_written() {
    let (port, seen) = listening_elsewhere().await;
    for link in [
        format!("http://127.0.0.1:{port}/v1.0/me/calendarView/delta?$skiptoken=stolen"),
        format!("https://127.0.0.1:{port}/v1.0/me/calendarView/delta?$skiptoken=stolen"),
        "http://graph.example.com/v1.0/me/calendarView/delta?$skiptoken=stolen".to_owned(),
        "file:///etc/passwd".to_owned(),
    ] {
        let mut world = world().await;
        outlook_event(&world, "In Outlook", 2).await;
        let account = world.connect(MEGAN, Direction::Down).await;
        world
            .add_fault(json!({"path": "*/delta", "count": 1, "kind": "answer",
                "body": poisoned_page(&link)}))
            .await;
        let (summary, _) = sync_within(
            &mut world,
            &account,
            &SyncOptions::default(),
            Duration::from_secs(30),
        )
        .await;
        assert!(
            summary
                .errors
                .iter()
                .any(|e| e.contains("sent a link to another address")
                    && e.contains("did not follow it")),
            "{link}: a plain sentence: {:?}",
            summary.errors
        );
        assert!(
            seen.lock().unwrap().is_empty(),
            "{link}: the other host never saw a request (nor the token): {:?}",
            seen.lock().unwrap()
        );
        assert!(
            titles(&world).is_empty(),
            "{link}: nothing of the poisoned page was written"
        );
        let next = world.sync(&account).await;
        assert!(next.errors.is_empty(), "{link}: {:?}", next.errors);
        assert_eq!(
            titles(&world),
            ["In Outlook"],
            "{link}: the next run is clean"
        );
    }
}

#[tokio::test]
async fn down_an_answer_over_50_mb_is_refused_plainly_with_or_without_a_length() {
    for chunked in [false, true] {
        let mut world = world().await;
        outlook_event(&world, "In Outlook", 2).await;
        let account = world.connect(MEGAN, Direction::Down).await;
        world
            .add_fault(json!({"path": "*/delta", "count": 1, "kind": "oversized",
                "bytes": 51 * 1024 * 1024, "chunked": chunked}))
            .await;
        let (summary, _) = sync_within(
            &mut world,
            &account,
            &SyncOptions::default(),
            Duration::from_secs(60),
        )
        .await;
        assert!(
            summary.errors.iter().any(|e| e.contains(
                "Microsoft 365 sent an answer larger than 50 MB; Quick3 Planner did not read it, and the sync stopped."
            )),
            "chunked {chunked}: a plain sentence: {:?}",
            summary.errors
        );
        assert!(
            titles(&world).is_empty(),
            "chunked {chunked}: nothing written"
        );
        let next = world.sync(&account).await;
        assert!(
            next.errors.is_empty(),
            "chunked {chunked}: {:?}",
            next.errors
        );
        assert_eq!(
            titles(&world),
            ["In Outlook"],
            "chunked {chunked}: caught up"
        );
    }
}

#[tokio::test]
async fn text_longer_than_quick3_keeps_is_cut_and_a_resync_sees_no_change() {
    let mut world = world().await;
    let d = day(1);
    let mut event = timed(
        &"Subject ".repeat(1_250),
        &format!("{d}T09:00:00"),
        &format!("{d}T10:00:00"),
    );
    event["location"] = json!({"displayName": "Room ".repeat(200)});
    event["body"] = json!({"contentType": "text", "content": "Line of notes\r\n".repeat(4_000)});
    world.outlook_create(MEGAN, event).await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;

    let first = world.sync(&account).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    let stored = world.appointments().remove(0);
    assert_eq!(
        stored.title.chars().count(),
        255,
        "the subject is cut to 255"
    );
    assert!("Subject ".repeat(1_250).starts_with(&stored.title));
    assert!(
        stored.location.chars().count() <= 255,
        "{}",
        stored.location.len()
    );
    assert!(stored.location.chars().count() >= 250, "cut, not dropped");
    // 32,000 characters of Outlook's text, then its \r\n line ends made \n.
    assert!(
        (29_000..=32_000).contains(&stored.notes.chars().count())
            && "Line of notes\n".repeat(4_000).starts_with(&stored.notes),
        "the notes are cut to 32,000: {}",
        stored.notes.chars().count()
    );

    world.clear_requests().await;
    for round in 0..2 {
        let again = world.sync(&account).await;
        assert!(again.errors.is_empty(), "{:?}", again.errors);
        assert_eq!(
            (again.added, again.updated, again.deleted, again.conflicts),
            (0, 0, 0, 0),
            "round {round}: the cut text is not a change: {again:?}"
        );
    }
    let writes: Vec<Value> = world
        .graph_requests()
        .await
        .into_iter()
        .filter(|r| r["method"] != "GET")
        .collect();
    assert!(writes.is_empty(), "nothing is pushed back: {writes:?}");
    assert_eq!(
        world.outlook_events(MEGAN).await[0]["subject"],
        json!("Subject ".repeat(1_250)),
        "Outlook keeps its own text"
    );
}

#[tokio::test]
async fn the_loopback_listener_ignores_a_wrong_state_and_a_silent_connection() {
    use quick3_core::identity::flow::{self, begin_sign_in, parse_callback};
    use quick3_core::identity::loopback::LoopbackListener;
    use quick3_core::ids::AccountId;

    let tenant = support::demo_tenant().await;
    let http = tenant.endpoints.http_client().unwrap();
    let now = chrono::Utc::now();
    let listener = LoopbackListener::bind().await.unwrap();
    let redirect_uri = listener.redirect_uri();
    let scopes = [
        "openid",
        "offline_access",
        "User.Read",
        "Calendars.ReadWrite",
    ]
    .map(String::from);
    let (url, pending) = begin_sign_in(
        &tenant.endpoints,
        AccountId(2),
        MEGAN,
        &scopes,
        &redirect_uri,
        now,
    )
    .unwrap();
    let waiting = tokio::spawn(listener.wait(&url, Duration::from_secs(20)));

    let plain = reqwest::Client::new();
    let stranger = plain
        .get(format!("{redirect_uri}?code=not-yours&state=guessed"))
        .send()
        .await
        .unwrap();
    assert_ne!(
        stranger.status(),
        200,
        "an answer with another state is not taken"
    );
    let address = redirect_uri
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let _silent = tokio::net::TcpStream::connect(address).await.unwrap();

    let redirect = tenant
        .complete_in_browser(url.as_str(), MEGAN, PASSWORD, None)
        .await;
    let started = Instant::now();
    let delivered = tokio::time::timeout(Duration::from_secs(3), plain.get(&redirect).send())
        .await
        .expect("a silent connection does not hold up the real answer")
        .unwrap();
    assert_eq!(delivered.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(3));
    let answer = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let callback = parse_callback(&answer).unwrap();
    let tokens = flow::finish_sign_in(&tenant.endpoints, &http, pending, callback, now)
        .await
        .expect("the sign-in succeeds with the real answer");
    assert!(tokens.refresh_token.is_some());
}
