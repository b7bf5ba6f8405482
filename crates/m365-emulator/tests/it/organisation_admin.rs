//! What an organisation's administrator can break for an app with application permissions: an
//! expired client secret (AADSTS7000222), an Exchange application access policy restricting
//! mailboxes (403 ErrorAccessDenied), and application permissions revoked.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use m365_emulator::{ADELE_ID, DEMO_TENANT_ID, MEGAN_ID, ORG_CLIENT_ID, ORG_CLIENT_SECRET, Seed};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn aadsts(body: &Value) -> u64 {
    body["error_codes"][0].as_u64().unwrap_or_default()
}

async fn app_token_answer(h: &Harness, secret: &str) -> (StatusCode, Value) {
    let response = h
        .token(
            DEMO_TENANT_ID,
            &[
                ("client_id", ORG_CLIENT_ID),
                ("client_secret", secret),
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    (response.status(), response.json().await.unwrap())
}

async fn admin_put(h: &Harness, path: &str, body: Value) -> reqwest::Response {
    h.http.put(h.admin(path)).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn an_expired_client_secret_is_refused_with_aadsts7000222_and_a_new_one_works() {
    let h = start(Seed::Empty).await;
    let expires = m365_emulator::Clock::now(h.clock.as_ref()) + chrono::TimeDelta::days(1);
    let set = admin_put(
        &h,
        &format!("/apps/{ORG_CLIENT_ID}/secret"),
        json!({"expiresAt": expires}),
    )
    .await;
    assert_eq!(set.status(), StatusCode::OK);
    let (status, _) = app_token_answer(&h, ORG_CLIENT_SECRET).await;
    assert_eq!(status, StatusCode::OK, "valid until tomorrow");

    h.clock.advance(chrono::TimeDelta::days(1));
    let (status, body) = app_token_answer(&h, ORG_CLIENT_SECRET).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(aadsts(&body), 7000222, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains(&format!(
                "client secret keys for app '{ORG_CLIENT_ID}' are expired"
            )),
        "{body}"
    );
    let (_, wrong) = app_token_answer(&h, "another").await;
    assert_eq!(
        aadsts(&wrong),
        7000215,
        "a wrong secret stays a wrong secret"
    );

    admin_put(
        &h,
        &format!("/apps/{ORG_CLIENT_ID}/secret"),
        json!({"secret": "q3Org~rotated", "expiresAt": null}),
    )
    .await;
    assert_eq!(
        app_token_answer(&h, "q3Org~rotated").await.0,
        StatusCode::OK
    );
    assert_eq!(
        aadsts(&app_token_answer(&h, ORG_CLIENT_SECRET).await.1),
        7000215,
        "the old secret is gone after rotation"
    );
}

#[tokio::test]
async fn an_application_access_policy_keeps_the_app_out_of_other_mailboxes() {
    let h = start(Seed::Demo).await;
    let set = admin_put(
        &h,
        &format!("/tenants/contoso.example/apps/{ORG_CLIENT_ID}/access-policy"),
        json!({"allow": [MEGAN]}),
    )
    .await;
    assert_eq!(set.status(), StatusCode::OK);
    let token = h.app_token().await;
    assert_eq!(
        h.get(&token, &format!("/users/{MEGAN_ID}/calendars"))
            .await
            .status(),
        StatusCode::OK,
        "the allowed mailbox"
    );
    let refused = h.get(&token, &format!("/users/{ADELE_ID}/calendars")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "ErrorAccessDenied");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("AppOnly AccessPolicy"),
        "{body}"
    );
    assert_eq!(
        h.get(&token, &format!("/users/{ADELE_ID}")).await.status(),
        StatusCode::OK,
        "the directory entry stays readable: the policy is Exchange's"
    );
    let batch: Value = h
        .http
        .post(h.graph("/$batch"))
        .bearer_auth(&token)
        .json(&json!({"requests": [
            {"id": "1", "method": "GET", "url": format!("/users/{ADELE_ID}/calendars")},
            {"id": "2", "method": "GET", "url": format!("/users/{MEGAN_ID}/calendars")},
        ]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status_of = |id: &str| {
        batch["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["status"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        (status_of("1"), status_of("2")),
        (403, 200),
        "batch parts too"
    );

    let removed = h
        .http
        .delete(h.admin(&format!(
            "/tenants/contoso.example/apps/{ORG_CLIENT_ID}/access-policy"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        h.get(&token, &format!("/users/{ADELE_ID}/calendars"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn revoked_application_permissions_are_missing_from_the_next_token() {
    let h = start(Seed::Demo).await;
    let before = h.app_token().await;
    let revoked = h
        .admin_post(
            &format!("/tenants/contoso.example/apps/{ORG_CLIENT_ID}/revoke-roles"),
            json!({"roles": ["Calendars.ReadWrite"]}),
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(
        revoked.json::<Value>().await.unwrap()["roles"],
        json!(["User.Read.All"])
    );
    assert_eq!(
        h.get(&before, &format!("/users/{MEGAN_ID}/calendars"))
            .await
            .status(),
        StatusCode::OK,
        "a token already issued keeps its roles until it expires"
    );
    let after = h.app_token().await;
    assert_eq!(
        h.get(&after, &format!("/users/{MEGAN_ID}")).await.status(),
        StatusCode::OK
    );
    let refused = h.get(&after, &format!("/users/{MEGAN_ID}/calendars")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    h.admin_post(
        &format!("/tenants/contoso.example/apps/{ORG_CLIENT_ID}/grant-roles"),
        json!({"roles": ["Calendars.Read"]}),
    )
    .await;
    let read_only = h.app_token().await;
    assert_eq!(
        h.get(&read_only, &format!("/users/{MEGAN_ID}/calendars"))
            .await
            .status(),
        StatusCode::OK,
        "granted again, read-only"
    );
}
