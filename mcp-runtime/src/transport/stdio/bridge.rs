//! One stdio client's exchanges with the endpoint: each line becomes an in-process request
//! with the headers its era needs, and what the endpoint answers becomes lines.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::Router;
use bytes::Bytes;
use http::{header, Request, Response};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};
use tokio::task::AbortHandle;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::endpoint::Endpoint;
use crate::protocol::ProtocolVersion;
use crate::transport::http::reader::EventReader;

/// What the bridge reads of a line to route it (the endpoint parses the line whole): borrowed
/// while reading, skipping everything else.
#[derive(Debug, Default)]
struct Route {
    method: Option<String>,
    /// The request's id, as JSON text.
    id: Option<String>,
    /// A cancellation's `requestId`, as JSON text.
    cancels: Option<String>,
    /// The 2026-07-28 version its `_meta` names.
    version: Option<String>,
    /// The tool or prompt name, or the resource URI.
    name: Option<String>,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct RouteParams<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    uri: Option<Cow<'a, str>>,
    #[serde(rename = "requestId", borrow, default)]
    request_id: Option<&'a RawValue>,
    #[serde(rename = "_meta", borrow, default)]
    meta: Option<RouteMeta<'a>>,
}

#[derive(Deserialize)]
struct RouteMeta<'a> {
    #[serde(rename = "io.modelcontextprotocol/protocolVersion", borrow, default)]
    version: Option<Cow<'a, str>>,
}

impl Route {
    /// Reads what routing needs; a line that is not a JSON object routes as a 2025-era message
    /// (the endpoint answers it as it answers the same body over HTTP).
    fn read(line: &[u8]) -> Self {
        let Ok(envelope) = serde_json::from_slice::<Envelope<'_>>(line) else {
            return Self::default();
        };
        let params = envelope
            .params
            .and_then(|p| serde_json::from_str::<RouteParams<'_>>(p.get()).ok());
        let (name, cancels, version) = match params {
            Some(p) => (
                p.name.or(p.uri).map(Cow::into_owned),
                p.request_id.map(|r| r.get().to_owned()),
                p.meta.and_then(|m| m.version).map(Cow::into_owned),
            ),
            None => (None, None, None),
        };
        Self {
            method: envelope.method.map(Cow::into_owned),
            id: envelope.id.map(|id| id.get().to_owned()),
            cancels,
            version,
            name,
        }
    }
}

pub(super) struct Bridge {
    inner: Arc<Inner>,
}

struct Inner {
    router: Router,
    mount: String,
    out: mpsc::Sender<Bytes>,
    /// The 2025-era session of this client (a stdio client is one client): its id once
    /// `initialize` opened one, and the version it settled on.
    session: Mutex<Session>,
    /// Requests under way, by JSON id: a 2026-07-28 client cancels one by naming it.
    inflight: Mutex<HashMap<String, AbortHandle>>,
    running: AtomicUsize,
    finished: Notify,
    closed: CancellationToken,
}

#[derive(Default)]
struct Session {
    id: Option<String>,
    version: Option<String>,
}

/// Counts a request under way while it lives.
struct Running(Arc<Inner>);

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.running.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.finished.notify_waiters();
        }
    }
}

impl Bridge {
    pub(super) fn new(endpoint: Arc<Endpoint>, mount: &str, out: mpsc::Sender<Bytes>) -> Self {
        Self {
            inner: Arc::new(Inner {
                router: crate::transport::http::router(endpoint, mount),
                mount: mount.to_owned(),
                out,
                session: Mutex::default(),
                inflight: Mutex::default(),
                running: AtomicUsize::new(0),
                finished: Notify::new(),
                closed: CancellationToken::new(),
            }),
        }
    }

    /// Serves one line, concurrently with the others.
    pub(super) fn receive(&self, line: Bytes) {
        let route = Route::read(&line);
        if let (Some("notifications/cancelled"), Some(request)) =
            (route.method.as_deref(), &route.cancels)
        {
            // Without a session, cancelling is dropping the request (as closing its HTTP
            // response is); in a session the endpoint hears the notification too.
            if let Some(call) = self.inner.lock_inflight().remove(request) {
                call.abort();
            }
        }
        let key = route.id.clone().filter(|_| route.method.is_some());
        self.inner.running.fetch_add(1, Ordering::AcqRel);
        let running = Running(self.inner.clone());
        let inner = self.inner.clone();
        let done_key = key.clone();
        let task = tokio::spawn(async move {
            let _running = running;
            inner.exchange(line, &route).await;
            if let Some(key) = done_key {
                inner.lock_inflight().remove(&key);
            }
        });
        if let Some(key) = key {
            let mut inflight = self.inner.lock_inflight();
            if task.is_finished() {
                inflight.remove(&key);
            } else {
                inflight.insert(key, task.abort_handle());
            }
        }
    }

    /// Answers a line longer than the limit, as an HTTP body over it is answered.
    pub(super) async fn too_long(&self, limit: usize) {
        let error = json!({"jsonrpc": "2.0", "id": null, "error": {
            "code": -32600,
            "message": format!("the message is longer than the {limit}-byte limit"),
        }});
        let _ = self.inner.out.send(Bytes::from(error.to_string())).await;
    }

    /// Resolves once no request is under way.
    pub(super) async fn idle(&self) {
        loop {
            let finished = self.inner.finished.notified();
            if self.inner.running.load(Ordering::Acquire) == 0 {
                return;
            }
            finished.await;
        }
    }

    /// Ends the session's notification stream.
    pub(super) fn close(&self) {
        self.inner.closed.cancel();
    }
}

impl Inner {
    fn lock_inflight(&self) -> std::sync::MutexGuard<'_, HashMap<String, AbortHandle>> {
        self.inflight.lock().expect("in-flight lock")
    }

    /// Sends one message to the endpoint and writes what comes back.
    async fn exchange(self: &Arc<Self>, line: Bytes, route: &Route) {
        let mut request = self.request(http::Method::POST);
        let method = route.method.as_deref();
        match (&route.version, method) {
            (Some(version), Some(method)) => {
                request = request
                    .header("mcp-protocol-version", version.as_str())
                    .header("mcp-method", method);
                if let Some(name) = &route.name {
                    request = request.header("mcp-name", name.as_str());
                }
            }
            _ if method == Some("initialize") => {}
            _ => request = self.in_session(request),
        }
        let request = request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(line))
            .expect("a valid request");
        let response = self.send(request).await;
        if method == Some("initialize") {
            self.initialized(response).await;
        } else {
            self.forward(response).await;
        }
    }

    /// A request with the headers every request carries.
    fn request(&self, method: http::Method) -> http::request::Builder {
        Request::builder()
            .method(method)
            .uri(&self.mount)
            .header(header::HOST, "localhost")
            .header(header::ACCEPT, "application/json, text/event-stream")
    }

    /// The 2025-era headers: the session's version and id, once known.
    fn in_session(&self, mut request: http::request::Builder) -> http::request::Builder {
        let session = self.session.lock().expect("session lock");
        let version = session
            .version
            .as_deref()
            .unwrap_or(ProtocolVersion::LATEST_LEGACY.as_str());
        request = request.header("mcp-protocol-version", version);
        if let Some(id) = &session.id {
            request = request.header("mcp-session-id", id.as_str());
        }
        request
    }

    async fn send(&self, request: Request<Body>) -> Response<Body> {
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible")
    }

    /// Keeps what `initialize` settled (the session and its version), answers, and opens the
    /// session's notification stream.
    async fn initialized(self: &Arc<Self>, response: Response<Body>) {
        let id = response
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = collect(response).await;
        let version = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["result"]["protocolVersion"].as_str().map(str::to_owned));
        {
            let mut session = self.session.lock().expect("session lock");
            session.version = version.or(session.version.take());
            if id.is_some() {
                session.id.clone_from(&id);
            }
        }
        self.write(body).await;
        if id.is_some() {
            let inner = self.clone();
            tokio::spawn(async move { inner.notifications().await });
        }
    }

    /// Forwards the session's `GET` stream (notifications not tied to a request) until the
    /// session or the bridge ends.
    async fn notifications(self: Arc<Self>) {
        let request = self
            .in_session(self.request(http::Method::GET))
            .body(Body::empty())
            .expect("a valid request");
        let response = self.send(request).await;
        if !response.status().is_success() {
            return;
        }
        tokio::select! {
            () = self.forward(response) => {}
            () = self.closed.cancelled() => {}
        }
    }

    /// Writes a response: its JSON body as one line, or each event of its stream as a line.
    async fn forward(&self, response: Response<Body>) {
        let streamed = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/event-stream"));
        if !streamed {
            self.write(collect(response).await).await;
            return;
        }
        let mut body = response.into_body();
        let mut events = EventReader::default();
        while let Some(Ok(frame)) = body.frame().await {
            let Ok(data) = frame.into_data() else {
                continue;
            };
            for event in events.feed(&data) {
                if !event.is_empty() {
                    self.write(Bytes::from(event)).await;
                }
            }
        }
    }

    async fn write(&self, line: Bytes) {
        if !line.is_empty() {
            let _ = self.out.send(line).await;
        }
    }
}

async fn collect(response: Response<Body>) -> Bytes {
    response
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default()
}
