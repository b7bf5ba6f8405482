//! The Microsoft identity platform (v2.0): discovery, authorize, token, device code, admin consent
//! (the token endpoint and the device authorization endpoint in `grants`).

pub mod assertion;
pub mod errors;
mod grants;
pub mod pages;
pub mod tokens;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::emulator::Emulator;
use crate::ids::random_token;
use crate::origin::Origin;
use crate::store::Store;
use crate::store::model::{App, ConsentPolicy, Tenant, User};
use errors::AadError;
use tokens::{AuthCode, DeviceState, FlowPurpose, SignInFlow};

/// The resource id of Microsoft Graph.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
const GRAPH_RESOURCE: &str = "https://graph.microsoft.com/";
const SESSION_COOKIE: &str = "m365emu_session";
const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

type Params = HashMap<String, String>;

pub fn router() -> Router<Arc<Emulator>> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/{tenant}/.well-known/openid-configuration", get(discovery))
        .route("/{tenant}/discovery/v2.0/keys", get(keys))
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize))
        .route("/{tenant}/oauth2/v2.0/token", post(grants::token))
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(grants::device_code::device_authorization),
        )
        .route("/{tenant}/oauth2/v2.0/logout", get(logout))
        .route("/{tenant}/v2.0/adminconsent", get(admin_consent))
        .route("/{tenant}/login", post(sign_in))
        .route("/{tenant}/consent", post(consent))
        .route("/devicelogin", get(device_login_page).post(device_login))
}

fn now(emulator: &Emulator) -> DateTime<Utc> {
    emulator.now()
}

/// A tenant segment: `common` / `organizations` (any tenant) or one tenant.
fn tenant_scope(store: &Store, key: &str, now: DateTime<Utc>) -> Result<Option<Tenant>, AadError> {
    match key.to_ascii_lowercase().as_str() {
        "common" | "organizations" => Ok(None),
        "consumers" => Err(AadError::new(
            "invalid_request",
            9002331,
            "Application is configured for use by Microsoft Account users only; this emulator has work accounts only.",
            now,
        )),
        _ => store.tenant(key).cloned().map(Some).ok_or_else(|| {
            AadError::new(
                "invalid_tenant",
                90002,
                format!("Tenant '{key}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
                now,
            )
        }),
    }
}

async fn discovery(
    State(emulator): State<Arc<Emulator>>,
    Path(tenant): Path<String>,
    Origin(origin): Origin,
) -> Response {
    let store = emulator.store();
    let issuer_tenant = match tenant_scope(&store, &tenant, now(&emulator)) {
        Ok(Some(found)) => found.id,
        Ok(None) => "{tenantid}".to_owned(),
        Err(error) => return error.into_response(),
    };
    let base = format!("{origin}/{tenant}");
    Json(json!({
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{origin}/{issuer_tenant}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{origin}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net"
    }))
    .into_response()
}

async fn keys() -> Json<Value> {
    Json(json!({ "keys": [] }))
}

/// Graph scope names without the resource prefix; OIDC scopes as they are.
pub fn normalize_scopes(raw: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in raw.split_whitespace() {
        let lower = scope.to_ascii_lowercase();
        let short = if let Some(rest) = lower.strip_prefix(GRAPH_RESOURCE) {
            &scope[scope.len() - rest.len()..]
        } else if let Some(rest) = lower.strip_prefix(&format!("{GRAPH_APP_ID}/")) {
            &scope[scope.len() - rest.len()..]
        } else {
            scope
        };
        if !scopes.iter().any(|known| known.eq_ignore_ascii_case(short)) {
            scopes.push(short.to_owned());
        }
    }
    scopes
}

/// Expands `.default` to the app's registered permissions.
fn resolve_default(scopes: Vec<String>, app: &App) -> Vec<String> {
    let mut resolved = Vec::new();
    for scope in scopes {
        if scope.eq_ignore_ascii_case(".default") {
            for required in &app.required_scopes {
                if !resolved
                    .iter()
                    .any(|known: &String| known.eq_ignore_ascii_case(required))
                {
                    resolved.push(required.clone());
                }
            }
        } else if !resolved
            .iter()
            .any(|known: &String| known.eq_ignore_ascii_case(&scope))
        {
            resolved.push(scope);
        }
    }
    resolved
}

fn has_scope(scopes: &[String], wanted: &str) -> bool {
    scopes
        .iter()
        .any(|scope| scope.eq_ignore_ascii_case(wanted))
}

/// Whether `requested` matches a registered redirect URI (loopback http: any port).
pub fn redirect_matches(registered: &[String], requested: &str) -> bool {
    let Ok(wanted) = url::Url::parse(requested) else {
        return false;
    };
    registered.iter().any(|candidate| {
        let Ok(known) = url::Url::parse(candidate) else {
            return false;
        };
        let loopback =
            known.scheme() == "http" && matches!(known.host_str(), Some("localhost" | "127.0.0.1"));
        let path = |url: &url::Url| url.path().trim_end_matches('/').to_owned();
        if loopback {
            wanted.scheme() == "http"
                && wanted.host_str() == known.host_str()
                && path(&wanted) == path(&known)
        } else {
            candidate == requested
        }
    })
}

fn redirect_with(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(url) => url,
        Err(_) => {
            return pages::error(50011, "The redirect URI is not a valid URL.").into_response();
        }
    };
    {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in params {
            pairs.append_pair(name, value);
        }
    }
    (StatusCode::FOUND, [(LOCATION, url.to_string())]).into_response()
}

fn redirect_error(
    flow: &SignInFlow,
    error: &str,
    code: u32,
    message: &str,
    now: DateTime<Utc>,
) -> Response {
    let description = format!(
        "AADSTS{code}: {message} Trace ID: {} Correlation ID: {} Timestamp: {}",
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
        now.format("%Y-%m-%d %H:%M:%SZ")
    );
    let error_uri = format!("https://login.microsoftonline.com/error?code={code}");
    let mut params = vec![
        ("error", error),
        ("error_description", description.as_str()),
        ("error_uri", error_uri.as_str()),
    ];
    if let Some(state) = flow.state.as_deref() {
        params.push(("state", state));
    }
    redirect_with(&flow.redirect_uri, &params)
}

fn session_user(emulator: &Emulator, headers: &HeaderMap) -> Option<String> {
    let cookies = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(";");
    let session = cookies
        .split(';')
        .map(str::trim)
        .find_map(|pair| pair.strip_prefix(&format!("{SESSION_COOKIE}=")))?
        .to_owned();
    emulator.tokens().session_user(&session).cloned()
}

async fn authorize(
    State(emulator): State<Arc<Emulator>>,
    Path(tenant): Path<String>,
    Query(params): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let now = now(&emulator);
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    };
    let app = match authorizing_app(&emulator, &tenant, get("client_id"), now) {
        Ok(app) => app,
        Err(page) => return *page,
    };
    let redirect_uri = get("redirect_uri").unwrap_or_default().to_owned();
    if !redirect_matches(&app.redirect_uris, &redirect_uri) {
        return pages::error(
            50011,
            &format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.",
                app.client_id
            ),
        )
        .into_response();
    }
    let mut flow = SignInFlow {
        purpose: FlowPurpose::Authorize,
        tenant: tenant.clone(),
        client_id: app.client_id.clone(),
        redirect_uri,
        scopes: resolve_default(normalize_scopes(get("scope").unwrap_or_default()), &app),
        state: get("state").map(str::to_owned),
        nonce: get("nonce").map(str::to_owned),
        code_challenge: get("code_challenge").map(str::to_owned),
        code_challenge_method: get("code_challenge_method").unwrap_or("plain").to_owned(),
        login_hint: get("login_hint").map(str::to_owned),
        prompt: get("prompt").map(str::to_ascii_lowercase),
        user_id: None,
        expires_at: now + chrono::TimeDelta::minutes(30),
    };
    if let Some((error, code, message)) = unsupported_request(
        get("response_type"),
        flow.scopes.is_empty(),
        &flow.code_challenge_method,
        get("response_mode"),
    ) {
        return redirect_error(&flow, error, code, message, now);
    }
    let session = session_user(&emulator, &headers);
    let prompt = flow.prompt.clone();
    match (prompt.as_deref(), session) {
        (Some("login" | "select_account"), _) => {}
        (_, Some(user_id)) if hint_matches(&emulator, flow.login_hint.as_deref(), &user_id) => {
            flow.user_id = Some(user_id.clone());
            return after_sign_in(&emulator, new_flow(&emulator, flow.clone()), flow, now);
        }
        (Some("none"), _) => {
            return redirect_error(
                &flow,
                "login_required",
                50058,
                "A silent sign-in request was sent but no user is signed in.",
                now,
            );
        }
        _ => {}
    }
    let app_name = app.name.clone();
    let hint = flow.login_hint.clone().unwrap_or_default();
    let id = new_flow(&emulator, flow);
    pages::sign_in(&format!("/{tenant}/login"), &id, &app_name, &hint, None).into_response()
}

/// The app a sign-in is for, or the error page shown instead: the tenant segment must be one the
/// directory knows and the client id an app registered in it.
fn authorizing_app(
    emulator: &Emulator,
    tenant: &str,
    client_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<App, Box<Response>> {
    let store = emulator.store();
    let tenant_found = match tenant_scope(&store, tenant, now) {
        Ok(found) => found,
        Err(error) => {
            return Err(Box::new(
                pages::error(error.code, &error.message).into_response(),
            ));
        }
    };
    let Some(app) = client_id.and_then(|id| store.app(id)).cloned() else {
        return Err(Box::new(pages::error(
            700016,
            &format!(
                "Application with identifier '{}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
                client_id.unwrap_or_default(),
                tenant_found.as_ref().map_or(tenant, |found| found.name.as_str())
            ),
        )
        .into_response()));
    };
    Ok(app)
}

/// What an authorization request asks that the emulator does not do, as the redirect's
/// `error`, AADSTS code and description: a response type other than `code`, no scope, a PKCE
/// method other than S256 or plain, a response mode other than query. Checked in that order.
fn unsupported_request(
    response_type: Option<&str>,
    no_scope: bool,
    code_challenge_method: &str,
    response_mode: Option<&str>,
) -> Option<(&'static str, u32, &'static str)> {
    if response_type != Some("code") {
        return Some((
            "unsupported_response_type",
            700054,
            "response_type 'code' is the only one this emulator supports.",
        ));
    }
    if no_scope {
        return Some((
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        ));
    }
    if !matches!(code_challenge_method, "S256" | "plain") {
        return Some((
            "invalid_request",
            50148,
            "The code_challenge_method must be 'S256' or 'plain'.",
        ));
    }
    if response_mode.is_some_and(|mode| mode != "query") {
        return Some((
            "invalid_request",
            900130,
            "Only response_mode=query is emulated.",
        ));
    }
    None
}

/// Whether the signed-in user `user_id` is the one a `login_hint` names (any user without one).
fn hint_matches(emulator: &Emulator, login_hint: Option<&str>, user_id: &str) -> bool {
    login_hint.is_none_or(|hint| {
        emulator
            .store()
            .user(user_id)
            .is_some_and(|user| user.mail.eq_ignore_ascii_case(hint))
    })
}

fn new_flow(emulator: &Emulator, flow: SignInFlow) -> String {
    let id = random_token(24);
    emulator.tokens().flows.insert(id.clone(), flow);
    id
}

fn flow(emulator: &Emulator, id: &str, now: DateTime<Utc>) -> Option<SignInFlow> {
    emulator
        .tokens()
        .flows
        .get(id)
        .filter(|flow| flow.expires_at > now)
        .cloned()
}

fn find_user(store: &Store, login: &str, password: &str) -> Option<User> {
    store
        .user(login.trim())
        .filter(|user| user.password == password)
        .cloned()
}

async fn sign_in(
    State(emulator): State<Arc<Emulator>>,
    Path(tenant): Path<String>,
    Form(form): Form<Params>,
) -> Response {
    let now = now(&emulator);
    let id = form.get("flow").cloned().unwrap_or_default();
    let Some(mut flow) = flow(&emulator, &id, now) else {
        return pages::error(
            50058,
            "The sign-in session expired or is unknown. Start again from the application.",
        )
        .into_response();
    };
    let login = form.get("login").cloned().unwrap_or_default();
    let password = form.get("passwd").cloned().unwrap_or_default();
    let (user, app_name, tenant_ok) = {
        let store = emulator.store();
        let user = find_user(&store, &login, &password);
        let tenant_ok = match (&user, tenant_scope(&store, &flow.tenant, now)) {
            (Some(user), Ok(Some(tenant))) => user.tenant_id == tenant.id,
            (_, Ok(_)) => true,
            (_, Err(_)) => false,
        };
        (
            user,
            store
                .app(&flow.client_id)
                .map(|app| app.name.clone())
                .unwrap_or_default(),
            tenant_ok,
        )
    };
    let action = format!("/{tenant}/login");
    let Some(user) = user else {
        return pages::sign_in(&action, &id, &app_name, &login, Some("Your account or password is incorrect. (AADSTS50126: Error validating credentials due to invalid username or password.)")).into_response();
    };
    if !tenant_ok {
        return pages::sign_in(&action, &id, &app_name, &login, Some("AADSTS50020: User account from identity provider does not exist in tenant and cannot access the application.")).into_response();
    }
    if flow.purpose == FlowPurpose::AdminConsent && !user.is_admin {
        return redirect_error(
            &flow,
            "access_denied",
            90094,
            "Admin consent is required for the permissions requested by this application. Sign in with an administrator account.",
            now,
        );
    }
    flow.user_id = Some(user.id.clone());
    emulator.tokens().flows.insert(id.clone(), flow.clone());
    let session = random_token(24);
    emulator
        .tokens()
        .add_session(session.clone(), user.id.clone());
    let mut response = after_sign_in(&emulator, id, flow, now);
    if let Ok(cookie) =
        format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax").parse()
    {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// After the user is known: consent page, admin-approval page, or the redirect with a code.
fn after_sign_in(
    emulator: &Emulator,
    id: String,
    flow: SignInFlow,
    now: DateTime<Utc>,
) -> Response {
    let Some(user_id) = flow.user_id.clone() else {
        return pages::error(50058, "No user is signed in.").into_response();
    };
    let store = emulator.store();
    let Some(user) = store.user(&user_id).cloned() else {
        return pages::error(50034, "The user account does not exist in the directory.")
            .into_response();
    };
    let app_name = store
        .app(&flow.client_id)
        .map(|app| app.name.clone())
        .unwrap_or_default();
    let action = format!("/{}/consent", flow.tenant);
    if flow.purpose == FlowPurpose::AdminConsent {
        return pages::consent(&action, &id, &app_name, &user.mail, &flow.scopes, false)
            .into_response();
    }
    let missing = store.missing_consent(&user.tenant_id, &flow.client_id, &user.id, &flow.scopes);
    let policy = store.consent_policy(&user.tenant_id);
    drop(store);
    let wants_consent_prompt = flow.prompt.as_deref() == Some("consent");
    if missing.is_empty() && !wants_consent_prompt {
        return finish(emulator, &id, &flow, &user, now);
    }
    if policy == ConsentPolicy::AdminConsentRequired && !user.is_admin {
        if flow.prompt.as_deref() == Some("none") {
            return redirect_error(
                &flow,
                "consent_required",
                65001,
                &format!(
                    "The user or administrator has not consented to use the application with ID '{}' named '{app_name}'. Send an interactive authorization request for this user and resource.",
                    flow.client_id
                ),
                now,
            );
        }
        return pages::admin_approval(&action, &id, &app_name, &user.mail).into_response();
    }
    if flow.prompt.as_deref() == Some("none") {
        return redirect_error(
            &flow,
            "consent_required",
            65001,
            &format!(
                "The user or administrator has not consented to use the application with ID '{}' named '{app_name}'. Send an interactive authorization request for this user and resource.",
                flow.client_id
            ),
            now,
        );
    }
    pages::consent(
        &action,
        &id,
        &app_name,
        &user.mail,
        &flow.scopes,
        user.is_admin,
    )
    .into_response()
}

/// Ends a flow the user completed: code redirect, device approval, or admin-consent redirect.
fn finish(
    emulator: &Emulator,
    id: &str,
    flow: &SignInFlow,
    user: &User,
    now: DateTime<Utc>,
) -> Response {
    emulator.tokens().flows.remove(id);
    match &flow.purpose {
        FlowPurpose::Authorize => {
            let code = format!("1.{}", random_token(96));
            emulator.tokens().codes.insert(
                code.clone(),
                AuthCode {
                    tenant_id: user.tenant_id.clone(),
                    client_id: flow.client_id.clone(),
                    redirect_uri: flow.redirect_uri.clone(),
                    user_id: user.id.clone(),
                    scopes: flow.scopes.clone(),
                    code_challenge: flow.code_challenge.clone(),
                    code_challenge_method: flow.code_challenge_method.clone(),
                    nonce: flow.nonce.clone(),
                    expires_at: now + emulator.lifetimes.auth_code,
                    redeemed: false,
                },
            );
            let session_state = uuid::Uuid::new_v4().to_string();
            let mut params = vec![("code", code.as_str())];
            if let Some(state) = flow.state.as_deref() {
                params.push(("state", state));
            }
            params.push(("session_state", session_state.as_str()));
            redirect_with(&flow.redirect_uri, &params)
        }
        FlowPurpose::Device(device_code) => {
            if let Some(device) = emulator.tokens().devices.get_mut(device_code) {
                device.state = DeviceState::Approved {
                    user_id: user.id.clone(),
                };
            }
            pages::done("You're signed in", "You have signed in to the application on your device. You may now close this window.").into_response()
        }
        FlowPurpose::AdminConsent => {
            let tenant = user.tenant_id.clone();
            let scope = flow
                .scopes
                .iter()
                .map(|scope| format!("{GRAPH_RESOURCE}{scope}"))
                .collect::<Vec<_>>()
                .join(" ");
            let mut params = vec![
                ("admin_consent", "True"),
                ("tenant", tenant.as_str()),
                ("scope", scope.as_str()),
            ];
            if let Some(state) = flow.state.as_deref() {
                params.push(("state", state));
            }
            redirect_with(&flow.redirect_uri, &params)
        }
    }
}

async fn consent(State(emulator): State<Arc<Emulator>>, Form(form): Form<Params>) -> Response {
    let now = now(&emulator);
    let id = form.get("flow").cloned().unwrap_or_default();
    let Some(flow) = flow(&emulator, &id, now) else {
        return pages::error(
            50058,
            "The sign-in session expired or is unknown. Start again from the application.",
        )
        .into_response();
    };
    let Some(user) = flow
        .user_id
        .as_deref()
        .and_then(|user_id| emulator.store().user(user_id).cloned())
    else {
        return pages::error(50058, "No user is signed in.").into_response();
    };
    let accepted = form.get("decision").map(String::as_str) == Some("accept");
    let policy = emulator.store().consent_policy(&user.tenant_id);
    if !accepted {
        emulator.tokens().flows.remove(&id);
        if let FlowPurpose::Device(device_code) = &flow.purpose {
            if let Some(device) = emulator.tokens().devices.get_mut(device_code) {
                device.state = DeviceState::Declined;
            }
            return pages::done(
                "Sign-in cancelled",
                "You declined to sign in to the application on your device.",
            )
            .into_response();
        }
        let app_name = emulator
            .store()
            .app(&flow.client_id)
            .map(|app| app.name.clone())
            .unwrap_or_default();
        if policy == ConsentPolicy::AdminConsentRequired && !user.is_admin {
            return redirect_error(
                &flow,
                "access_denied",
                65001,
                &format!(
                    "The user or administrator has not consented to use the application with ID '{}' named '{app_name}'. Send an interactive authorization request for this user and resource.",
                    flow.client_id
                ),
                now,
            );
        }
        return redirect_error(
            &flow,
            "access_denied",
            65004,
            "User declined to consent to access the app.",
            now,
        );
    }
    if policy == ConsentPolicy::AdminConsentRequired && !user.is_admin {
        return pages::error(90094, "The grant requires admin permission.").into_response();
    }
    let on_behalf = user.is_admin
        && (flow.purpose == FlowPurpose::AdminConsent
            || form.get("consent_on_behalf").map(String::as_str) == Some("true"));
    {
        let mut store = emulator.store();
        if on_behalf {
            // A tenant-wide grant also covers the sign-in (OIDC) scopes.
            let mut scopes = flow.scopes.clone();
            scopes.extend(OIDC_SCOPES.iter().map(|scope| (*scope).to_owned()));
            store.grant(&user.tenant_id, &flow.client_id, None, &scopes);
            if flow.purpose == FlowPurpose::AdminConsent {
                let roles: Vec<String> = flow
                    .scopes
                    .iter()
                    .filter(|scope| !OIDC_SCOPES.contains(&scope.to_ascii_lowercase().as_str()))
                    .cloned()
                    .collect();
                let app_has_secret = store.app(&flow.client_id).is_some_and(App::is_confidential);
                if app_has_secret {
                    store.grant_app_roles(&user.tenant_id, &flow.client_id, &roles);
                }
            }
        } else {
            store.grant(
                &user.tenant_id,
                &flow.client_id,
                Some(&user.id),
                &flow.scopes,
            );
        }
    }
    finish(&emulator, &id, &flow, &user, now)
}

async fn admin_consent(
    State(emulator): State<Arc<Emulator>>,
    Path(tenant): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    let now = now(&emulator);
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    };
    let app = {
        let store = emulator.store();
        if let Err(error) = tenant_scope(&store, &tenant, now) {
            return pages::error(error.code, &error.message).into_response();
        }
        match get("client_id").and_then(|id| store.app(id)).cloned() {
            Some(app) => app,
            None => {
                return pages::error(
                    700016,
                    &format!(
                        "Application with identifier '{}' was not found in the directory.",
                        get("client_id").unwrap_or_default()
                    ),
                )
                .into_response();
            }
        }
    };
    let redirect_uri = get("redirect_uri").unwrap_or_default().to_owned();
    if !redirect_matches(&app.redirect_uris, &redirect_uri) {
        return pages::error(50011, &format!("The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{}'.", app.client_id)).into_response();
    }
    let scopes = resolve_default(normalize_scopes(get("scope").unwrap_or(".default")), &app);
    let flow = SignInFlow {
        purpose: FlowPurpose::AdminConsent,
        tenant: tenant.clone(),
        client_id: app.client_id.clone(),
        redirect_uri,
        scopes,
        state: get("state").map(str::to_owned),
        nonce: None,
        code_challenge: None,
        code_challenge_method: "plain".to_owned(),
        login_hint: None,
        prompt: Some("login".to_owned()),
        user_id: None,
        expires_at: now + chrono::TimeDelta::minutes(30),
    };
    let id = new_flow(&emulator, flow);
    pages::sign_in(
        &format!("/{tenant}/login"),
        &id,
        &format!("{} (admin consent for your organization)", app.name),
        "",
        None,
    )
    .into_response()
}

async fn logout(
    State(emulator): State<Arc<Emulator>>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    if let Some(user_id) = session_user(&emulator, &headers) {
        emulator.tokens().end_sessions_of(&user_id);
    }
    match params.get("post_logout_redirect_uri") {
        Some(target) => (StatusCode::FOUND, [(LOCATION, target.clone())]).into_response(),
        None => pages::done(
            "You signed out of your account",
            "It's a good idea to close all browser windows.",
        )
        .into_response(),
    }
}

async fn device_login_page() -> Html<String> {
    pages::device_code("/devicelogin", None)
}

async fn device_login(State(emulator): State<Arc<Emulator>>, Form(form): Form<Params>) -> Response {
    let now = now(&emulator);
    let user_code = form.get("otc").cloned().unwrap_or_default();
    let found = {
        let mut tokens = emulator.tokens();
        tokens
            .device_by_user_code(&user_code)
            .filter(|device| device.expires_at > now && device.state == DeviceState::Pending)
            .cloned()
    };
    let Some(device) = found else {
        return pages::device_code(
            "/devicelogin",
            Some("That code didn't work. Check the code and try again."),
        )
        .into_response();
    };
    let app = emulator.store().app(&device.client_id).cloned();
    let flow = SignInFlow {
        purpose: FlowPurpose::Device(device.device_code.clone()),
        tenant: device.tenant.clone(),
        client_id: device.client_id.clone(),
        redirect_uri: String::new(),
        scopes: device.scopes.clone(),
        state: None,
        nonce: None,
        code_challenge: None,
        code_challenge_method: "plain".to_owned(),
        login_hint: None,
        prompt: None,
        user_id: None,
        expires_at: device.expires_at,
    };
    let id = new_flow(&emulator, flow);
    pages::sign_in(
        &format!("/{}/login", device.tenant),
        &id,
        &app.map(|app| app.name).unwrap_or_default(),
        "",
        None,
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authorization_request_is_refused_for_the_first_thing_not_emulated() {
        let cases = [
            (
                "a token response",
                Some("token"),
                false,
                "S256",
                None,
                Some(700054),
            ),
            ("no response type", None, false, "S256", None, Some(700054)),
            ("no scope", Some("code"), true, "S256", None, Some(900144)),
            (
                "both wrong: the type first",
                Some("id_token"),
                true,
                "S256",
                None,
                Some(700054),
            ),
            (
                "an unknown PKCE method",
                Some("code"),
                false,
                "S512",
                None,
                Some(50148),
            ),
            (
                "a fragment answer",
                Some("code"),
                false,
                "plain",
                Some("fragment"),
                Some(900130),
            ),
            (
                "a query answer",
                Some("code"),
                false,
                "S256",
                Some("query"),
                None,
            ),
            (
                "plain PKCE, default mode",
                Some("code"),
                false,
                "plain",
                None,
                None,
            ),
        ];
        for (case, response_type, no_scope, method, mode, expected) in cases {
            assert_eq!(
                unsupported_request(response_type, no_scope, method, mode).map(|(_, code, _)| code),
                expected,
                "{case}: the AADSTS code Microsoft answers"
            );
        }
    }
}
