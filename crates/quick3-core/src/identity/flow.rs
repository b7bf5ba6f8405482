//! The OAuth 2.0 flows against the identity platform (with the `oauth2` crate): authorization
//! code + PKCE (S256) with a fresh `state` and `nonce` per attempt, refresh with rotation, and
//! the device code flow.

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, DeviceAuthorizationUrl, EndpointNotSet,
    ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, StandardDeviceAuthorizationResponse, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

use super::IdentityError;
use super::config::Endpoints;
use super::error::classify;
use super::tokens::{Secret, TokenSet, expiry, read_id_token};
use crate::ids::AccountId;

/// The custom scheme the desktop app receives sign-in answers on.
pub const DEEP_LINK_REDIRECT: &str = "quickplanner://auth/callback";
/// How long a started sign-in waits for its answer (an authorization code lives ~10 minutes).
pub const PENDING_LIFETIME_MINUTES: i64 = 15;

/// The fields Microsoft adds to a token response that Quick3 reads.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MicrosoftFields {
    #[serde(default)]
    pub id_token: Option<String>,
}

impl ExtraTokenFields for MicrosoftFields {}

type MicrosoftTokenResponse = StandardTokenResponse<MicrosoftFields, BasicTokenType>;
type MicrosoftClient<HasAuth, HasDevice, HasToken> = oauth2::Client<
    BasicErrorResponse,
    MicrosoftTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    HasAuth,
    HasDevice,
    EndpointNotSet,
    EndpointNotSet,
    HasToken,
>;

fn misconfigured(e: impl std::fmt::Display) -> IdentityError {
    IdentityError::Misconfigured {
        reason: e.to_string(),
    }
}

fn client(
    endpoints: &Endpoints,
) -> Result<MicrosoftClient<EndpointNotSet, EndpointNotSet, oauth2::EndpointSet>, IdentityError> {
    Ok(
        MicrosoftClient::new(ClientId::new(endpoints.client_id()?.to_owned()))
            .set_token_uri(TokenUrl::from_url(endpoints.token_url())),
    )
}

/// A sign-in that was started and waits for its answer. Holds the PKCE verifier: keep it in
/// memory, or in the OS keyring (`waiting`), never in a file or the database.
#[derive(Debug, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub account_id: AccountId,
    pub state: String,
    nonce: String,
    verifier: PkceCodeVerifier,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub login_hint: String,
    pub started_at: DateTime<Utc>,
}

impl PendingSignIn {
    pub fn expired_at(&self, now: DateTime<Utc>) -> bool {
        now - self.started_at > Duration::minutes(PENDING_LIFETIME_MINUTES)
    }

    /// A second copy, for the keyring beside memory (the verifier is deliberately not `Clone`:
    /// each copy is used at most once, the first use removes both).
    pub(crate) fn copy(&self) -> PendingSignIn {
        PendingSignIn {
            account_id: self.account_id,
            state: self.state.clone(),
            nonce: self.nonce.clone(),
            verifier: PkceCodeVerifier::new(self.verifier.secret().clone()),
            redirect_uri: self.redirect_uri.clone(),
            scopes: self.scopes.clone(),
            login_hint: self.login_hint.clone(),
            started_at: self.started_at,
        }
    }
}

/// Starts an authorization-code sign-in: the URL to open in the browser, and what to keep until
/// the answer arrives.
pub fn begin_sign_in(
    endpoints: &Endpoints,
    account_id: AccountId,
    login_hint: &str,
    scopes: &[String],
    redirect_uri: &str,
    now: DateTime<Utc>,
) -> Result<(Url, PendingSignIn), IdentityError> {
    let client = client(endpoints)?
        .set_auth_uri(AuthUrl::from_url(endpoints.authorize_url()))
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(misconfigured)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = CsrfToken::new_random().secret().clone();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
        .set_pkce_challenge(challenge)
        .add_extra_param("response_mode", "query")
        .add_extra_param("nonce", &nonce)
        .add_extra_param("login_hint", login_hint)
        .add_extra_param("prompt", "select_account")
        .url();
    let pending = PendingSignIn {
        account_id,
        state: state.secret().clone(),
        nonce,
        verifier,
        redirect_uri: redirect_uri.to_owned(),
        scopes: scopes.to_vec(),
        login_hint: login_hint.to_owned(),
        started_at: now,
    };
    Ok((url, pending))
}

/// What came back on the redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    Code {
        code: String,
        state: String,
    },
    Error {
        error: String,
        description: String,
        state: Option<String>,
    },
}

impl Callback {
    pub fn state(&self) -> Option<&str> {
        match self {
            Callback::Code { state, .. } => Some(state),
            Callback::Error { state, .. } => state.as_deref(),
        }
    }
}

/// Reads a redirect (`quickplanner://auth/callback?code=…&state=…`, or the loopback's query).
/// Anything that is not a well-formed answer is refused; nothing in it is trusted until its
/// `state` matches a pending sign-in.
pub fn parse_callback(url: &str) -> Result<Callback, IdentityError> {
    let bad = || IdentityError::BadResponse {
        reason: "the sign-in answer is malformed".into(),
    };
    let parsed = Url::parse(url.trim()).map_err(|_| bad())?;
    let params: HashMap<String, String> = parsed.query_pairs().into_owned().collect();
    let state = params.get("state").cloned();
    if let Some(error) = params.get("error") {
        return Ok(Callback::Error {
            error: error.clone(),
            description: params.get("error_description").cloned().unwrap_or_default(),
            state,
        });
    }
    match (params.get("code"), state) {
        (Some(code), Some(state)) if !code.is_empty() && !state.is_empty() => Ok(Callback::Code {
            code: code.clone(),
            state,
        }),
        _ => Err(bad()),
    }
}

/// Sign-ins waiting for their answer, by `state`. Answers with an unknown or stale state are
/// refused (and should be logged by the caller), never used.
#[derive(Debug, Default)]
pub struct PendingSignIns {
    by_state: HashMap<String, PendingSignIn>,
}

impl PendingSignIns {
    pub fn insert(&mut self, pending: PendingSignIn) {
        // A new attempt for the same account replaces the older one.
        self.by_state
            .retain(|_, p| p.account_id != pending.account_id);
        self.by_state.insert(pending.state.clone(), pending);
    }

    /// Takes the sign-in an answer belongs to.
    pub fn take(
        &mut self,
        callback: &Callback,
        now: DateTime<Utc>,
    ) -> Result<PendingSignIn, IdentityError> {
        self.by_state.retain(|_, p| !p.expired_at(now));
        let state = callback.state().ok_or(IdentityError::UnknownState)?;
        self.by_state
            .remove(state)
            .ok_or(IdentityError::UnknownState)
    }

    /// Drops the waiting sign-in of an account (Cancel).
    pub fn cancel(&mut self, account: AccountId) -> bool {
        let before = self.by_state.len();
        self.by_state.retain(|_, p| p.account_id != account);
        before != self.by_state.len()
    }

    pub fn is_waiting(&self, account: AccountId, now: DateTime<Utc>) -> bool {
        self.by_state
            .values()
            .any(|p| p.account_id == account && !p.expired_at(now))
    }
}

/// Exchanges the answer's code for tokens (the PKCE verifier proves it is the same client).
pub async fn finish_sign_in(
    endpoints: &Endpoints,
    http: &reqwest::Client,
    pending: PendingSignIn,
    callback: Callback,
    now: DateTime<Utc>,
) -> Result<TokenSet, IdentityError> {
    let consent_url = || endpoints.admin_consent_url(&pending.scopes, &pending.redirect_uri);
    let code = match callback {
        Callback::Code { code, .. } => code,
        Callback::Error {
            error, description, ..
        } => return Err(classify(&error, &description, consent_url)),
    };
    let client = client(endpoints)?
        .set_redirect_uri(RedirectUrl::new(pending.redirect_uri.clone()).map_err(misconfigured)?);
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(pending.verifier)
        .request_async(http)
        .await
        .map_err(|e| token_error(e, consent_url))?;
    token_set(endpoints, response, Some(&pending.nonce), now)
}

/// Trades a refresh token for new tokens. Microsoft rotates the refresh token: store the new one.
pub async fn refresh(
    endpoints: &Endpoints,
    http: &reqwest::Client,
    refresh_token: &Secret,
    scopes: &[String],
    now: DateTime<Utc>,
) -> Result<TokenSet, IdentityError> {
    let response = client(endpoints)?
        .exchange_refresh_token(&RefreshToken::new(refresh_token.expose().to_owned()))
        .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
        .request_async(http)
        .await
        .map_err(|e| {
            token_error(e, || {
                endpoints.admin_consent_url(scopes, DEEP_LINK_REDIRECT)
            })
        })?;
    let mut tokens = token_set(endpoints, response, None, now)?;
    if tokens.refresh_token.is_none() {
        // Without rotation the old refresh token stays valid.
        tokens.refresh_token = Some(refresh_token.clone());
    }
    Ok(tokens)
}

/// A device-code sign-in in progress: show `message` (or the code and URL) to the person.
#[derive(Debug)]
pub struct DeviceSignIn {
    pub user_code: String,
    pub verification_uri: String,
    pub message: String,
    details: StandardDeviceAuthorizationResponse,
    scopes: Vec<String>,
}

pub async fn begin_device_sign_in(
    endpoints: &Endpoints,
    http: &reqwest::Client,
    scopes: &[String],
) -> Result<DeviceSignIn, IdentityError> {
    let details: StandardDeviceAuthorizationResponse = client(endpoints)?
        .set_device_authorization_url(DeviceAuthorizationUrl::from_url(
            endpoints.device_code_url(),
        ))
        .exchange_device_code()
        .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
        .request_async(http)
        .await
        .map_err(|e| {
            token_error(e, || {
                endpoints.admin_consent_url(scopes, DEEP_LINK_REDIRECT)
            })
        })?;
    device_waits_fit(details.interval(), details.expires_in())?;
    let user_code = details.user_code().secret().clone();
    let verification_uri = details.verification_uri().to_string();
    let message =
        format!("To sign in, open {verification_uri} in a browser and enter the code {user_code}.");
    Ok(DeviceSignIn {
        user_code,
        verification_uri,
        message,
        details,
        scopes: scopes.to_vec(),
    })
}

/// The longest pause between two checks of a device sign-in Quick3 accepts (Microsoft asks for 5 s).
pub const MAX_DEVICE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);
/// The longest life of a device code Quick3 accepts (Microsoft's live 15 minutes).
pub const MAX_DEVICE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(3600);

/// Refuses a device-code answer whose `interval` or `expires_in` would have the sign-in wait for
/// hours (or overflow the time arithmetic while polling).
pub fn device_waits_fit(
    interval: std::time::Duration,
    expires_in: std::time::Duration,
) -> Result<(), IdentityError> {
    if interval > MAX_DEVICE_INTERVAL || expires_in > MAX_DEVICE_LIFETIME {
        return Err(IdentityError::BadResponse {
            reason: format!(
                "it asked Quick3 Planner to wait {} seconds between checks of a code that lives {} seconds, longer than a sign-in can wait",
                interval.as_secs(),
                expires_in.as_secs()
            ),
        });
    }
    Ok(())
}

/// Reads a device-code answer's body (as the sign-in's OAuth client reads it) and checks its
/// waits ([`device_waits_fit`]): the answer is used only if both hold.
pub fn read_device_answer(
    body: &[u8],
) -> Result<StandardDeviceAuthorizationResponse, IdentityError> {
    let details: StandardDeviceAuthorizationResponse =
        serde_json::from_slice(body).map_err(|e| IdentityError::BadResponse {
            reason: format!("the device sign-in answer is not what Microsoft sends ({e})"),
        })?;
    device_waits_fit(details.interval(), details.expires_in())?;
    Ok(details)
}

/// Polls until the person finished (or declined, or the code expired), waiting as told.
pub async fn finish_device_sign_in<S, F>(
    endpoints: &Endpoints,
    http: &reqwest::Client,
    sign_in: DeviceSignIn,
    sleep: S,
    now: impl Fn() -> DateTime<Utc>,
) -> Result<TokenSet, IdentityError>
where
    S: Fn(std::time::Duration) -> F,
    F: Future<Output = ()>,
{
    let response = client(endpoints)?
        .set_device_authorization_url(DeviceAuthorizationUrl::from_url(
            endpoints.device_code_url(),
        ))
        .exchange_device_access_token(&sign_in.details)
        .request_async(http, sleep, None)
        .await
        .map_err(|e| {
            token_error(e, || {
                endpoints.admin_consent_url(&sign_in.scopes, DEEP_LINK_REDIRECT)
            })
        })?;
    token_set(endpoints, response, None, now())
}

fn token_set(
    endpoints: &Endpoints,
    response: MicrosoftTokenResponse,
    nonce: Option<&str>,
    now: DateTime<Utc>,
) -> Result<TokenSet, IdentityError> {
    token_set_for(endpoints.client_id()?, response, nonce, now)
}

fn token_set_for(
    client_id: &str,
    response: MicrosoftTokenResponse,
    nonce: Option<&str>,
    now: DateTime<Utc>,
) -> Result<TokenSet, IdentityError> {
    let user = match &response.extra_fields().id_token {
        Some(id_token) => Some(read_id_token(id_token, client_id, nonce)?),
        None => None,
    };
    Ok(TokenSet {
        access_token: Secret::new(response.access_token().secret().clone()),
        expires_at: expiry(now, response.expires_in()),
        refresh_token: response
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone())),
        scopes: response
            .scopes()
            .map(|s| s.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default(),
        user,
    })
}

fn token_error<RE, T>(
    err: RequestTokenError<RE, T>,
    consent_url: impl FnOnce() -> String,
) -> IdentityError
where
    RE: std::error::Error + 'static,
    T: oauth2::ErrorResponse + 'static,
{
    match err {
        RequestTokenError::ServerResponse(response) => server_error(&response, consent_url),
        RequestTokenError::Request(e) => IdentityError::Network {
            reason: describe(&e),
        },
        RequestTokenError::Parse(e, _) => IdentityError::BadResponse {
            reason: e.to_string(),
        },
        RequestTokenError::Other(e) => IdentityError::BadResponse { reason: e },
    }
}

/// What a token endpoint's error answer means.
fn server_error(response: &impl Serialize, consent_url: impl FnOnce() -> String) -> IdentityError {
    // The error type's Display is "error: description"; take both parts from its JSON.
    let json = serde_json::to_value(response).unwrap_or_default();
    let error = json
        .get("error")
        .and_then(|v| v.as_str())
        .unwrap_or("error")
        .to_owned();
    let description = json
        .get("error_description")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    classify(&error, description, consent_url)
}

/// Reads a token endpoint's success answer the way the `oauth2` crate does (serde_json into its
/// token response), then as every flow does (id token, expiry). For tests and fuzzing of what the
/// flows do with an answer; never panics.
pub fn read_token_response(
    body: &[u8],
    client_id: &str,
    nonce: Option<&str>,
    now: DateTime<Utc>,
) -> Result<TokenSet, IdentityError> {
    let response: MicrosoftTokenResponse =
        serde_json::from_slice(body).map_err(|e| IdentityError::BadResponse {
            reason: e.to_string(),
        })?;
    token_set_for(client_id, response, nonce, now)
}

/// Reads a token endpoint's error answer (`{"error","error_description",…}`) as the flows do.
pub fn read_token_error(body: &[u8]) -> IdentityError {
    match serde_json::from_slice::<BasicErrorResponse>(body) {
        Ok(response) => server_error(&response, String::new),
        Err(e) => IdentityError::BadResponse {
            reason: e.to_string(),
        },
    }
}

/// The innermost cause of a transport error, without URLs that could carry secrets.
fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn callbacks_are_read_strictly() {
        let ok = parse_callback("quickplanner://auth/callback?code=abc&state=s1").unwrap();
        assert_eq!(
            ok,
            Callback::Code {
                code: "abc".into(),
                state: "s1".into()
            }
        );
        let denied = parse_callback("quickplanner://auth/callback?error=access_denied&error_description=AADSTS65004%3A+declined&state=s1").unwrap();
        assert!(matches!(denied, Callback::Error { ref error, .. } if error == "access_denied"));
        assert!(
            parse_callback("quickplanner://auth/callback?code=abc").is_err(),
            "no state, no use"
        );
        assert!(parse_callback("not a url").is_err());
    }

    #[test]
    fn token_answers_are_read_as_the_flows_read_them() {
        let now = Utc::now();
        let ok = read_token_response(
            br#"{"token_type":"Bearer","scope":"Calendars.ReadWrite","expires_in":3599,"ext_expires_in":3599,"access_token":"at","refresh_token":"rt"}"#,
            "app",
            None,
            now,
        )
        .unwrap();
        assert_eq!(ok.access_token.expose(), "at");
        assert_eq!(ok.expires_at, now + Duration::seconds(3599));
        let huge = read_token_response(
            br#"{"token_type":"Bearer","expires_in":18446744073709551615,"access_token":"at"}"#,
            "app",
            None,
            now,
        )
        .unwrap();
        assert_eq!(
            huge.expires_at,
            now + super::super::tokens::MAX_TOKEN_LIFETIME,
            "an absurd lifetime is cut, not a panic"
        );
        assert_eq!(
            read_token_response(b"{}", "app", None, now)
                .unwrap_err()
                .code(),
            ErrorCode::BadResponse
        );
        let revoked = read_token_error(
            br#"{"error":"invalid_grant","error_description":"AADSTS50173: The provided grant has expired.\r\nTrace ID: 1","error_codes":[50173]}"#,
        );
        assert!(revoked.needs_sign_in(), "{revoked:?}");
        assert_eq!(read_token_error(b"<html>").code(), ErrorCode::BadResponse);
    }

    #[test]
    fn only_a_matching_fresh_state_is_accepted() {
        let endpoints = super::super::config::EndpointSettings {
            client_id: Some("app".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        let now = Utc::now();
        let (url, pending) = begin_sign_in(
            &endpoints,
            AccountId(1),
            "ada@contoso.example",
            &["openid".into()],
            DEEP_LINK_REDIRECT,
            now,
        )
        .unwrap();
        let query: HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["state"], pending.state);
        assert_eq!(query["login_hint"], "ada@contoso.example");
        assert!(query.contains_key("nonce"));
        let state = pending.state.clone();
        let mut waiting = PendingSignIns::default();
        waiting.insert(pending);
        let stranger = Callback::Code {
            code: "c".into(),
            state: "forged".into(),
        };
        assert_eq!(
            waiting.take(&stranger, now).unwrap_err(),
            IdentityError::UnknownState
        );
        let late = Callback::Code {
            code: "c".into(),
            state: state.clone(),
        };
        assert_eq!(
            waiting
                .take(&late, now + Duration::minutes(PENDING_LIFETIME_MINUTES + 1))
                .unwrap_err(),
            IdentityError::UnknownState,
            "a stale answer is not used"
        );
    }
}
