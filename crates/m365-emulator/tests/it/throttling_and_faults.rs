//! Throttling (sliding window, concurrency), injected faults, and the request log.
// Test helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::{Duration, Instant};

use chrono::TimeDelta;
use common::*;
use m365_emulator::Seed;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn set_throttle(h: &Harness, body: Value) {
    let response = h.admin_put_json("/throttle", body).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn sliding_window_throttles_until_retry_after() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    set_throttle(
        &h,
        json!({"enabled": true, "maxRequests": 3, "window": 60, "maxConcurrent": 4}),
    )
    .await;
    for _ in 0..3 {
        assert_eq!(
            h.get(&token, "/me/calendars").await.status(),
            StatusCode::OK
        );
    }
    let throttled = h.get(&token, "/me/calendars").await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: i64 = throttled.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=60).contains(&retry_after),
        "Retry-After is within the window: {retry_after}"
    );
    let body: Value = throttled.json().await.unwrap();
    assert_eq!(body["error"]["code"], "TooManyRequests");
    assert_eq!(
        body["error"]["message"],
        "Application is over its MailboxConcurrency limit."
    );
    h.clock.advance(TimeDelta::seconds(retry_after - 1));
    assert_eq!(
        h.get(&token, "/me/calendars").await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "retrying before Retry-After is throttled again"
    );
    h.clock.advance(TimeDelta::seconds(2));
    assert_eq!(
        h.get(&token, "/me/calendars").await.status(),
        StatusCode::OK,
        "after Retry-After the request is served"
    );
    let app = h.app_token().await;
    assert_eq!(
        h.get(
            &app,
            &format!("/users/{}/calendars", m365_emulator::ADELE_ID)
        )
        .await
        .status(),
        StatusCode::OK,
        "another app and mailbox has its own budget"
    );
}

#[tokio::test]
async fn more_than_the_concurrency_limit_is_refused() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    set_throttle(
        &h,
        json!({"enabled": true, "maxRequests": 1000, "window": 600, "maxConcurrent": 4}),
    )
    .await;
    assert_eq!(
        h.admin_post(
            "/faults",
            json!({"path": "/v1.0/me/calendars", "kind": "slow", "delayMs": 400})
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    let requests = (0..6).map(|_| h.get(&token, "/me/calendars"));
    let statuses: Vec<StatusCode> = futures_join(requests)
        .await
        .into_iter()
        .map(|response| response.status())
        .collect();
    let ok = statuses
        .iter()
        .filter(|status| **status == StatusCode::OK)
        .count();
    let throttled = statuses
        .iter()
        .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (ok, throttled),
        (4, 2),
        "4 concurrent requests are served, the others get 429: {statuses:?}"
    );
}

async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.collect();
    let mut out = Vec::new();
    let joined = futures_util::future::join_all(handles).await;
    out.extend(joined);
    out
}

#[tokio::test]
async fn each_fault_kind_behaves() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    for (status, code) in [
        (429u16, "TooManyRequests"),
        (500, "generalException"),
        (503, "serviceNotAvailable"),
        (504, "GatewayTimeout"),
    ] {
        let rule = h.admin_post("/faults", json!({"method": "GET", "path": "/v1.0/me/calendars", "count": 2, "kind": "status", "status": status, "retryAfter": 7})).await;
        assert_eq!(rule.status(), StatusCode::CREATED);
        for _ in 0..2 {
            let response = h.get(&token, "/me/calendars").await;
            assert_eq!(response.status().as_u16(), status);
            assert_eq!(response.headers()["retry-after"], "7");
            assert_eq!(
                response.json::<Value>().await.unwrap()["error"]["code"],
                code
            );
        }
        assert_eq!(
            h.get(&token, "/me/calendars").await.status(),
            StatusCode::OK,
            "after {status} × 2 the fault is used up"
        );
        assert_eq!(
            h.get(&token, "/me").await.status(),
            StatusCode::OK,
            "other paths were never affected"
        );
    }

    h.admin_post(
        "/faults",
        json!({"path": "/v1.0/me/calendars", "count": 1, "kind": "malformed"}),
    )
    .await;
    let malformed = h.get(&token, "/me/calendars").await;
    assert_eq!(malformed.status(), StatusCode::OK);
    assert!(
        malformed.json::<Value>().await.is_err(),
        "a malformed body does not parse as JSON"
    );

    h.admin_post(
        "/faults",
        json!({"path": "/v1.0/me/calendars", "count": 1, "kind": "slow", "delayMs": 300}),
    )
    .await;
    let started = Instant::now();
    assert_eq!(
        h.get(&token, "/me/calendars").await.status(),
        StatusCode::OK
    );
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "a slow fault delays the normal answer"
    );

    h.admin_post(
        "/faults",
        json!({"path": "/v1.0/me/calendars", "count": 1, "kind": "drop"}),
    )
    .await;
    let dropped = h
        .http
        .get(h.graph("/me/calendars"))
        .bearer_auth(&token)
        .send()
        .await;
    assert!(
        dropped.is_err(),
        "a dropped connection gives the client no response"
    );
    assert_eq!(
        h.get(&token, "/me/calendars").await.status(),
        StatusCode::OK,
        "the next connection works"
    );

    h.admin_post(
        "/faults",
        json!({"path": "*/token", "kind": "status", "status": 503, "rate": 1.0, "count": 1}),
    )
    .await;
    let token_fault = h.token("common", &[("grant_type", "refresh_token")]).await;
    assert_eq!(
        token_fault.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "faults apply to identity endpoints as well"
    );

    // `skip`: the first matching request passes, only the second fails (the second page of a
    // delta round whose token expired between pages).
    h.admin_post(
        "/faults",
        json!({"path": "/v1.0/me/calendars", "skip": 1, "count": 1, "kind": "status", "status": 410}),
    )
    .await;
    assert_eq!(h.get(&token, "/me").await.status(), StatusCode::OK);
    assert_eq!(
        h.get(&token, "/me/calendars").await.status(),
        StatusCode::OK,
        "the first matching request is skipped"
    );
    assert_eq!(
        h.get(&token, "/me/calendars").await.status(),
        StatusCode::GONE
    );
    assert_eq!(
        h.get(&token, "/me/calendars").await.status(),
        StatusCode::OK,
        "the rule is used up"
    );

    h.admin_post(
        "/faults",
        json!({"path": "/v1.0/*", "kind": "status", "status": 500, "rate": 0.0}),
    )
    .await;
    assert_eq!(
        h.get(&token, "/me").await.status(),
        StatusCode::OK,
        "a 0 % failure rate never fails"
    );
    let listed: Value = h.admin_get_json("/faults").await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);
    assert_eq!(
        h.admin_delete("/faults").await.status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn request_log_counts_and_clears() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    assert_eq!(
        h.admin_delete("/requests").await.status(),
        StatusCode::NO_CONTENT
    );
    for _ in 0..3 {
        h.get(&token, "/me/calendars").await;
    }
    h.get(&token, "/me").await;
    assert_eq!(h.request_count("/v1.0/me/calendars").await, 3);
    assert_eq!(h.request_count("/v1.0/*").await, 4);
    let log: Value = h.admin_get_json("/requests").await;
    let entry = &log["value"][0];
    assert_eq!(entry["method"], "GET");
    assert_eq!(entry["status"], 200);
    assert!(entry["durationMs"].is_number());
    assert_eq!(
        h.request_count("/_emulator*").await,
        0,
        "admin calls are not logged"
    );
}

#[tokio::test]
async fn reset_and_seed_replace_the_mailboxes() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    h.create(
        &token,
        "Temporary",
        "2030-01-02T08:00:00",
        "2030-01-02T09:00:00",
    )
    .await;
    assert_eq!(
        h.admin_post("/reset", Value::Null).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(
        h.get_json(&token, "/me/events").await["value"]
            .as_array()
            .unwrap()
            .is_empty(),
        "reset goes back to the start seed; tokens stay valid"
    );
    assert_eq!(
        h.admin_post("/seed", json!({"seed": "demo"}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        h.get_json(&token, "/me/events").await["value"]
            .as_array()
            .unwrap()
            .len(),
        10,
        "the demo seed fills the mailbox (first page of 10)"
    );
}

#[tokio::test]
async fn a_network_latency_delays_every_request_but_the_admin_api() {
    let h = start(Seed::Empty).await;
    let token = h.app_token().await;
    let set = h.admin_put_json("/latency", json!({"ms": 300})).await;
    assert_eq!(set.status(), StatusCode::OK);
    let shown: Value = h.admin_get_json("/latency").await;
    assert_eq!(shown["ms"], 300);

    let started = Instant::now();
    let answer = h.get(&token, "/users?$top=1").await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the round trip was waited for"
    );
    let log: Value = h.admin_get_json("/requests").await;
    let last = log["value"].as_array().unwrap().last().unwrap().clone();
    assert!(last["path"].as_str().unwrap().starts_with("/v1.0/users"));
    assert!(last["durationMs"].as_u64().unwrap() >= 300, "{last}");

    h.admin_put_json("/latency", json!({"ms": 0})).await;
}
