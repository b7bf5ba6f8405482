//! The loopback redirect for the CLI (and the app when its URL scheme is not registered): a
//! listener on 127.0.0.1 only, on a random port, that takes one sign-in answer and closes.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

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

    /// Waits for the one request that carries `code` or `error`, answers it, and closes. Other
    /// requests (a browser's favicon) get 404. Gives up after `timeout`.
    pub async fn wait(self, timeout: Duration) -> Result<String, IdentityError> {
        let accept = async {
            loop {
                let (mut socket, _) =
                    self.listener
                        .accept()
                        .await
                        .map_err(|e| IdentityError::Network {
                            reason: e.to_string(),
                        })?;
                let mut buffer = vec![0u8; 16 * 1024];
                let mut read = 0;
                // Read the request head (enough for the request line).
                while read < buffer.len() {
                    match tokio::time::timeout(
                        Duration::from_secs(5),
                        socket.read(&mut buffer[read..]),
                    )
                    .await
                    {
                        Ok(Ok(0)) | Err(_) => break,
                        Ok(Ok(n)) => {
                            read += n;
                            if buffer[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                                break;
                            }
                        }
                        Ok(Err(_)) => break,
                    }
                }
                let head = String::from_utf8_lossy(&buffer[..read]);
                let answer = answer_target(&head);
                let (status, body) = if answer.is_some() {
                    ("200 OK", DONE_PAGE)
                } else {
                    ("404 Not Found", "")
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
                if let Some(target) = answer {
                    return Ok(format!("http://127.0.0.1:{}{target}", self.port));
                }
            }
        };
        tokio::time::timeout(timeout, accept)
            .await
            .map_err(|_| IdentityError::Expired)?
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
        let waiting = tokio::spawn(listener.wait(Duration::from_secs(10)));
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
