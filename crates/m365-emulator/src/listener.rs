//! Loopback listeners: TLS (the CA-signed certificate) and optional plain HTTP, serving the router.

use std::sync::Arc;

use axum::Router;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::faults::DropConnection;
use crate::origin::Scheme;

/// Returned to hyper so that it closes the connection without answering (an injected fault).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
struct DroppedByFault;

async fn serve_connection<S>(
    stream: S,
    router: Router,
    scheme: &'static str,
    mut shutdown: watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        let router = router.clone();
        request.extensions_mut().insert(Scheme(scheme));
        async move {
            let response = match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if response.extensions().get::<DropConnection>().is_some() {
                return Err(DroppedByFault);
            }
            Ok(response)
        }
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended");
            }
        }
        _ = shutdown.changed() => {}
    }
}

/// Accepts TLS connections until `shutdown` flips.
pub fn spawn_tls(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let acceptor = TlsAcceptor::from(config);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((tcp, _)) = accepted else { continue };
                    let acceptor = acceptor.clone();
                    let router = router.clone();
                    let shutdown = shutdown.clone();
                    tokio::spawn(async move {
                        match acceptor.accept(tcp).await {
                            Ok(stream) => serve_connection(stream, router, "https", shutdown).await,
                            Err(error) => tracing::debug!(%error, "TLS handshake failed"),
                        }
                    });
                }
                _ = shutdown.changed() => break,
            }
        }
    })
}

/// Accepts plain HTTP connections until `shutdown` flips.
pub fn spawn_plain(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((tcp, _)) = accepted else { continue };
                    let router = router.clone();
                    let shutdown = shutdown.clone();
                    tokio::spawn(serve_connection(tcp, router, "http", shutdown));
                }
                _ = shutdown.changed() => break,
            }
        }
    })
}
