//! Accepting connections (TCP, or a Unix domain socket) and serving HTTP/1.1 on them, with the limits that keep slow,
//! idle or greedy clients from holding the server's resources: a cap on connections, a time
//! limit on request heads and on responses nobody reads, and long-lived notification streams
//! taken over from hyper once their response head is out.
//!
//! hyper keeps about 16 KiB of buffers per connection for as long as it serves it. A
//! notification stream sends a few hundred bytes now and then for hours, so once its head is on
//! the wire the connection is taken back from hyper ([`Handoff`]) and the stream is written by
//! a small task of its own ([`super::feed`]), in the same chunked framing hyper began.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::FutureExt as _;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::dispatch::listen::ChangeFeed;
use crate::endpoint::Endpoint;
use crate::quota::{ClientKey, Exhausted, Quota};

use super::socket::{Listener, Stream};

/// How long an accept error (such as running out of file descriptors) pauses accepting.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Descriptors kept for the server's own use when the connection cap follows the process's
/// descriptor limit.
const RESERVED_DESCRIPTORS: usize = 64;

/// The most connections refused at once; beyond it a connection is closed without an answer.
const MAX_REFUSING: usize = 64;

/// Per-connection limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    /// How long a client may take to send a request's line and headers, counted from the moment
    /// the server starts reading them (so it also closes idle keep-alive connections).
    pub(crate) header_read_timeout: Duration,
    /// How long a response may wait for a client that reads none of it.
    pub(crate) write_timeout: Duration,
    /// The most connections served at once.
    pub(crate) max_connections: usize,
    /// The most connections one client address (an IPv6 one by its /64) holds at once.
    pub(crate) per_client: usize,
}

/// The default connection cap: the process's descriptor limit, less what the server keeps for
/// itself (at least 16).
pub(crate) fn default_max_connections() -> usize {
    #[cfg(unix)]
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .current
        .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    #[cfg(not(unix))]
    let limit = 1024;
    limit.saturating_sub(RESERVED_DESCRIPTORS).max(16)
}

/// The socket a request arrived on, as this server's own listener accepted it: its peer, and
/// where a response hands over a long-lived stream. Passed to every request of the connection.
#[derive(Debug)]
pub(crate) struct Socket {
    /// The peer's address (a Unix socket's peer has none).
    pub(crate) peer: Option<SocketAddr>,
    /// Where a notification stream goes once its response head is written.
    pub(crate) handoff: Handoff,
    /// The first `Host` header the guard allowed on this connection.
    pub(crate) allowed_host: std::sync::OnceLock<http::HeaderValue>,
}

/// Where a response hands its long-lived stream to the connection, which takes the connection
/// from hyper once the response head is written. One per connection.
#[derive(Debug, Clone)]
pub(crate) struct Handoff(Arc<HandoffState>);

#[derive(Debug)]
struct HandoffState {
    feed: Mutex<Option<ChangeFeed>>,
    /// The connection's write count when hyper first asked a handed-off response for body data
    /// (so its head was buffered, not yet written); `u64::MAX` until then, which is what the
    /// connection checks after every poll without taking the lock.
    head_buffered_at: AtomicU64,
    io: Arc<IoProgress>,
}

impl Handoff {
    fn new(io: Arc<IoProgress>) -> Self {
        Self(Arc::new(HandoffState {
            feed: Mutex::new(None),
            head_buffered_at: AtomicU64::new(u64::MAX),
            io,
        }))
    }

    /// Gives the connection a stream to write after the response head; the response's body
    /// is [`Handoff::placeholder`].
    pub(crate) fn hand(&self, feed: ChangeFeed) {
        *self.0.feed.lock().expect("handoff lock") = Some(feed);
    }

    /// The body of a response whose stream is handed off: it never yields, so hyper writes the
    /// head, flushes it, and waits.
    pub(crate) fn placeholder(&self) -> Placeholder {
        Placeholder(self.0.clone())
    }

    /// The stream, once the head is on the wire.
    fn ready(&self) -> Option<ChangeFeed> {
        let buffered_at = self.0.head_buffered_at.load(Ordering::Acquire);
        if buffered_at == u64::MAX || !self.0.io.flushed_since(buffered_at) {
            return None;
        }
        self.0.feed.lock().expect("handoff lock").take()
    }
}

/// The body of a handed-off response (see [`Handoff::placeholder`]).
#[derive(Debug)]
pub(crate) struct Placeholder(Arc<HandoffState>);

impl hyper::body::Body for Placeholder {
    type Data = bytes::Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        // hyper polls the body once the head is in its buffer: what it writes from here on
        // carries the head.
        let writes = self.0.io.writes.load(Ordering::Acquire);
        let _ = self.0.head_buffered_at.compare_exchange(
            u64::MAX,
            writes,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        // The connection task is polled again after hyper flushes; nothing here needs a wake.
        Poll::Pending
    }
}

/// What has been written on a connection: the count of successful writes, and that count at
/// the last completed flush.
#[derive(Debug, Default)]
struct IoProgress {
    writes: AtomicU64,
    flushed_at: AtomicU64,
}

impl IoProgress {
    /// Whether everything written after `writes` successful writes has been written and
    /// flushed (at least one write, and none since the last flush).
    fn flushed_since(&self, writes: u64) -> bool {
        let flushed = self.flushed_at.load(Ordering::Acquire);
        flushed > writes && flushed == self.writes.load(Ordering::Acquire)
    }
}

/// A connection that fails a write no byte of which could be sent for `limit` (a client that
/// does not read its responses), and counts its writes and flushes.
#[derive(Debug)]
pub(crate) struct Watched<S> {
    tcp: S,
    limit: Duration,
    /// Armed while a write is blocked.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
    progress: Arc<IoProgress>,
}

impl<S: Stream> Watched<S> {
    fn new(tcp: S, limit: Duration) -> Self {
        Self {
            tcp,
            limit,
            stalled: None,
            progress: Arc::default(),
        }
    }

    /// A blocked write: `Pending` until the time limit, then an error.
    fn blocked<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let limit = self.limit;
        let stall = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stall.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client read nothing of the response within the write timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn wrote<T>(&mut self, result: io::Result<T>) -> Poll<io::Result<T>> {
        self.stalled = None;
        if result.is_ok() {
            self.progress.writes.fetch_add(1, Ordering::AcqRel);
        }
        Poll::Ready(result)
    }

    pub(crate) fn into_inner(self) -> S {
        self.tcp
    }
}

impl<S: Stream> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl<S: Stream> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.tcp).poll_write(cx, buf) {
            Poll::Ready(result) => self.wrote(result),
            Poll::Pending => self.blocked(cx),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs) {
            Poll::Ready(result) => self.wrote(result),
            Poll::Pending => self.blocked(cx),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let flushed = Pin::new(&mut self.tcp).poll_flush(cx);
        if let Poll::Ready(Ok(())) = flushed {
            let writes = self.progress.writes.load(Ordering::Acquire);
            self.progress.flushed_at.store(writes, Ordering::Release);
        }
        flushed
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

/// The connections being served: how many, by client, and a way to wait until there are none.
#[derive(Debug)]
struct Live {
    count: AtomicUsize,
    by_client: Quota,
    refusing: AtomicUsize,
    none: Notify,
}

/// One connection's place among the live ones, given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    live: Arc<Live>,
    client: Option<ClientKey>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.live.by_client.give_back(self.client.as_ref());
        if self.live.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.live.none.notify_waiters();
        }
    }
}

/// Serves `endpoint` at `path` on `listener` until `shutdown` completes, then stops accepting,
/// ends the long-lived streams (`subscriptions/listen` with its closing result, session `GET`
/// streams with a `retry:` hint), and lets in-flight calls finish for up to
/// [`SHUTDOWN_GRACE`](crate::SHUTDOWN_GRACE): what every listening server runs.
pub(crate) async fn run_until<L: Listener>(
    listener: L,
    endpoint: Arc<Endpoint>,
    path: String,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let streams = endpoint.shutdown.clone();
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        streams.cancel();
        let _ = stopping.send(());
    };
    let serve = std::pin::pin!(serve(listener, endpoint, path, limits, signal));
    let deadline = async {
        if stopped.await.is_ok() {
            tokio::time::sleep(crate::SHUTDOWN_GRACE).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = serve => {}
        // In-flight calls that outlive the grace period are dropped with the runtime.
        () = deadline => tracing::warn!("shutdown grace period over; exiting with calls in flight"),
    }
}

/// Serves `endpoint` at `path` on every connection `listener` accepts until `shutdown` completes; then
/// stops accepting, lets each connection finish the request it is serving, and returns once all
/// are closed.
async fn serve<L: Listener>(
    listener: L,
    endpoint: Arc<Endpoint>,
    path: String,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let path: Arc<str> = path.into();
    // Request heads are timed by each connection's watchdog (see `Activity`), not by hyper,
    // which would arm a timer for every request.
    let http = Arc::new(hyper::server::conn::http1::Builder::new());
    let live = Arc::new(Live {
        count: AtomicUsize::new(0),
        by_client: Quota::new(limits.per_client),
        refusing: AtomicUsize::new(0),
        none: Notify::new(),
    });
    let closing = CancellationToken::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
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
        if live.count.load(Ordering::Acquire) >= limits.max_connections {
            refuse(tcp, &live, Exhausted::Total);
            continue;
        }
        let client = ClientKey::of(None, peer.map(|p| p.ip()));
        if !live.by_client.take(client.as_ref()) {
            refuse(tcp, &live, Exhausted::Client);
            continue;
        }
        live.count.fetch_add(1, Ordering::AcqRel);
        let slot = Slot {
            live: live.clone(),
            client,
        };
        // Responses are small and complete: send them without waiting for Nagle's timer.
        tcp.send_at_once();
        let connection = Connection {
            http: http.clone(),
            endpoint: endpoint.clone(),
            path: path.clone(),
            peer,
            limits,
            closing: closing.clone(),
        };
        tokio::spawn(connection.run(tcp, slot));
    }
    drop(listener);
    closing.cancel();
    // Wait for every connection (notification streams end through the endpoint's own shutdown).
    loop {
        let none = live.none.notified();
        if live.count.load(Ordering::Acquire) == 0 {
            break;
        }
        none.await;
    }
}

/// Answers a connection over the cap (503) or over its client's quota (429) and closes it,
/// without reading its request beyond what arrives in the next moment.
fn refuse<S: Stream>(tcp: S, live: &Arc<Live>, exhausted: Exhausted) {
    if live.refusing.fetch_add(1, Ordering::AcqRel) >= MAX_REFUSING {
        live.refusing.fetch_sub(1, Ordering::AcqRel);
        return;
    }
    let live = live.clone();
    tokio::spawn(async move {
        let (status, message) = match exhausted {
            Exhausted::Total => (
                "503 Service Unavailable",
                "the server is serving as many connections as it may; retry later",
            ),
            Exhausted::Client => (
                "429 Too Many Requests",
                "this client holds as many connections as one client may; close one first",
            ),
        };
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":null,"error":{{"code":-32603,"message":"{message}"}}}}"#
        );
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n\
             retry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut tcp = tcp;
        let answered = async {
            tcp.write_all(response.as_bytes()).await?;
            tcp.shutdown().await?;
            // Read what the client already sent, so that closing does not reset the connection
            // before it reads the answer.
            let mut sink = [0u8; 1024];
            while tcp.read(&mut sink).await? > 0 {}
            io::Result::Ok(())
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), answered).await;
        live.refusing.fetch_sub(1, Ordering::AcqRel);
    });
}

/// What a connection is doing, for its watchdog: how many requests it is serving (from the
/// request's head until its response body is done), and since when it has served none. One
/// timer per connection, re-armed once per period, stands in for a timer per request.
#[derive(Debug)]
struct Activity {
    epoch: tokio::time::Instant,
    busy: AtomicUsize,
    /// Milliseconds from `epoch` to the end of the last request.
    idle_since: AtomicU64,
}

impl Activity {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            epoch: tokio::time::Instant::now(),
            busy: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
        })
    }

    /// A request begins; it ends when the guard is dropped (with its response body).
    fn begin(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::AcqRel);
        Busy(self.clone())
    }

    /// When the watchdog should look again, or `None` if the connection has waited `limit`
    /// for a request head (it is idle, or a client is trickling one).
    fn next_check(&self, limit: Duration) -> Option<tokio::time::Instant> {
        let now = tokio::time::Instant::now();
        if self.busy.load(Ordering::Acquire) > 0 {
            return Some(now + limit);
        }
        let idle_since = Duration::from_millis(self.idle_since.load(Ordering::Acquire));
        let deadline = self.epoch + idle_since + limit;
        (deadline > now).then_some(deadline)
    }
}

/// A request being served, until its response body is done.
#[derive(Debug)]
struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        let since = self.0.epoch.elapsed().as_millis() as u64;
        self.0.idle_since.store(since, Ordering::Release);
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request counted as being served until it is done.
struct Tracked {
    body: axum::body::Body,
    _busy: Busy,
}

impl hyper::body::Body for Tracked {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// One accepted connection.
struct Connection {
    http: Arc<hyper::server::conn::http1::Builder>,
    endpoint: Arc<Endpoint>,
    path: Arc<str>,
    peer: Option<SocketAddr>,
    limits: ConnectionLimits,
    closing: CancellationToken,
}

impl Connection {
    async fn run<S: Stream>(self, tcp: S, slot: Slot) {
        let Connection {
            http,
            endpoint,
            path,
            peer,
            limits,
            closing,
        } = self;
        let io = Watched::new(tcp, limits.write_timeout);
        let handoff = Handoff::new(io.progress.clone());
        let socket = Arc::new(Socket {
            peer,
            handoff: handoff.clone(),
            allowed_host: std::sync::OnceLock::new(),
        });
        let activity = Activity::new();
        let served = activity.clone();
        let service = service_fn(move |request: http::Request<Incoming>| {
            let busy = served.begin();
            super::route(endpoint.clone(), &path, request, socket.clone()).map(move |response| {
                Ok::<_, Infallible>(response.map(|body| Tracked { body, _busy: busy }))
            })
        });
        let mut conn = http.serve_connection(TokioIo::new(io), service);
        drop(http);
        let mut closing = std::pin::pin!(closing.cancelled_owned());
        let mut shutting_down = false;
        let head_limit = limits.header_read_timeout;
        let mut watchdog = std::pin::pin!(tokio::time::sleep(head_limit));
        let handed = std::future::poll_fn(|cx| {
            if !shutting_down && closing.as_mut().poll(cx).is_ready() {
                shutting_down = true;
                Pin::new(&mut conn).graceful_shutdown();
            }
            while watchdog.as_mut().poll(cx).is_ready() {
                match activity.next_check(head_limit) {
                    Some(next) => watchdog.as_mut().reset(next),
                    // The next request head is late: the connection closes.
                    None => return Poll::Ready(Ok(None)),
                }
            }
            match Pin::new(&mut conn).poll(cx) {
                Poll::Ready(result) => Poll::Ready(result.map(|()| None)),
                Poll::Pending => match handoff.ready() {
                    Some(feed) => Poll::Ready(Ok(Some(feed))),
                    None => Poll::Pending,
                },
            }
        })
        .await;
        match handed {
            Ok(Some(feed)) => {
                // hyper's buffers go with it; the stream keeps only the socket.
                // A task of its own: this one's state, sized for hyper's connection, is freed.
                let tcp = conn.into_parts().io.into_inner().into_inner();
                tokio::spawn(super::feed::write_handed(
                    tcp,
                    feed,
                    limits.write_timeout,
                    slot,
                ));
            }
            Ok(None) => {}
            Err(e) => tracing::debug!(error = %e, "connection closed with an error"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cap_follows_the_descriptor_limit() {
        let cap = default_max_connections();
        assert!(cap >= 16);
        #[cfg(unix)]
        if let Some(limit) = rustix::process::getrlimit(rustix::process::Resource::Nofile).current {
            assert!(cap as u64 <= limit.max(16 + RESERVED_DESCRIPTORS as u64));
        }
    }

    #[test]
    fn a_flush_after_the_head_was_buffered_releases_the_stream() {
        let io = Arc::new(IoProgress::default());
        assert!(!io.flushed_since(0));
        io.writes.store(3, Ordering::Release);
        io.flushed_at.store(3, Ordering::Release);
        assert!(io.flushed_since(2));
        assert!(!io.flushed_since(3));
        io.writes.store(4, Ordering::Release);
        assert!(!io.flushed_since(2));
    }
}
