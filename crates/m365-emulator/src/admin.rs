//! The admin API under `/_emulator/`: seeding, Outlook-side edits, faults, throttling, the request log, issued tokens.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::Seed;
use crate::emulator::Emulator;
use crate::faults::FaultRule;
use crate::graph::query::Options;
use crate::graph::render;
use crate::identity::tokens::Subject;
use crate::origin::Origin;
use crate::store::instances;
use crate::store::model::ConsentPolicy;
use crate::throttle::ThrottleConfig;

pub fn router() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/", get(info))
        .route("/reset", post(reset))
        .route("/seed", post(reseed))
        .route("/users", get(users))
        .route("/users/{user}", delete(delete_user))
        .route(
            "/users/{user}/mailbox-licence",
            put(give_licence).delete(remove_licence),
        )
        .route("/users/{user}/calendars", get(calendars))
        .route("/users/{user}/events", get(events).post(create_event))
        .route(
            "/users/{user}/events/{id}",
            get(event).patch(update_event).delete(delete_event),
        )
        .route("/users/{user}/events/{id}/cancel", post(cancel_event))
        .route("/users/{user}/revoke-refresh-tokens", post(revoke))
        .route("/tokens", get(tokens))
        .route("/tokens/forget-access", post(forget_access))
        .route("/tenants/{tenant}/consent-policy", put(consent_policy))
        .route("/tenants/{tenant}/grants", delete(revoke_grants))
        .route("/apps/{client}/secret", put(set_secret))
        .route(
            "/apps/{client}/certificates",
            get(certificates).post(add_certificate),
        )
        .route(
            "/apps/{client}/certificates/{thumbprint}",
            delete(remove_certificate),
        )
        .route(
            "/tenants/{tenant}/apps/{client}/access-policy",
            put(set_access_policy).delete(remove_access_policy),
        )
        .route(
            "/tenants/{tenant}/apps/{client}/revoke-roles",
            post(revoke_roles),
        )
        .route(
            "/tenants/{tenant}/apps/{client}/grant-roles",
            post(grant_roles),
        )
        .route("/faults", get(faults).post(add_fault).delete(clear_faults))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/throttle", get(throttle).put(set_throttle))
        .route("/delta/expire", post(expire_delta))
        .route("/clock/advance", post(advance_clock))
        .route("/latency", get(latency).put(set_latency))
}

fn problem(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": {"code": status.canonical_reason().unwrap_or("error"), "message": message.into()}}))).into_response()
}

fn not_found(what: &str) -> Response {
    problem(StatusCode::NOT_FOUND, format!("{what} not found"))
}

async fn info(State(emulator): State<Arc<Emulator>>, Origin(origin): Origin) -> Json<Value> {
    let store = emulator.store();
    Json(json!({
        "authority": origin,
        "graph": format!("{origin}/v1.0"),
        "admin": format!("{origin}/_emulator"),
        "client_id": crate::DEMO_CLIENT_ID,
        "tenant_id": crate::DEMO_TENANT_ID,
        "org_client_id": crate::seed::ORG_CLIENT_ID,
        "now": emulator.now(),
        "counts": {"tenants": store.tenants.len(), "users": store.users.len(), "calendars": store.calendars.len(), "events": store.events.len()},
    }))
}

#[derive(Debug, Deserialize)]
struct SeedRequest {
    seed: Option<Seed>,
}

fn replace_store(emulator: &Emulator, seed: &Seed) {
    let store = crate::build_store(seed, emulator.now());
    let generation = emulator.store().generation;
    let mut fresh = store;
    fresh.generation = generation + 1;
    *emulator.store() = fresh;
    emulator.sync().expire_all();
}

async fn reset(State(emulator): State<Arc<Emulator>>) -> Response {
    let seed = emulator.seed.clone();
    replace_store(&emulator, &seed);
    emulator.faults().clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn reseed(
    State(emulator): State<Arc<Emulator>>,
    body: Option<Json<SeedRequest>>,
) -> Response {
    let seed = body
        .and_then(|Json(request)| request.seed)
        .unwrap_or_else(|| emulator.seed.clone());
    replace_store(&emulator, &seed);
    StatusCode::NO_CONTENT.into_response()
}

async fn users(State(emulator): State<Arc<Emulator>>) -> Json<Value> {
    let store = emulator.store();
    let users: Vec<Value> = store
        .users
        .values()
        .map(|user| json!({"id": user.id, "mail": user.mail, "displayName": user.display_name, "tenantId": user.tenant_id, "isAdmin": user.is_admin}))
        .collect();
    Json(json!({"value": users}))
}

async fn calendars(State(emulator): State<Arc<Emulator>>, Path(user): Path<String>) -> Response {
    let store = emulator.store();
    let Some(owner) = store.user(&user).cloned() else {
        return not_found("user");
    };
    let value: Vec<Value> = store
        .calendars_of(&owner.id)
        .into_iter()
        .map(|calendar| render::calendar(calendar, &owner))
        .collect();
    Json(json!({"value": value})).into_response()
}

async fn events(State(emulator): State<Arc<Emulator>>, Path(user): Path<String>) -> Response {
    let store = emulator.store();
    let Some(owner) = store.user(&user).cloned() else {
        return not_found("user");
    };
    let options = Options::default();
    let value: Vec<Value> = store
        .items(&owner.id, None)
        .map(|event| Value::Object(render::event(&instances::item(event), &owner, &options)))
        .collect();
    Json(json!({"value": value})).into_response()
}

async fn event(
    State(emulator): State<Arc<Emulator>>,
    Path((user, id)): Path<(String, String)>,
) -> Response {
    let store = emulator.store();
    let Some(owner) = store.user(&user).cloned() else {
        return not_found("user");
    };
    current_event(&store, &owner, &id)
}

/// The event (or occurrence) `id` of `owner` as Graph renders it now, or 404.
fn current_event(
    store: &crate::store::Store,
    owner: &crate::store::model::User,
    id: &str,
) -> Response {
    match crate::graph::instance_by_id(store, &owner.id, id) {
        Some(instance) => Json(Value::Object(render::event(
            &instance,
            owner,
            &Options::default(),
        )))
        .into_response(),
        None => not_found("event"),
    }
}

/// The answer to an admin change of an event: the event as it stands now, or why not.
fn changed_event(
    store: &crate::store::Store,
    owner: &crate::store::model::User,
    changed: Result<String, crate::store::StoreError>,
) -> Response {
    match changed {
        Ok(id) => current_event(store, owner, &id),
        Err(crate::store::StoreError::NotFound) => not_found("event"),
        Err(error) => problem(StatusCode::BAD_REQUEST, error.to_string()),
    }
}

/// Creates an event as Outlook would; `calendarId` picks the calendar (default otherwise).
async fn create_event(
    State(emulator): State<Arc<Emulator>>,
    Path(user): Path<String>,
    Json(body): Json<Map<String, Value>>,
) -> Response {
    let now = emulator.now();
    let mut store = emulator.store();
    let Some(owner) = store.user(&user).cloned() else {
        return not_found("user");
    };
    let calendar_id = match body.get("calendarId").and_then(Value::as_str) {
        Some(id) => id.to_owned(),
        None => match store.default_calendar(&owner.id) {
            Some(calendar) => calendar.id.clone(),
            None => return not_found("calendar"),
        },
    };
    let mut fields = body.clone();
    fields.remove("calendarId");
    match store.create_event(&owner.id, &calendar_id, &fields, now) {
        Ok((event, _)) => (
            StatusCode::CREATED,
            Json(Value::Object(render::event(
                &instances::item(&event),
                &owner,
                &Options::default(),
            ))),
        )
            .into_response(),
        Err(error) => problem(StatusCode::BAD_REQUEST, error.to_string()),
    }
}

async fn update_event(
    State(emulator): State<Arc<Emulator>>,
    Path((user, id)): Path<(String, String)>,
    Json(body): Json<Map<String, Value>>,
) -> Response {
    let now = emulator.now();
    let mut store = emulator.store();
    let Some(owner) = store.user(&user).cloned() else {
        return not_found("user");
    };
    let changed = store.update_event(&owner.id, &id, &body, None, now);
    changed_event(&store, &owner, changed)
}

/// The organiser cancelled the meeting: it stays in the attendee's calendar, `isCancelled`.
async fn cancel_event(
    State(emulator): State<Arc<Emulator>>,
    Path((user, id)): Path<(String, String)>,
) -> Response {
    let now = emulator.now();
    let mut store = emulator.store();
    let Some(owner) = store.user(&user).cloned() else {
        return not_found("user");
    };
    let changed = store.cancel_event(&owner.id, &id, now);
    changed_event(&store, &owner, changed)
}

async fn delete_event(
    State(emulator): State<Arc<Emulator>>,
    Path((user, id)): Path<(String, String)>,
) -> Response {
    let mut store = emulator.store();
    let Some(owner) = store.user(&user).cloned() else {
        return not_found("user");
    };
    match store.delete_event(&owner.id, &id, None) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => not_found("event"),
    }
}

/// "Revoke sessions": refresh tokens issued before now stop working (AADSTS50173).
async fn revoke(State(emulator): State<Arc<Emulator>>, Path(user): Path<String>) -> Response {
    let now = emulator.now();
    let mut store = emulator.store();
    match store.user_mut(&user) {
        Some(found) => {
            found.refresh_tokens_valid_from = now;
            let id = found.id.clone();
            drop(store);
            emulator.tokens().end_sessions_of(&id);
            StatusCode::NO_CONTENT.into_response()
        }
        None => not_found("user"),
    }
}

/// "Delete user" in the admin centre: the user leaves the directory and their mailbox goes with
/// them. Their refresh tokens then answer AADSTS50034 and their mailbox paths 404
/// `ErrorInvalidUser`; access tokens already issued live until they expire (no CAE here).
async fn delete_user(State(emulator): State<Arc<Emulator>>, Path(user): Path<String>) -> Response {
    let mut store = emulator.store();
    let Some(id) = store.user(&user).map(|found| found.id.clone()) else {
        return not_found("user");
    };
    store.users.remove(&id);
    store.calendars.retain(|_, calendar| calendar.user_id != id);
    store.events.retain(|_, event| event.user_id != id);
    store.mark_changed();
    drop(store);
    emulator.tokens().end_sessions_of(&id);
    StatusCode::NO_CONTENT.into_response()
}

/// "Remove licence" in the admin centre (the user's Exchange Online plan): the user stays in the
/// directory and can sign in, but Graph answers their mailbox paths 404
/// `MailboxNotEnabledForRESTAPI`. The mailbox's content is kept until the licence comes back.
async fn remove_licence(
    State(emulator): State<Arc<Emulator>>,
    Path(user): Path<String>,
) -> Response {
    set_licence(&emulator, &user, false)
}

/// The licence given back: the same mailbox answers again.
async fn give_licence(State(emulator): State<Arc<Emulator>>, Path(user): Path<String>) -> Response {
    set_licence(&emulator, &user, true)
}

fn set_licence(emulator: &Emulator, user: &str, licensed: bool) -> Response {
    let mut store = emulator.store();
    match store.user_mut(user) {
        Some(found) => {
            found.mailbox_licensed = licensed;
            store.mark_changed();
            StatusCode::NO_CONTENT.into_response()
        }
        None => not_found("user"),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ForgetAccess {
    /// Only this user's tokens (id or e-mail address).
    user: Option<String>,
    /// Only tokens issued to this client (its application tokens included).
    client_id: Option<String>,
}

/// Forgets access tokens (all, or a user's, or a client's) while their refresh tokens stay valid,
/// as when the emulator restarts or Microsoft ends tokens early: Graph then answers 401
/// `InvalidAuthenticationToken` and a client is expected to get a new token and ask again.
async fn forget_access(
    State(emulator): State<Arc<Emulator>>,
    body: Option<Json<ForgetAccess>>,
) -> Response {
    let filter = body.map(|Json(body)| body).unwrap_or_default();
    let user = match &filter.user {
        Some(user) => match emulator.store().user(user) {
            Some(found) => Some(found.id.clone()),
            None => return not_found("user"),
        },
        None => None,
    };
    let mut tokens = emulator.tokens();
    let before = tokens.access.len();
    tokens.access.retain(|_, grant| {
        let of_user = match (&user, &grant.subject) {
            (None, _) => true,
            (Some(wanted), Subject::User(id)) => id == wanted,
            (Some(_), Subject::App) => false,
        };
        let of_client = filter
            .client_id
            .as_ref()
            .is_none_or(|client| *client == grant.client_id);
        !(of_user && of_client)
    });
    let forgotten = before - tokens.access.len();
    Json(json!({ "forgotten": forgotten })).into_response()
}

/// One line of `GET /_emulator/tokens`.
#[derive(Debug, Serialize)]
struct IssuedToken {
    kind: &'static str,
    token: String,
    /// The user's UPN (their object id if the user is gone); `None` for app tokens.
    user: Option<String>,
    client_id: String,
    expires_at: DateTime<Utc>,
}

/// Every access and refresh token the emulator issued and still knows (expired ones until they
/// are pruned), so security tests can look for them where they must not be.
async fn tokens(State(emulator): State<Arc<Emulator>>) -> Json<Vec<IssuedToken>> {
    let mut issued: Vec<IssuedToken> = {
        let tokens = emulator.tokens();
        let access = tokens.access.iter().map(|(token, grant)| IssuedToken {
            kind: "access",
            token: token.clone(),
            user: match &grant.subject {
                Subject::User(id) => Some(id.clone()),
                Subject::App => None,
            },
            client_id: grant.client_id.clone(),
            expires_at: grant.expires_at,
        });
        let refresh = tokens.refresh_grants().map(|(token, grant)| IssuedToken {
            kind: "refresh",
            token: token.clone(),
            user: Some(grant.user_id.clone()),
            client_id: grant.client_id.clone(),
            expires_at: grant.expires_at,
        });
        access.chain(refresh).collect()
    };
    issued.sort_by(|a, b| (a.kind, a.expires_at, &a.token).cmp(&(b.kind, b.expires_at, &b.token)));
    let store = emulator.store();
    for entry in &mut issued {
        if let Some(user) = entry.user.as_mut()
            && let Some(found) = store.user(user)
        {
            *user = found.mail.clone();
        }
    }
    Json(issued)
}

#[derive(Debug, Deserialize)]
struct PolicyRequest {
    policy: ConsentPolicy,
}

async fn consent_policy(
    State(emulator): State<Arc<Emulator>>,
    Path(tenant): Path<String>,
    Json(body): Json<PolicyRequest>,
) -> Response {
    match emulator.store().tenant_mut(&tenant) {
        Some(found) => {
            found.consent_policy = body.policy;
            Json(json!({"id": found.id, "consentPolicy": found.consent_policy})).into_response()
        }
        None => not_found("tenant"),
    }
}

async fn revoke_grants(
    State(emulator): State<Arc<Emulator>>,
    Path(tenant): Path<String>,
) -> Response {
    let mut store = emulator.store();
    let Some(id) = store.tenant(&tenant).map(|found| found.id.clone()) else {
        return not_found("tenant");
    };
    store.delegated_grants.retain(|grant| grant.tenant_id != id);
    store.mark_changed();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecretRequest {
    /// A new secret value (rotation); absent keeps the current one.
    secret: Option<String>,
    /// When the secret expires; `null` or absent: never.
    expires_at: Option<DateTime<Utc>>,
}

/// Certificates & secrets: rotates a confidential client's secret and sets its expiry.
async fn set_secret(
    State(emulator): State<Arc<Emulator>>,
    Path(client): Path<String>,
    Json(body): Json<SecretRequest>,
) -> Response {
    let mut store = emulator.store();
    let Some(app) = store.apps.get_mut(&client) else {
        return not_found("app");
    };
    if app.client_secret.is_none() {
        return problem(StatusCode::BAD_REQUEST, "a public client has no secret");
    }
    if let Some(secret) = body.secret {
        app.client_secret = Some(secret);
    }
    app.client_secret_expires = body.expires_at;
    let answer = json!({"clientId": app.client_id, "expiresAt": app.client_secret_expires});
    store.mark_changed();
    Json(answer).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CertificateRequest {
    /// The public certificate: PEM, or the base64 DER of a `.cer` file. A private key in the same
    /// text is ignored (Entra never takes one).
    certificate: String,
}

fn certificate_json(certificate: &crate::certificates::AppCertificate) -> Value {
    json!({
        "thumbprint": certificate.thumbprint,
        "thumbprintSha256": certificate.thumbprint_sha256,
        "subject": certificate.subject,
        "startDateTime": certificate.start,
        "endDateTime": certificate.end,
    })
}

/// Certificates & secrets → Certificates: the app's uploaded certificates.
async fn certificates(
    State(emulator): State<Arc<Emulator>>,
    Path(client): Path<String>,
) -> Response {
    let store = emulator.store();
    let Some(app) = store.apps.get(&client) else {
        return not_found("app");
    };
    Json(json!({"value": app.certificates.iter().map(certificate_json).collect::<Vec<_>>()}))
        .into_response()
}

/// Uploads a certificate to an app registration (its key then signs client assertions).
async fn add_certificate(
    State(emulator): State<Arc<Emulator>>,
    Path(client): Path<String>,
    Json(body): Json<CertificateRequest>,
) -> Response {
    let certificate = match crate::certificates::AppCertificate::parse(&body.certificate) {
        Ok(certificate) => certificate,
        Err(reason) => return problem(StatusCode::BAD_REQUEST, reason),
    };
    let mut store = emulator.store();
    let Some(app) = store.apps.get_mut(&client) else {
        return not_found("app");
    };
    if app.allow_public_client_flows && app.client_secret.is_none() {
        return problem(
            StatusCode::BAD_REQUEST,
            "a public client has no credentials",
        );
    }
    let answer = certificate_json(&certificate);
    app.certificates
        .retain(|c| c.thumbprint != certificate.thumbprint);
    app.certificates.push(certificate);
    store.mark_changed();
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// Removes an uploaded certificate by its SHA-1 thumbprint (hex).
async fn remove_certificate(
    State(emulator): State<Arc<Emulator>>,
    Path((client, thumbprint)): Path<(String, String)>,
) -> Response {
    let mut store = emulator.store();
    let Some(app) = store.apps.get_mut(&client) else {
        return not_found("app");
    };
    let before = app.certificates.len();
    app.certificates
        .retain(|c| !c.thumbprint.eq_ignore_ascii_case(&thumbprint));
    if app.certificates.len() == before {
        return not_found("certificate");
    }
    store.mark_changed();
    StatusCode::NO_CONTENT.into_response()
}

/// The tenant's id, when both the tenant and the app exist; else what was not found.
fn tenant_and_app(
    store: &crate::store::Store,
    tenant: &str,
    client: &str,
) -> Result<String, &'static str> {
    let tenant = store
        .tenant(tenant)
        .map(|found| found.id.clone())
        .ok_or("tenant")?;
    if !store.apps.contains_key(client) {
        return Err("app");
    }
    Ok(tenant)
}

#[derive(Debug, Deserialize)]
struct AccessPolicyRequest {
    /// Users (ids or e-mail addresses) whose mailboxes the app may reach.
    allow: Vec<String>,
}

/// New-ApplicationAccessPolicy -AccessRight RestrictAccess: the app's application tokens reach
/// only the mailboxes listed; every other mailbox answers 403 ErrorAccessDenied.
async fn set_access_policy(
    State(emulator): State<Arc<Emulator>>,
    Path((tenant, client)): Path<(String, String)>,
    Json(body): Json<AccessPolicyRequest>,
) -> Response {
    let mut store = emulator.store();
    let tenant = match tenant_and_app(&store, &tenant, &client) {
        Ok(tenant) => tenant,
        Err(what) => return not_found(what),
    };
    let mut allowed = std::collections::BTreeSet::new();
    for user in &body.allow {
        match store.user(user) {
            Some(found) if found.tenant_id == tenant => {
                allowed.insert(found.id.clone());
            }
            _ => return not_found("user"),
        }
    }
    let answer = json!({"tenantId": tenant, "clientId": client, "allowed": allowed});
    store.set_access_policy(&tenant, &client, Some(allowed));
    Json(answer).into_response()
}

async fn remove_access_policy(
    State(emulator): State<Arc<Emulator>>,
    Path((tenant, client)): Path<(String, String)>,
) -> Response {
    let mut store = emulator.store();
    match tenant_and_app(&store, &tenant, &client) {
        Ok(tenant) => {
            store.set_access_policy(&tenant, &client, None);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(what) => not_found(what),
    }
}

#[derive(Debug, Default, Deserialize)]
struct RolesRequest {
    /// Application permissions (`Calendars.ReadWrite`, `User.Read.All` …); absent: all of them.
    roles: Option<Vec<String>>,
}

/// An administrator removes application permissions (API permissions → Revoke admin consent).
/// Tokens already issued keep their roles until they expire.
async fn revoke_roles(
    State(emulator): State<Arc<Emulator>>,
    Path((tenant, client)): Path<(String, String)>,
    body: Option<Json<RolesRequest>>,
) -> Response {
    let roles = body.map(|Json(body)| body).unwrap_or_default().roles;
    let mut store = emulator.store();
    match tenant_and_app(&store, &tenant, &client) {
        Ok(tenant) => {
            store.revoke_app_roles(&tenant, &client, roles.as_deref());
            Json(json!({"roles": store.app_roles(&tenant, &client)})).into_response()
        }
        Err(what) => not_found(what),
    }
}

/// An administrator grants application permissions (admin consent).
async fn grant_roles(
    State(emulator): State<Arc<Emulator>>,
    Path((tenant, client)): Path<(String, String)>,
    Json(body): Json<RolesRequest>,
) -> Response {
    let mut store = emulator.store();
    match tenant_and_app(&store, &tenant, &client) {
        Ok(tenant) => {
            store.grant_app_roles(&tenant, &client, &body.roles.unwrap_or_default());
            Json(json!({"roles": store.app_roles(&tenant, &client)})).into_response()
        }
        Err(what) => not_found(what),
    }
}

async fn faults(State(emulator): State<Arc<Emulator>>) -> Json<Value> {
    Json(json!({"value": emulator.faults().rules()}))
}

async fn add_fault(State(emulator): State<Arc<Emulator>>, Json(rule): Json<FaultRule>) -> Response {
    if rule.batch_part
        && !matches!(
            rule.fault,
            crate::faults::FaultKind::Status { .. } | crate::faults::FaultKind::Slow { .. }
        )
    {
        return problem(
            StatusCode::BAD_REQUEST,
            "a batch part can only fail with a status or be slow",
        );
    }
    let added = emulator.faults().add(rule);
    (StatusCode::CREATED, Json(added)).into_response()
}

async fn clear_faults(State(emulator): State<Arc<Emulator>>) -> StatusCode {
    emulator.faults().clear();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct LogQuery {
    path: Option<String>,
    method: Option<String>,
}

async fn requests(
    State(emulator): State<Arc<Emulator>>,
    Query(filter): Query<LogQuery>,
) -> Json<Value> {
    let log = emulator.log();
    let entries: Vec<Value> = log
        .entries()
        .filter(|entry| {
            filter.path.as_deref().is_none_or(|pattern| {
                crate::faults::glob_matches(
                    pattern,
                    entry.path.split('?').next().unwrap_or_default(),
                )
            })
        })
        .filter(|entry| {
            filter
                .method
                .as_deref()
                .is_none_or(|method| method.eq_ignore_ascii_case(&entry.method))
        })
        .map(|entry| serde_json::to_value(entry).unwrap_or(Value::Null))
        .collect();
    Json(json!({"count": entries.len(), "value": entries}))
}

async fn clear_requests(State(emulator): State<Arc<Emulator>>) -> StatusCode {
    emulator.log().clear();
    StatusCode::NO_CONTENT
}

async fn throttle(State(emulator): State<Arc<Emulator>>) -> Json<ThrottleConfig> {
    Json(emulator.throttle.config())
}

async fn set_throttle(
    State(emulator): State<Arc<Emulator>>,
    Json(config): Json<ThrottleConfig>,
) -> Json<ThrottleConfig> {
    emulator.throttle.set_config(config);
    Json(emulator.throttle.config())
}

async fn expire_delta(State(emulator): State<Arc<Emulator>>) -> StatusCode {
    emulator.sync().expire_all();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance_clock(
    State(emulator): State<Arc<Emulator>>,
    Json(advance): Json<Advance>,
) -> Json<Value> {
    emulator.advance_clock(chrono::TimeDelta::seconds(advance.seconds));
    Json(json!({"now": emulator.now()}))
}

#[derive(Debug, Deserialize)]
struct Latency {
    ms: u64,
}

/// The network latency every identity and Graph request waits.
async fn latency(State(emulator): State<Arc<Emulator>>) -> Json<Value> {
    Json(json!({"ms": emulator.latency().as_millis() as u64}))
}

/// Sets the network latency (0 turns it off).
async fn set_latency(
    State(emulator): State<Arc<Emulator>>,
    Json(body): Json<Latency>,
) -> Json<Value> {
    emulator.set_latency(std::time::Duration::from_millis(body.ms));
    Json(json!({"ms": body.ms}))
}
