//! Accepting TCP connections and serving HTTP/1.1 on them, with the limits that keep slow or
//! idle clients from holding the server's resources.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt as _;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::endpoint::Endpoint;

/// How long an accept error (such as running out of file descriptors) pauses accepting.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Per-connection limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    /// How long a client may take to send a request's line and headers, counted from the moment
    /// the server starts reading them (so it also closes idle keep-alive connections).
    pub(crate) header_read_timeout: Duration,
}

/// Serves `endpoint` at `path` on every connection `listener` accepts until `shutdown` completes; then
/// stops accepting, lets each connection finish the request it is serving, and returns once all
/// are closed.
pub(crate) async fn serve(
    listener: TcpListener,
    endpoint: Arc<Endpoint>,
    path: String,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let path: Arc<str> = path.into();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let connections = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => tcp,
                Err(e) => {
                    // Out of descriptors or a connection reset before it was accepted: neither
                    // is fatal; pause so a full descriptor table is not spun on.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Responses are small and complete: send them without waiting for Nagle's timer.
        let _ = tcp.set_nodelay(true);
        let (endpoint, path) = (endpoint.clone(), path.clone());
        let service = service_fn(move |request: http::Request<Incoming>| {
            super::route(endpoint.clone(), &path, request).map(Ok::<_, Infallible>)
        });
        let connection = connections.watch(http.serve_connection(TokioIo::new(tcp), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection closed with an error");
            }
        });
    }
    drop(listener);
    connections.shutdown().await;
}
