//! A round-robin HTTP/1.1 reverse proxy for tests that run one endpoint on several processes:
//! each request (not each connection) goes to the next backend, so one session's requests
//! spread over all of them, as behind a load balancer without session affinity.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use http::header::{self, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri};
use http_body_util::{Either, Full};
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// How much of each request body [`Forwarded::body`] keeps.
const BODY_KEPT: usize = 256;

/// The body the proxy answers with: the backend's, streamed through, or its own error text.
type ProxyBody = Either<Incoming, Full<Bytes>>;

/// One request the proxy forwarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forwarded {
    /// The request method.
    pub method: Method,
    /// The request path and query.
    pub path: String,
    /// Which backend served it: an index into the list given to [`RoundRobin::start`].
    pub backend: usize,
    /// The `Mcp-Session-Id` it carried.
    pub session_id: Option<String>,
    /// The `Last-Event-ID` it carried: a resumed stream.
    pub last_event_id: Option<String>,
    /// The start of its body as it went through (up to 256 bytes, lossy UTF-8): enough to
    /// tell a JSON-RPC request's method, or an answer's id, from the rest.
    pub body: String,
    /// The backend's response status; `None` while the backend has not answered (or when it
    /// could not be reached, see [`Forwarded::error`]).
    pub status: Option<u16>,
    /// Why the request could not be forwarded, if it could not.
    pub error: Option<String>,
}

impl std::fmt::Display for Forwarded {
    /// One line: `POST /mcp -> backend 1 [session abc] [Last-Event-ID 7] = 200`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} -> backend {}",
            self.method, self.path, self.backend
        )?;
        if let Some(session) = &self.session_id {
            write!(f, " [session {session}]")?;
        }
        if let Some(id) = &self.last_event_id {
            write!(f, " [Last-Event-ID {id}]")?;
        }
        if !self.body.is_empty() {
            let body: String = self.body.chars().take(120).collect();
            write!(f, " {body}")?;
        }
        match (&self.status, &self.error) {
            (Some(status), _) => write!(f, " = {status}"),
            (None, Some(error)) => write!(f, " failed: {error}"),
            (None, None) => write!(f, " (no answer yet)"),
        }
    }
}

/// A request body on its way to the backend, frame by frame, keeping its start in the record.
#[derive(Debug)]
struct Tee {
    inner: Incoming,
    shared: Arc<Shared>,
    entry: usize,
    kept: usize,
}

impl Body for Tee {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let frame = std::task::ready!(Pin::new(&mut self.inner).poll_frame(cx));
        if let Some(data) = frame
            .as_ref()
            .and_then(|f| f.as_ref().ok())
            .and_then(Frame::data_ref)
        {
            let take = data.len().min(BODY_KEPT - self.kept);
            if take > 0 {
                self.kept += take;
                let mut record = self.shared.record.lock().expect("record");
                record[self.entry]
                    .body
                    .push_str(&String::from_utf8_lossy(&data[..take]));
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The proxy's state shared with its connection tasks.
#[derive(Debug)]
struct Shared {
    /// The backends' `host:port`.
    backends: Vec<String>,
    /// The next request's turn.
    next: AtomicUsize,
    /// Every forwarded request, in arrival order.
    record: Mutex<Vec<Forwarded>>,
}

/// A reverse proxy on `127.0.0.1:0` that sends each request to the next of its backends in
/// turn, passing every header through (only `Host` is rewritten and hop-by-hop headers are
/// dropped) and streaming request and response bodies, so Server-Sent Events arrive as the
/// backend sends them. Runs until dropped.
#[derive(Debug)]
pub struct RoundRobin {
    /// The proxy's own address.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl RoundRobin {
    /// Starts a proxy over `backends`: URLs such as `http://127.0.0.1:8080/mcp` of which only
    /// the scheme (`http`) and authority count; the request's own path and query are forwarded.
    ///
    /// # Panics
    ///
    /// If `backends` is empty, a URL is not `http://host:port...`, or no port is free.
    pub async fn start<S: AsRef<str>>(backends: &[S]) -> Self {
        assert!(!backends.is_empty(), "a proxy needs a backend");
        let backends = backends
            .iter()
            .map(|url| {
                let url = url.as_ref();
                let uri: Uri = url.parse().unwrap_or_else(|e| panic!("{url}: {e}"));
                assert_eq!(uri.scheme_str(), Some("http"), "{url}: plain http only");
                let authority = uri.authority().unwrap_or_else(|| panic!("{url}: no host"));
                authority.as_str().to_owned()
            })
            .collect();
        let shared = Arc::new(Shared {
            backends,
            next: AtomicUsize::new(0),
            record: Mutex::new(Vec::new()),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let accept = tokio::spawn(accept(listener, Arc::clone(&shared)));
        Self {
            addr,
            shared,
            accept,
        }
    }

    /// The URL of `path` (such as `/mcp`) through the proxy.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// How many requests each backend was sent, in the order of [`RoundRobin::start`].
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.shared.backends.len()];
        for forwarded in self.record() {
            counts[forwarded.backend] += 1;
        }
        counts
    }

    /// Every request forwarded so far, in arrival order.
    pub fn record(&self) -> Vec<Forwarded> {
        self.shared.record.lock().expect("record").clone()
    }

    /// The record as text, one request a line (see [`Forwarded`]'s `Display`), for failure
    /// messages.
    pub fn log(&self) -> String {
        self.record()
            .iter()
            .enumerate()
            .map(|(i, f)| format!("  #{i} {f}\n"))
            .collect()
    }

    /// The backends that served requests carrying `Mcp-Session-Id: session`, each once, in
    /// increasing order.
    pub fn backends_of(&self, session: &str) -> Vec<usize> {
        let mut backends: Vec<usize> = self
            .record()
            .into_iter()
            .filter(|f| f.session_id.as_deref() == Some(session))
            .map(|f| f.backend)
            .collect();
        backends.sort_unstable();
        backends.dedup();
        backends
    }
}

impl Drop for RoundRobin {
    /// Stops accepting and closes every open connection.
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Accepts connections until aborted; aborting drops (and so aborts) the connection tasks.
async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors, say: wait for some to close.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        while connections.try_join_next().is_some() {}
        let shared = Arc::clone(&shared);
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, std::convert::Infallible>(forward(shared, request).await) }
            });
            // A client that goes away mid-stream is no error of the proxy's.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Headers that describe one connection, not the message: never forwarded.
fn hop_by_hop(name: &HeaderName) -> bool {
    name == header::CONNECTION
        || name == header::PROXY_AUTHENTICATE
        || name == header::PROXY_AUTHORIZATION
        || name == header::TE
        || name == header::TRAILER
        || name == header::UPGRADE
        || name.as_str() == "keep-alive"
}

/// Sends `request` to the next backend on a connection of its own and returns its response,
/// body unread; or a `502 Bad Gateway` saying why it could not.
async fn forward(shared: Arc<Shared>, mut request: Request<Incoming>) -> Response<ProxyBody> {
    let backend = shared.next.fetch_add(1, Ordering::Relaxed) % shared.backends.len();
    let authority = &shared.backends[backend];
    let text = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let entry = {
        let mut record = shared.record.lock().expect("record");
        record.push(Forwarded {
            method: request.method().clone(),
            path: request
                .uri()
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            backend,
            session_id: text("mcp-session-id"),
            last_event_id: text("last-event-id"),
            body: String::new(),
            status: None,
            error: None,
        });
        record.len() - 1
    };
    let settle = |status: Option<u16>, error: Option<String>| {
        let mut record = shared.record.lock().expect("record");
        record[entry].status = status;
        record[entry].error = error;
    };

    let headers = request.headers_mut();
    let dropped: Vec<HeaderName> = headers.keys().filter(|n| hop_by_hop(n)).cloned().collect();
    for name in dropped {
        headers.remove(name);
    }
    headers.insert(
        header::HOST,
        HeaderValue::from_str(authority).expect("an authority is a header value"),
    );
    // Origin-form, as an HTTP/1.1 server expects from a client.
    if let Some(path) = request.uri().path_and_query().cloned() {
        *request.uri_mut() = Uri::from(path);
    }

    let sent = async {
        let stream = TcpStream::connect(authority.as_str())
            .await
            .map_err(|e| format!("connect to backend {backend} ({authority}): {e}"))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake with backend {backend}: {e}"))?;
        // Drives the connection until the response body is read or dropped.
        tokio::spawn(connection);
        let request = request.map(|inner| Tee {
            inner,
            shared: Arc::clone(&shared),
            entry,
            kept: 0,
        });
        sender
            .send_request(request)
            .await
            .map_err(|e| format!("backend {backend}: {e}"))
    };
    match sent.await {
        Ok(mut response) => {
            settle(Some(response.status().as_u16()), None);
            let headers = response.headers_mut();
            let dropped: Vec<HeaderName> =
                headers.keys().filter(|n| hop_by_hop(n)).cloned().collect();
            for name in dropped {
                headers.remove(name);
            }
            response.map(Either::Left)
        }
        Err(error) => {
            settle(None, Some(error.clone()));
            let mut response = Response::new(Either::Right(Full::new(Bytes::from(error))));
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response
        }
    }
}
