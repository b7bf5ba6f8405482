//! `calendarView/delta`: pages with `$skiptoken`, a final `$deltatoken`, and the changes since.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::emulator::Emulator;
use crate::graph::query::Options;
use crate::graph::{GraphRequest, GraphResponse, bad_request, instance_by_id, render};
use crate::ids::random_token;
use crate::store::Store;
use crate::store::instances;
use crate::store::model::User;

/// Sync states kept at most; the oldest are forgotten first (their tokens then answer 410).
const MAX_STATES: usize = 20_000;

/// What a sync covers: one mailbox (or one calendar of it) inside a window.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Scope {
    user_id: String,
    calendar_id: Option<String>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

/// One line of a delta response.
#[derive(Debug, Clone)]
enum Entry {
    Upsert(String),
    Removed(String),
}

/// Instance id → change key, as last reported to the client.
type Snapshot = Arc<HashMap<String, String>>;

#[derive(Debug, Clone)]
struct Page {
    scope: Scope,
    entries: Arc<Vec<Entry>>,
    offset: usize,
    /// What the client will know once it reached the deltaLink.
    snapshot: Snapshot,
    created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct DeltaState {
    scope: Scope,
    snapshot: Snapshot,
    created: DateTime<Utc>,
}

/// Skip tokens (pages in progress) and delta tokens (completed rounds).
#[derive(Debug, Default)]
pub struct SyncStates {
    pages: HashMap<String, Page>,
    tokens: HashMap<String, DeltaState>,
}

impl SyncStates {
    /// Forgets every token: the next use of any answers 410 (a full resync).
    pub fn expire_all(&mut self) {
        self.pages.clear();
        self.tokens.clear();
    }

    fn trim(&mut self) {
        if self.pages.len() > MAX_STATES {
            let mut ages: Vec<(DateTime<Utc>, String)> = self
                .pages
                .iter()
                .map(|(key, page)| (page.created, key.clone()))
                .collect();
            ages.sort();
            for (_, key) in ages.into_iter().take(self.pages.len() - MAX_STATES / 2) {
                self.pages.remove(&key);
            }
        }
        if self.tokens.len() > MAX_STATES {
            let mut ages: Vec<(DateTime<Utc>, String)> = self
                .tokens
                .iter()
                .map(|(key, state)| (state.created, key.clone()))
                .collect();
            ages.sort();
            for (_, key) in ages.into_iter().take(self.tokens.len() - MAX_STATES / 2) {
                self.tokens.remove(&key);
            }
        }
    }
}

/// The instances now in scope, by start, with their change keys.
fn current(store: &Store, scope: &Scope) -> Vec<(String, String)> {
    let mut found: Vec<(DateTime<Utc>, String, String)> = store
        .items(&scope.user_id, scope.calendar_id.as_deref())
        .flat_map(|event| instances::in_window(event, scope.from, scope.to))
        .map(|instance| {
            (
                instance.start_utc,
                instance.id.clone(),
                instance.change_key().to_owned(),
            )
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, id, key)| (id, key)).collect()
}

fn gone(location: Option<String>) -> GraphResponse {
    let response = GraphResponse::error(
        StatusCode::GONE,
        "syncStateNotFound",
        "The sync state generation is invalid or does not exist. Restart the synchronization without a token.",
    );
    match location {
        Some(location) => response.with_header("Location", location),
        None => response,
    }
}

fn query<'a>(request: &'a GraphRequest, name: &str) -> Option<&'a str> {
    request
        .query
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

fn restart_link(request: &GraphRequest, scope: &Scope) -> String {
    let mut url = format!("{}/v1.0{}", request.origin, request.path);
    url.push_str(&format!(
        "?startDateTime={}&endDateTime={}",
        scope.from.to_rfc3339_opts(SecondsFormat::Secs, true),
        scope.to.to_rfc3339_opts(SecondsFormat::Secs, true)
    ));
    url
}

/// Serves one delta request (first call, `$skiptoken` page, or `$deltatoken` round).
pub fn serve(
    emulator: &Arc<Emulator>,
    request: &GraphRequest,
    options: &Options,
    user: &User,
    calendar_id: Option<&str>,
    now: DateTime<Utc>,
) -> GraphResponse {
    for unsupported in ["$filter", "$orderby", "$expand", "$search"] {
        if query(request, unsupported).is_some() {
            return bad_request(
                "ErrorInvalidUrlQuery",
                &format!("The query parameter '{unsupported}' is not supported with delta."),
            );
        }
    }
    let lifetime = emulator.lifetimes.delta_token;
    let page = if let Some(skip) = query(request, "$skiptoken") {
        let mut sync = emulator.sync();
        match sync.pages.get(skip).cloned() {
            Some(page)
                if page.created + lifetime > now
                    && page.scope.user_id == user.id
                    && page.scope.calendar_id.as_deref() == calendar_id =>
            {
                page
            }
            Some(page) => {
                sync.pages.remove(skip);
                return gone(Some(restart_link(request, &page.scope)));
            }
            None => return gone(None),
        }
    } else if let Some(token) = query(request, "$deltatoken") {
        let state = {
            let mut sync = emulator.sync();
            match sync.tokens.get(token).cloned() {
                Some(state)
                    if state.created + lifetime > now
                        && state.scope.user_id == user.id
                        && state.scope.calendar_id.as_deref() == calendar_id =>
                {
                    state
                }
                Some(state) => {
                    sync.tokens.remove(token);
                    return gone(Some(restart_link(request, &state.scope)));
                }
                None => return gone(None),
            }
        };
        let now_in_scope = current(&emulator.store(), &state.scope);
        let mut entries = Vec::new();
        for (id, key) in &now_in_scope {
            if state.snapshot.get(id) != Some(key) {
                entries.push(Entry::Upsert(id.clone()));
            }
        }
        let present: std::collections::HashSet<&String> =
            now_in_scope.iter().map(|(id, _)| id).collect();
        let mut removed: Vec<&String> = state
            .snapshot
            .keys()
            .filter(|id| !present.contains(id))
            .collect();
        removed.sort();
        entries.extend(removed.into_iter().map(|id| Entry::Removed(id.clone())));
        Page {
            scope: state.scope,
            entries: Arc::new(entries),
            offset: 0,
            snapshot: Arc::new(now_in_scope.into_iter().collect()),
            created: now,
        }
    } else {
        let from = query(request, "startDateTime").and_then(crate::timezone::parse_query_instant);
        let to = query(request, "endDateTime").and_then(crate::timezone::parse_query_instant);
        let (Some(from), Some(to)) = (from, to) else {
            return bad_request(
                "ErrorInvalidParameter",
                "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
            );
        };
        let scope = Scope {
            user_id: user.id.clone(),
            calendar_id: calendar_id.map(str::to_owned),
            from,
            to,
        };
        let now_in_scope = current(&emulator.store(), &scope);
        Page {
            scope,
            entries: Arc::new(
                now_in_scope
                    .iter()
                    .map(|(id, _)| Entry::Upsert(id.clone()))
                    .collect(),
            ),
            offset: 0,
            snapshot: Arc::new(now_in_scope.into_iter().collect()),
            created: now,
        }
    };
    let size = options.max_page_size.unwrap_or(10).clamp(1, 1000);
    let end = (page.offset + size).min(page.entries.len());
    let values: Vec<Value> = {
        let store = emulator.store();
        page.entries[page.offset..end]
            .iter()
            .map(|entry| match entry {
                Entry::Upsert(id) => match instance_by_id(&store, &user.id, id) {
                    Some(instance) => Value::Object(render::event(&instance, user, options)),
                    None => removed(id),
                },
                Entry::Removed(id) => removed(id),
            })
            .collect()
    };
    let base = format!("{}/v1.0{}", request.origin, request.path);
    let mut body = json!({"@odata.context": format!("{}/v1.0/$metadata#Collection(event)", request.origin), "value": values});
    let mut sync = emulator.sync();
    if end < page.entries.len() {
        let token = random_token(32);
        sync.pages.insert(
            token.clone(),
            Page {
                offset: end,
                created: now,
                ..page
            },
        );
        body["@odata.nextLink"] = json!(format!("{base}?$skiptoken={token}"));
    } else {
        let token = random_token(32);
        sync.tokens.insert(
            token.clone(),
            DeltaState {
                scope: page.scope,
                snapshot: page.snapshot,
                created: now,
            },
        );
        body["@odata.deltaLink"] = json!(format!("{base}?$deltatoken={token}"));
    }
    sync.trim();
    GraphResponse::json(StatusCode::OK, body)
}

fn removed(id: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.event", "id": id, "@removed": {"reason": "deleted"}})
}
