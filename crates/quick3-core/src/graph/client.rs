//! The Graph calendar client: bearer tokens, `Prefer` headers on every request, at most four
//! requests in flight per mailbox, the 10,000-per-10-minutes budget per mailbox, retries of
//! 429/503/504 honouring `Retry-After`, paging and `$batch`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::GraphError;
use super::error::parse_retry_after;
use super::event::{DeltaPage, read_delta_page};
use crate::identity::budget::MailboxBudget;
use crate::identity::{Credentials, Secret};
use crate::model::{Account, OrgSettings};

/// Outlook serves at most this many requests of one app to one mailbox at a time.
pub const MAILBOX_CONCURRENCY: u32 = 4;
/// Parts in one `$batch` request (Graph's limit).
pub const BATCH_LIMIT: usize = 20;

/// Where bearer tokens come from (the account's credentials, refreshed as needed).
pub trait TokenSource: Send + Sync {
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<Secret, GraphError>> + Send + '_>>;

    /// Graph refused `rejected` (401) although it had not expired (revoked early, or Microsoft
    /// forgot it): drop it, unless another request replaced it already, so that the next
    /// [`TokenSource::token`] asks Microsoft for a new one. `false`: no new token can be had,
    /// so the request is not repeated.
    fn reject(&self, rejected: &Secret) -> Pin<Box<dyn Future<Output = bool> + Send + '_>> {
        let _ = rejected;
        Box::pin(async { false })
    }

    /// The request budget these tokens draw on, and whose it is (the app or the signed-in
    /// account; the client adds the mailbox). `None`: not counted.
    fn budget(&self) -> Option<(&MailboxBudget, String)> {
        None
    }
}

/// An account's tokens from the installation's credentials, read with the clock passed in.
pub struct AccountTokens<'a> {
    pub credentials: &'a Credentials,
    pub account: Account,
    pub clock: &'a (dyn Fn() -> DateTime<Utc> + Sync),
}

impl std::fmt::Debug for AccountTokens<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountTokens")
            .field("account", &self.account.id)
            .finish()
    }
}

impl TokenSource for AccountTokens<'_> {
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<Secret, GraphError>> + Send + '_>> {
        Box::pin(async move {
            let now = (self.clock)();
            Ok(self.credentials.access_token(&self.account, now).await?)
        })
    }

    fn reject(&self, rejected: &Secret) -> Pin<Box<dyn Future<Output = bool> + Send + '_>> {
        let rejected = rejected.clone();
        Box::pin(async move {
            self.credentials
                .reject_access_token(self.account.id, &rejected)
                .await;
            true
        })
    }

    fn budget(&self) -> Option<(&MailboxBudget, String)> {
        Some((
            self.credentials.budget(),
            format!("account {}:", self.account.id),
        ))
    }
}

/// The organisation's application token (client credentials), for organisation links.
pub struct AppTokens<'a> {
    pub credentials: &'a Credentials,
    pub settings: OrgSettings,
    pub clock: &'a (dyn Fn() -> DateTime<Utc> + Sync),
}

impl std::fmt::Debug for AppTokens<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppTokens")
            .field("tenant", &self.settings.tenant)
            .finish()
    }
}

impl TokenSource for AppTokens<'_> {
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<Secret, GraphError>> + Send + '_>> {
        Box::pin(async move {
            let now = (self.clock)();
            self.credentials
                .app_token(&self.settings, now)
                .await
                .map_err(|err| GraphError::Organisation(Box::new(err)))
        })
    }

    fn reject(&self, rejected: &Secret) -> Pin<Box<dyn Future<Output = bool> + Send + '_>> {
        let rejected = rejected.clone();
        Box::pin(async move {
            self.credentials.reject_app_token(&rejected).await;
            true
        })
    }

    fn budget(&self) -> Option<(&MailboxBudget, String)> {
        Some((
            self.credentials.budget(),
            format!("app {}:", self.settings.client_id),
        ))
    }
}

/// The path of the signed-in user's own mailbox.
pub const OWN_MAILBOX: &str = "/me";

/// The path of a mailbox reached with an application token.
pub fn user_mailbox(object_id: &str) -> String {
    format!("/users/{}", urlencoding_path(object_id))
}

fn urlencoding_path(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// How hard to try.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// First backoff when Microsoft gives no `Retry-After` (doubled each time, with jitter).
    pub base_delay: Duration,
    /// No wait is longer than this, whatever `Retry-After` says.
    pub max_delay: Duration,
    /// Per request.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(180),
            timeout: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before attempt `attempt + 1` after `err`.
    pub fn delay(&self, err: &GraphError, attempt: u32) -> Duration {
        let wait = match err.retry_after() {
            Some(asked) => asked,
            None => {
                let exponential = self.base_delay.saturating_mul(1 << attempt.min(16));
                let jitter = self.base_delay.mul_f64(rand::random::<f64>());
                exponential + jitter
            }
        };
        wait.min(self.max_delay)
    }
}

/// Counters of one client, for summaries and tests.
#[derive(Debug, Default)]
pub struct Traffic {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
    /// Requests asked again with a new token after a 401.
    pub reauthorised: AtomicU64,
    in_flight: AtomicU64,
    pub max_in_flight: AtomicU64,
}

impl Traffic {
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}

/// One answer: status, `Retry-After`, and the JSON body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

/// One part of a `$batch`.
#[derive(Debug, Clone)]
pub struct BatchPart {
    pub id: String,
    pub method: Method,
    /// Relative to the Graph root, e.g. `/me/events`.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    pub depends_on: Vec<String>,
}

/// A Graph client for one mailbox.
pub struct GraphClient<'a> {
    http: reqwest::Client,
    root: String,
    tokens: &'a dyn TokenSource,
    mailbox: Arc<Semaphore>,
    policy: RetryPolicy,
    traffic: Arc<Traffic>,
    /// `/me`, or `/users/{id}` for an organisation link.
    mailbox_path: String,
}

impl std::fmt::Debug for GraphClient<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("root", &self.root)
            .finish()
    }
}

impl<'a> GraphClient<'a> {
    /// `root` is the Graph base such as `https://graph.microsoft.com/v1.0`.
    pub fn new(
        http: reqwest::Client,
        root: &str,
        tokens: &'a dyn TokenSource,
        policy: RetryPolicy,
    ) -> Self {
        GraphClient {
            http,
            root: root.trim_end_matches('/').to_owned(),
            tokens,
            mailbox: Arc::new(Semaphore::new(MAILBOX_CONCURRENCY as usize)),
            policy,
            traffic: Arc::default(),
            mailbox_path: OWN_MAILBOX.to_owned(),
        }
    }

    /// This client for another mailbox path (`/users/{id}` with an application token).
    pub fn for_mailbox(mut self, path: String) -> Self {
        self.mailbox_path = path;
        self
    }

    /// The mailbox every calendar path starts with: `/me` or `/users/{id}`.
    pub fn mailbox(&self) -> &str {
        &self.mailbox_path
    }

    /// A path under this client's mailbox: `/calendars` → `/me/calendars` or `/users/{id}/calendars`.
    pub fn in_mailbox(&self, rest: &str) -> String {
        format!("{}{rest}", self.mailbox_path)
    }

    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    /// An absolute URL for a path under the Graph root (absolute URLs pass through).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("https://") || path.starts_with("http://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.root)
        }
    }

    /// Refuses a link (`@odata.nextLink`, `@odata.deltaLink`, anything not a path under the
    /// root) that leads away from the Graph root's scheme, host and port, or over plain http to
    /// another computer: the bearer token goes nowhere else.
    pub fn check_link(&self, link: &str) -> Result<(), GraphError> {
        let origin = |url: &url::Url| {
            (
                url.scheme().to_owned(),
                url.host_str().map(str::to_ascii_lowercase),
                url.port_or_known_default(),
            )
        };
        if link.starts_with('/') && !link.starts_with("//") {
            return Ok(()); // a path under the Graph root
        }
        let parsed = url::Url::parse(link).ok();
        let allowed = match (&parsed, url::Url::parse(&self.root).ok()) {
            (Some(link), Some(root)) => {
                origin(link) == origin(&root)
                    && (link.scheme() == "https"
                        || (link.scheme() == "http" && crate::identity::config::is_loopback(link)))
            }
            _ => false,
        };
        if allowed {
            return Ok(());
        }
        let origin = parsed.map_or_else(
            || "an address that is not a URL".to_owned(),
            |url| url.origin().ascii_serialization(),
        );
        tracing::warn!(%origin, "refused a Graph link away from the configured Graph");
        Err(GraphError::ForeignLink { origin })
    }

    /// Sends a request (retrying transient failures) and returns a success answer.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Answer, GraphError> {
        self.send_read(method, path, headers, body, &read_json)
            .await
    }

    /// Sends a request (retrying transient failures, a success answer that `read` finds cut off
    /// included) and returns what `read` made of the success answer's status and bytes.
    async fn send_read<T, R>(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, String)],
        body: Option<&Value>,
        read: &R,
    ) -> Result<T, GraphError>
    where
        R: Fn(u16, &[u8]) -> Result<T, GraphError> + Sync,
    {
        let mut attempt = 0;
        loop {
            let result = self
                .once(method.clone(), path, headers, body, 1, read)
                .await;
            match result {
                Err(err) if err.is_transient() && attempt + 1 < self.policy.attempts => {
                    self.note_retry(&err);
                    tokio::time::sleep(self.policy.delay(&err, attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// GETs one delta page and reads it from the answer's bytes (see [`read_delta_page`]): an
    /// answer cut off is asked again like any transient failure.
    pub async fn get_delta_page(
        &self,
        path: &str,
        headers: &[(&str, String)],
    ) -> Result<DeltaPage, GraphError> {
        let page = self
            .send_read(Method::GET, path, headers, None, &|_, bytes: &[u8]| {
                read_delta_page(bytes)
            })
            .await??;
        // A page that points away from Graph is refused whole: nothing of it is written, and the
        // link stored from the page before stays the one to resume from.
        for link in [&page.next_link, &page.delta_link].into_iter().flatten() {
            self.check_link(link)?;
        }
        Ok(page)
    }

    fn note_retry(&self, err: &GraphError) {
        self.traffic.retries.fetch_add(1, Ordering::Relaxed);
        if matches!(err, GraphError::Throttled { .. }) {
            self.traffic.throttled.fetch_add(1, Ordering::Relaxed);
        }
        tracing::debug!(code = %err.code(), "retrying a Graph request: {err}");
    }

    pub async fn get(&self, path: &str, headers: &[(&str, String)]) -> Result<Value, GraphError> {
        Ok(self.send(Method::GET, path, headers, None).await?.body)
    }

    /// Counts `requests` against the mailbox's budget, first waiting while it is spent.
    async fn spend(&self, requests: usize) {
        if let Some((budget, owner)) = self.tokens.budget() {
            let key = format!("{owner}{}", self.mailbox_path);
            for _ in 0..requests {
                budget.admit(&key).await;
            }
        }
    }

    /// One attempt, holding `slots` of the mailbox's concurrency while it runs, its answer read
    /// by `read`. A 401 is answered once with a new token and the same request; a second 401
    /// stands.
    async fn once<T, R>(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, String)],
        body: Option<&Value>,
        slots: u32,
        read: &R,
    ) -> Result<T, GraphError>
    where
        R: Fn(u16, &[u8]) -> Result<T, GraphError> + Sync,
    {
        self.once_keeping_token(method, path, headers, body, slots, read)
            .await
            .map(|(answer, _)| answer)
    }

    /// [`GraphClient::once`], also returning the token the answer was given for.
    async fn once_keeping_token<T, R>(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, String)],
        body: Option<&Value>,
        slots: u32,
        read: &R,
    ) -> Result<(T, Secret), GraphError>
    where
        R: Fn(u16, &[u8]) -> Result<T, GraphError> + Sync,
    {
        let token = self.tokens.token().await?;
        match self
            .once_with(&token, method.clone(), path, headers, body, slots, read)
            .await
        {
            Err(GraphError::Unauthorized) if self.tokens.reject(&token).await => {
                self.traffic.reauthorised.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(
                    "Graph refused the access token (401): asking again with a new one"
                );
                let token = self.tokens.token().await?;
                let answer = self
                    .once_with(&token, method, path, headers, body, slots, read)
                    .await?;
                Ok((answer, token))
            }
            other => other.map(|answer| (answer, token)),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn once_with<T, R>(
        &self,
        token: &Secret,
        method: Method,
        path: &str,
        headers: &[(&str, String)],
        body: Option<&Value>,
        slots: u32,
        read: &R,
    ) -> Result<T, GraphError>
    where
        R: Fn(u16, &[u8]) -> Result<T, GraphError> + Sync,
    {
        self.spend(1).await;
        let _permit = self
            .mailbox
            .acquire_many(slots.clamp(1, MAILBOX_CONCURRENCY))
            .await
            .map_err(|_| GraphError::Network {
                reason: "the client was shut down".into(),
            })?;
        let in_flight = self
            .traffic
            .in_flight
            .fetch_add(u64::from(slots), Ordering::SeqCst)
            + u64::from(slots);
        self.traffic
            .max_in_flight
            .fetch_max(in_flight, Ordering::SeqCst);
        self.traffic.requests.fetch_add(1, Ordering::Relaxed);
        let result = self.exchange(method, path, headers, body, token).await;
        self.traffic
            .in_flight
            .fetch_sub(u64::from(slots), Ordering::SeqCst);
        let (status, bytes) = result?;
        read(status, bytes.as_ref())
    }

    /// One request and its success answer's status and bytes.
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, String)],
        body: Option<&Value>,
        token: &Secret,
    ) -> Result<(u16, impl AsRef<[u8]> + use<>), GraphError> {
        self.check_link(path)?;
        let mut request = self
            .http
            .request(method, self.url(path))
            .timeout(self.policy.timeout)
            .bearer_auth(token.expose())
            .header("Prefer", "IdType=\"ImmutableId\"")
            .header("Prefer", "outlook.timezone=\"UTC\"")
            .header("Prefer", "outlook.body-content-type=\"text\"");
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(network)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let bytes = read_capped(response).await?;
        if !(200..300).contains(&status) {
            return Err(GraphError::from_status(status, retry_after, &bytes));
        }
        Ok((status, bytes))
    }

    /// Runs parts through `$batch` (20 per request, one batch at a time since Outlook runs a
    /// batch's parts four at once), retrying throttled or failed parts; returns each part's final
    /// status and body, or the error that ended it. Parts refused with 401 while the batch was
    /// accepted are sent once more, after the token they were refused is dropped (once per batch
    /// request: a new token is asked for once), as a whole request refused with 401 is; a part
    /// refused again keeps its 401.
    pub async fn batch(&self, parts: Vec<BatchPart>) -> Vec<(String, Result<Answer, GraphError>)> {
        let mut done = Vec::with_capacity(parts.len());
        // Each part with its attempts so far and whether it was already sent with a new token.
        let mut pending: Vec<(BatchPart, u32, bool)> =
            parts.into_iter().map(|p| (p, 0, false)).collect();
        while !pending.is_empty() {
            let rest = pending.split_off(pending.len().min(BATCH_LIMIT));
            let chunk = std::mem::replace(&mut pending, rest);
            let (answers, token) = match self.post_batch(&chunk).await {
                Ok(answers) => answers,
                Err(err) => {
                    done.extend(
                        chunk
                            .into_iter()
                            .map(|(part, _, _)| (part.id, Err(err.clone()))),
                    );
                    continue;
                }
            };
            let mut wait = Duration::ZERO;
            // Whether the token refused by some parts was dropped so they can be sent again.
            let mut renewed: Option<bool> = None;
            for (part, tries, reauthorised) in chunk {
                match part_result(&answers, &part.id) {
                    Err(GraphError::Unauthorized) if !reauthorised => {
                        if self.renew_once(&mut renewed, &token).await {
                            pending.push((part, tries, true));
                        } else {
                            done.push((part.id, Err(GraphError::Unauthorized)));
                        }
                    }
                    Err(err) if err.is_transient() && tries + 1 < self.policy.attempts => {
                        self.note_retry(&err);
                        wait = wait.max(self.policy.delay(&err, tries));
                        pending.push((part, tries + 1, reauthorised));
                    }
                    other => done.push((part.id, other)),
                }
            }
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
        }
        done
    }

    /// Posts one `$batch` of `chunk`'s parts, retrying it whole while it fails transiently; its
    /// parts' answers and the token it was sent with.
    async fn post_batch(
        &self,
        chunk: &[(BatchPart, u32, bool)],
    ) -> Result<(Vec<PartAnswer>, Secret), GraphError> {
        let requests: Vec<Value> = chunk
            .iter()
            .map(|(part, _, _)| batch_request(part))
            .collect();
        let slots = (chunk.len() as u32).min(MAILBOX_CONCURRENCY);
        let body = json!({ "requests": requests });
        let mut attempt = 0;
        let outer = loop {
            // Outlook counts each part against the mailbox: the batch itself is one of them.
            self.spend(chunk.len().saturating_sub(1)).await;
            match self
                .once_keeping_token(Method::POST, "/$batch", &[], Some(&body), slots, &read_json)
                .await
            {
                Err(err) if err.is_transient() && attempt + 1 < self.policy.attempts => {
                    self.note_retry(&err);
                    tokio::time::sleep(self.policy.delay(&err, attempt)).await;
                    attempt += 1;
                }
                other => break other,
            }
        };
        outer.and_then(|(answer, token)| Ok((read_batch(&answer.body)?, token)))
    }

    /// Drops `token`, refused by parts of a batch, the first time this batch asks (`renewed`
    /// remembers the answer); whether a new token can be had so they can be sent again.
    async fn renew_once(&self, renewed: &mut Option<bool>, token: &Secret) -> bool {
        if let Some(can_renew) = *renewed {
            return can_renew;
        }
        let can_renew = self.tokens.reject(token).await;
        if can_renew {
            self.traffic.reauthorised.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(
                "Graph refused the access token for parts of a batch (401): sending them again with a new one"
            );
        }
        *renewed = Some(can_renew);
        can_renew
    }
}

/// One part of a `$batch` request as Graph reads it: Quick3's `Prefer` header on every part, a
/// JSON content type with a body, `dependsOn` only when it depends on something.
fn batch_request(part: &BatchPart) -> Value {
    let mut headers = serde_json::Map::new();
    for (name, value) in &part.headers {
        headers.insert(name.clone(), json!(value));
    }
    headers.insert(
        "Prefer".into(),
        json!(
            "IdType=\"ImmutableId\", outlook.timezone=\"UTC\", outlook.body-content-type=\"text\""
        ),
    );
    let mut request =
        json!({"id": part.id, "method": part.method.as_str(), "url": part.url, "headers": headers});
    if let Some(body) = &part.body {
        request["body"] = body.clone();
        request["headers"]["Content-Type"] = json!("application/json");
    }
    if !part.depends_on.is_empty() {
        request["dependsOn"] = json!(part.depends_on);
    }
    request
}

/// The answer to part `id` in a batch's `answers`: a success, the error its status means, or a
/// malformed answer when the part is missing.
fn part_result(answers: &[PartAnswer], id: &str) -> Result<Answer, GraphError> {
    match answers.iter().find(|(part, _, _, _)| part == id) {
        Some((_, status, _, body)) if (200..300).contains(status) => Ok(Answer {
            status: *status,
            body: body.clone(),
        }),
        Some((_, status, retry_after, body)) => {
            let bytes = serde_json::to_vec(body).unwrap_or_default();
            Err(GraphError::from_status(*status, *retry_after, &bytes))
        }
        None => Err(GraphError::Malformed {
            what: format!("the batch answer has no part {id}"),
        }),
    }
}

/// The most of one answer Quick3 reads (a delta page of 1,000 events with long notes is a few
/// megabytes).
pub const MAX_ANSWER_BYTES: usize = 50 * 1024 * 1024;

/// An answer's bytes, refused once they pass [`MAX_ANSWER_BYTES`]: at once when its
/// `Content-Length` says so, else while reading (a chunked answer has no length).
async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, GraphError> {
    let too_large = GraphError::TooLarge {
        limit_mb: MAX_ANSWER_BYTES / (1024 * 1024),
    };
    let declared = response.content_length().unwrap_or(0);
    if declared > MAX_ANSWER_BYTES as u64 {
        return Err(too_large);
    }
    let mut bytes = Vec::with_capacity(declared as usize);
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(too_large);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// A success answer's JSON body (`Null` when empty).
fn read_json(status: u16, bytes: &[u8]) -> Result<Answer, GraphError> {
    let body = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(bytes).map_err(|e| GraphError::Malformed {
            what: format!("the JSON body ends early or is not JSON: {e}"),
        })?
    };
    Ok(Answer { status, body })
}

/// `(id, status, Retry-After, body)` of each part of a batch answer.
pub type PartAnswer = (String, u16, Option<Duration>, Value);

/// Reads the parts of a `$batch` answer (ids as strings or numbers, `Retry-After` as a string or a
/// number of seconds, read as [`parse_retry_after`] reads a header).
pub fn read_batch(body: &Value) -> Result<Vec<PartAnswer>, GraphError> {
    let malformed = |what: &str| GraphError::Malformed { what: what.into() };
    let responses = body["responses"]
        .as_array()
        .ok_or_else(|| malformed("a batch answer without responses"))?;
    responses
        .iter()
        .map(|part| {
            let id = match &part["id"] {
                Value::String(id) => id.clone(),
                Value::Number(n) => n.to_string(),
                _ => return Err(malformed("a batch part without an id")),
            };
            let status = part["status"]
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .ok_or_else(|| malformed("a batch part without a status"))?;
            let headers = &part["headers"];
            let retry_after = headers
                .as_object()
                .and_then(|h| {
                    h.iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))
                        .map(|(_, v)| v.clone())
                })
                .and_then(|v| match v {
                    Value::String(s) => parse_retry_after(&s),
                    Value::Number(n) => parse_retry_after(&n.to_string()),
                    _ => None,
                });
            Ok((id, status, retry_after, part["body"].clone()))
        })
        .collect()
}

fn network(err: reqwest::Error) -> GraphError {
    let reason = if err.is_timeout() {
        "the request timed out".to_owned()
    } else if err.is_connect() {
        "the connection failed".to_owned()
    } else {
        let mut reason = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(inner) = source {
            reason = format!("{reason}: {inner}");
            source = inner.source();
        }
        reason
    };
    GraphError::Network { reason }
}

/// One page of a collection: its items and where to go next.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Value>,
    pub next_link: Option<String>,
    pub delta_link: Option<String>,
}

/// Reads `value`, `@odata.nextLink` and `@odata.deltaLink` of a collection page.
pub fn read_page(body: Value) -> Result<Page, GraphError> {
    let Value::Object(mut object) = body else {
        return Err(GraphError::Malformed {
            what: "a page that is not a JSON object".into(),
        });
    };
    let link = |object: &serde_json::Map<String, Value>, name: &str| {
        object.get(name).and_then(Value::as_str).map(str::to_owned)
    };
    let next_link = link(&object, "@odata.nextLink");
    let delta_link = link(&object, "@odata.deltaLink");
    let items = match object.remove("value") {
        Some(Value::Array(items)) => items,
        _ => {
            return Err(GraphError::Malformed {
                what: "a page without a value list".into(),
            });
        }
    };
    Ok(Page {
        items,
        next_link,
        delta_link,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(body: Option<Value>, depends_on: &[&str]) -> BatchPart {
        BatchPart {
            id: "1".into(),
            method: Method::POST,
            url: "/me/events".into(),
            headers: vec![("If-Match".into(), "ck".into())],
            body,
            depends_on: depends_on.iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn a_batch_part_carries_quick3s_headers_and_only_the_fields_it_needs() {
        let plain = batch_request(&part(None, &[]));
        assert_eq!(
            plain["headers"]["If-Match"], "ck",
            "the part's own headers go along"
        );
        assert!(
            plain["headers"]["Prefer"]
                .as_str()
                .is_some_and(|p| p.contains("ImmutableId")),
            "every part asks for immutable ids, as single requests do: {plain}"
        );
        assert!(
            plain.get("body").is_none() && plain["headers"].get("Content-Type").is_none(),
            "no body, no content type: {plain}"
        );
        assert!(
            plain.get("dependsOn").is_none(),
            "no dependency, no dependsOn: {plain}"
        );

        let full = batch_request(&part(Some(json!({"subject": "x"})), &["0"]));
        assert_eq!(full["body"]["subject"], "x");
        assert_eq!(
            full["headers"]["Content-Type"], "application/json",
            "a body is JSON"
        );
        assert_eq!(full["dependsOn"], json!(["0"]));
    }

    #[test]
    fn each_part_gets_its_own_answer_or_an_error_that_says_why() {
        let answers: Vec<PartAnswer> = vec![
            ("1".into(), 201, None, json!({"id": "e1"})),
            ("2".into(), 429, Some(Duration::from_secs(3)), json!({})),
        ];
        let created = part_result(&answers, "1").expect("a 201 is an answer");
        assert_eq!(
            (created.status, created.body["id"].as_str()),
            (201, Some("e1"))
        );
        assert!(
            part_result(&answers, "2").is_err_and(|e| e.is_transient()),
            "a throttled part is retried"
        );
        assert!(
            matches!(
                part_result(&answers, "3"),
                Err(GraphError::Malformed { .. })
            ),
            "a part Graph did not answer is a malformed answer, not a success"
        );
    }
}
