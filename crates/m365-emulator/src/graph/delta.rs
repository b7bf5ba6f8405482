//! `calendarView/delta`: pages with `$skiptoken`, a final `$deltatoken`, and the changes since.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::emulator::Emulator;
use crate::graph::query::Options;
use crate::graph::{CopiedEvent, GraphRequest, GraphResponse, bad_request, render};
use crate::ids::random_token;
use crate::store::Store;
use crate::store::instances;
use crate::store::model::User;

/// Sync states kept at most; the oldest are forgotten first (their tokens then answer 410).
const MAX_STATES: usize = 20_000;

/// What a sync covers: one mailbox (or one calendar of it) inside a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Scope {
    user_id: String,
    calendar_id: Option<String>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

/// One line of a delta response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Bumped on every change, so the state file is rewritten only when needed.
    changed: u64,
}

/// A skip token as the state file keeps it; `entries` and `snapshot` index [`SavedSyncStates`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SavedPage {
    token: String,
    scope: Scope,
    entries: usize,
    offset: usize,
    snapshot: usize,
    created: DateTime<Utc>,
}

/// A delta token as the state file keeps it; `snapshot` indexes [`SavedSyncStates::snapshots`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SavedDelta {
    token: String,
    scope: Scope,
    snapshot: usize,
    created: DateTime<Utc>,
}

/// The sync states as the state file keeps them: every snapshot and entry list once, however
/// many tokens share it (the pages of one round share both).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSyncStates {
    snapshots: Vec<HashMap<String, String>>,
    entries: Vec<Vec<Entry>>,
    pages: Vec<SavedPage>,
    tokens: Vec<SavedDelta>,
}

/// Numbers shared values once each, by identity.
struct Shared<T> {
    index: HashMap<*const T, usize>,
    values: Vec<T>,
}

impl<T: Clone> Shared<T> {
    fn new() -> Self {
        Self {
            index: HashMap::new(),
            values: Vec::new(),
        }
    }

    fn number(&mut self, value: &Arc<T>) -> usize {
        let values = &mut self.values;
        *self.index.entry(Arc::as_ptr(value)).or_insert_with(|| {
            values.push(T::clone(value));
            values.len() - 1
        })
    }
}

impl SyncStates {
    /// Forgets every token: the next use of any answers 410 (a full resync).
    pub fn expire_all(&mut self) {
        self.pages.clear();
        self.tokens.clear();
        self.changed += 1;
    }

    /// Counts changes; equal counts mean nothing to save.
    pub fn changed(&self) -> u64 {
        self.changed
    }

    /// Every skip and delta token, to save.
    pub fn saved(&self) -> SavedSyncStates {
        let mut snapshots = Shared::new();
        let mut entries = Shared::new();
        let mut pages: Vec<SavedPage> = self
            .pages
            .iter()
            .map(|(token, page)| SavedPage {
                token: token.clone(),
                scope: page.scope.clone(),
                entries: entries.number(&page.entries),
                offset: page.offset,
                snapshot: snapshots.number(&page.snapshot),
                created: page.created,
            })
            .collect();
        let mut tokens: Vec<SavedDelta> = self
            .tokens
            .iter()
            .map(|(token, state)| SavedDelta {
                token: token.clone(),
                scope: state.scope.clone(),
                snapshot: snapshots.number(&state.snapshot),
                created: state.created,
            })
            .collect();
        pages.sort_by(|a, b| a.token.cmp(&b.token));
        tokens.sort_by(|a, b| a.token.cmp(&b.token));
        SavedSyncStates {
            snapshots: snapshots.values,
            entries: entries.values,
            pages,
            tokens,
        }
    }

    /// The tokens of an earlier run; ones pointing outside the saved lists are dropped (410).
    pub fn restored(saved: SavedSyncStates) -> Self {
        let snapshots: Vec<Snapshot> = saved.snapshots.into_iter().map(Arc::new).collect();
        let entries: Vec<Arc<Vec<Entry>>> = saved.entries.into_iter().map(Arc::new).collect();
        let pages = saved
            .pages
            .into_iter()
            .filter_map(|page| {
                Some((
                    page.token,
                    Page {
                        scope: page.scope,
                        entries: Arc::clone(entries.get(page.entries)?),
                        offset: page.offset,
                        snapshot: Arc::clone(snapshots.get(page.snapshot)?),
                        created: page.created,
                    },
                ))
            })
            .collect();
        let tokens = saved
            .tokens
            .into_iter()
            .filter_map(|state| {
                Some((
                    state.token,
                    DeltaState {
                        scope: state.scope,
                        snapshot: Arc::clone(snapshots.get(state.snapshot)?),
                        created: state.created,
                    },
                ))
            })
            .collect();
        Self {
            pages,
            tokens,
            changed: 0,
        }
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
    let page = if let Some(skip) = query(request, "$skiptoken") {
        skipped_to(emulator, request, skip, user, calendar_id, now)
    } else if let Some(token) = query(request, "$deltatoken") {
        next_round(emulator, request, token, user, calendar_id, now)
    } else {
        first_round(emulator, request, user, calendar_id, now)
    };
    match page {
        Ok(page) => answer_page(emulator, request, options, user, page, now),
        Err(response) => *response,
    }
}

/// The page a `$skiptoken` continues with; 410 (with a link to start again when the token is
/// known) once it expired or for another mailbox or calendar.
fn skipped_to(
    emulator: &Emulator,
    request: &GraphRequest,
    skip: &str,
    user: &User,
    calendar_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Page, Box<GraphResponse>> {
    let lifetime = emulator.lifetimes.delta_token;
    let mut sync = emulator.sync();
    match sync.pages.get(skip).cloned() {
        Some(page)
            if page.created + lifetime > now
                && page.scope.user_id == user.id
                && page.scope.calendar_id.as_deref() == calendar_id =>
        {
            Ok(page)
        }
        Some(page) => {
            sync.pages.remove(skip);
            sync.changed += 1;
            Err(Box::new(gone(Some(restart_link(request, &page.scope)))))
        }
        None => Err(Box::new(gone(None))),
    }
}

/// The first page of a round from a `$deltatoken`: what changed in its scope since the snapshot
/// the token was given with; 410 as for [`skipped_to`].
fn next_round(
    emulator: &Emulator,
    request: &GraphRequest,
    token: &str,
    user: &User,
    calendar_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Page, Box<GraphResponse>> {
    let lifetime = emulator.lifetimes.delta_token;
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
                sync.changed += 1;
                return Err(Box::new(gone(Some(restart_link(request, &state.scope)))));
            }
            None => return Err(Box::new(gone(None))),
        }
    };
    let now_in_scope = current(&emulator.store(), &state.scope);
    let entries = changes(&state.snapshot, &now_in_scope);
    let snapshot = if entries.is_empty() {
        // Nothing changed: the next token shares the snapshot instead of copying it.
        state.snapshot
    } else {
        Arc::new(now_in_scope.into_iter().collect())
    };
    Ok(Page {
        scope: state.scope,
        entries: Arc::new(entries),
        offset: 0,
        snapshot,
        created: now,
    })
}

/// The entries of a round since `snapshot`: instances new or changed (in the order they are in
/// scope), then those removed (by id).
fn changes(snapshot: &HashMap<String, String>, now_in_scope: &[(String, String)]) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (id, key) in now_in_scope {
        if snapshot.get(id) != Some(key) {
            entries.push(Entry::Upsert(id.clone()));
        }
    }
    let present: std::collections::HashSet<&String> =
        now_in_scope.iter().map(|(id, _)| id).collect();
    let mut removed: Vec<&String> = snapshot.keys().filter(|id| !present.contains(id)).collect();
    removed.sort();
    entries.extend(removed.into_iter().map(|id| Entry::Removed(id.clone())));
    entries
}

/// The first page of a full round over the request's window: every instance in it.
fn first_round(
    emulator: &Emulator,
    request: &GraphRequest,
    user: &User,
    calendar_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Page, Box<GraphResponse>> {
    let from = query(request, "startDateTime").and_then(crate::timezone::parse_query_instant);
    let to = query(request, "endDateTime").and_then(crate::timezone::parse_query_instant);
    let (Some(from), Some(to)) = (from, to) else {
        return Err(Box::new(bad_request(
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
        )));
    };
    let scope = Scope {
        user_id: user.id.clone(),
        calendar_id: calendar_id.map(str::to_owned),
        from,
        to,
    };
    let now_in_scope = current(&emulator.store(), &scope);
    Ok(Page {
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
    })
}

/// Answers with `page`'s next entries (up to the page size asked for), and a nextLink to the
/// rest or, at the end, a deltaLink to the next round.
fn answer_page(
    emulator: &Emulator,
    request: &GraphRequest,
    options: &Options,
    user: &User,
    page: Page,
    now: DateTime<Utc>,
) -> GraphResponse {
    let size = options.max_page_size.unwrap_or(10).clamp(1, 1000);
    let end = (page.offset + size).min(page.entries.len());
    // The page's events are copied under the store's lock and rendered after it, so that pages
    // asked for at the same time (a client may have four requests of a mailbox in flight, as
    // Outlook allows) are rendered at the same time, as Graph does.
    let copied: Vec<(&String, Option<CopiedEvent>)> = {
        let store = emulator.store();
        page.entries[page.offset..end]
            .iter()
            .map(|entry| match entry {
                Entry::Upsert(id) => (id, CopiedEvent::of(&store, &user.id, id)),
                Entry::Removed(id) => (id, None),
            })
            .collect()
    };
    let values: Vec<Value> = copied
        .iter()
        .map(
            |(id, copy)| match copy.as_ref().and_then(CopiedEvent::instance) {
                Some(instance) => Value::Object(render::event(&instance, user, options)),
                None => removed(id),
            },
        )
        .collect();
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
    sync.changed += 1;
    sync.trim();
    GraphResponse::json(StatusCode::OK, body)
}

fn removed(id: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.event", "id": id, "@removed": {"reason": "deleted"}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_states_keep_shared_snapshots_once_and_restore_equal() {
        let now = Utc::now();
        let scope = Scope {
            user_id: "user".into(),
            calendar_id: None,
            from: now,
            to: now,
        };
        let snapshot: Snapshot = Arc::new(HashMap::from([("a".into(), "k1".into())]));
        let entries = Arc::new(vec![Entry::Upsert("a".into()), Entry::Removed("b".into())]);
        let mut states = SyncStates::default();
        for (token, offset) in [("skip-1", 1), ("skip-2", 2)] {
            let page = Page {
                scope: scope.clone(),
                entries: Arc::clone(&entries),
                offset,
                snapshot: Arc::clone(&snapshot),
                created: now,
            };
            states.pages.insert(token.into(), page);
        }
        let state = DeltaState {
            scope,
            snapshot: Arc::clone(&snapshot),
            created: now,
        };
        states.tokens.insert("delta".into(), state);

        let saved = states.saved();
        assert_eq!(
            (saved.snapshots.len(), saved.entries.len()),
            (1, 1),
            "two pages and a delta token of one round share one snapshot and one entry list"
        );
        assert_eq!((saved.pages.len(), saved.tokens.len()), (2, 1));
        let restored = SyncStates::restored(saved.clone());
        assert_eq!(restored.saved(), saved, "a restored state saves the same");
        assert_eq!(restored.changed(), 0, "restoring is not a change to save");
    }
}
