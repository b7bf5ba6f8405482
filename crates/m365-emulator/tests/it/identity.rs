//! Identity platform: discovery, authorize pages, code + PKCE, refresh, device code, client
//! credentials, admin consent, and Microsoft's error shapes.
// Test helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::TimeDelta;
use common::*;
use m365_emulator::{DEMO_CLIENT_ID, DEMO_PASSWORD, Seed};
use reqwest::StatusCode;
use serde_json::Value;

fn aadsts(body: &Value) -> u64 {
    body["error_codes"][0].as_u64().unwrap_or_default()
}

#[tokio::test]
async fn discovery_names_endpoints_on_the_emulator_host() {
    let h = start(Seed::Empty).await;
    for tenant in [
        "common",
        "organizations",
        m365_emulator::DEMO_TENANT_ID,
        "contoso.example",
    ] {
        let config: Value = h
            .http
            .get(h.url(&format!("/{tenant}/v2.0/.well-known/openid-configuration")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            config["token_endpoint"],
            format!("{}/{tenant}/oauth2/v2.0/token", h.emulator.authority())
        );
        assert_eq!(
            config["device_authorization_endpoint"],
            format!("{}/{tenant}/oauth2/v2.0/devicecode", h.emulator.authority())
        );
        assert!(config["issuer"].as_str().unwrap().ends_with("/v2.0"));
    }
    let unknown = h
        .http
        .get(h.url("/nowhere.example/v2.0/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        aadsts(&unknown.json().await.unwrap()),
        90002,
        "unknown tenants answer AADSTS90002"
    );
}

#[tokio::test]
async fn auth_code_with_pkce_issues_tokens_and_code_is_single_use() {
    let h = start(Seed::Empty).await;
    let (verifier, challenge) = pkce();
    let scope = "openid profile offline_access User.Read Calendars.ReadWrite";
    let query = h
        .browser_sign_in("organizations", MEGAN, DEMO_PASSWORD, scope, &challenge)
        .await;
    assert_eq!(
        query.get("state").map(String::as_str),
        Some("state-42"),
        "state is echoed"
    );
    let code = query["code"].clone();
    let form = [
        ("client_id", DEMO_CLIENT_ID),
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", &verifier),
    ];

    let wrong_verifier = h
        .token(
            "organizations",
            &[
                form[0],
                form[1],
                form[2],
                form[3],
                ("code_verifier", "not-the-verifier"),
            ],
        )
        .await;
    assert_eq!(wrong_verifier.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        aadsts(&wrong_verifier.json().await.unwrap()),
        501481,
        "a wrong verifier is AADSTS501481"
    );

    let tokens: Value = h.token("organizations", &form).await.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(
        tokens["refresh_token"].is_string(),
        "offline_access yields a refresh token"
    );
    assert_eq!(tokens["expires_in"], 3600);
    assert!(tokens["ext_expires_in"].is_number());
    let id_token = tokens["id_token"].as_str().unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(id_token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        claims["aud"], DEMO_CLIENT_ID,
        "id_token aud is the client id"
    );
    assert_eq!(claims["nonce"], "nonce-7", "nonce is echoed");
    assert_eq!(claims["preferred_username"], MEGAN);
    let client_info: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(tokens["client_info"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(client_info["uid"], m365_emulator::MEGAN_ID);
    assert_eq!(client_info["utid"], m365_emulator::DEMO_TENANT_ID);

    let again = h.token("organizations", &form).await;
    assert_eq!(
        aadsts(&again.json().await.unwrap()),
        54005,
        "a code is redeemed once (AADSTS54005)"
    );

    let me: Value = h
        .get_json(tokens["access_token"].as_str().unwrap(), "/me")
        .await;
    assert_eq!(me["id"], m365_emulator::MEGAN_ID);
}

#[tokio::test]
async fn second_sign_in_skips_consent_and_session_skips_password() {
    let h = start(Seed::Empty).await;
    let (_, challenge) = pkce();
    let scope = "openid offline_access Calendars.Read";
    h.browser_sign_in("common", MEGAN, DEMO_PASSWORD, scope, &challenge)
        .await;
    let response = h.authorize_page("common", scope, &challenge, &[]).await;
    assert_eq!(
        response.status(),
        StatusCode::FOUND,
        "with a session cookie and consent given, authorize redirects at once"
    );
    assert!(redirect_query(&response).contains_key("code"));
    let forced = h
        .authorize_page("common", scope, &challenge, &[("prompt", "login")])
        .await;
    assert_eq!(
        page_kind(&forced.text().await.unwrap()),
        "sign-in",
        "prompt=login shows the sign-in page again"
    );
}

#[tokio::test]
async fn wrong_password_and_declined_consent() {
    let h = start(Seed::Empty).await;
    let (_, challenge) = pkce();
    let page = h
        .authorize_page("common", "openid Calendars.Read", &challenge, &[])
        .await
        .text()
        .await
        .unwrap();
    let retry = h
        .submit_sign_in(&page, MEGAN, "wrong")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        page_kind(&retry),
        "sign-in",
        "a wrong password shows the sign-in page again"
    );
    assert!(retry.contains("AADSTS50126"));
    let consent = h
        .submit_sign_in(&retry, MEGAN, DEMO_PASSWORD)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        consent.contains("Calendars.Read"),
        "the consent page lists the scopes"
    );
    let declined = h.submit_consent(&consent, "decline").await;
    let query = redirect_query(&declined);
    assert_eq!(query["error"], "access_denied");
    assert!(query["error_description"].starts_with("AADSTS65004:"));
}

#[tokio::test]
async fn redirect_mismatch_and_unknown_client_are_shown_not_redirected() {
    let h = start(Seed::Empty).await;
    let url = reqwest::Url::parse_with_params(
        &h.url("/common/oauth2/v2.0/authorize"),
        &[
            ("client_id", DEMO_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", "https://evil.example/cb"),
            ("scope", "openid"),
        ],
    )
    .unwrap();
    let response = h.browser.get(url).send().await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "no redirect to an unregistered URI"
    );
    assert!(response.text().await.unwrap().contains("AADSTS50011"));
    for allowed in [
        "http://127.0.0.1:1234",
        "http://localhost:65000/",
        "quickplanner://auth/callback",
    ] {
        let url = reqwest::Url::parse_with_params(
            &h.url("/common/oauth2/v2.0/authorize"),
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("response_type", "code"),
                ("redirect_uri", allowed),
                ("scope", "openid"),
            ],
        )
        .unwrap();
        let page = h
            .browser
            .get(url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            page_kind(&page),
            "sign-in",
            "{allowed} matches a registered URI (loopback ports are ignored)"
        );
    }
    let url = reqwest::Url::parse_with_params(
        &h.url("/common/oauth2/v2.0/authorize"),
        &[
            ("client_id", "00000000-1111-2222-3333-444444444444"),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
        ],
    )
    .unwrap();
    assert!(
        h.browser
            .get(url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("AADSTS700016")
    );
}

#[tokio::test]
async fn refresh_rotates_and_revocation_and_expiry_end_it() {
    let h = start(Seed::Empty).await;
    let tokens = h.user_tokens(MEGAN, DEMO_PASSWORD).await;
    let first = tokens["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |token: String| {
        let h = &h;
        async move {
            h.token(
                "common",
                &[
                    ("client_id", DEMO_CLIENT_ID),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("scope", "Calendars.ReadWrite offline_access"),
                ],
            )
            .await
        }
    };
    let renewed: Value = refresh(first.clone()).await.json().await.unwrap();
    let second = renewed["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first, "every refresh returns a new refresh token");
    assert!(renewed["access_token"].is_string());

    let revoked = h
        .admin_post(
            &format!("/users/{MEGAN}/revoke-refresh-tokens"),
            Value::Null,
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    h.clock.advance(TimeDelta::seconds(1));
    let after: Value = refresh(second).await.json().await.unwrap();
    assert_eq!(after["error"], "invalid_grant");
    assert_eq!(
        aadsts(&after),
        50173,
        "revoked refresh tokens answer AADSTS50173"
    );

    h.clock.advance(TimeDelta::seconds(1));
    let fresh = h.user_tokens(MEGAN, DEMO_PASSWORD).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    h.clock.advance(TimeDelta::days(91));
    let expired: Value = refresh(fresh).await.json().await.unwrap();
    assert_eq!(
        aadsts(&expired),
        700082,
        "refresh tokens expire after 90 days of inactivity"
    );
}

#[tokio::test]
async fn access_tokens_expire_and_scopes_are_enforced() {
    let h = start(Seed::Demo).await;
    let read_only = h
        .user_tokens_with_scope(MEGAN, DEMO_PASSWORD, "openid User.Read Calendars.Read")
        .await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        h.get(&read_only, "/me/calendars").await.status(),
        StatusCode::OK
    );
    let write = h.create_raw(&read_only).await;
    assert_eq!(
        write.status(),
        StatusCode::FORBIDDEN,
        "writes need Calendars.ReadWrite"
    );
    assert_eq!(
        write.json::<Value>().await.unwrap()["error"]["code"],
        "ErrorAccessDenied"
    );
    h.clock.advance(TimeDelta::seconds(3601));
    let expired = h.get(&read_only, "/me").await;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert!(
        expired.headers().get("www-authenticate").is_some(),
        "401 carries WWW-Authenticate"
    );
    assert_eq!(
        expired.json::<Value>().await.unwrap()["error"]["code"],
        "InvalidAuthenticationToken"
    );
}

trait CreateRaw {
    async fn create_raw(&self, token: &str) -> reqwest::Response;
}

impl CreateRaw for Harness {
    async fn create_raw(&self, token: &str) -> reqwest::Response {
        self.post_json(token, "/me/events", serde_json::json!({"subject": "x", "start": {"dateTime": "2030-01-01T10:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2030-01-01T11:00:00", "timeZone": "UTC"}})).await
    }
}

#[tokio::test]
async fn admin_consent_required_tenant_shows_approval_page_then_admin_consent_unblocks() {
    let h = start(Seed::Empty).await;
    let (verifier, challenge) = pkce();
    let scope = "openid offline_access Calendars.ReadWrite";
    let page = h
        .authorize_page("fabrikam.example", scope, &challenge, &[])
        .await
        .text()
        .await
        .unwrap();
    let approval = h
        .submit_sign_in(&page, LEE, DEMO_PASSWORD)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        page_kind(&approval),
        "admin-approval",
        "users of Fabrikam cannot consent"
    );
    assert!(approval.contains("AADSTS90094"));
    let back = h.submit_consent(&approval, "decline").await;
    let query = redirect_query(&back);
    assert_eq!(query["error"], "access_denied");
    assert!(
        query["error_description"].starts_with("AADSTS65001:"),
        "the app learns that admin consent is missing"
    );

    // Fabrikam has no admin user in the demo; make Contoso require admin consent instead and
    // let Contoso's admin grant it tenant-wide.
    let policy = h
        .http
        .put(h.admin("/tenants/contoso.example/consent-policy"))
        .json(&serde_json::json!({"policy": "adminConsentRequired"}))
        .send()
        .await
        .unwrap();
    assert_eq!(policy.status(), StatusCode::OK);
    let url = reqwest::Url::parse_with_params(
        &h.url("/contoso.example/v2.0/adminconsent"),
        &[
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("scope", "https://graph.microsoft.com/.default"),
            ("state", "admin-1"),
        ],
    )
    .unwrap();
    let page = h
        .browser
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let consent = h
        .submit_sign_in(&page, ADMIN, m365_emulator::ADMIN_PASSWORD)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(page_kind(&consent), "consent");
    let done = h.submit_consent(&consent, "accept").await;
    let query = redirect_query(&done);
    assert_eq!(query["admin_consent"], "True");
    assert_eq!(query["state"], "admin-1");

    let browser = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(h.emulator.ca_cert_pem().as_bytes()).unwrap(),
        )
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = reqwest::Url::parse_with_params(
        &h.url("/contoso.example/oauth2/v2.0/authorize"),
        &[
            ("client_id", DEMO_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .unwrap();
    let page = browser.get(url).send().await.unwrap().text().await.unwrap();
    let (action, mut fields) = form(&page);
    fields.insert("login".into(), MEGAN.into());
    fields.insert("passwd".into(), DEMO_PASSWORD.into());
    let response = browser
        .post(h.url(&action))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FOUND,
        "after admin consent the user goes straight back to the app"
    );
    let code = redirect_query(&response)["code"].clone();
    let tokens = h
        .token(
            "contoso.example",
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &verifier),
            ],
        )
        .await;
    assert_eq!(tokens.status(), StatusCode::OK);
}

#[tokio::test]
async fn device_code_flow_pending_slow_down_then_tokens() {
    let h = start(Seed::Empty).await;
    let started: Value = h
        .http
        .post(h.url("/organizations/oauth2/v2.0/devicecode"))
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("scope", "openid offline_access Calendars.Read"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let device_code = started["device_code"].as_str().unwrap().to_owned();
    let user_code = started["user_code"].as_str().unwrap().to_owned();
    assert!(
        started["verification_uri"]
            .as_str()
            .unwrap()
            .starts_with(&h.emulator.authority())
    );
    assert!(started["message"].as_str().unwrap().contains(&user_code));
    async fn poll_once(h: &Harness, device_code: &str) -> reqwest::Response {
        h.token(
            "organizations",
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", device_code),
            ],
        )
        .await
    }
    let poll = || poll_once(&h, &device_code);
    let pending: Value = poll().await.json().await.unwrap();
    assert_eq!(pending["error"], "authorization_pending");
    let fast: Value = poll().await.json().await.unwrap();
    assert_eq!(
        fast["error"], "slow_down",
        "polling faster than the interval is told to slow down"
    );

    let entry = h
        .browser
        .post(h.url("/devicelogin"))
        .form(&[("otc", user_code.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(page_kind(&entry), "sign-in");
    let consent = h
        .submit_sign_in(&entry, MEGAN, DEMO_PASSWORD)
        .await
        .text()
        .await
        .unwrap();
    let done = h
        .submit_consent(&consent, "accept")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(page_kind(&done), "done");
    h.clock.advance(TimeDelta::seconds(6));
    let tokens: Value = poll().await.json().await.unwrap();
    assert!(
        tokens["access_token"].is_string(),
        "after approval the poll returns tokens: {tokens}"
    );
    assert!(tokens["refresh_token"].is_string());

    let expired_start: Value = h
        .http
        .post(h.url("/organizations/oauth2/v2.0/devicecode"))
        .form(&[("client_id", DEMO_CLIENT_ID), ("scope", "openid")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    h.clock.advance(TimeDelta::minutes(16));
    let expired: Value = h
        .token(
            "organizations",
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                (
                    "device_code",
                    expired_start["device_code"].as_str().unwrap(),
                ),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(expired["error"], "expired_token");
}

#[tokio::test]
async fn client_credentials_reach_any_mailbox_but_not_me() {
    let h = start(Seed::Demo).await;
    let token = h.app_token().await;
    let user = h.get_json(&token, &format!("/users/{MEGAN}")).await;
    assert_eq!(
        user["id"],
        m365_emulator::MEGAN_ID,
        "/users/{{upn}} returns the object id"
    );
    let calendars = h
        .get_json(
            &token,
            &format!("/users/{}/calendars", m365_emulator::ADELE_ID),
        )
        .await;
    assert!(!calendars["value"].as_array().unwrap().is_empty());
    assert_eq!(
        h.get(&token, "/me").await.status(),
        StatusCode::FORBIDDEN,
        "app tokens cannot use /me"
    );
    assert_eq!(
        h.get(&token, &format!("/users/{LEE}/calendars"))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "other tenants' mailboxes are invisible"
    );
    let bad_secret: Value = h
        .token(
            "contoso.example",
            &[
                ("client_id", m365_emulator::ORG_CLIENT_ID),
                ("client_secret", "nope"),
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(aadsts(&bad_secret), 7000215);
    let public_with_secret: Value = h
        .token(
            "common",
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", "x"),
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        aadsts(&public_with_secret),
        700025,
        "public clients must not send secrets"
    );
    let delegated = h.megan().await;
    assert_eq!(
        h.get(
            &delegated,
            &format!("/users/{}/calendars", m365_emulator::ADELE_ID)
        )
        .await
        .status(),
        StatusCode::FORBIDDEN,
        "delegated tokens reach only their own mailbox"
    );
    assert_eq!(
        h.get(&delegated, &format!("/users/{MEGAN}/calendars"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn admin_tokens_lists_every_issued_access_and_refresh_token() {
    let h = start(Seed::Empty).await;
    let listed = || async {
        let response = h.http.get(h.admin("/tokens")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().await.unwrap()
    };
    assert_eq!(listed().await, serde_json::json!([]), "nothing issued yet");

    let tokens = h.user_tokens(MEGAN, DEMO_PASSWORD).await;
    let refreshed: Value = h
        .token(
            "common",
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    let app = h.app_token().await;

    let listed = listed().await;
    let entries = listed.as_array().unwrap();
    let find = |token: &Value| {
        entries
            .iter()
            .find(|entry| entry["token"] == *token)
            .unwrap_or_else(|| panic!("{token} is listed"))
            .clone()
    };
    for (token, kind) in [
        (&tokens["access_token"], "access"),
        (&tokens["refresh_token"], "refresh"),
        (&refreshed["access_token"], "access"),
        (&refreshed["refresh_token"], "refresh"),
    ] {
        let entry = find(token);
        assert_eq!(entry["kind"], kind);
        assert_eq!(entry["user"], MEGAN, "user tokens name the user's UPN");
        assert_eq!(entry["client_id"], DEMO_CLIENT_ID);
        assert!(entry["expires_at"].is_string(), "with an expiry");
    }
    let entry = find(&Value::from(app));
    assert_eq!(entry["kind"], "access");
    assert_eq!(entry["user"], Value::Null, "app tokens act for no user");
    assert_eq!(entry["client_id"], m365_emulator::ORG_CLIENT_ID);
    assert_eq!(
        entries.len(),
        5,
        "two sign-ins' access and refresh tokens and one app token, nothing else"
    );
    assert!(
        !entries
            .iter()
            .any(|entry| Some(entry["token"].as_str().unwrap()) == tokens["id_token"].as_str()),
        "id tokens are not bearer credentials and are not listed"
    );
}
