//! One stdio client: each line is read as a JSON-RPC message, its era told by its body, and
//! served by the endpoint; what the endpoint sends back is written as lines.
//!
//! A stdio client is one client: a 2025-era client's `initialize` opens its one session (on a
//! stateful server), which lasts as long as the pipe, and a 2026-07-28 client is served
//! statelessly as over HTTP. Requests run concurrently and their lines may interleave.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::{mpsc, Notify};
use tokio::task::AbortHandle;
use tokio_util::sync::CancellationToken;

use crate::dispatch::listen::{Audience, ChangeFeed, Closing, FeedEvent};
use crate::dispatch::{Call, Outcome, Outgoing, ResponseMode};
use crate::endpoint::Endpoint;
use crate::protocol::{
    era, error_body, Era, Message, Params, ProtocolVersion, RequestId, RpcError,
};
use crate::session::{Handshake, SessionData};

/// What the reader needs of a line before the line is served: whether it is a request (and
/// its id, to cancel it by), or a cancellation (and what it cancels). Borrowed, skipping the
/// rest; the whole line is parsed by the task that serves it.
#[derive(Debug, Default)]
struct Peek {
    /// A request's id, as JSON text.
    request: Option<String>,
    /// A cancellation's `requestId`, as JSON text.
    cancels: Option<String>,
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
struct Cancelled<'a> {
    #[serde(rename = "requestId", borrow, default)]
    request_id: Option<&'a RawValue>,
}

/// An id as the in-flight table keys it: its JSON text, a string's escapes written one way
/// (`"\u0061b"` and `"ab"` are one id).
fn key(id: &RawValue) -> String {
    let raw = id.get();
    // Only a string with escapes has other spellings (the usual id is taken as it is).
    if !(raw.starts_with('"') && raw.contains('\\')) {
        return raw.to_owned();
    }
    match serde_json::from_str::<String>(raw) {
        Ok(text) => serde_json::to_string(&text).expect("a string"),
        Err(_) => raw.to_owned(),
    }
}

impl Peek {
    fn read(line: &[u8]) -> Self {
        let Ok(envelope) = serde_json::from_slice::<Envelope<'_>>(line) else {
            return Self::default();
        };
        let cancels = match envelope.method.as_deref() {
            Some("notifications/cancelled") => envelope
                .params
                .and_then(|p| serde_json::from_str::<Cancelled<'_>>(p.get()).ok())
                .and_then(|c| c.request_id)
                .map(key),
            _ => None,
        };
        Self {
            request: envelope.id.filter(|_| envelope.method.is_some()).map(key),
            cancels,
        }
    }
}

/// One client on a pair of streams.
pub(super) struct Connection {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Arc<Endpoint>,
    out: mpsc::Sender<Bytes>,
    /// What a 2025-era `initialize` settled.
    legacy: Mutex<Legacy>,
    /// Requests under way, by JSON id: a client cancels one by naming it. Each is tagged
    /// with a number of its own, so that a request ending removes its own entry only (a
    /// client may reuse an id); its handle is set once its task is spawned.
    inflight: Mutex<HashMap<String, Vec<InFlight>>>,
    /// The next request's tag.
    tags: AtomicU64,
    running: AtomicUsize,
    finished: Notify,
    /// Cancelled when the input ends: the session's notifications stop.
    closed: CancellationToken,
    /// Cancelled when the grace period is over: what still runs is dropped.
    stopped: CancellationToken,
}

/// A 2025-era client's state on this connection.
#[derive(Default)]
struct Legacy {
    /// The version `initialize` settled on.
    version: Option<ProtocolVersion>,
    /// The session, on a stateful server.
    session: Option<Arc<SessionData>>,
}

/// A request under way: its tag, and its task once spawned.
type InFlight = (u64, Option<AbortHandle>);

/// Counts a request under way while it lives.
struct Running(Arc<Inner>);

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.running.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.finished.notify_waiters();
        }
    }
}

impl Connection {
    pub(super) fn new(endpoint: Arc<Endpoint>, out: mpsc::Sender<Bytes>) -> Self {
        Self {
            inner: Arc::new(Inner {
                endpoint,
                out,
                legacy: Mutex::default(),
                inflight: Mutex::default(),
                tags: AtomicU64::new(0),
                running: AtomicUsize::new(0),
                finished: Notify::new(),
                closed: CancellationToken::new(),
                stopped: CancellationToken::new(),
            }),
        }
    }

    /// Serves one line, concurrently with the others.
    pub(super) fn receive(&self, line: Bytes) {
        let peek = Peek::read(&line);
        if let Some(request) = &peek.cancels {
            // Outside a session, cancelling is dropping the request (as closing its HTTP
            // response is); a session's call hears the notification too. Ids are meant to be
            // unique; a client that reused one cancels every request under way that bears it.
            for (_, call) in self
                .inner
                .lock_inflight()
                .remove(request)
                .unwrap_or_default()
            {
                if let Some(call) = call {
                    call.abort();
                }
            }
        }
        let tag = peek.request.map(|key| {
            let mine = self.inner.tags.fetch_add(1, Ordering::Relaxed);
            let mut inflight = self.inner.lock_inflight();
            inflight.entry(key.clone()).or_default().push((mine, None));
            (key, mine)
        });
        self.inner.running.fetch_add(1, Ordering::AcqRel);
        let running = Running(self.inner.clone());
        let inner = self.inner.clone();
        let done = tag.clone();
        let task = tokio::spawn(async move {
            let _running = running;
            tokio::select! {
                () = inner.serve(line) => {}
                () = inner.stopped.cancelled() => return,
            }
            if let Some((key, mine)) = done {
                inner.forget(&key, mine);
            }
        });
        if let Some((key, mine)) = tag {
            let mut inflight = self.inner.lock_inflight();
            let mine = inflight
                .get_mut(&key)
                .and_then(|calls| calls.iter_mut().find(|(tag, _)| *tag == mine));
            if let Some((_, handle)) = mine {
                *handle = Some(task.abort_handle());
            }
        }
    }

    /// Answers a line longer than the limit, as an HTTP body over it is answered.
    pub(super) async fn too_long(&self, limit: usize) {
        let error =
            RpcError::invalid_request(format!("the message is longer than the {limit}-byte limit"));
        self.inner.write(error_body(None, &error).into()).await;
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

    /// The input ended: the session's notifications stop (the calls under way go on).
    pub(super) fn input_ended(&self) {
        self.inner.closed.cancel();
    }

    /// The grace period is over: what still runs is dropped, and the session ends.
    pub(super) fn stop(&self) {
        self.inner.stopped.cancel();
        if let Some(session) = self.inner.lock_legacy().session.take() {
            session.close();
        }
    }
}

impl Inner {
    fn lock_inflight(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<InFlight>>> {
        self.inflight.lock().expect("in-flight lock")
    }

    /// Removes the request tagged `tag` from the requests under way with the id `key`.
    fn forget(&self, key: &str, tag: u64) {
        let mut inflight = self.lock_inflight();
        if let Some(calls) = inflight.get_mut(key) {
            calls.retain(|(t, _)| *t != tag);
            if calls.is_empty() {
                inflight.remove(key);
            }
        }
    }

    fn lock_legacy(&self) -> std::sync::MutexGuard<'_, Legacy> {
        self.legacy.lock().expect("legacy lock")
    }

    /// Serves one line and writes what comes back.
    async fn serve(self: &Arc<Self>, line: Bytes) {
        let size = line.len();
        let message = match crate::offload::cpu_bound(size, || Message::parse(&line)) {
            Ok(message) => message,
            Err(e) => {
                return self
                    .write(error_body(e.id_for(&line).as_ref(), &e).into())
                    .await
            }
        };
        let Some(method) = message.method.as_deref() else {
            // A response to a question the server asked: the call waiting for it goes on.
            let session = self.lock_legacy().session.clone();
            if let (Some(session), Some(id)) = (session, &message.id) {
                // A stdio session is this process's alone: the answer is delivered here.
                let _ = session.answer(id.as_json(), &message).await;
            }
            return;
        };
        let id = message.id.as_ref();
        let answer = async {
            let params = message.params.as_ref().map_err(Clone::clone)?;
            let version = self.version(params)?;
            let session = match version.era() {
                Era::Modern => None,
                Era::Legacy if method == "initialize" && id.is_some() => {
                    self.initialize(params, size)?
                }
                Era::Legacy => self.lock_legacy().session.clone(),
            };
            let call = Call {
                id,
                method,
                params,
                version,
                framing: ResponseMode::Auto,
                session: session.clone(),
                principal: None,
                peer: None,
                size,
                request: crate::extract::RequestParts::new().local(),
            };
            let span = crate::trace::request_span(
                crate::trace::Transport::Pipe,
                method,
                version,
                id,
                None,
                params,
            );
            let outcome = if span.is_disabled() {
                self.endpoint.dispatch(call).await
            } else {
                crate::trace::traced(span, self.endpoint.dispatch(call)).await
            };
            Ok::<_, RpcError>((outcome, session))
        };
        match answer.await {
            Ok((outcome, session)) => {
                self.write_outcome(id, outcome).await;
                if method == "initialize" {
                    if let Some(session) = session {
                        self.notify_session(&session);
                    }
                }
            }
            Err(e) if id.is_some() => self.write(error_body(id, &e).into()).await,
            Err(_) => {}
        }
    }

    /// The revision a request is served under: the one its `_meta` names, else the one the
    /// client's `initialize` settled on (the newest 2025 revision before one did).
    fn version(&self, params: &Params<'_>) -> Result<ProtocolVersion, RpcError> {
        Ok(match era::requested(params)? {
            Some(version) => version,
            None => self
                .lock_legacy()
                .version
                .unwrap_or(ProtocolVersion::LATEST_LEGACY),
        })
    }

    /// Keeps what `initialize` settles; on a stateful server, opens the client's session (an
    /// earlier one ends).
    fn initialize(
        &self,
        params: &Params<'_>,
        size: usize,
    ) -> Result<Option<Arc<SessionData>>, RpcError> {
        let handshake = Handshake::read(params, size)?;
        let mut legacy = self.lock_legacy();
        legacy.version = Some(handshake.version);
        let session = self
            .endpoint
            .sessions
            .is_some()
            .then(|| Arc::new(SessionData::opened(handshake)));
        if let Some(earlier) = std::mem::replace(&mut legacy.session, session.clone()) {
            earlier.close();
        }
        Ok(session)
    }

    /// Writes the session's notifications not tied to a request (list changes, updates of
    /// subscribed resources) until the session, the input or the server ends.
    fn notify_session(self: &Arc<Self>, session: &Arc<SessionData>) {
        if !self.endpoint.changes {
            return;
        }
        let feed = ChangeFeed::new(
            &self.endpoint.notifier,
            Audience::Session(Arc::downgrade(session)),
            None,
            self.endpoint.shutdown.clone(),
            None,
            (),
        );
        let inner = self.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = inner.write_feed(feed) => {}
                () = inner.closed.cancelled() => {}
            }
        });
    }

    async fn write_outcome(&self, id: Option<&RequestId>, outcome: Outcome) {
        match outcome {
            Outcome::Reply(body) => self.write(body.into()).await,
            Outcome::Error(e) => self.write(error_body(id, &e).into()).await,
            Outcome::Accepted => {}
            Outcome::Stream(stream) => {
                // A pause means nothing on a pipe: the client stays, and the call's messages
                // go on coming on it.
                let mut messages = stream.messages;
                while let Some(message) = messages.next().await {
                    if let Outgoing::Message(json) = message {
                        self.write(json).await;
                    }
                }
            }
            Outcome::Feed(feed) => self.write_feed(feed).await,
        }
    }

    /// Writes a feed's messages until it ends (a listen stream with its closing result).
    async fn write_feed(&self, mut feed: ChangeFeed) {
        loop {
            match feed.next().await {
                FeedEvent::Message(json) => self.write(json).await,
                FeedEvent::Closing(Closing::Result(json)) => return self.write(json).await,
                FeedEvent::Closing(Closing::Retry(_)) | FeedEvent::End => return,
            }
        }
    }

    async fn write(&self, line: Bytes) {
        if !line.is_empty() {
            let _ = self.out.send(line).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peek_reads_requests_and_cancellations_only() {
        let request = Peek::read(br#"{"jsonrpc":"2.0","id":7,"method":"tools/call"}"#);
        assert_eq!(request.request.as_deref(), Some("7"));
        assert!(request.cancels.is_none());
        let cancel = Peek::read(
            br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"a"}}"#,
        );
        assert_eq!(cancel.cancels.as_deref(), Some(r#""a""#));
        assert!(cancel.request.is_none());
        // One id, however its string is escaped.
        let escaped = Peek::read(br#"{"jsonrpc":"2.0","id":"\u0061b","method":"ping"}"#);
        assert_eq!(escaped.request.as_deref(), Some(r#""ab""#));
        let response = Peek::read(br#"{"jsonrpc":"2.0","id":1,"result":{}}"#);
        assert!(response.request.is_none());
        assert!(Peek::read(b"not json").request.is_none());
    }
}
