//! The loopback redirect for the CLI (and the app when its URL scheme is not registered): a
//! listener on 127.0.0.1 only, on a random port, that takes one sign-in answer and closes.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::IdentityError;

/// A bound listener waiting for one answer.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    port: u16,
}

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Quick3 Planner</title>\
<body style=\"font-family:sans-serif;margin:4em auto;max-width:32em\"><h1>You can close this tab</h1>\
<p>The answer from Microsoft went back to Quick3 Planner.</p></body>";

const NOT_OURS_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Quick3 Planner</title>\
<body style=\"font-family:sans-serif;margin:4em auto;max-width:32em\"><h1>This answer was ignored</h1>\
<p>It does not belong to the sign-in Quick3 Planner is waiting for.</p></body>";

impl LoopbackListener {
    /// Binds 127.0.0.1 on a port the system chooses.
    pub async fn bind() -> Result<Self, IdentityError> {
        let listener =
            TcpListener::bind(("127.0.0.1", 0))
                .await
                .map_err(|e| IdentityError::Network {
                    reason: format!("no local port for the sign-in answer ({e})"),
                })?;
        let port = listener
            .local_addr()
            .map_err(|e| IdentityError::Network {
                reason: e.to_string(),
            })?
            .port();
        Ok(LoopbackListener { listener, port })
    }

    /// The redirect URI to register this attempt with (Microsoft ignores the port when matching).
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Waits for the answer to `sign_in` (the authorize URL the browser was sent to): the one
    /// request whose `code` or `error` comes with that URL's `state`, answered and then the
    /// listener closes. Answers with another state get 400 and are ignored (a page or another
    /// program on this computer guessing), other requests (a favicon) 404. Connections are served
    /// side by side, each for at most [`REQUEST_TIME`], so one that sends nothing holds up no
    /// other. Gives up after `timeout`.
    pub fn wait(
        self,
        sign_in: &url::Url,
        timeout: Duration,
    ) -> impl Future<Output = Result<String, IdentityError>> + Send + 'static {
        let expected = state_of(sign_in.query().unwrap_or_default());
        self.wait_for(expected, timeout)
    }

    async fn wait_for(
        self,
        expected: Option<String>,
        timeout: Duration,
    ) -> Result<String, IdentityError> {
        let expected = Arc::new(expected);
        let (found, mut answers) = mpsc::channel::<String>(1);
        let mut connections = JoinSet::new();
        let accept = async {
            loop {
                tokio::select! {
                    Some(target) = answers.recv() => {
                        return Ok(format!("http://127.0.0.1:{}{target}", self.port));
                    }
                    accepted = self.listener.accept() => {
                        let (socket, _) = accepted.map_err(|e| IdentityError::Network {
                            reason: e.to_string(),
                        })?;
                        while connections.try_join_next().is_some() {}
                        if connections.len() < MAX_CONNECTIONS {
                            connections.spawn(serve(socket, Arc::clone(&expected), found.clone()));
                        }
                    }
                }
            }
        };
        // Dropping the connections' tasks (the JoinSet) when done ends any still open.
        tokio::time::timeout(timeout, accept)
            .await
            .map_err(|_| IdentityError::Expired)?
    }
}

/// How long one connection may take to send its request head.
pub const REQUEST_TIME: Duration = Duration::from_secs(5);
/// Connections served at once; more are closed unanswered.
const MAX_CONNECTIONS: usize = 32;

/// Reads one request head, answers it, and passes a sign-in answer with the expected state on.
async fn serve(mut socket: TcpStream, expected: Arc<Option<String>>, found: mpsc::Sender<String>) {
    let mut buffer = vec![0u8; 16 * 1024];
    let mut read = 0;
    let _ = tokio::time::timeout(REQUEST_TIME, async {
        while read < buffer.len() {
            match socket.read(&mut buffer[read..]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    read += n;
                    if buffer[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    let head = String::from_utf8_lossy(&buffer[..read]);
    let reply = reply_to(&head, expected.as_deref());
    let (status, body) = match reply {
        Reply::Ours(_) => ("200 OK", DONE_PAGE),
        Reply::NotOurs => {
            tracing::warn!("a sign-in answer for another sign-in reached the loopback: ignored");
            ("400 Bad Request", NOT_OURS_PAGE)
        }
        Reply::NotAnAnswer => ("404 Not Found", ""),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    );
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
    if let Reply::Ours(target) = reply {
        let _ = found.send(target.to_owned()).await;
    }
}

/// What the listener makes of one request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply<'a> {
    /// The answer to the sign-in waited for: its request target.
    Ours(&'a str),
    /// A sign-in answer with another (or no) `state`: ignored.
    NotOurs,
    /// Anything else (a favicon, garbage).
    NotAnAnswer,
}

/// Reads a request head as the listener does: a sign-in answer is ours only when its `state` is
/// `expected` (and there is one).
pub fn reply_to<'a>(head: &'a str, expected: Option<&str>) -> Reply<'a> {
    match answer_target(head) {
        None => Reply::NotAnAnswer,
        Some(target) => {
            let query = target.split_once('?').map_or("", |(_, query)| query);
            match (expected, state_of(query)) {
                (Some(expected), Some(state)) if expected == state => Reply::Ours(target),
                _ => Reply::NotOurs,
            }
        }
    }
}

/// The `state` of a query string (decoded), if it has exactly one.
fn state_of(query: &str) -> Option<String> {
    let mut states = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned());
    match (states.next(), states.next()) {
        (Some(state), None) if !state.is_empty() => Some(state),
        _ => None,
    }
}

/// The request target of an HTTP request head when it is a sign-in answer (`/?code=…` or
/// `/?error=…`); `None` for anything else (a favicon, garbage).
pub fn answer_target(head: &str) -> Option<&str> {
    let target = head.lines().next()?.split_whitespace().nth(1)?;
    let is_answer =
        target.starts_with("/?") && (target.contains("code=") || target.contains("error="));
    is_answer.then_some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_answers_on_the_root_are_taken() {
        assert_eq!(
            answer_target("GET /?code=a&state=s HTTP/1.1\r\nHost: x\r\n\r\n"),
            Some("/?code=a&state=s")
        );
        assert_eq!(answer_target("GET /favicon.ico HTTP/1.1\r\n"), None);
        assert_eq!(answer_target("GET /other?code=a HTTP/1.1\r\n"), None);
        assert_eq!(answer_target(""), None);
        assert_eq!(answer_target("\u{0}\u{ffff}"), None);
    }

    #[tokio::test]
    async fn takes_one_answer_ignores_other_requests_and_closes() {
        let listener = LoopbackListener::bind().await.unwrap();
        let uri = listener.redirect_uri();
        assert!(
            uri.starts_with("http://127.0.0.1:"),
            "bound to loopback only"
        );
        let sign_in = url::Url::parse("https://login.example/authorize?state=xyz").unwrap();
        let waiting = tokio::spawn(listener.wait(&sign_in, Duration::from_secs(10)));
        let http = reqwest::Client::new();
        let favicon = http.get(format!("{uri}favicon.ico")).send().await.unwrap();
        assert_eq!(favicon.status(), 404);
        let answer = http
            .get(format!("{uri}?code=abc&state=xyz"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        let url = waiting.await.unwrap().unwrap();
        assert!(url.ends_with("/?code=abc&state=xyz"));
        assert!(
            http.get(&uri).send().await.is_err(),
            "the listener is closed after one answer"
        );
    }
}
