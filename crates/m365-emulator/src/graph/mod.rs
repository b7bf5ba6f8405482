//! Microsoft Graph v1.0: users, calendars, events, calendarView, delta and `$batch`.

pub mod batch;
pub mod delta;
pub mod query;
pub mod render;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::emulator::Emulator;
use crate::identity::tokens::{AccessGrant, Subject};
use crate::store::instances::{self, Instance};
use crate::store::model::User;
use crate::store::{Store, StoreError};
use query::{Filter, Options};

/// A Graph request, from HTTP or from a `$batch` part.
#[derive(Debug, Clone)]
pub struct GraphRequest {
    pub method: Method,
    /// Path after `/v1.0`, e.g. `/me/events`.
    pub path: String,
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Option<Value>,
    /// `https://127.0.0.1:PORT`, for absolute links.
    pub origin: String,
    /// Injected slowness, served while holding the throttling slot.
    pub delay: Option<Duration>,
}

/// A Graph response before it becomes HTTP (or a `$batch` part).
#[derive(Debug, Clone)]
pub struct GraphResponse {
    pub status: StatusCode,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl GraphResponse {
    pub fn json(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub fn empty(status: StatusCode) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn error(status: StatusCode, code: &str, message: &str) -> Self {
        Self::json(
            status,
            json!({"error": {"code": code, "message": message, "innerError": {}}}),
        )
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    fn fill_inner_error(&mut self, request_id: &str, client_request_id: &str, now: DateTime<Utc>) {
        if let Some(inner) = self
            .body
            .as_mut()
            .and_then(|body| body.get_mut("error"))
            .and_then(|error| error.get_mut("innerError"))
        {
            *inner = json!({
                "date": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "request-id": request_id,
                "client-request-id": client_request_id,
            });
        }
    }
}

impl IntoResponse for GraphResponse {
    fn into_response(self) -> Response {
        let mut builder = Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let body = match &self.body {
            Some(body) => {
                builder = builder.header(
                    "content-type",
                    "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8",
                );
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        builder
            .body(body)
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

fn not_found() -> GraphResponse {
    GraphResponse::error(
        StatusCode::NOT_FOUND,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

/// Exchange's 404 for a mailbox whose user is not in the directory (deleted, or never there).
fn invalid_user(user: &str) -> GraphResponse {
    GraphResponse::error(
        StatusCode::NOT_FOUND,
        "ErrorInvalidUser",
        &format!("The requested user '{user}' is invalid."),
    )
}

/// Exchange's 404 for the mailbox of a user who is in the directory but has no Exchange Online
/// licence (removed, or never given), or whose mailbox is soft-deleted or on-premises.
fn mailbox_not_enabled() -> GraphResponse {
    GraphResponse::error(
        StatusCode::NOT_FOUND,
        "MailboxNotEnabledForRESTAPI",
        "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
    )
}

fn access_denied() -> GraphResponse {
    GraphResponse::error(
        StatusCode::FORBIDDEN,
        "ErrorAccessDenied",
        "Access is denied. Check credentials and try again.",
    )
}

fn bad_request(code: &str, message: &str) -> GraphResponse {
    GraphResponse::error(StatusCode::BAD_REQUEST, code, message)
}

fn store_error(error: StoreError) -> GraphResponse {
    let message = error.to_string();
    match error {
        StoreError::NotFound => not_found(),
        StoreError::InvalidRequest(_) => bad_request("ErrorInvalidRequest", &message),
        StoreError::PropertyValidation(_) => {
            bad_request("ErrorPropertyValidationFailure", &message)
        }
        StoreError::TimeZoneNotSupported(_) => {
            bad_request("TimeZoneNotSupportedException", &message)
        }
        StoreError::ChangeKeyMismatch => GraphResponse::error(
            StatusCode::PRECONDITION_FAILED,
            "ErrorIrresolvableConflict",
            &message,
        ),
        StoreError::OccurrenceCrossingBoundary => {
            bad_request("ErrorOccurrenceCrossingBoundary", &message)
        }
    }
}

fn unauthorized(origin: &str, message: &str) -> GraphResponse {
    GraphResponse::error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message).with_header(
        "WWW-Authenticate",
        format!("Bearer realm=\"\", authorization_uri=\"{origin}/common/oauth2/authorize\", client_id=\"{}\"", crate::identity::GRAPH_APP_ID),
    )
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// The grant of the request's bearer token, or the 401 Graph answers.
fn authenticate(
    emulator: &Emulator,
    request: &GraphRequest,
    now: DateTime<Utc>,
) -> Result<AccessGrant, GraphResponse> {
    let Some(authorization) = header(&request.headers, "authorization") else {
        return Err(unauthorized(&request.origin, "Access token is empty."));
    };
    let token = authorization
        .strip_prefix("Bearer ")
        .or_else(|| authorization.strip_prefix("bearer "))
        .map(str::trim)
        .unwrap_or_default();
    if token.is_empty() {
        return Err(unauthorized(&request.origin, "Access token is empty."));
    }
    let grant = emulator.tokens().access.get(token).cloned();
    match grant {
        None if token.split('.').count() != 3 => Err(unauthorized(
            &request.origin,
            "IDX14100: JWT is not well formed, there are no dots (.).",
        )),
        None => Err(unauthorized(
            &request.origin,
            "Access token validation failure. Invalid audience.",
        )),
        Some(grant) if grant.expires_at <= now => Err(unauthorized(
            &request.origin,
            "Lifetime validation failed, the token is expired.",
        )),
        Some(grant) => Ok(grant),
    }
}

/// What an endpoint needs from the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Profile,
    CalendarsRead,
    CalendarsWrite,
}

fn permits(grant: &AccessGrant, need: Need) -> bool {
    let any = |names: &[&str], held: &[String]| {
        held.iter()
            .any(|scope| names.iter().any(|name| scope.eq_ignore_ascii_case(name)))
    };
    match (&grant.subject, need) {
        (Subject::User(_), Need::Profile) => any(
            &[
                "User.Read",
                "User.ReadWrite",
                "User.ReadBasic.All",
                "User.Read.All",
                "User.ReadWrite.All",
                "Directory.Read.All",
            ],
            &grant.scopes,
        ),
        (Subject::User(_), Need::CalendarsRead) => any(
            &[
                "Calendars.Read",
                "Calendars.ReadWrite",
                "Calendars.Read.Shared",
                "Calendars.ReadWrite.Shared",
                "Calendars.ReadBasic",
            ],
            &grant.scopes,
        ),
        (Subject::User(_), Need::CalendarsWrite) => any(
            &["Calendars.ReadWrite", "Calendars.ReadWrite.Shared"],
            &grant.scopes,
        ),
        (Subject::App, Need::Profile) => any(
            &[
                "User.Read.All",
                "User.ReadBasic.All",
                "User.ReadWrite.All",
                "Directory.Read.All",
            ],
            &grant.roles,
        ),
        (Subject::App, Need::CalendarsRead) => any(
            &[
                "Calendars.Read",
                "Calendars.ReadWrite",
                "Calendars.ReadBasic.All",
            ],
            &grant.roles,
        ),
        (Subject::App, Need::CalendarsWrite) => any(&["Calendars.ReadWrite"], &grant.roles),
    }
}

/// Path segments, percent-decoded.
fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            percent_encoding::percent_decode_str(segment)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

fn is(segment: Option<&String>, name: &str) -> bool {
    segment.is_some_and(|segment| segment.eq_ignore_ascii_case(name))
}

fn is_delta(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "delta" | "delta()" | "microsoft.graph.delta" | "microsoft.graph.delta()"
    )
}

/// The mailbox a request addresses (`/me` or `/users/{id}`), checked against the token.
fn mailbox(
    store: &Store,
    grant: &AccessGrant,
    segments: &[String],
) -> Result<Option<(User, usize)>, GraphResponse> {
    match segments
        .first()
        .map(|segment| segment.to_ascii_lowercase())
        .as_deref()
    {
        Some("me") => match &grant.subject {
            Subject::User(user_id) => store
                .user(user_id)
                .cloned()
                .map(|user| Some((user, 1)))
                .ok_or_else(|| invalid_user(user_id)),
            Subject::App => Err(GraphResponse::error(
                StatusCode::FORBIDDEN,
                "ErrorAccessDenied",
                "/me request is only valid with delegated authentication flow.",
            )),
        },
        Some("users") if segments.len() >= 2 => {
            let Some(user) = store
                .user(&segments[1])
                .filter(|user| user.tenant_id == grant.tenant_id)
                .cloned()
            else {
                if segments.len() > 2 {
                    // A mailbox path (calendars, events) of a user the directory does not know
                    // (deleted, or never there): Exchange's answer.
                    return Err(invalid_user(&segments[1]));
                }
                return Err(GraphResponse::error(
                    StatusCode::NOT_FOUND,
                    "Request_ResourceNotFound",
                    &format!(
                        "Resource '{}' does not exist or one of its queried reference-property objects are not present.",
                        segments[1]
                    ),
                ));
            };
            match &grant.subject {
                Subject::User(own) if *own != user.id => Err(access_denied()),
                _ => Ok(Some((user, 2))),
            }
        }
        Some("users") => Ok(None),
        _ => Err(GraphResponse::error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Resource not found for the segment.",
        )),
    }
}

/// Serves one Graph request: authentication, throttling, injected delay, then the endpoint.
pub async fn handle(emulator: &Arc<Emulator>, request: GraphRequest) -> GraphResponse {
    let now = emulator.now();
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = header(&request.headers, "client-request-id")
        .map(str::to_owned)
        .unwrap_or_else(|| request_id.clone());
    let mut response = if request.path.eq_ignore_ascii_case("/$batch") {
        if request.method == Method::POST {
            // A slow fault on `$batch` delays the whole answer, as it does any other request.
            if let Some(delay) = request.delay {
                tokio::time::sleep(delay).await;
            }
            batch::run(emulator, &request).await
        } else {
            GraphResponse::error(
                StatusCode::METHOD_NOT_ALLOWED,
                "BadRequest",
                "$batch takes POST.",
            )
        }
    } else {
        serve(emulator, &request, now).await
    };
    response.fill_inner_error(&request_id, &client_request_id, now);
    response
        .headers
        .push(("request-id".to_owned(), request_id.clone()));
    response
        .headers
        .push(("client-request-id".to_owned(), client_request_id));
    response.headers.push(("x-ms-ags-diagnostic".to_owned(), json!({"ServerInfo": {"DataCenter": "Loopback", "Slice": "E", "Ring": "0", "ScaleUnit": "000", "RoleInstance": "EMULATOR"}}).to_string()));
    response
}

async fn serve(
    emulator: &Arc<Emulator>,
    request: &GraphRequest,
    now: DateTime<Utc>,
) -> GraphResponse {
    let grant = match authenticate(emulator, request, now) {
        Ok(grant) => grant,
        Err(response) => return response,
    };
    let segments = segments(&request.path);
    let target = {
        let store = emulator.store();
        match mailbox(&store, &grant, &segments) {
            Ok(target) => target,
            Err(response) => return response,
        }
    };
    // A user without a mailbox licence: the profile (`/me`, `/users/{id}`) answers, the mailbox
    // (calendars, events) does not.
    if let Some((user, consumed)) = &target
        && segments.len() > *consumed
        && !user.mailbox_licensed
    {
        return mailbox_not_enabled();
    }
    // Exchange's application access policy: an app token reaches the directory entry of any user,
    // but only the mailboxes (calendars, events) the policy allows.
    if let (Subject::App, Some((user, consumed))) = (&grant.subject, &target)
        && segments.len() > *consumed
        && emulator
            .store()
            .mailbox_blocked(&grant.tenant_id, &grant.client_id, &user.id)
    {
        return GraphResponse::error(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
        );
    }
    let mailbox_key = target.as_ref().map_or_else(
        || format!("tenant:{}", grant.tenant_id),
        |(user, _)| user.id.clone(),
    );
    let _slot = match emulator.throttle.admit(&grant.client_id, &mailbox_key, now) {
        Ok(slot) => slot,
        Err(throttled) => {
            return GraphResponse::error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                throttled.message,
            )
            .with_header("Retry-After", throttled.retry_after_seconds.to_string());
        }
    };
    if let Some(delay) = request.delay {
        tokio::time::sleep(delay).await;
    }
    let prefer: Vec<String> = request
        .headers
        .get_all("prefer")
        .iter()
        .filter_map(|value| value.to_str().ok().map(str::to_owned))
        .collect();
    let options = match query::parse_options(&request.query, &prefer) {
        Ok(options) => options,
        Err(message) if message.starts_with("A valid TimeZone") => {
            return bad_request("TimeZoneNotSupportedException", &message);
        }
        Err(message) => return bad_request("BadRequest", &message),
    };
    let mut response = match target {
        None => list_users(emulator, &grant, &options),
        Some((user, consumed)) => {
            let context = Context {
                emulator,
                request,
                grant: &grant,
                user: &user,
                options: &options,
                now,
                rest: &segments[consumed..],
                prefix: segments[..consumed].join("/"),
            };
            route(&context)
        }
    };
    if let Some(applied) = query::preference_applied(&options) {
        response
            .headers
            .push(("Preference-Applied".to_owned(), applied));
    }
    response
}

fn list_users(emulator: &Emulator, grant: &AccessGrant, options: &Options) -> GraphResponse {
    if !permits(grant, Need::Profile) || grant.subject != Subject::App {
        return GraphResponse::error(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        );
    }
    let store = emulator.store();
    let users: Vec<Value> = store
        .users
        .values()
        .filter(|user| user.tenant_id == grant.tenant_id)
        .map(|user| {
            Value::Object(render::select(
                render::user(user).as_object().cloned().unwrap_or_default(),
                options,
            ))
        })
        .collect();
    GraphResponse::json(
        StatusCode::OK,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": users}),
    )
}

/// Everything an endpoint needs to know about its request.
struct Context<'a> {
    emulator: &'a Arc<Emulator>,
    request: &'a GraphRequest,
    grant: &'a AccessGrant,
    user: &'a User,
    options: &'a Options,
    now: DateTime<Utc>,
    /// Segments after `me` or `users/{id}`.
    rest: &'a [String],
    /// `me` or `users/{id}` as requested.
    prefix: String,
}

impl Context<'_> {
    fn require(&self, need: Need) -> Result<(), GraphResponse> {
        if permits(self.grant, need) {
            Ok(())
        } else if need == Need::Profile {
            Err(GraphResponse::error(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ))
        } else {
            Err(access_denied())
        }
    }

    fn query(&self, name: &str) -> Option<&str> {
        self.request
            .query
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn body_object(&self) -> Result<Map<String, Value>, GraphResponse> {
        match &self.request.body {
            Some(Value::Object(map)) => Ok(map.clone()),
            _ => Err(bad_request(
                "BadRequest",
                "Empty Payload. JSON content expected.",
            )),
        }
    }

    fn if_match(&self) -> Option<&str> {
        header(&self.request.headers, "if-match")
    }

    fn context_url(&self, what: &str) -> String {
        format!("{}/v1.0/$metadata#{what}", self.request.origin)
    }

    /// This request's URL with one query parameter replaced (for `@odata.nextLink`).
    fn url_with(&self, name: &str, value: &str) -> String {
        let mut url = url::Url::parse(&format!(
            "{}/v1.0{}",
            self.request.origin, self.request.path
        ))
        .unwrap_or_else(|_| {
            url::Url::parse("https://127.0.0.1/")
                .unwrap_or_else(|_| unreachable!("static URL parses"))
        });
        {
            let mut pairs = url.query_pairs_mut();
            for (key, existing) in &self.request.query {
                if !key.eq_ignore_ascii_case(name) {
                    pairs.append_pair(key, existing);
                }
            }
            pairs.append_pair(name, value);
        }
        url.to_string()
    }
}

fn route(context: &Context<'_>) -> GraphResponse {
    match route_inner(context) {
        Ok(response) | Err(response) => response,
    }
}

fn route_inner(context: &Context<'_>) -> Result<GraphResponse, GraphResponse> {
    let rest = context.rest;
    let method = &context.request.method;
    let store = context.emulator.store();
    match rest.len() {
        0 if method == Method::GET => {
            context.require(Need::Profile)?;
            let mut body = render::user(context.user);
            body["@odata.context"] = json!(context.context_url("users/$entity"));
            Ok(GraphResponse::json(StatusCode::OK, body))
        }
        _ if is(rest.first(), "calendars") && rest.len() == 1 => {
            if method == Method::POST {
                context.require(Need::CalendarsWrite)?;
                let body = context.body_object()?;
                let name = body
                    .get("name")
                    .and_then(Value::as_str)
                    .filter(|name| !name.trim().is_empty())
                    .ok_or_else(|| {
                        bad_request("ErrorInvalidRequest", "A calendar needs a 'name'.")
                    })?;
                if store
                    .calendars_of(&context.user.id)
                    .iter()
                    .any(|calendar| calendar.name.eq_ignore_ascii_case(name))
                {
                    return Err(GraphResponse::error(
                        StatusCode::CONFLICT,
                        "ErrorFolderExists",
                        "A folder with the specified name already exists.",
                    ));
                }
                drop(store);
                let color = body
                    .get("color")
                    .and_then(Value::as_str)
                    .unwrap_or("auto")
                    .to_owned();
                let calendar =
                    context
                        .emulator
                        .store()
                        .add_calendar(&context.user.id, name, &color, "");
                return Ok(GraphResponse::json(
                    StatusCode::CREATED,
                    render::calendar(&calendar, context.user),
                ));
            }
            context.require(Need::CalendarsRead)?;
            let calendars: Vec<Value> = store
                .calendars_of(&context.user.id)
                .into_iter()
                .map(|calendar| {
                    Value::Object(render::select(
                        render::calendar(calendar, context.user)
                            .as_object()
                            .cloned()
                            .unwrap_or_default(),
                        context.options,
                    ))
                })
                .collect();
            Ok(GraphResponse::json(
                StatusCode::OK,
                json!({"@odata.context": context.context_url("calendars"), "value": calendars}),
            ))
        }
        _ => {
            // Resolve the calendar part: calendars/{id}/…, calendar/…, or none (mailbox-wide).
            let (calendar_id, after): (Option<String>, &[String]) = if is(rest.first(), "calendars")
            {
                let id = &rest[1];
                let calendar = store.calendar(&context.user.id, id).ok_or_else(not_found)?;
                (Some(calendar.id.clone()), &rest[2..])
            } else if is(rest.first(), "calendar") {
                let calendar = store
                    .default_calendar(&context.user.id)
                    .ok_or_else(not_found)?;
                (Some(calendar.id.clone()), &rest[1..])
            } else {
                (None, rest)
            };
            drop(store);
            calendar_route(
                context,
                calendar_id.as_deref(),
                after,
                rest.first().is_some_and(|first| {
                    first.eq_ignore_ascii_case("calendar")
                        || first.eq_ignore_ascii_case("calendars")
                }),
            )
        }
    }
}

fn calendar_route(
    context: &Context<'_>,
    calendar_id: Option<&str>,
    after: &[String],
    explicit_calendar: bool,
) -> Result<GraphResponse, GraphResponse> {
    let method = &context.request.method;
    match after.len() {
        0 if explicit_calendar => match *method {
            Method::GET => {
                context.require(Need::CalendarsRead)?;
                let store = context.emulator.store();
                let calendar = calendar_id
                    .and_then(|id| store.calendars.get(id))
                    .ok_or_else(not_found)?;
                let mut body = render::calendar(calendar, context.user);
                body["@odata.context"] = json!(context.context_url("calendars/$entity"));
                Ok(GraphResponse::json(StatusCode::OK, body))
            }
            Method::DELETE => {
                context.require(Need::CalendarsWrite)?;
                let mut store = context.emulator.store();
                let calendar = calendar_id
                    .and_then(|id| store.calendars.get(id))
                    .cloned()
                    .ok_or_else(not_found)?;
                if calendar.is_default {
                    return Err(bad_request(
                        "ErrorCannotDeleteDefaultCalendar",
                        "The default calendar cannot be deleted.",
                    ));
                }
                store
                    .events
                    .retain(|_, event| event.calendar_id != calendar.id);
                store.calendars.remove(&calendar.id);
                store.mark_changed();
                Ok(GraphResponse::empty(StatusCode::NO_CONTENT))
            }
            _ => Err(GraphResponse::error(
                StatusCode::METHOD_NOT_ALLOWED,
                "ErrorInvalidRequest",
                "The OData request is not supported.",
            )),
        },
        1 if is(after.first(), "events") => match *method {
            Method::GET => list_events(context, calendar_id),
            Method::POST => create_event(context, calendar_id),
            _ => Err(GraphResponse::error(
                StatusCode::METHOD_NOT_ALLOWED,
                "ErrorInvalidRequest",
                "The OData request is not supported.",
            )),
        },
        2 if is(after.first(), "events") => one_event(context, calendar_id, &after[1]),
        3 if is(after.first(), "events") && is(after.get(2), "instances") => {
            instances_of(context, &after[1])
        }
        1 if is(after.first(), "calendarView") && *method == Method::GET => {
            calendar_view(context, calendar_id)
        }
        2 if is(after.first(), "calendarView") && is_delta(&after[1]) && *method == Method::GET => {
            context.require(Need::CalendarsRead)?;
            Ok(delta::serve(
                context.emulator,
                context.request,
                context.options,
                context.user,
                calendar_id,
                context.now,
            ))
        }
        _ => Err(bad_request(
            "BadRequest",
            &format!(
                "Resource not found for the segment '{}'.",
                after.first().map_or("", String::as_str)
            ),
        )),
    }
}

fn page_size(options: &Options) -> usize {
    options
        .top
        .or(options.max_page_size)
        .unwrap_or(10)
        .clamp(1, 1000)
}

fn matches_filter(event: &crate::store::model::Event, filter: Option<&Filter>) -> bool {
    match filter {
        None => true,
        Some(Filter::ExtendedProperty { id, value }) => {
            event.extended_properties.iter().any(|property| {
                property.id.eq_ignore_ascii_case(id)
                    && value
                        .as_ref()
                        .is_none_or(|wanted| property.value == *wanted)
            })
        }
        Some(Filter::SubjectEquals(subject)) => event.subject == *subject,
    }
}

/// One page of a list, with `@odata.nextLink` (`$skip`) when more remain.
fn paged(context: &Context<'_>, what: &str, items: Vec<Value>) -> GraphResponse {
    let size = page_size(context.options);
    let skip = context.options.skip;
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(skip).take(size).collect();
    let mut body = json!({"@odata.context": context.context_url(what), "value": page});
    if skip + size < total {
        body["@odata.nextLink"] = json!(context.url_with("$skip", &(skip + size).to_string()));
    }
    GraphResponse::json(StatusCode::OK, body)
}

fn list_events(
    context: &Context<'_>,
    calendar_id: Option<&str>,
) -> Result<GraphResponse, GraphResponse> {
    context.require(Need::CalendarsRead)?;
    let store = context.emulator.store();
    let mut found: Vec<Instance<'_>> = store
        .items(&context.user.id, calendar_id)
        .filter(|event| matches_filter(event, context.options.filter.as_ref()))
        .map(instances::item)
        .collect();
    found.sort_by(|a, b| (a.start_utc, &a.id).cmp(&(b.start_utc, &b.id)));
    let items = found
        .iter()
        .map(|instance| Value::Object(render::event(instance, context.user, context.options)))
        .collect();
    Ok(paged(context, "events", items))
}

fn create_event(
    context: &Context<'_>,
    calendar_id: Option<&str>,
) -> Result<GraphResponse, GraphResponse> {
    context.require(Need::CalendarsWrite)?;
    let body = context.body_object()?;
    let mut store = context.emulator.store();
    let calendar_id = match calendar_id {
        Some(id) => id.to_owned(),
        None => store
            .default_calendar(&context.user.id)
            .map(|calendar| calendar.id.clone())
            .ok_or_else(not_found)?,
    };
    let (event, _created) = store
        .create_event(&context.user.id, &calendar_id, &body, context.now)
        .map_err(store_error)?;
    let mut rendered = render::event(&instances::item(&event), context.user, context.options);
    rendered.insert(
        "@odata.context".into(),
        json!(context.context_url("events/$entity")),
    );
    Ok(
        GraphResponse::json(StatusCode::CREATED, Value::Object(rendered)).with_header(
            "Location",
            format!(
                "{}/v1.0/{}/events('{}')",
                context.request.origin, context.prefix, event.id
            ),
        ),
    )
}

/// The current instance an event id denotes (item, occurrence or exception).
pub fn instance_by_id<'a>(store: &'a Store, user_id: &str, event_id: &str) -> Option<Instance<'a>> {
    match crate::ids::parse_event_id(event_id)? {
        crate::ids::EventRef::Item(id) => store.item(user_id, &id).map(instances::item),
        crate::ids::EventRef::Occurrence {
            master_id,
            original_start,
        } => store
            .item(user_id, &master_id)
            .and_then(|master| instances::occurrence(master, original_start)),
    }
}

/// An event copied out of the store (a series master with the occurrence's original start), to
/// be rendered after the store's lock is released.
#[derive(Debug, Clone)]
pub struct CopiedEvent {
    event: crate::store::model::Event,
    original_start: Option<chrono::NaiveDateTime>,
}

impl CopiedEvent {
    /// The event or occurrence `event_id` of the user, copied; None when there is none.
    pub fn of(store: &Store, user_id: &str, event_id: &str) -> Option<CopiedEvent> {
        match crate::ids::parse_event_id(event_id)? {
            crate::ids::EventRef::Item(id) => store.item(user_id, &id).map(|event| CopiedEvent {
                event: event.clone(),
                original_start: None,
            }),
            crate::ids::EventRef::Occurrence {
                master_id,
                original_start,
            } => store.item(user_id, &master_id).map(|master| CopiedEvent {
                event: master.clone(),
                original_start: Some(original_start),
            }),
        }
    }

    /// The instance as [`instance_by_id`] finds it in the store.
    pub fn instance(&self) -> Option<Instance<'_>> {
        match self.original_start {
            None => Some(instances::item(&self.event)),
            Some(start) => instances::occurrence(&self.event, start),
        }
    }
}

fn one_event(
    context: &Context<'_>,
    calendar_id: Option<&str>,
    event_id: &str,
) -> Result<GraphResponse, GraphResponse> {
    let method = &context.request.method;
    let in_calendar = |store: &Store| {
        let instance = instance_by_id(store, &context.user.id, event_id).ok_or_else(not_found)?;
        if calendar_id.is_some_and(|id| instance.event.calendar_id != id) {
            return Err(not_found());
        }
        Ok(())
    };
    match *method {
        Method::GET => {
            context.require(Need::CalendarsRead)?;
            let store = context.emulator.store();
            in_calendar(&store)?;
            let instance =
                instance_by_id(&store, &context.user.id, event_id).ok_or_else(not_found)?;
            let mut rendered = render::event(&instance, context.user, context.options);
            rendered.insert(
                "@odata.context".into(),
                json!(context.context_url("events/$entity")),
            );
            Ok(GraphResponse::json(StatusCode::OK, Value::Object(rendered)))
        }
        Method::PATCH => {
            context.require(Need::CalendarsWrite)?;
            let body = context.body_object()?;
            let mut store = context.emulator.store();
            in_calendar(&store)?;
            let id = store
                .update_event(
                    &context.user.id,
                    event_id,
                    &body,
                    context.if_match(),
                    context.now,
                )
                .map_err(store_error)?;
            let instance = instance_by_id(&store, &context.user.id, &id).ok_or_else(not_found)?;
            let mut rendered = render::event(&instance, context.user, context.options);
            rendered.insert(
                "@odata.context".into(),
                json!(context.context_url("events/$entity")),
            );
            Ok(GraphResponse::json(StatusCode::OK, Value::Object(rendered)))
        }
        Method::DELETE => {
            context.require(Need::CalendarsWrite)?;
            let mut store = context.emulator.store();
            in_calendar(&store)?;
            store
                .delete_event(&context.user.id, event_id, context.if_match())
                .map_err(store_error)?;
            Ok(GraphResponse::empty(StatusCode::NO_CONTENT))
        }
        _ => Err(GraphResponse::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "ErrorInvalidRequest",
            "The OData request is not supported.",
        )),
    }
}

fn window(context: &Context<'_>) -> Result<(DateTime<Utc>, DateTime<Utc>), GraphResponse> {
    let missing = || {
        bad_request(
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
        )
    };
    let from = context.query("startDateTime").ok_or_else(missing)?;
    let to = context.query("endDateTime").ok_or_else(missing)?;
    let from = crate::timezone::parse_query_instant(from).ok_or_else(|| {
        bad_request(
            "ErrorInvalidParameter",
            &format!("The value '{from}' of parameter 'StartDateTime' is invalid."),
        )
    })?;
    let to = crate::timezone::parse_query_instant(to).ok_or_else(|| {
        bad_request(
            "ErrorInvalidParameter",
            &format!("The value '{to}' of parameter 'EndDateTime' is invalid."),
        )
    })?;
    if to < from {
        return Err(bad_request(
            "ErrorInvalidParameter",
            "The parameter 'EndDateTime' must be after 'StartDateTime'.",
        ));
    }
    Ok((from, to))
}

fn calendar_view(
    context: &Context<'_>,
    calendar_id: Option<&str>,
) -> Result<GraphResponse, GraphResponse> {
    context.require(Need::CalendarsRead)?;
    let (from, to) = window(context)?;
    let store = context.emulator.store();
    let mut found: Vec<Instance<'_>> = store
        .items(&context.user.id, calendar_id)
        .filter(|event| matches_filter(event, context.options.filter.as_ref()))
        .flat_map(|event| instances::in_window(event, from, to))
        .collect();
    found.sort_by(|a, b| (a.start_utc, &a.id).cmp(&(b.start_utc, &b.id)));
    let items = found
        .iter()
        .map(|instance| Value::Object(render::event(instance, context.user, context.options)))
        .collect();
    Ok(paged(context, "events", items))
}

fn instances_of(context: &Context<'_>, event_id: &str) -> Result<GraphResponse, GraphResponse> {
    context.require(Need::CalendarsRead)?;
    let (from, to) = window(context)?;
    let store = context.emulator.store();
    let master = store
        .item(&context.user.id, event_id)
        .ok_or_else(not_found)?;
    let mut found = instances::in_window(master, from, to);
    found.sort_by(|a, b| (a.start_utc, &a.id).cmp(&(b.start_utc, &b.id)));
    let items = found
        .iter()
        .map(|instance| Value::Object(render::event(instance, context.user, context.options)))
        .collect();
    Ok(paged(context, "events", items))
}

/// Graph's answer to a request that could not be parsed at all.
pub fn malformed_body() -> GraphResponse {
    bad_request(
        "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
    )
}

/// Builds a [`GraphRequest`] from HTTP parts.
pub fn request_from_http(
    method: Method,
    uri: &axum::http::Uri,
    headers: HeaderMap,
    body: &[u8],
    origin: String,
    delay: Option<Duration>,
) -> Result<GraphRequest, GraphResponse> {
    let path = uri
        .path()
        .strip_prefix("/v1.0")
        .unwrap_or(uri.path())
        .to_owned();
    let query = uri
        .query()
        .map(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let body = if body.is_empty() {
        None
    } else {
        Some(serde_json::from_slice(body).map_err(|_| malformed_body())?)
    };
    Ok(GraphRequest {
        method,
        path,
        query,
        headers,
        body,
        origin,
        delay,
    })
}
