//! Legacy (2025-era) protocol sessions: created by `initialize` on a stateful server, named by
//! `Mcp-Session-Id`, ended by `DELETE` or idle expiry.

#[cfg(feature = "redis")]
mod shared;
mod store;
mod values;

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;
use serde_json::value::RawValue;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

#[cfg(feature = "redis")]
pub(crate) use shared::{SessionEvent, Shared};
pub use store::{MemoryStore, SessionStore};
pub use values::{SessionError, MAX_VALUE_SIZE};

use std::sync::OnceLock;

use crate::extract::{ArgumentError, CallContext, FromCall, LogLevel, Needs, Param};
use crate::protocol::{ClientCapabilities, ErrorCode, Implementation, ProtocolVersion, RpcError};
use crate::quota::{ClientKey, Quota};
use crate::schema::InputSchema;

pub use crate::auth::Principal;

/// The limits of a stateful server's sessions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionLimits {
    /// A session idle this long ends.
    pub(crate) idle_timeout: Duration,
    /// A session that made no request after `initialize` ends this long after it began.
    pub(crate) unused_timeout: Duration,
    /// The most sessions open at once.
    pub(crate) max_sessions: usize,
    /// The most sessions one client (principal, else peer address) holds at once.
    pub(crate) per_client: usize,
    /// The most calls one session has in flight.
    pub(crate) calls_per_session: usize,
    /// The most resources one session subscribes to.
    pub(crate) subscriptions_per_session: usize,
}

/// How long an unused session is spared when the server is full and needs its place.
const UNUSED_GRACE: Duration = Duration::from_secs(10);

/// How often the estimate behind `Retry-After` is computed again (it scans every session).
const ESTIMATE_EVERY: Duration = Duration::from_secs(1);

/// The sessions of a stateful server: its store and limits.
#[derive(Debug)]
pub(crate) struct Sessions {
    store: Box<dyn SessionStore>,
    limits: SessionLimits,
    quota: Quota,
    reaper: OnceLock<()>,
    /// When a place frees up, as last estimated.
    estimate: Mutex<Option<Estimate>>,
    /// Where the sessions of all the server's processes are kept, when they share a store.
    #[cfg(feature = "redis")]
    shared: Option<crate::store::RedisStore>,
}

/// When the next session of the whole server, and of each client, will end unless used.
#[derive(Debug)]
struct Estimate {
    made: Instant,
    any: Duration,
    by_client: HashMap<ClientKey, Duration>,
}

/// Why a session could not be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionRefusal {
    /// The request names no session.
    Missing,
    /// No such session (never, expired, or deleted).
    Unknown,
    /// The server holds as many sessions as it may; one ends within this time at the latest
    /// unless it is used.
    Full(Duration),
    /// This client holds as many sessions as one client may; one of them ends within this time
    /// unless it is used (or sooner, when the client deletes one).
    Quota(Duration),
    /// An `initialize` that names a session: sessions are initialized once.
    AlreadyInitialized,
    /// The store the server's processes share sessions through cannot be reached now.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    StoreUnavailable,
}

impl SessionRefusal {
    /// The error a client gets for it (with `Retry-After` where waiting helps).
    pub(crate) fn error(self) -> RpcError {
        let (status, code, message) = match self {
            SessionRefusal::Missing => (
                http::StatusCode::BAD_REQUEST,
                ErrorCode::INVALID_REQUEST,
                "Bad Request: this server keeps sessions; send the Mcp-Session-Id from initialize",
            ),
            SessionRefusal::Unknown => (
                http::StatusCode::NOT_FOUND,
                ErrorCode::SESSION_NOT_FOUND,
                "Session not found: it expired or was deleted; initialize a new one",
            ),
            SessionRefusal::Full(_) => (
                http::StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::INTERNAL_ERROR,
                "the server holds as many sessions as it may; retry later",
            ),
            SessionRefusal::Quota(_) => (
                http::StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::INTERNAL_ERROR,
                "this client holds as many sessions as one client may; end one (DELETE) or retry \
                 later",
            ),
            SessionRefusal::AlreadyInitialized => (
                http::StatusCode::BAD_REQUEST,
                ErrorCode::INVALID_REQUEST,
                "Bad Request: this session is already initialized; a new session starts with an \
                 initialize request that carries no Mcp-Session-Id",
            ),
            SessionRefusal::StoreUnavailable => (
                http::StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::INTERNAL_ERROR,
                "the store this server keeps sessions in cannot be reached; retry later",
            ),
        };
        let mut error = RpcError::new(code, message).with_status(status);
        match self {
            SessionRefusal::Full(after) | SessionRefusal::Quota(after) => {
                error = error.with_retry_after(after);
            }
            SessionRefusal::StoreUnavailable => {
                error = error.with_retry_after(std::time::Duration::from_secs(5));
            }
            _ => {}
        }
        error
    }
}

/// Why a session cannot start another call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallRefusal {
    /// The session has as many calls in flight as it may.
    Busy(usize),
    /// A call with the same request id is in flight.
    DuplicateId,
}

impl Sessions {
    pub(crate) fn new(store: Box<dyn SessionStore>, limits: SessionLimits) -> Self {
        Self {
            store,
            limits,
            quota: Quota::new(limits.per_client),
            reaper: OnceLock::new(),
            estimate: Mutex::new(None),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// Shares the sessions with the server's other processes through `store`.
    #[cfg(feature = "redis")]
    pub(crate) fn shared_through(mut self, store: crate::store::RedisStore) -> Self {
        self.shared = Some(store);
        self
    }

    /// Opens a session for an `initialize` request, kept where every process of the server
    /// finds it.
    pub(crate) async fn open_shared(
        self: &Arc<Self>,
        principal: Option<&Principal>,
        client: Option<ClientKey>,
        handshake: Handshake,
    ) -> Result<Arc<SessionData>, SessionRefusal> {
        #[cfg(feature = "redis")]
        if let Some(store) = &self.shared {
            return self.open_on(store, principal, client, handshake).await;
        }
        self.open(principal, client, handshake)
    }

    /// The session a request names, from this process or, when sessions are shared, from the
    /// process that opened it.
    pub(crate) async fn find_shared(
        self: &Arc<Self>,
        id: Option<&str>,
        principal: Option<&Principal>,
    ) -> Result<Arc<SessionData>, SessionRefusal> {
        #[cfg(feature = "redis")]
        if let Some(store) = &self.shared {
            return self.find_on(store, id, principal).await;
        }
        self.find(id, principal)
    }

    /// Ends a session (`DELETE`) on every process of the server.
    pub(crate) async fn delete(&self, session: &SessionData) -> Result<(), SessionRefusal> {
        self.close_here(&session.id);
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            let client = session.shared().and_then(|s| s.client.as_deref());
            shared
                .end_session(&session.id, client)
                .await
                .map_err(|_| SessionRefusal::StoreUnavailable)?;
        }
        Ok(())
    }

    /// A copy of a session, with the server's limits (and shared, when the server's processes
    /// share sessions).
    #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
    fn session(
        &self,
        handshake: Handshake,
        principal: Option<&Principal>,
        client: Option<Box<str>>,
    ) -> SessionData {
        #[allow(unused_mut)]
        let mut session = SessionData::opened(handshake);
        session.principal = principal.cloned();
        session.calls_cap = self.limits.calls_per_session;
        session.subscriptions_cap = self.limits.subscriptions_per_session;
        #[cfg(feature = "redis")]
        self.share(&mut session, client);
        session
    }

    /// Starts the task that ends idle sessions (once, from inside the runtime).
    fn start_reaper(self: &Arc<Self>) {
        self.reaper.get_or_init(|| {
            let sessions = Arc::downgrade(self);
            let shortest = self.limits.idle_timeout.min(self.limits.unused_timeout);
            let period = (shortest / 4).clamp(Duration::from_millis(100), Duration::from_secs(60));
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(period);
                loop {
                    tick.tick().await;
                    let Some(sessions) = sessions.upgrade() else {
                        return;
                    };
                    sessions.reap();
                    // The shared count forgets sessions that expired on every process.
                    #[cfg(feature = "redis")]
                    if let Some(store) = &sessions.shared {
                        store.forget_expired().await;
                    }
                }
            });
        });
    }

    /// How long until `session` ends unless it is used.
    fn remaining(&self, session: &SessionData) -> Duration {
        let idle = self.limits.idle_timeout.saturating_sub(session.idle());
        if session.used() {
            idle
        } else {
            idle.min(self.limits.unused_timeout.saturating_sub(session.age()))
        }
    }

    /// Ends one session that the store already removed.
    fn ended(&self, session: &SessionData) {
        session.close();
        self.quota.give_back(session.owner.as_ref());
    }

    /// Ends every session for which `end` is true.
    fn end_where(&self, end: impl Fn(&SessionData) -> bool) -> usize {
        self.store.remove_where(&|s| {
            let ends = end(s);
            if ends {
                self.ended(s);
            }
            ends
        })
    }

    /// Ends every session idle for longer than the idle timeout, or unused for longer than the
    /// unused timeout.
    pub(crate) fn reap(&self) -> usize {
        self.end_where(|s| self.remaining(s).is_zero())
    }

    /// Ends sessions that made no request since `initialize` and are older than `grace`, to
    /// make room.
    fn evict_unused(&self, grace: Duration) -> usize {
        self.end_where(|s| !s.used() && s.age() > grace)
    }

    /// When places free up, scanning the sessions at most once a second.
    fn retry_after(&self, client: Option<&ClientKey>) -> Duration {
        let mut estimate = self.estimate.lock().expect("estimate lock");
        let stale = estimate
            .as_ref()
            .is_none_or(|e| e.made.elapsed() >= ESTIMATE_EVERY);
        if stale {
            // The store visits through a shared `Fn`: the tallies are cells, not locks.
            let by_client = RefCell::new(HashMap::<ClientKey, Duration>::new());
            let any = Cell::new(self.limits.idle_timeout);
            self.store.for_each(&|s| {
                let left = self.remaining(s);
                any.set(any.get().min(left));
                if let Some(owner) = &s.owner {
                    let mut by_client = by_client.borrow_mut();
                    let entry = by_client.entry(owner.clone()).or_insert(left);
                    *entry = (*entry).min(left);
                }
            });
            *estimate = Some(Estimate {
                made: Instant::now(),
                any: any.get(),
                by_client: by_client.into_inner(),
            });
        }
        let estimate = estimate.as_ref().expect("estimated above");
        let left = client
            .and_then(|c| estimate.by_client.get(c))
            .copied()
            .unwrap_or(estimate.any);
        // What passed since the estimate was made counts.
        left.saturating_sub(estimate.made.elapsed())
            .max(Duration::from_secs(1))
    }

    /// Opens a session for an `initialize` request.
    pub(crate) fn open(
        self: &Arc<Self>,
        principal: Option<&Principal>,
        client: Option<ClientKey>,
        handshake: Handshake,
    ) -> Result<Arc<SessionData>, SessionRefusal> {
        self.start_reaper();
        if !self.quota.take(client.as_ref()) {
            // A client at its quota may still get a place its own unused sessions held.
            self.reap();
            if !self.quota.take(client.as_ref()) {
                return Err(SessionRefusal::Quota(self.retry_after(client.as_ref())));
            }
        }
        if self.store.len() >= self.limits.max_sessions {
            self.reap();
            if self.store.len() >= self.limits.max_sessions {
                self.evict_unused(UNUSED_GRACE);
            }
            if self.store.len() >= self.limits.max_sessions {
                self.quota.give_back(client.as_ref());
                return Err(SessionRefusal::Full(self.retry_after(None)));
            }
        }
        #[cfg(feature = "redis")]
        let shared_client = client.as_ref().map(|c| c.as_text().into_boxed_str());
        #[cfg(not(feature = "redis"))]
        let shared_client = None;
        let mut session = self.session(handshake, principal, shared_client);
        session.owner = client;
        let session = Arc::new(session);
        session.touch();
        self.store.insert(session.clone());
        Ok(session)
    }

    /// The session a request names.
    pub(crate) fn find(
        &self,
        id: Option<&str>,
        principal: Option<&Principal>,
    ) -> Result<Arc<SessionData>, SessionRefusal> {
        let id = id.ok_or(SessionRefusal::Missing)?;
        let session = self.store.get(id).ok_or(SessionRefusal::Unknown)?;
        if session.principal.as_ref() != principal {
            return Err(SessionRefusal::Unknown);
        }
        if self.remaining(&session).is_zero() {
            self.close_here(id);
            return Err(SessionRefusal::Unknown);
        }
        session.touch();
        Ok(session)
    }

    /// Ends a session in this process.
    pub(crate) fn close_here(&self, id: &str) -> bool {
        self.store.remove(id).map(|s| self.ended(&s)).is_some()
    }
}

/// A fresh session id: 160 random bits from the OS, URL-safe base64 (visible ASCII).
pub(crate) fn new_id() -> Box<str> {
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(bytes)
        .into_boxed_str()
}

/// What a 2025-era `initialize` request settles for the session it opens, whatever the
/// transport.
#[derive(Debug)]
pub(crate) struct Handshake {
    pub(crate) version: ProtocolVersion,
    pub(crate) client_info: Option<Implementation>,
    pub(crate) capabilities: ClientCapabilities,
}

impl Handshake {
    /// Reads an `initialize` request of `size` bytes: only what the server uses is kept (a few
    /// flags and a few short strings).
    pub(crate) fn read(
        params: &crate::protocol::Params<'_>,
        size: usize,
    ) -> Result<Self, RpcError> {
        let capabilities = crate::offload::cpu_bound(size, || {
            ClientCapabilities::from_raw(params.capabilities.map(RawValue::get))
        })?;
        Ok(Self {
            version: crate::endpoint::Endpoint::negotiate(params),
            client_info: crate::protocol::client_info(params.client_info),
            capabilities,
        })
    }
}

/// A client's response to a server-to-client request, as the waiting call sees it: the result
/// kept as the text the client sent (the handler reads it into its own type), or the error.
fn answer(message: &crate::protocol::Message<'_>) -> Answer {
    answer_of(message.result.map(ToOwned::to_owned), wire_error(message))
}

/// A response's `error`, as JSON.
fn wire_error(message: &crate::protocol::Message<'_>) -> Option<serde_json::Value> {
    message
        .error
        .map(|e| serde_json::from_str(e.get()).unwrap_or_default())
}

/// The answer a response's `result` and `error` make, wherever they were read.
fn answer_of(result: Option<Box<RawValue>>, error: Option<serde_json::Value>) -> Answer {
    match error {
        Some(error) => Err(RpcError::from_json(&error)),
        None => {
            Ok(result
                .unwrap_or_else(|| RawValue::from_string("null".into()).expect("null is JSON")))
        }
    }
}

/// What a server-to-client request's answer is: the client's `result`, kept as the JSON text it
/// sent until the handler reads it into its own type, or its `error`.
pub(crate) type Answer = Result<Box<RawValue>, RpcError>;

/// The server side of one legacy session.
pub struct SessionData {
    pub(crate) id: Box<str>,
    /// Who opened the session.
    pub(crate) principal: Option<Principal>,
    /// Whose quota the session counts against.
    owner: Option<ClientKey>,
    pub(crate) version: ProtocolVersion,
    pub(crate) client_info: Option<Implementation>,
    pub(crate) client_capabilities: ClientCapabilities,
    /// `LogLevel as u8`, set by `logging/setLevel`.
    log_level: AtomicU8,
    /// Milliseconds since `epoch` of the last request.
    last_seen: AtomicU64,
    /// When the session began.
    epoch: Instant,
    /// Whether the client made a request besides `initialize` and its notification.
    used: AtomicBool,
    next_request: AtomicI64,
    /// Server-to-client requests waiting for the client's response, by request id.
    pending: Mutex<HashMap<i64, oneshot::Sender<Answer>>>,
    /// Requests in flight, by JSON id, for `notifications/cancelled`.
    in_flight: Mutex<HashMap<Box<str>, CancellationToken>>,
    calls_cap: usize,
    subscriptions: Mutex<HashSet<String>>,
    subscriptions_cap: usize,
    values: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
    /// Values set with `Session::set`, as JSON by type name (when not shared).
    saved: Mutex<HashMap<&'static str, Box<str>>>,
    /// Where the session is kept for every process of the server, when it is.
    #[cfg(feature = "redis")]
    shared: Option<shared::Shared>,
    /// When this copy last renewed the shared session (see `shared::renewal_window`).
    #[cfg(feature = "redis")]
    renewed: AtomicU64,
    /// The logs of the session's resumable streams (over HTTP, the transport that resumes).
    pub(crate) streams: Mutex<crate::transport::http::resumable::Streams>,
    /// Whether the session's GET stream is open.
    standalone: Arc<std::sync::atomic::AtomicBool>,
    /// Cancelled when the session ends: its streams end with it.
    ended: CancellationToken,
}

/// Marks a session's GET stream closed when the stream ends.
#[derive(Debug)]
pub(crate) struct StandaloneGuard(Arc<std::sync::atomic::AtomicBool>);

impl Drop for StandaloneGuard {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// A server-to-client request waiting for its answer; forgotten by the session when dropped
/// (answered, timed out, or abandoned with the call that made it).
#[derive(Debug)]
pub(crate) struct Outbound<'s> {
    session: &'s SessionData,
    /// The request's id.
    pub(crate) id: i64,
    /// Where the answer arrives.
    pub(crate) answer: oneshot::Receiver<Answer>,
}

impl Drop for Outbound<'_> {
    fn drop(&mut self) {
        self.session.forget(self.id);
    }
}

impl std::fmt::Debug for SessionData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionData")
            .field("id", &self.id)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

const LEVELS: [LogLevel; 8] = [
    LogLevel::Debug,
    LogLevel::Info,
    LogLevel::Notice,
    LogLevel::Warning,
    LogLevel::Error,
    LogLevel::Critical,
    LogLevel::Alert,
    LogLevel::Emergency,
];

/// The longest resource URI a session subscribes to.
pub const MAX_SUBSCRIPTION_URI: usize = crate::notifier::MAX_URI_LEN;

impl SessionData {
    pub(crate) fn new(
        version: ProtocolVersion,
        client_info: Option<Implementation>,
        client_capabilities: ClientCapabilities,
    ) -> Self {
        Self {
            id: new_id(),
            principal: None,
            owner: None,
            version,
            client_info,
            client_capabilities,
            log_level: AtomicU8::new(LogLevel::Info as u8),
            last_seen: AtomicU64::new(0),
            epoch: Instant::now(),
            used: AtomicBool::new(false),
            next_request: AtomicI64::new(1),
            pending: Mutex::default(),
            in_flight: Mutex::default(),
            calls_cap: usize::MAX,
            subscriptions: Mutex::default(),
            subscriptions_cap: usize::MAX,
            values: Mutex::default(),
            saved: Mutex::default(),
            #[cfg(feature = "redis")]
            shared: None,
            #[cfg(feature = "redis")]
            renewed: AtomicU64::new(0),
            streams: Mutex::default(),
            standalone: Arc::default(),
            ended: CancellationToken::new(),
        }
    }

    /// The session an `initialize` request opens.
    pub(crate) fn opened(handshake: Handshake) -> Self {
        Self::new(
            handshake.version,
            handshake.client_info,
            handshake.capabilities,
        )
    }

    /// Marks the session used now.
    pub(crate) fn touch(&self) {
        let now = self.epoch.elapsed().as_millis() as u64;
        self.last_seen.store(now, Ordering::Relaxed);
    }

    /// Marks that the client made a request besides `initialize`.
    pub(crate) fn mark_used(&self) {
        if !self.used.load(Ordering::Relaxed) {
            self.used.store(true, Ordering::Relaxed);
        }
    }

    fn used(&self) -> bool {
        self.used.load(Ordering::Relaxed)
    }

    /// How long since the session began.
    fn age(&self) -> Duration {
        self.epoch.elapsed()
    }

    /// How long since the last request.
    pub(crate) fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_seen.load(Ordering::Relaxed));
        self.epoch.elapsed().saturating_sub(last)
    }

    /// Cancelled when the session ends.
    pub(crate) fn ended(&self) -> &CancellationToken {
        &self.ended
    }

    pub(crate) fn log_level(&self) -> LogLevel {
        LEVELS[usize::from(self.log_level.load(Ordering::Relaxed)).min(LEVELS.len() - 1)]
    }

    pub(crate) fn set_log_level(&self, level: LogLevel) {
        self.log_level.store(level as u8, Ordering::Relaxed);
    }

    /// Subscribes to a resource's updates (`resources/subscribe`).
    pub(crate) fn subscribe(&self, uri: &str) -> Result<(), RpcError> {
        if uri.len() > MAX_SUBSCRIPTION_URI {
            return Err(RpcError::invalid_params(format!(
                "a subscribed URI may be at most {MAX_SUBSCRIPTION_URI} bytes long"
            )));
        }
        let mut subscriptions = self.subscriptions.lock().expect("subscriptions lock");
        if subscriptions.len() >= self.subscriptions_cap && !subscriptions.contains(uri) {
            return Err(RpcError::invalid_params(format!(
                "this session subscribes to {} resources, as many as one session may; \
                 unsubscribe from one first",
                self.subscriptions_cap
            )));
        }
        subscriptions.insert(uri.to_owned());
        Ok(())
    }

    /// Subscribes to a resource another process subscribed the session to (its cap was
    /// checked there).
    #[cfg(feature = "redis")]
    fn follow(&self, uri: String) {
        self.subscriptions
            .lock()
            .expect("subscriptions lock")
            .insert(uri);
    }

    /// `logging/setLevel`, for every process serving the session.
    pub(crate) async fn change_log_level(&self, level: LogLevel) -> Result<(), RpcError> {
        self.set_log_level(level);
        #[cfg(feature = "redis")]
        self.record(SessionEvent::Level(level)).await?;
        Ok(())
    }

    /// Records a change of the session's settings for every process serving it (when it is
    /// shared).
    #[cfg(feature = "redis")]
    async fn record(&self, change: SessionEvent) -> Result<(), RpcError> {
        if let Some(shared) = &self.shared {
            shared
                .store
                .update_session(&self.id, change, shared.ttl)
                .await
                .map_err(|_| SessionRefusal::StoreUnavailable.error())?;
        }
        Ok(())
    }

    /// `resources/subscribe` (or, `subscribe` false, `resources/unsubscribe`), for every
    /// process serving the session.
    pub(crate) async fn change_subscription(
        &self,
        uri: &str,
        subscribe: bool,
    ) -> Result<(), RpcError> {
        if subscribe {
            self.subscribe(uri)?;
        } else {
            self.unsubscribe(uri);
        }
        #[cfg(feature = "redis")]
        self.record(match subscribe {
            true => SessionEvent::Subscribed(uri.to_owned()),
            false => SessionEvent::Unsubscribed(uri.to_owned()),
        })
        .await?;
        Ok(())
    }

    /// Delivers the client's response to a server-to-client request: to the call waiting for
    /// it here or, when the session is shared, on the process that asked.
    pub(crate) async fn answer(
        &self,
        id: &str,
        message: &crate::protocol::Message<'_>,
    ) -> Result<(), SessionRefusal> {
        if self.respond(id, answer(message)) {
            return Ok(());
        }
        #[cfg(feature = "redis")]
        if let (Some(shared), Ok(request)) = (&self.shared, id.parse::<i64>()) {
            let event = SessionEvent::Answer {
                request,
                result: message.result.map(ToOwned::to_owned),
                error: wire_error(message),
            };
            shared
                .store
                .tell_session(&self.id, event)
                .await
                .map_err(|_| SessionRefusal::StoreUnavailable)?;
        }
        Ok(())
    }

    /// `notifications/cancelled`: cancels the call with this JSON-RPC id, here or, when the
    /// session is shared, on the process running it.
    pub(crate) async fn cancel(&self, request: &str) {
        let here = self.cancel_request(request);
        #[cfg(feature = "redis")]
        if let (false, Some(shared)) = (here, &self.shared) {
            let event = SessionEvent::Cancel(request.to_owned());
            let _ = shared.store.tell_session(&self.id, event).await;
        }
        #[cfg(not(feature = "redis"))]
        let _ = here;
    }

    /// Ends a subscription (`resources/unsubscribe`).
    pub(crate) fn unsubscribe(&self, uri: &str) {
        self.subscriptions
            .lock()
            .expect("subscriptions lock")
            .remove(uri);
    }

    /// Whether the session subscribes to `uri`.
    pub(crate) fn subscribes(&self, uri: &str) -> bool {
        self.subscriptions
            .lock()
            .expect("subscriptions lock")
            .contains(uri)
    }

    /// Opens the session's GET stream, unless it is open already.
    pub(crate) fn open_standalone(&self) -> Option<StandaloneGuard> {
        self.standalone
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| StandaloneGuard(self.standalone.clone()))
    }

    /// Registers a server-to-client request: its id, and where its answer arrives.
    pub(crate) fn outbound(&self) -> Outbound<'_> {
        let id = self.next_request.fetch_add(1, Ordering::Relaxed);
        let (sender, answer) = oneshot::channel();
        self.pending
            .lock()
            .expect("pending lock")
            .insert(id, sender);
        Outbound {
            session: self,
            id,
            answer,
        }
    }

    /// Forgets an outbound request that will not be answered.
    fn forget(&self, id: i64) {
        self.pending.lock().expect("pending lock").remove(&id);
    }

    /// Delivers the client's response to a server-to-client request; `false` if none waits.
    pub(crate) fn respond(&self, id: &str, response: Answer) -> bool {
        let Ok(id) = id.parse::<i64>() else {
            return false;
        };
        let waiting = self.pending.lock().expect("pending lock").remove(&id);
        waiting.is_some_and(|sender| sender.send(response).is_ok())
    }

    /// Registers a call in flight, unless the session has as many as it may or one with the
    /// same id.
    pub(crate) fn start_request(
        &self,
        id: &str,
        token: CancellationToken,
    ) -> Result<(), CallRefusal> {
        let mut in_flight = self.in_flight.lock().expect("in-flight lock");
        if in_flight.contains_key(id) {
            return Err(CallRefusal::DuplicateId);
        }
        if in_flight.len() >= self.calls_cap {
            return Err(CallRefusal::Busy(self.calls_cap));
        }
        in_flight.insert(id.into(), token);
        Ok(())
    }

    pub(crate) fn end_request(&self, id: &str) {
        self.in_flight.lock().expect("in-flight lock").remove(id);
    }

    /// Cancels the in-flight request with this JSON id (from `notifications/cancelled`).
    pub(crate) fn cancel_request(&self, id: &str) -> bool {
        let token = self.in_flight.lock().expect("in-flight lock").remove(id);
        token.map(|t| t.cancel()).is_some()
    }

    /// Ends the session: everything waiting on the client is told it will not answer, calls
    /// are cancelled, and its streams end.
    pub(crate) fn close(&self) {
        self.ended.cancel();
        self.pending.lock().expect("pending lock").clear();
        for (_, token) in self.in_flight.lock().expect("in-flight lock").drain() {
            token.cancel();
        }
        self.streams.lock().expect("streams lock").clear();
        self.subscriptions
            .lock()
            .expect("subscriptions lock")
            .clear();
        self.values.lock().expect("session values").clear();
        self.saved.lock().expect("session values").clear();
    }

    /// How many entries the session's collections hold (pending requests, calls in flight,
    /// stream logs), for tests of what a session keeps.
    #[cfg(test)]
    pub(crate) fn held(&self) -> (usize, usize, usize) {
        (
            self.pending.lock().expect("pending lock").len(),
            self.in_flight.lock().expect("in-flight lock").len(),
            self.streams.lock().expect("streams lock").len(),
        )
    }
}

/// The legacy protocol session of the request, as a handler parameter.
///
/// Modern (2026-07-28) clients have no session: a handler taking `Session` answers them with an
/// error that says so, and one taking `Option<Session>` gets `None`. Keep state that must
/// outlive a call for modern clients in your own store, behind a handle the tool returns.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
///
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::session::Session;
///
/// #[derive(Default)]
/// struct Visits(AtomicU32);
///
/// /// Counts this session's visits.
/// #[tool]
/// fn visit(session: Session) -> String {
///     let visits = session.state::<Visits>();
///     format!("visit {}", visits.0.fetch_add(1, Ordering::Relaxed) + 1)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Session {
    data: Arc<SessionData>,
}

impl Session {
    /// The session id (`Mcp-Session-Id`).
    pub fn id(&self) -> &str {
        &self.data.id
    }

    /// The protocol revision negotiated for the session.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.data.version
    }

    /// The client's name and version, as sent in `initialize`.
    pub fn client_info(&self) -> Option<&Implementation> {
        self.data.client_info.as_ref()
    }

    /// The client's capabilities, as declared in `initialize`.
    pub fn client_capabilities(&self) -> ClientCapabilities {
        self.data.client_capabilities
    }

    /// This session's value of type `T`, created with `T::default()` on first use, shared in
    /// memory by the session's calls on this process (any type: counters, caches, channels).
    ///
    /// It stays in this process: when several processes serve the session (a
    /// `RedisStore`, feature `redis`), each has its own. Keep what every process
    /// must read with [`Session::set`] and [`Session::get`].
    pub fn state<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut values = self.data.values.lock().expect("session values");
        let value = values
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()));
        Arc::clone(value)
            .downcast::<T>()
            .expect("values are stored under their own type id")
    }
}

const NO_SESSION: &str =
    "this tool keeps state in a protocol session, which only 2025-era clients \
    have; 2026-07-28 clients are served statelessly";

impl FromCall for Session {
    const NEEDS: Needs = Needs::SESSION;

    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        call.scope()
            .session
            .clone()
            .map(|data| Session { data })
            .ok_or(ArgumentError::Unavailable(NO_SESSION.into()))
    }

    fn describe(_: &mut InputSchema<'_>, _: &Param) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> SessionData {
        let mut session = SessionData::new(
            ProtocolVersion::LATEST_LEGACY,
            None,
            ClientCapabilities::default(),
        );
        session.calls_cap = 2;
        session
    }

    #[test]
    fn cancelled_calls_and_their_questions_leave_nothing_behind() {
        let session = session();
        for i in 0..1000 {
            let id = i.to_string();
            session
                .start_request(&id, CancellationToken::new())
                .unwrap();
            // The call asks the client, then is cancelled: its future, holding the question,
            // is dropped.
            let question = session.outbound();
            assert!(session.cancel_request(&id));
            drop(question);
        }
        assert_eq!(session.held(), (0, 0, 0));
    }

    #[test]
    fn calls_in_flight_are_capped_and_ids_unique() {
        let session = session();
        session
            .start_request("1", CancellationToken::new())
            .unwrap();
        assert_eq!(
            session.start_request("1", CancellationToken::new()),
            Err(CallRefusal::DuplicateId)
        );
        session
            .start_request("2", CancellationToken::new())
            .unwrap();
        assert_eq!(
            session.start_request("3", CancellationToken::new()),
            Err(CallRefusal::Busy(2))
        );
        session.end_request("1");
        session
            .start_request("3", CancellationToken::new())
            .unwrap();
    }

    #[test]
    fn closing_ends_everything_the_session_holds() {
        let session = session();
        let token = CancellationToken::new();
        session.start_request("1", token.clone()).unwrap();
        let _question = session.outbound();
        // Unbounded as the streams' own channels are; nothing is sent on it here.
        let (live, _receiver) = tokio::sync::mpsc::unbounded_channel();
        session.streams.lock().unwrap().open(live);
        session.subscribe("docs://a").unwrap();
        session.close();
        assert!(token.is_cancelled() && session.ended().is_cancelled());
        assert_eq!(session.held(), (0, 0, 0));
        assert!(!session.subscribes("docs://a"));
    }
}
