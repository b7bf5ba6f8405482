//! Microsoft sign-in against the emulator: authorization code + PKCE over the deep link and the
//! loopback listener, device code, refresh rotation, revoked refresh tokens, admin consent.

mod support;

use chrono::Utc;
use quick3_core::identity::flow::{self, DEEP_LINK_REDIRECT, begin_sign_in, parse_callback};
use quick3_core::identity::loopback::LoopbackListener;
use quick3_core::identity::{IdentityError, PendingSignIns};
use quick3_core::ids::AccountId;

const MEGAN: &str = "megan.bowen@contoso.example";
const PASSWORD: &str = "Demo-pass-1";

fn scopes() -> Vec<String> {
    [
        "openid",
        "profile",
        "offline_access",
        "User.Read",
        "Calendars.ReadWrite",
    ]
    .map(String::from)
    .to_vec()
}

#[tokio::test]
async fn deep_link_sign_in_then_refresh_rotates_then_revocation_asks_to_sign_in_again() {
    let tenant = support::demo_tenant().await;
    let http = tenant.endpoints.http_client().unwrap();
    let now = Utc::now();
    let (url, pending) = begin_sign_in(
        &tenant.endpoints,
        AccountId(1),
        MEGAN,
        &scopes(),
        DEEP_LINK_REDIRECT,
        now,
    )
    .unwrap();
    let mut waiting = PendingSignIns::default();
    waiting.insert(pending);

    let redirect = tenant
        .complete_in_browser(url.as_str(), MEGAN, PASSWORD, None)
        .await;
    assert!(
        redirect.starts_with("quickplanner://auth/callback?"),
        "the answer comes back on the deep link: {redirect}"
    );
    let callback = parse_callback(&redirect).unwrap();
    let pending = waiting.take(&callback, now).unwrap();
    let tokens = flow::finish_sign_in(&tenant.endpoints, &http, pending, callback.clone(), now)
        .await
        .unwrap();
    let user = tokens.user.clone().expect("the id token names the user");
    assert_eq!(user.username.as_deref(), Some(MEGAN));
    let first_refresh = tokens
        .refresh_token
        .clone()
        .expect("offline_access gives a refresh token");
    assert!(tokens.fresh_at(now, chrono::Duration::minutes(5)));

    assert_eq!(
        waiting.take(&callback, now).unwrap_err(),
        IdentityError::UnknownState,
        "an answer is used once"
    );

    let refreshed = flow::refresh(&tenant.endpoints, &http, &first_refresh, &scopes(), now)
        .await
        .unwrap();
    let second_refresh = refreshed.refresh_token.clone().unwrap();
    assert_ne!(
        second_refresh, first_refresh,
        "Microsoft rotates the refresh token on every use"
    );
    assert_ne!(refreshed.access_token, tokens.access_token);

    tenant.revoke_refresh_tokens(MEGAN).await;
    let err = flow::refresh(&tenant.endpoints, &http, &second_refresh, &scopes(), now)
        .await
        .unwrap_err();
    assert!(
        err.needs_sign_in(),
        "a revoked refresh token means: sign in again ({err:?})"
    );
    assert_eq!(
        err.to_string(),
        "The Microsoft 365 sign-in for this account has expired or was revoked: sign in again."
    );
}

#[tokio::test]
async fn loopback_listener_receives_the_answer() {
    let tenant = support::demo_tenant().await;
    let http = tenant.endpoints.http_client().unwrap();
    let now = Utc::now();
    let listener = LoopbackListener::bind().await.unwrap();
    let (url, pending) = begin_sign_in(
        &tenant.endpoints,
        AccountId(2),
        MEGAN,
        &scopes(),
        &listener.redirect_uri(),
        now,
    )
    .unwrap();
    let waiting = tokio::spawn(listener.wait(&url, std::time::Duration::from_secs(20)));
    let redirect = tenant
        .complete_in_browser(url.as_str(), MEGAN, PASSWORD, None)
        .await;
    assert!(redirect.starts_with("http://127.0.0.1:"));
    tenant
        .browser
        .get(&redirect)
        .send()
        .await
        .expect("the browser reaches the loopback listener");
    let answer = waiting.await.unwrap().unwrap();
    let callback = parse_callback(&answer).unwrap();
    assert_eq!(callback.state(), Some(pending.state.as_str()));
    let tokens = flow::finish_sign_in(&tenant.endpoints, &http, pending, callback, now)
        .await
        .unwrap();
    assert!(tokens.refresh_token.is_some());
}

#[tokio::test]
async fn device_code_sign_in_completes_when_the_person_enters_the_code() {
    let tenant = support::demo_tenant().await;
    let http = tenant.endpoints.http_client().unwrap();
    let device = flow::begin_device_sign_in(&tenant.endpoints, &http, &scopes())
        .await
        .unwrap();
    assert!(device.message.contains(&device.user_code));
    let verification = device.verification_uri.clone();
    let code = device.user_code.clone();
    let polling = tokio::spawn({
        let endpoints = tenant.endpoints.clone();
        let http = http.clone();
        async move {
            flow::finish_device_sign_in(&endpoints, &http, device, tokio::time::sleep, Utc::now)
                .await
        }
    });
    tenant
        .complete_in_browser(&verification, MEGAN, PASSWORD, Some(&code))
        .await;
    let tokens = tokio::time::timeout(std::time::Duration::from_secs(60), polling)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(tokens.user.and_then(|u| u.username).as_deref(), Some(MEGAN));
}

#[tokio::test]
async fn a_tenant_requiring_admin_approval_gets_a_plain_explanation_with_the_link() {
    let tenant = support::demo_tenant().await;
    let http = tenant.endpoints.http_client().unwrap();
    let now = Utc::now();
    let lee = "lee.gu@fabrikam.example";
    let (url, pending) = begin_sign_in(
        &tenant.endpoints,
        AccountId(3),
        lee,
        &scopes(),
        DEEP_LINK_REDIRECT,
        now,
    )
    .unwrap();
    let redirect = tenant
        .complete_in_browser(url.as_str(), lee, PASSWORD, None)
        .await;
    let callback = parse_callback(&redirect).unwrap();
    let err = flow::finish_sign_in(&tenant.endpoints, &http, pending, callback, now)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "AdminConsentRequired", "{err:?}");
    let message = err.to_string();
    assert!(
        message
            .starts_with("Your organisation must approve Quick3 Planner before you can connect.")
    );
    assert!(
        message.contains("/v2.0/adminconsent?client_id="),
        "the link for IT is included: {message}"
    );
}

#[tokio::test]
async fn a_forged_code_yields_no_tokens_and_asks_for_a_new_sign_in() {
    let tenant = support::demo_tenant().await;
    let http = tenant.endpoints.http_client().unwrap();
    let now = Utc::now();
    let (_, pending) = begin_sign_in(
        &tenant.endpoints,
        AccountId(4),
        MEGAN,
        &scopes(),
        DEEP_LINK_REDIRECT,
        now,
    )
    .unwrap();
    let state = pending.state.clone();
    let forged = quick3_core::identity::Callback::Code {
        code: "forged-code".into(),
        state,
    };
    let err = flow::finish_sign_in(&tenant.endpoints, &http, pending, forged, now)
        .await
        .unwrap_err();
    assert!(err.needs_sign_in(), "{err:?}");
}
