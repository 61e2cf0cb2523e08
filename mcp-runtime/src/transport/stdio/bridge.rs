//! One stdio client's exchanges with the endpoint: each line becomes an in-process request
//! with the headers its era needs, and what the endpoint answers becomes lines.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::Router;
use bytes::Bytes;
use http::{header, Request, Response};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};
use tokio::task::AbortHandle;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::endpoint::Endpoint;
use crate::protocol::ProtocolVersion;
use crate::transport::http::reader::EventReader;

/// The protocol version key of a 2026-07-28 request's `_meta`.
const VERSION_META: &str = "io.modelcontextprotocol/protocolVersion";

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
        let parsed: Option<Value> = serde_json::from_slice(&line).ok();
        let method = parsed
            .as_ref()
            .and_then(|m| m.get("method"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        if method.as_deref() == Some("notifications/cancelled") {
            // Without a session, cancelling is dropping the request (as closing its HTTP
            // response is); in a session the endpoint hears the notification too.
            if let Some(request) = parsed.as_ref().and_then(|m| m["params"].get("requestId")) {
                if let Some(call) = self.inner.lock_inflight().remove(&request.to_string()) {
                    call.abort();
                }
            }
        }
        let key = parsed
            .as_ref()
            .filter(|_| method.is_some())
            .and_then(|m| m.get("id"))
            .map(Value::to_string);
        self.inner.running.fetch_add(1, Ordering::AcqRel);
        let running = Running(self.inner.clone());
        let inner = self.inner.clone();
        let done_key = key.clone();
        let task = tokio::spawn(async move {
            let _running = running;
            inner
                .exchange(line, parsed.as_ref(), method.as_deref())
                .await;
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
    async fn exchange(
        self: &Arc<Self>,
        line: Bytes,
        message: Option<&Value>,
        method: Option<&str>,
    ) {
        let mut request = self.request(http::Method::POST);
        let modern = message
            .and_then(|m| m["params"]["_meta"].get(VERSION_META))
            .and_then(Value::as_str);
        match (modern, method) {
            (Some(version), Some(method)) => {
                request = request
                    .header("mcp-protocol-version", version)
                    .header("mcp-method", method);
                let params = &message.expect("a method comes from a message")["params"];
                let name = params.get("name").or_else(|| params.get("uri"));
                if let Some(name) = name.and_then(Value::as_str) {
                    request = request.header("mcp-name", name);
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
