//! JSON batching (`POST /$batch`): up to 20 parts, `dependsOn`, 424 for failed dependencies.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::emulator::Emulator;
use crate::faults::FaultKind;
use crate::graph::{GraphRequest, GraphResponse, bad_request};

/// Graph's limit on parts per batch.
const MAX_PARTS: usize = 20;
/// Outlook serves at most this many parts of one batch at a time.
const PARALLEL_PARTS: usize = 4;

#[derive(Debug, Clone)]
struct Part {
    id: String,
    method: Method,
    url: String,
    headers: Map<String, Value>,
    body: Option<Value>,
    depends_on: Vec<String>,
}

fn parse(body: Option<&Value>) -> Result<Vec<Part>, String> {
    let requests = body
        .and_then(|body| body.get("requests"))
        .and_then(Value::as_array)
        .ok_or("Invalid batch payload format: a 'requests' array is required.")?;
    if requests.is_empty() {
        return Err("Invalid batch payload format: the batch has no requests.".to_owned());
    }
    if requests.len() > MAX_PARTS {
        return Err(format!(
            "The number of requests in the batch ({}) exceeds the limit of {MAX_PARTS}.",
            requests.len()
        ));
    }
    let mut parts = Vec::new();
    let mut ids = HashSet::new();
    for request in requests {
        parts.push(part_of(request, &mut ids)?);
    }
    check_dependencies(&parts, &ids)?;
    Ok(parts)
}

/// One part of a batch request; `ids` are those of the parts before it (a duplicate is refused).
fn part_of(request: &Value, ids: &mut HashSet<String>) -> Result<Part, String> {
    let id = match request.get("id") {
        Some(Value::String(id)) => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        _ => {
            return Err("Invalid batch payload format: every request needs an 'id'.".to_owned());
        }
    };
    if !ids.insert(id.clone()) {
        return Err(format!(
            "Invalid batch payload format: duplicate request id '{id}'."
        ));
    }
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .and_then(|method| Method::from_bytes(method.to_ascii_uppercase().as_bytes()).ok())
        .ok_or_else(|| format!("Invalid batch payload format: request '{id}' needs a 'method'."))?;
    let url = request
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("Invalid batch payload format: request '{id}' needs a 'url'."))?
        .to_owned();
    if url.starts_with("http://") || url.starts_with("https://") {
        return Err(format!(
            "Invalid batch payload format: request '{id}' must use a relative URL."
        ));
    }
    let depends_on = match request.get("dependsOn") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .or_else(|| item.as_u64().map(|n| n.to_string()))
            })
            .collect(),
        Some(_) => {
            return Err(format!(
                "Invalid batch payload format: 'dependsOn' of request '{id}' must be an array."
            ));
        }
    };
    Ok(Part {
        id,
        method,
        url,
        headers: request
            .get("headers")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        body: request.get("body").cloned().filter(|body| !body.is_null()),
        depends_on,
    })
}

/// Every part depends only on other parts of the batch, without a cycle.
fn check_dependencies(parts: &[Part], ids: &HashSet<String>) -> Result<(), String> {
    for part in parts {
        for dependency in &part.depends_on {
            if !ids.contains(dependency) || *dependency == part.id {
                return Err(format!(
                    "Invalid batch payload format: request '{}' depends on unknown request '{dependency}'.",
                    part.id
                ));
            }
        }
    }
    // Reject cycles: repeatedly remove parts whose dependencies are all removed.
    let mut remaining: Vec<&Part> = parts.iter().collect();
    let mut done: HashSet<&str> = HashSet::new();
    while !remaining.is_empty() {
        let before = remaining.len();
        remaining.retain(|part| {
            if part
                .depends_on
                .iter()
                .all(|dependency| done.contains(dependency.as_str()))
            {
                done.insert(part.id.as_str());
                false
            } else {
                true
            }
        });
        if remaining.len() == before {
            return Err(
                "Invalid batch payload format: the dependsOn chain has a cycle.".to_owned(),
            );
        }
    }
    Ok(())
}

fn part_request(outer: &GraphRequest, part: &Part) -> GraphRequest {
    let relative = part.url.trim_start_matches('/');
    let relative = relative.strip_prefix("v1.0/").unwrap_or(relative);
    let (path, query) = relative.split_once('?').unwrap_or((relative, ""));
    let mut headers = HeaderMap::new();
    for name in ["authorization", "client-request-id"] {
        if let Some(value) = outer.headers.get(name) {
            headers.insert(HeaderName::from_static(name), value.clone());
        }
    }
    for (name, value) in &part.headers {
        if let (Ok(name), Some(Ok(value))) = (
            HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()),
            value.as_str().map(HeaderValue::from_str),
        ) {
            headers.insert(name, value);
        }
    }
    GraphRequest {
        method: part.method.clone(),
        path: format!("/{path}"),
        query: url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
        headers,
        body: part.body.clone(),
        origin: outer.origin.clone(),
        delay: None,
    }
}

fn part_json(id: &str, response: GraphResponse) -> Value {
    let mut headers = Map::new();
    for (name, value) in &response.headers {
        headers.insert(name.clone(), json!(value));
    }
    if response.body.is_some() {
        headers.insert("Content-Type".to_owned(), json!("application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"));
    }
    let mut part = json!({"id": id, "status": response.status.as_u16(), "headers": headers});
    if let Some(body) = response.body {
        part["body"] = body;
    }
    part
}

async fn run_part(emulator: &Arc<Emulator>, request: GraphRequest) -> GraphResponse {
    if request.path.eq_ignore_ascii_case("/$batch") {
        bad_request("BadRequest", "A batch cannot contain another batch.")
    } else {
        Box::pin(crate::graph::handle(emulator, request)).await
    }
}

/// Runs a batch: parts in dependency order, independent ones a few at a time.
pub async fn run(emulator: &Arc<Emulator>, outer: &GraphRequest) -> GraphResponse {
    // Graph checks the bearer token at the door: a batch with a bad one is refused as a whole.
    if let Err(response) = super::authenticate(emulator, outer, emulator.now()) {
        return response;
    }
    let parts = match parse(outer.body.as_ref()) {
        Ok(parts) => parts,
        Err(message) => return bad_request("BadRequest", &message),
    };
    let mut statuses: HashMap<String, u16> = HashMap::new();
    let mut results: HashMap<String, Value> = HashMap::new();
    let mut pending: Vec<Part> = parts.clone();
    while !pending.is_empty() {
        let (ready, waiting): (Vec<Part>, Vec<Part>) = pending.into_iter().partition(|part| {
            part.depends_on
                .iter()
                .all(|dependency| statuses.contains_key(dependency))
        });
        pending = waiting;
        for chunk in ready.chunks(PARALLEL_PARTS) {
            let mut runs = Vec::new();
            for part in chunk {
                let failed = part.depends_on.iter().any(|dependency| {
                    statuses
                        .get(dependency)
                        .is_some_and(|status| *status >= 400)
                });
                if failed {
                    let response = GraphResponse::error(
                        StatusCode::FAILED_DEPENDENCY,
                        "FailedDependency",
                        "The request is dependent on a request that failed.",
                    );
                    statuses.insert(part.id.clone(), 424);
                    results.insert(part.id.clone(), part_json(&part.id, response));
                    continue;
                }
                let request = part_request(outer, part);
                let id = part.id.clone();
                let fault = emulator.faults().take_part(
                    request.method.as_str(),
                    &format!("/v1.0{}", request.path),
                    rand::random(),
                );
                let emulator = Arc::clone(emulator);
                runs.push(async move {
                    let response = match fault {
                        // Graph checks each part's token too: a part can be refused alone.
                        Some(FaultKind::Status { status: 401, .. }) => super::unauthorized(
                            &request.origin,
                            "Lifetime validation failed, the token is expired.",
                        ),
                        Some(FaultKind::Status {
                            status,
                            retry_after,
                        }) => crate::http::status_fault(status, retry_after),
                        Some(FaultKind::Slow { delay_ms }) => {
                            tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
                            run_part(&emulator, request).await
                        }
                        _ => run_part(&emulator, request).await,
                    };
                    (id, response)
                });
            }
            for (id, response) in futures_util::future::join_all(runs).await {
                statuses.insert(id.clone(), response.status.as_u16());
                results.insert(id.clone(), part_json(&id, response));
            }
        }
    }
    let responses: Vec<Value> = parts
        .iter()
        .filter_map(|part| results.remove(&part.id))
        .collect();
    GraphResponse::json(StatusCode::OK, json!({"responses": responses}))
}
