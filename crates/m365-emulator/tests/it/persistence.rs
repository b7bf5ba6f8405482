//! `--state FILE`: sign-ins (refresh tokens, revocations) and sync states (delta and skip
//! tokens) survive a restart with the same state file and CA folder.
// Test helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;

use common::*;
use m365_emulator::{DEMO_CLIENT_ID, DEMO_PASSWORD, EmulatorConfig, Seed};
use reqwest::StatusCode;
use serde_json::Value;

/// Starts an emulator keeping its state and CA in `dir`, as the app's demo mode does.
async fn start_in(dir: &Path, seed: Seed) -> Harness {
    start_with(EmulatorConfig {
        seed,
        state_file: Some(dir.join("emulator.db")),
        cert_dir: Some(dir.join("emulator-ca")),
        ..EmulatorConfig::default()
    })
    .await
}

/// Stops the emulator (which writes the state file a last time) and starts it again.
async fn restart(h: Harness, dir: &Path, seed: Seed) -> Harness {
    h.emulator.shutdown().await;
    start_in(dir, seed).await
}

async fn refresh(h: &Harness, token: &str) -> (StatusCode, Value) {
    let response = h
        .token(
            "common",
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("grant_type", "refresh_token"),
                ("refresh_token", token),
                ("scope", "Calendars.ReadWrite offline_access"),
            ],
        )
        .await;
    (response.status(), response.json().await.unwrap())
}

/// The same link on the restarted emulator's host (port 0 picks a new port on every start;
/// the token in the link is what matters).
fn on_host(link: &str, h: &Harness) -> String {
    let path = &link[link.find("/v1.0").unwrap()..];
    format!("{}{path}", h.emulator.authority())
}

async fn delta_page(h: &Harness, token: &str, url: &str, page_size: usize) -> Value {
    let response = h
        .http
        .get(url)
        .bearer_auth(token)
        .header("Prefer", format!("odata.maxpagesize={page_size}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "delta page {url}");
    response.json().await.unwrap()
}

fn subjects(page: &Value) -> Vec<String> {
    let mut subjects: Vec<String> = page["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["subject"].as_str().unwrap_or("@removed").to_owned())
        .collect();
    subjects.sort();
    subjects
}

#[tokio::test]
async fn a_refresh_token_issued_before_a_restart_still_works_and_rotates() {
    let dir = tempfile::tempdir().unwrap();
    let h = start_in(dir.path(), Seed::Empty).await;
    let tokens = h.user_tokens(MEGAN, DEMO_PASSWORD).await;
    let before = tokens["refresh_token"].as_str().unwrap().to_owned();

    let h = restart(h, dir.path(), Seed::Empty).await;
    let (status, renewed) = refresh(&h, &before).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the refresh token of the last run is honoured: {renewed}"
    );
    let rotated = renewed["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, before, "the refresh rotates as usual");
    let access = renewed["access_token"].as_str().unwrap();
    let calendar = h.get_json(access, "/me/calendar").await;
    assert_eq!(
        calendar["owner"]["address"], MEGAN,
        "the new access token reaches Megan's mailbox"
    );

    let h = restart(h, dir.path(), Seed::Empty).await;
    let (status, _) = refresh(&h, &rotated).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a token rotated after a restart survives the next restart too"
    );
}

#[tokio::test]
async fn a_revocation_before_a_restart_still_holds_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let h = start_in(dir.path(), Seed::Empty).await;
    let revoked = h.user_tokens(MEGAN, DEMO_PASSWORD).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    h.clock.advance(chrono::TimeDelta::seconds(1));
    let answer = h
        .admin_post(
            &format!("/users/{MEGAN}/revoke-refresh-tokens"),
            Value::Null,
        )
        .await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);

    let h = restart(h, dir.path(), Seed::Empty).await;
    let (status, body) = refresh(&h, &revoked).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error_codes"][0], 50173,
        "a token revoked before the restart stays revoked"
    );
}

#[tokio::test]
async fn a_delta_link_issued_before_a_restart_continues_incrementally() {
    let dir = tempfile::tempdir().unwrap();
    let h = start_in(dir.path(), Seed::Empty).await;
    let token = h.megan().await;
    for day in 1..=5 {
        h.create(
            &token,
            &format!("E{day}"),
            &format!("2030-03-{day:02}T10:00:00"),
            &format!("2030-03-{day:02}T11:00:00"),
        )
        .await;
    }
    let first = format!(
        "{}/me/calendarView/delta?startDateTime=2030-03-01T00:00:00Z&endDateTime=2030-04-01T00:00:00Z",
        h.emulator.graph()
    );
    let page = delta_page(&h, &token, &first, 3).await;
    assert_eq!(subjects(&page), ["E1", "E2", "E3"], "the first page");
    let next = page["@odata.nextLink"].as_str().unwrap().to_owned();

    // A restart in the middle of a round: the skip token continues where it was.
    let h = restart(h, dir.path(), Seed::Empty).await;
    let token = h.megan().await;
    let page = delta_page(&h, &token, &on_host(&next, &h), 3).await;
    assert_eq!(
        subjects(&page),
        ["E4", "E5"],
        "the skip token of the last run continues the round"
    );
    let delta = page["@odata.deltaLink"].as_str().unwrap().to_owned();

    // A restart between rounds: the delta token reports only what changed since.
    let h = restart(h, dir.path(), Seed::Empty).await;
    let token = h.megan().await;
    h.create(
        &token,
        "Added after the restart",
        "2030-03-20T10:00:00",
        "2030-03-20T11:00:00",
    )
    .await;
    let page = delta_page(&h, &token, &on_host(&delta, &h), 10).await;
    assert_eq!(
        subjects(&page),
        ["Added after the restart"],
        "the deltaLink of the last run reports only the new event"
    );
    assert!(
        page["@odata.deltaLink"].is_string(),
        "and ends in a new deltaLink"
    );
}

#[tokio::test]
async fn admin_tokens_lists_what_survived_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let h = start_in(dir.path(), Seed::Empty).await;
    let tokens = h.user_tokens(MEGAN, DEMO_PASSWORD).await;
    let refresh_token = tokens["refresh_token"].as_str().unwrap().to_owned();
    let access_token = tokens["access_token"].as_str().unwrap().to_owned();

    let h = restart(h, dir.path(), Seed::Empty).await;
    let listed: Value = h
        .http
        .get(h.admin("/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = listed.as_array().unwrap();
    assert!(
        listed
            .iter()
            .any(|entry| entry["kind"] == "refresh" && entry["token"] == refresh_token.as_str()),
        "the refresh token of the last run is still known"
    );
    assert!(
        !listed
            .iter()
            .any(|entry| entry["token"] == access_token.as_str()),
        "access tokens are not kept across restarts"
    );
}
