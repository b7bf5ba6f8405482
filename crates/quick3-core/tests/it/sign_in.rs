//! Microsoft sign-in against the emulator: authorization code + PKCE over the deep link and the
//! loopback listener, device code, refresh rotation, revoked refresh tokens, admin consent; the
//! keyring entries of accounts (kept after the mailbox check, gone with the account).

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::support;
use crate::sync_support;

use chrono::Utc;
use quick3_core::ErrorCode;
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
    assert_eq!(err.code(), ErrorCode::AdminConsentRequired, "{err:?}");
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

/// Adds an account typed as `typed` and signs it in as `login` through the emulator's pages;
/// returns the account and what recording the answer gave.
async fn sign_in_as(
    world: &mut sync_support::World,
    typed: &str,
    login: &str,
) -> (
    quick3_core::model::Account,
    quick3_core::Result<quick3_core::api::SignInResult>,
) {
    let account = world
        .store
        .add_account(
            quick3_core::model::NewAccount {
                resource_id: world.resource,
                email: typed.into(),
                direction: quick3_core::model::Direction::Down,
                scopes: vec![],
            },
            Utc::now(),
        )
        .unwrap();
    let url = world
        .credentials
        .start_sign_in(&account, DEEP_LINK_REDIRECT, Utc::now())
        .unwrap();
    let redirect = world
        .tenant
        .complete_in_browser(url.as_str(), login, PASSWORD, None)
        .await;
    let outcome = world
        .credentials
        .complete_sign_in(&redirect, Utc::now())
        .await;
    let recorded = quick3_core::api::record_sign_in(&mut world.store, &world.credentials, outcome);
    (account, recorded)
}

#[tokio::test]
async fn a_refresh_token_is_kept_only_after_the_mailbox_check_passes() {
    let mut world = sync_support::world().await;
    world
        .connect(sync_support::ADELE, quick3_core::model::Direction::Down)
        .await;
    assert_eq!(support::keyring_entries(&world.installation).len(), 1);
    // Typed as Alex, signed in as Adele, whom the resource has already.
    let (_, recorded) = sign_in_as(&mut world, sync_support::ALEX, sync_support::ADELE).await;
    assert_eq!(
        recorded.unwrap_err().code(),
        ErrorCode::DuplicateAccount,
        "the mailbox is the resource's already"
    );
    assert_eq!(
        support::keyring_entries(&world.installation).len(),
        1,
        "the refused sign-in left no refresh token in the keyring"
    );
}

#[tokio::test]
async fn a_removed_account_leaves_no_keyring_entry_and_a_new_account_never_reads_a_leftover() {
    let mut world = sync_support::world().await;
    world
        .connect(sync_support::MEGAN, quick3_core::model::Direction::Down)
        .await;
    let adele = world
        .connect(sync_support::ADELE, quick3_core::model::Direction::Down)
        .await;
    let before = support::keyring_entries(&world.installation);
    assert_eq!(before.len(), 2);
    // Removed while Microsoft is not configured (no Credentials): the keyring is still reached.
    quick3_core::api::remove_account(&mut world.store, None, adele.id, false, Utc::now()).unwrap();
    let after = support::keyring_entries(&world.installation);
    assert_eq!(
        after.len(),
        1,
        "the removed account's refresh token is gone"
    );

    // A keyring that failed to delete it: Adele's token is back under the key it had.
    let keyring = quick3_core::identity::Keyring::for_installation(&world.installation);
    for (key, secret) in before.iter().filter(|entry| !after.contains(entry)) {
        keyring
            .set(key, &quick3_core::identity::Secret::new(secret.clone()))
            .unwrap();
    }
    let alex = world
        .store
        .add_account(
            quick3_core::model::NewAccount {
                resource_id: world.resource,
                email: sync_support::ALEX.into(),
                direction: quick3_core::model::Direction::Down,
                scopes: vec![],
            },
            Utc::now(),
        )
        .unwrap();
    assert_eq!(
        alex.id, adele.id,
        "SQLite gives the removed account's row id again"
    );
    world.clear_requests().await;
    let summary = world.sync(&alex).await;
    assert_eq!(
        world.graph_requests().await,
        Vec::<serde_json::Value>::new(),
        "the new account never used Adele's leftover token"
    );
    assert!(!summary.errors.is_empty(), "{summary:?}");
    assert!(
        !world.credentials.has_sign_in(&alex).unwrap(),
        "the new account's keyring key is its own: Adele's leftover is not under it"
    );
    assert_ne!(
        world.store.account(alex.id).unwrap().status,
        quick3_core::model::AccountStatus::Connected
    );
}

#[tokio::test]
async fn an_account_that_needs_sign_in_is_skipped_by_sync_without_a_graph_request() {
    let mut world = sync_support::world().await;
    let megan = world
        .connect(sync_support::MEGAN, quick3_core::model::Direction::Down)
        .await;
    let sentence =
        "The Microsoft 365 sign-in for this account has expired or was revoked: sign in again.";
    world
        .store
        .set_account_status(
            megan.id,
            quick3_core::model::AccountStatus::SignInNeeded,
            Some(sentence),
        )
        .unwrap();
    world.clear_requests().await;
    let summary = world.sync(&megan).await;
    assert_eq!(
        world.graph_requests().await,
        Vec::<serde_json::Value>::new(),
        "no Graph request with the refresh token left in the keyring"
    );
    assert_eq!(summary.errors, [sentence], "the plain status is reported");
    assert_eq!(
        world.store.account(megan.id).unwrap().status,
        quick3_core::model::AccountStatus::SignInNeeded
    );
}

#[tokio::test]
async fn a_refresh_token_kept_by_row_id_before_keyring_ids_moves_to_the_new_key_on_first_use() {
    let mut world = sync_support::world().await;
    let megan = world
        .connect(sync_support::MEGAN, quick3_core::model::Direction::Down)
        .await;
    // As before migration 0008: the token under the row id, the account's key naming that id.
    let keyring = quick3_core::identity::Keyring::for_installation(&world.installation);
    let new_key = quick3_core::identity::secrets::refresh_token_key(&megan);
    let token = keyring.get(&new_key).unwrap().unwrap();
    keyring.delete(&new_key).unwrap();
    let old_key = format!("m365-account-{}/refresh-token", megan.id);
    keyring.set(&old_key, &token).unwrap();
    let legacy = quick3_core::model::Account {
        keyring_id: format!("legacy-{}-0123abcd", megan.id),
        ..megan.clone()
    };
    let credentials =
        quick3_core::identity::Credentials::new(world.tenant.endpoints.clone(), keyring.clone())
            .unwrap();
    credentials
        .access_token(&legacy, Utc::now())
        .await
        .expect("the old entry is found and used");
    let moved = quick3_core::identity::secrets::refresh_token_key(&legacy);
    assert_eq!(
        support::keyring_entries(&world.installation)
            .into_iter()
            .map(|(key, _)| key)
            .collect::<Vec<_>>(),
        [moved],
        "the rotated token is under the new key, the old entry is gone"
    );
    credentials.forget(&legacy).unwrap();
    assert_eq!(support::keyring_entries(&world.installation), []);
}

#[tokio::test]
async fn an_add_whose_sign_in_never_finished_is_replaced_by_the_same_add_not_refused() {
    use quick3_core::api;
    use quick3_core::model::{Direction, NewAccount};
    let mut world = sync_support::world().await;
    let new = || NewAccount {
        resource_id: world.resource,
        email: MEGAN.into(),
        direction: Direction::UpAndDown,
        scopes: vec![],
    };
    // The planner adds Megan in the window; the browser is closed without signing in.
    let (abandoned, _url) = api::add_account(
        &mut world.store,
        &world.credentials,
        new(),
        DEEP_LINK_REDIRECT,
        Utc::now(),
    )
    .unwrap();
    // Adding her again starts afresh instead of "already connected".
    let (again, url) = api::add_account(
        &mut world.store,
        &world.credentials,
        new(),
        DEEP_LINK_REDIRECT,
        Utc::now(),
    )
    .expect("the unfinished add is replaced");
    let accounts = world.store.accounts_of(world.resource).unwrap();
    assert_eq!(accounts.len(), 1, "one account: {accounts:?}");
    assert_ne!(
        again.keyring_id, abandoned.keyring_id,
        "a new account, with keys of its own"
    );
    assert!(
        accounts[0].is_main,
        "it is the main account, as the first add was"
    );
    let redirect = world
        .tenant
        .complete_in_browser(url.as_str(), MEGAN, PASSWORD, None)
        .await;
    let outcome = world
        .credentials
        .complete_sign_in(&redirect, Utc::now())
        .await;
    let result = api::record_sign_in(&mut world.store, &world.credentials, outcome).unwrap();
    assert!(result.connected, "{result:?}");

    // Once signed in, the same add is refused as before.
    let err = api::add_account(
        &mut world.store,
        &world.credentials,
        new(),
        DEEP_LINK_REDIRECT,
        Utc::now(),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::DuplicateAccount, "{err}");
}

/// A new window process of the same data folder: Microsoft's credentials afresh, nothing in
/// memory, the same installation's keyring.
fn next_window_process(world: &sync_support::World) -> quick3_core::identity::Credentials {
    quick3_core::identity::Credentials::new(
        world.tenant.endpoints.clone(),
        quick3_core::identity::Keyring::for_installation(&world.installation),
    )
    .unwrap()
}

fn new_megan(world: &mut sync_support::World) -> quick3_core::model::Account {
    world
        .store
        .add_account(
            quick3_core::model::NewAccount {
                resource_id: world.resource,
                email: MEGAN.into(),
                direction: quick3_core::model::Direction::Down,
                scopes: vec![],
            },
            Utc::now(),
        )
        .unwrap()
}

const WAITING_KEY: &str = quick3_core::identity::waiting::WAITING_SIGN_INS_KEY;

fn keyring_keys(world: &sync_support::World) -> Vec<String> {
    support::keyring_entries(&world.installation)
        .into_iter()
        .map(|(key, _)| key)
        .collect()
}

#[tokio::test]
async fn a_deep_link_answer_finishes_the_sign_in_after_the_window_that_started_it_ended() {
    let mut world = sync_support::world().await;
    let account = new_megan(&mut world);
    let started = next_window_process(&world);
    let url = started
        .start_sign_in(&account, DEEP_LINK_REDIRECT, Utc::now())
        .unwrap();
    // The planner closes the window: its process, and all it held in memory, ends.
    drop(started);
    let redirect = world
        .tenant
        .complete_in_browser(url.as_str(), MEGAN, PASSWORD, None)
        .await;

    let reopened = next_window_process(&world);
    let outcome = reopened.complete_sign_in(&redirect, Utc::now()).await;
    let result = quick3_core::api::record_sign_in(&mut world.store, &reopened, outcome).unwrap();
    assert!(
        result.connected,
        "the answer finishes the sign-in the closed window started: {result:?}"
    );
    assert_eq!(result.account_id, Some(account.id));
    assert!(
        reopened.has_sign_in(&account).unwrap(),
        "refresh token kept"
    );
    assert!(
        !keyring_keys(&world).iter().any(|key| key == WAITING_KEY),
        "the used sign-in (its PKCE verifier) is gone from the keyring: {:?}",
        keyring_keys(&world)
    );

    let replayed = next_window_process(&world)
        .complete_sign_in(&redirect, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(
        replayed.error,
        IdentityError::UnknownState,
        "an answer is used once, whichever process gets it"
    );
}

#[tokio::test]
async fn a_kept_sign_in_expires_is_cancelled_with_its_account_and_loopback_ones_are_not_kept() {
    let mut world = sync_support::world().await;
    let account = new_megan(&mut world);
    let started_at = Utc::now() - chrono::Duration::minutes(flow::PENDING_LIFETIME_MINUTES + 1);
    let url = next_window_process(&world)
        .start_sign_in(&account, DEEP_LINK_REDIRECT, started_at)
        .unwrap();
    assert_eq!(keyring_keys(&world), [WAITING_KEY], "kept in the keyring");
    let redirect = world
        .tenant
        .complete_in_browser(url.as_str(), MEGAN, PASSWORD, None)
        .await;
    let late = next_window_process(&world)
        .complete_sign_in(&redirect, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(
        late.error,
        IdentityError::UnknownState,
        "an answer after the sign-in's lifetime is refused"
    );
    assert_eq!(
        keyring_keys(&world),
        Vec::<String>::new(),
        "the expired sign-in went from the keyring when it was read"
    );

    // Cancelled in a later window process: its answer is refused in the next one.
    let url = next_window_process(&world)
        .start_sign_in(&account, DEEP_LINK_REDIRECT, Utc::now())
        .unwrap();
    assert!(
        !next_window_process(&world).cancel_sign_in(account.id),
        "nothing of it in this process's memory: the keyring's copy is what Cancel drops"
    );
    assert_eq!(
        keyring_keys(&world),
        Vec::<String>::new(),
        "Cancel drops it"
    );
    let redirect = world
        .tenant
        .complete_in_browser(url.as_str(), MEGAN, PASSWORD, None)
        .await;
    let cancelled = next_window_process(&world)
        .complete_sign_in(&redirect, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(cancelled.error, IdentityError::UnknownState);

    // A loopback sign-in's answer can only reach the process that listens: nothing is kept.
    let listener = LoopbackListener::bind().await.unwrap();
    world
        .credentials
        .start_sign_in(&account, &listener.redirect_uri(), Utc::now())
        .unwrap();
    assert_eq!(keyring_keys(&world), Vec::<String>::new());
}
