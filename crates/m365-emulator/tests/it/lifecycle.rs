//! An account's life beyond sign-in: access tokens ended early while the refresh token stays
//! good (Graph answers 401, a refresh works), and a user deleted from the directory (their
//! mailbox paths answer 404 ErrorInvalidUser, their refresh token AADSTS50034), a user who lost
//! their mailbox licence (still in the directory, mailbox 404 MailboxNotEnabledForRESTAPI), and
//! single `$batch` parts refused with 401.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use m365_emulator::{DEMO_CLIENT_ID, MEGAN_ID, ORG_CLIENT_ID, Seed};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn refresh(h: &Harness, refresh_token: &str) -> (StatusCode, Value) {
    let response = h
        .token(
            "contoso.example",
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await;
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn forgotten_access_tokens_answer_401_and_a_refresh_still_works() {
    let h = start(Seed::Empty).await;
    let megan = h.user_tokens(MEGAN, m365_emulator::DEMO_PASSWORD).await;
    let access = megan["access_token"].as_str().unwrap();
    let app = h.app_token().await;
    assert_eq!(
        h.get(access, "/me/calendars").await.status(),
        StatusCode::OK
    );

    let forgotten: Value = h
        .admin_post("/tokens/forget-access", json!({"user": MEGAN}))
        .await
        .json()
        .await
        .unwrap();
    assert!(forgotten["forgotten"].as_u64().unwrap() >= 1, "{forgotten}");
    let refused = h.get(access, "/me/calendars").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers().contains_key("www-authenticate"));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    let batch = h
        .post_json(
            access,
            "/$batch",
            json!({"requests": [{"id": "1", "method": "GET", "url": "/me/calendars"}]}),
        )
        .await;
    assert_eq!(
        batch.status(),
        StatusCode::UNAUTHORIZED,
        "a batch with a refused token is refused as a whole"
    );
    assert_eq!(
        h.get(&app, &format!("/users/{MEGAN_ID}/calendars"))
            .await
            .status(),
        StatusCode::OK,
        "the organisation app's token is untouched"
    );

    let (status, renewed) = refresh(&h, megan["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let renewed = renewed["access_token"].as_str().unwrap();
    assert_eq!(
        h.get(renewed, "/me/calendars").await.status(),
        StatusCode::OK
    );

    let path = format!("/users/{MEGAN_ID}/calendars");
    assert_eq!(h.get(&app, &path).await.status(), StatusCode::OK);
    h.admin_post("/tokens/forget-access", json!({"clientId": ORG_CLIENT_ID}))
        .await;
    assert_eq!(h.get(&app, &path).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        h.get(renewed, "/me/calendars").await.status(),
        StatusCode::OK,
        "only the organisation app's tokens"
    );
}

#[tokio::test]
async fn a_deleted_user_has_no_mailbox_and_cannot_refresh() {
    let h = start(Seed::Demo).await;
    let megan = h.user_tokens(MEGAN, m365_emulator::DEMO_PASSWORD).await;
    let access = megan["access_token"].as_str().unwrap();
    let app = h.app_token().await;

    let deleted = h.admin_delete(&format!("/users/{MEGAN}")).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let again = h.admin_delete(&format!("/users/{MEGAN}")).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "deleted once");

    // Access tokens already issued are not ended (no continuous access evaluation), but
    // Exchange no longer finds the mailbox.
    for (token, path) in [
        (access, "/me/calendars".to_owned()),
        (app.as_str(), format!("/users/{MEGAN_ID}/calendars")),
        (app.as_str(), format!("/users/{MEGAN_ID}/events")),
    ] {
        let response = h.get(token, &path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "ErrorInvalidUser", "{path}: {body}");
    }
    let directory = h.get(&app, &format!("/users/{MEGAN_ID}")).await;
    assert_eq!(directory.status(), StatusCode::NOT_FOUND);
    let body: Value = directory.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");

    let (status, body) = refresh(&h, megan["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_codes"][0], 50034, "{body}");

    let users: Value = h.admin_get_json("/users").await;
    assert!(
        users["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|user| user["mail"] != MEGAN),
        "gone from the directory"
    );
}

#[tokio::test]
async fn a_user_without_a_licence_keeps_the_directory_entry_but_no_mailbox() {
    let h = start(Seed::Empty).await;
    let megan = h.user_tokens(MEGAN, m365_emulator::DEMO_PASSWORD).await;
    let access = megan["access_token"].as_str().unwrap();
    let app = h.app_token().await;
    let created = h
        .create(access, "Kept", "2026-03-02T09:00:00", "2026-03-02T10:00:00")
        .await;
    let licence = format!("/users/{MEGAN}/mailbox-licence");
    let removed = h.admin_delete(&licence).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);

    for (token, path) in [
        (access, "/me/calendars".to_owned()),
        (access, "/me/events".to_owned()),
        (app.as_str(), format!("/users/{MEGAN_ID}/calendars")),
        (app.as_str(), format!("/users/{MEGAN_ID}/events")),
    ] {
        let response = h.get(token, &path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["error"]["code"], "MailboxNotEnabledForRESTAPI",
            "{path}: {body}"
        );
        assert_eq!(
            body["error"]["message"],
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise."
        );
    }
    let batch: Value = h
        .post_json(
            access,
            "/$batch",
            json!({"requests": [{"id": "1", "method": "GET", "url": "/me/events"}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(batch["responses"][0]["status"], 404, "{batch}");
    assert_eq!(
        batch["responses"][0]["body"]["error"]["code"],
        "MailboxNotEnabledForRESTAPI"
    );
    // The user is still there: the profile, the directory entry and sign-in work.
    assert_eq!(h.get(access, "/me").await.status(), StatusCode::OK);
    assert_eq!(
        h.get(&app, &format!("/users/{MEGAN_ID}")).await.status(),
        StatusCode::OK
    );
    let (status, body) = refresh(&h, megan["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let given = h.admin_put(&licence).await;
    assert_eq!(given.status(), StatusCode::NO_CONTENT);
    let events = h.get_json(access, "/me/events").await;
    assert_eq!(
        events["value"][0]["id"], created["id"],
        "the mailbox comes back with what it held: {events}"
    );
    let unknown = h
        .admin_delete("/users/nobody@contoso.example/mailbox-licence")
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_batch_part_can_be_refused_with_401_while_the_batch_is_accepted() {
    let h = start(Seed::Empty).await;
    let access = h.megan().await;
    let refused = h
        .admin_post(
            "/faults",
            json!({"method": "POST", "path": "/v1.0/me/events", "count": 1, "batchPart": true,
                   "kind": "status", "status": 401}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CREATED);
    let event = |subject: &str| {
        json!({"subject": subject,
               "start": {"dateTime": "2026-03-02T09:00:00", "timeZone": "UTC"},
               "end": {"dateTime": "2026-03-02T10:00:00", "timeZone": "UTC"}})
    };
    let batch = h
        .post_json(
            &access,
            "/$batch",
            json!({"requests": [
                {"id": "1", "method": "POST", "url": "/me/events", "body": event("One"),
                 "headers": {"Content-Type": "application/json"}},
                {"id": "2", "method": "GET", "url": "/me/calendars"},
            ]}),
        )
        .await;
    assert_eq!(
        batch.status(),
        StatusCode::OK,
        "the batch itself is accepted"
    );
    let batch: Value = batch.json().await.unwrap();
    let part = |id: &str| {
        batch["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|part| part["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(part("1")["status"], 401, "{batch}");
    assert_eq!(
        part("1")["body"]["error"]["code"],
        "InvalidAuthenticationToken"
    );
    assert_eq!(part("2")["status"], 200, "only the matching part");
    let events = h.get_json(&access, "/me/events").await;
    assert_eq!(
        events["value"].as_array().unwrap().len(),
        0,
        "nothing created"
    );
    assert_eq!(
        h.post_json(&access, "/me/events", event("Whole"))
            .await
            .status(),
        StatusCode::CREATED,
        "a batch-part rule leaves whole requests alone"
    );

    let dropped = h
        .admin_post(
            "/faults",
            json!({"path": "/v1.0/me/events", "batchPart": true, "kind": "drop"}),
        )
        .await;
    assert_eq!(
        dropped.status(),
        StatusCode::BAD_REQUEST,
        "a part cannot drop the connection"
    );
}
