//! The router: identity, Graph and admin endpoints behind request logging and fault injection.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Extension, Router};
use serde_json::json;

use crate::emulator::Emulator;
use crate::faults::{Delay, DropConnection, FaultKind};
use crate::graph::{self, GraphResponse};
use crate::origin::Origin;
use crate::request_log::LoggedRequest;

/// The whole emulator as one axum router.
pub fn router(emulator: Arc<Emulator>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/v1.0", any(graph_endpoint))
        .route("/v1.0/", any(graph_endpoint))
        .route("/v1.0/{*rest}", any(graph_endpoint))
        .merge(crate::identity::router())
        .nest("/_emulator", crate::admin::router())
        .layer(middleware::from_fn_with_state(Arc::clone(&emulator), front))
        .with_state(emulator)
}

async fn index(Origin(origin): Origin) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>M365 emulator</title></head><body>\
<h1>Microsoft 365 emulator</h1><ul><li>Identity: <code>{origin}/{{tenant}}/v2.0/.well-known/openid-configuration</code></li>\
<li>Graph: <code>{origin}/v1.0</code></li><li>Admin: <code>{origin}/_emulator</code></li></ul></body></html>"
    ))
}

async fn graph_endpoint(
    State(emulator): State<Arc<Emulator>>,
    Origin(origin): Origin,
    delay: Option<Extension<Delay>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = match graph::request_from_http(
        method,
        &uri,
        headers.clone(),
        &body,
        origin,
        delay.map(|Extension(Delay(delay))| delay),
    ) {
        Ok(request) => request,
        Err(response) => {
            let mut response = response;
            let request_id = uuid::Uuid::new_v4().to_string();
            response.headers.push(("request-id".to_owned(), request_id));
            return response.into_response();
        }
    };
    graph::handle(&emulator, request).await.into_response()
}

fn fault_code(status: u16) -> &'static str {
    match status {
        429 => "TooManyRequests",
        500 => "generalException",
        502 => "BadGateway",
        503 => "serviceNotAvailable",
        504 => "GatewayTimeout",
        507 => "ErrorQuotaExceeded",
        _ => "UnknownError",
    }
}

/// Graph's error answer for an injected `status` fault.
pub(crate) fn status_fault(status: u16, retry_after: Option<u64>) -> GraphResponse {
    let status_code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = match status {
        429 => "Too many requests. Please retry after the time in the Retry-After header.",
        503 => "The service is temporarily unavailable. Please retry later.",
        504 => "The gateway timed out while waiting for the service.",
        _ => "An internal server error occurred.",
    };
    let mut response = GraphResponse::error(status_code, fault_code(status), message);
    let request_id = uuid::Uuid::new_v4().to_string();
    if let Some(seconds) = retry_after {
        response = response.with_header("Retry-After", seconds.to_string());
    }
    response = response.with_header("request-id", request_id.clone());
    if let Some(inner) = response
        .body
        .as_mut()
        .and_then(|body| body.get_mut("error"))
        .and_then(|error| error.get_mut("innerError"))
    {
        *inner = json!({"request-id": request_id, "date": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)});
    }
    response
}

fn injected(fault: &FaultKind) -> Option<Response> {
    match fault {
        FaultKind::Status {
            status,
            retry_after,
        } => Some(status_fault(*status, *retry_after).into_response()),
        FaultKind::Malformed => Some(
            Response::builder()
                .status(StatusCode::OK)
                .header(
                    "content-type",
                    "application/json; odata.metadata=minimal; charset=utf-8",
                )
                .body(Body::from(
                    "{\"@odata.context\":\"$metadata#events\",\"value\":[{\"id\":\"AAMkA",
                ))
                .unwrap_or_else(|_| StatusCode::OK.into_response()),
        ),
        FaultKind::Drop => {
            let mut response = StatusCode::BAD_GATEWAY.into_response();
            response.extensions_mut().insert(DropConnection);
            Some(response)
        }
        FaultKind::Slow { .. } | FaultKind::Truncated { .. } => None,
        FaultKind::Oversized { bytes, chunked } => Some(oversized(*bytes, *chunked)),
        FaultKind::Answer { status, body } => Some(
            Response::builder()
                .status(StatusCode::from_u16(*status).unwrap_or(StatusCode::OK))
                .header(
                    "content-type",
                    "application/json; odata.metadata=minimal; charset=utf-8",
                )
                .body(Body::from(body.to_string()))
                .unwrap_or_else(|_| StatusCode::OK.into_response()),
        ),
    }
}

/// A 200 whose body is `{"value":[` and then spaces up to `bytes` bytes (never closed).
fn oversized(bytes: u64, chunked: bool) -> Response {
    const CHUNK: u64 = 1 << 20;
    let head = b"{\"value\":[";
    let body = if chunked {
        let chunks = (0..bytes.div_ceil(CHUNK)).map(move |index| {
            let size = (bytes - index * CHUNK).min(CHUNK) as usize;
            let mut chunk = vec![b' '; size];
            if index == 0 {
                let n = head.len().min(size);
                chunk[..n].copy_from_slice(&head[..n]);
            }
            Ok::<_, std::convert::Infallible>(Bytes::from(chunk))
        });
        Body::from_stream(futures_util::stream::iter(chunks))
    } else {
        let mut whole = vec![b' '; usize::try_from(bytes.min(1 << 30)).unwrap_or(1 << 30)];
        let n = head.len().min(whole.len());
        whole[..n].copy_from_slice(&head[..n]);
        Body::from(whole)
    };
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .unwrap_or_else(|_| StatusCode::OK.into_response())
}

/// The answer with its `value` list cut to the first `keep` entries (a `Truncated` fault); an
/// answer that is not a JSON object with a list goes out as it came.
async fn truncated(response: Response, keep: usize) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let mut value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(_) => return Response::from_parts(parts, Body::from(bytes)),
    };
    if let Some(list) = value.get_mut("value").and_then(|list| list.as_array_mut()) {
        list.truncate(keep);
    }
    let mut parts = parts;
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(value.to_string()))
}

fn fault_name(fault: &FaultKind) -> String {
    match fault {
        FaultKind::Status { status, .. } => format!("status {status}"),
        FaultKind::Malformed => "malformed".to_owned(),
        FaultKind::Slow { delay_ms } => format!("slow {delay_ms} ms"),
        FaultKind::Drop => "drop".to_owned(),
        FaultKind::Truncated { keep } => format!("truncated to {keep}"),
        FaultKind::Answer { status, .. } => format!("answer {status}"),
        FaultKind::Oversized { bytes, chunked } => {
            format!(
                "oversized {bytes} bytes{}",
                if *chunked { ", chunked" } else { "" }
            )
        }
    }
}

/// Logs every non-admin request and applies injected faults.
async fn front(
    State(emulator): State<Arc<Emulator>>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), ToString::to_string);
    let client_request_id = request
        .headers()
        .get("client-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    if path.starts_with("/_emulator") {
        return next.run(request).await;
    }
    // The network: a round trip the client waits for, the server's CPU idle (so that clients
    // overlapping their requests gain as they would against Microsoft).
    let latency = emulator.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let roll: f64 = rand::random();
    let fault = emulator.faults().take(&method, &path, roll);
    let response = match &fault {
        Some(FaultKind::Slow { delay_ms }) => {
            let delay = Duration::from_millis(*delay_ms);
            if path.starts_with("/v1.0") {
                request.extensions_mut().insert(Delay(delay));
            } else {
                tokio::time::sleep(delay).await;
            }
            next.run(request).await
        }
        Some(FaultKind::Truncated { keep }) => truncated(next.run(request).await, *keep).await,
        Some(other) => match injected(other) {
            Some(response) => response,
            None => next.run(request).await,
        },
        None => next.run(request).await,
    };
    emulator.log().record(LoggedRequest {
        seq: 0,
        at: emulator.now(),
        method,
        path: path_and_query,
        status: response.status().as_u16(),
        duration_ms: started.elapsed().as_millis() as u64,
        client_request_id,
        fault: fault.as_ref().map(fault_name),
    });
    response
}
