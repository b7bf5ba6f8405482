//! The scheme and host a request reached the emulator on, for absolute links back to it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// Set by the listener on every request: `"https"` or `"http"`.
#[derive(Debug, Clone, Copy)]
pub struct Scheme(pub &'static str);

/// `scheme://host:port` as the client addressed the emulator.
#[derive(Debug, Clone)]
pub struct Origin(pub String);

impl Origin {
    pub fn from_parts(parts: &Parts) -> Self {
        let scheme = parts
            .extensions
            .get::<Scheme>()
            .map_or("https", |scheme| scheme.0);
        let host = parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
            .or_else(|| parts.uri.authority().map(ToString::to_string))
            .unwrap_or_else(|| "127.0.0.1".to_owned());
        Self(format!("{scheme}://{host}"))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(parts))
    }
}
