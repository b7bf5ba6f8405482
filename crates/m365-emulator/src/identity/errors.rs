//! Identity-platform errors in Microsoft's JSON shape (`AADSTSnnnnn:` descriptions).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

/// An OAuth error the token or device-code endpoint answers with.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{error}: AADSTS{code}: {message}")]
pub struct AadError {
    pub status: StatusCode,
    /// OAuth error (`invalid_grant`, `authorization_pending`, …).
    pub error: &'static str,
    /// The AADSTS number.
    pub code: u32,
    pub message: String,
    pub suberror: Option<&'static str>,
    pub at: DateTime<Utc>,
}

impl AadError {
    pub fn new(
        error: &'static str,
        code: u32,
        message: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            code,
            message: message.into(),
            suberror: None,
            at,
        }
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn with_suberror(mut self, suberror: &'static str) -> Self {
        self.suberror = Some(suberror);
        self
    }

    /// `AADSTSnnnnn: message` followed by Microsoft's trailer lines.
    pub fn description(&self, trace_id: &str, correlation_id: &str) -> String {
        format!(
            "AADSTS{}: {} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {}",
            self.code,
            self.message,
            self.at.format("%Y-%m-%d %H:%M:%SZ")
        )
    }
}

impl IntoResponse for AadError {
    fn into_response(self) -> Response {
        let trace_id = uuid::Uuid::new_v4().to_string();
        let correlation_id = uuid::Uuid::new_v4().to_string();
        let mut body = json!({
            "error": self.error,
            "error_description": self.description(&trace_id, &correlation_id),
            "error_codes": [self.code],
            "timestamp": self.at.to_rfc3339_opts(SecondsFormat::Secs, true),
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        if let Some(suberror) = self.suberror {
            body["suberror"] = json!(suberror);
        }
        (self.status, Json(body)).into_response()
    }
}
