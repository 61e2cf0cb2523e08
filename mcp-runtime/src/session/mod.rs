//! Legacy (2025-era) protocol sessions: created by `initialize` on a stateful server, named by
//! `Mcp-Session-Id`, ended by `DELETE` or idle expiry.

mod store;
mod streams;

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

pub use store::{MemoryStore, SessionStore};
pub(crate) use streams::parse_event_id;

use std::sync::OnceLock;

use crate::extract::{ArgumentError, CallContext, FromCall, LogLevel, Needs, Param};
use crate::protocol::{Implementation, ProtocolVersion, RpcError};
use crate::schema::InputSchema;

/// Who is calling, as the application's authentication established it: put it in the request's
/// extensions (in an axum middleware) and sessions and request state are bound to it. A request
/// naming another principal's session is answered as if the session did not exist.
///
/// ```
/// use axum::{extract::Request, middleware::Next, response::Response};
/// use mcp_runtime::session::Principal;
///
/// async fn authenticate(mut request: Request, next: Next) -> Response {
///     // A real application verifies a token here.
///     let user = request.headers().get("x-user").and_then(|v| v.to_str().ok()).unwrap_or("anonymous");
///     let principal = Principal(user.to_owned());
///     request.extensions_mut().insert(principal);
///     next.run(request).await
/// }
///
/// let app = mcp_runtime::Server::new()
///     .router()
///     .unwrap()
///     .layer(axum::middleware::from_fn(authenticate));
/// # let _ = app;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principal(pub String);

/// The sessions of a stateful server: its store and limits.
#[derive(Debug)]
pub(crate) struct Sessions {
    store: Box<dyn SessionStore>,
    idle_timeout: Duration,
    max_sessions: usize,
    reaper: OnceLock<()>,
}

/// Why a session could not be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionRefusal {
    /// The request names no session.
    Missing,
    /// No such session (never, expired, or deleted).
    Unknown,
    /// The server holds as many sessions as it may.
    Full,
    /// An `initialize` that names a session: sessions are initialized once.
    AlreadyInitialized,
}

impl Sessions {
    pub(crate) fn new(
        store: Box<dyn SessionStore>,
        idle_timeout: Duration,
        max_sessions: usize,
    ) -> Self {
        Self {
            store,
            idle_timeout,
            max_sessions,
            reaper: OnceLock::new(),
        }
    }

    /// Starts the task that ends idle sessions (once, from inside the runtime).
    fn start_reaper(self: &Arc<Self>) {
        self.reaper.get_or_init(|| {
            let sessions = Arc::downgrade(self);
            let period =
                (self.idle_timeout / 4).clamp(Duration::from_millis(100), Duration::from_secs(60));
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(period);
                loop {
                    tick.tick().await;
                    let Some(sessions) = sessions.upgrade() else {
                        return;
                    };
                    sessions.reap();
                }
            });
        });
    }

    /// Ends every session idle for longer than the timeout.
    pub(crate) fn reap(&self) -> usize {
        let idle = self.idle_timeout;
        self.store.remove_where(&|s| {
            let expired = s.idle() > idle;
            if expired {
                s.close();
            }
            expired
        })
    }

    /// Opens a session for an `initialize` request.
    pub(crate) fn open(
        self: &Arc<Self>,
        principal: Option<&Principal>,
        version: ProtocolVersion,
        client_info: Option<Implementation>,
        client_capabilities: Value,
    ) -> Result<Arc<SessionData>, SessionRefusal> {
        self.start_reaper();
        if self.store.len() >= self.max_sessions {
            self.reap();
            if self.store.len() >= self.max_sessions {
                return Err(SessionRefusal::Full);
            }
        }
        let mut session = SessionData::new(version, client_info, client_capabilities);
        session.principal = principal.cloned();
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
        if session.idle() > self.idle_timeout {
            self.close(id);
            return Err(SessionRefusal::Unknown);
        }
        session.touch();
        Ok(session)
    }

    /// Ends a session (`DELETE`).
    pub(crate) fn close(&self, id: &str) -> bool {
        self.store.remove(id).map(|s| s.close()).is_some()
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

/// The server side of one legacy session.
pub struct SessionData {
    pub(crate) id: Box<str>,
    /// Who opened the session.
    pub(crate) principal: Option<Principal>,
    pub(crate) version: ProtocolVersion,
    pub(crate) client_info: Option<Implementation>,
    pub(crate) client_capabilities: Value,
    /// `LogLevel as u8`, set by `logging/setLevel`.
    log_level: AtomicU8,
    /// Milliseconds since `epoch` of the last request.
    last_seen: AtomicU64,
    epoch: Instant,
    next_request: AtomicI64,
    /// Server-to-client requests waiting for the client's response, by request id.
    pending: Mutex<HashMap<i64, oneshot::Sender<Result<Value, RpcError>>>>,
    /// Requests in flight, by JSON id, for `notifications/cancelled`.
    in_flight: Mutex<HashMap<Box<str>, CancellationToken>>,
    pub(crate) subscriptions: Mutex<HashSet<String>>,
    values: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
    /// The logs of the session's resumable streams.
    pub(crate) streams: Mutex<streams::Streams>,
    /// Whether the session's GET stream is open.
    standalone: Arc<std::sync::atomic::AtomicBool>,
}

/// Marks a session's GET stream closed when the stream ends.
#[derive(Debug)]
pub(crate) struct StandaloneGuard(Arc<std::sync::atomic::AtomicBool>);

impl Drop for StandaloneGuard {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
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

impl SessionData {
    pub(crate) fn new(
        version: ProtocolVersion,
        client_info: Option<Implementation>,
        client_capabilities: Value,
    ) -> Self {
        Self {
            id: new_id(),
            principal: None,
            version,
            client_info,
            client_capabilities,
            log_level: AtomicU8::new(LogLevel::Info as u8),
            last_seen: AtomicU64::new(0),
            epoch: Instant::now(),
            next_request: AtomicI64::new(1),
            pending: Mutex::default(),
            in_flight: Mutex::default(),
            subscriptions: Mutex::default(),
            values: Mutex::default(),
            streams: Mutex::default(),
            standalone: Arc::default(),
        }
    }

    /// Marks the session used now.
    pub(crate) fn touch(&self) {
        let now = self.epoch.elapsed().as_millis() as u64;
        self.last_seen.store(now, Ordering::Relaxed);
    }

    /// How long since the last request.
    pub(crate) fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_seen.load(Ordering::Relaxed));
        self.epoch.elapsed().saturating_sub(last)
    }

    pub(crate) fn log_level(&self) -> LogLevel {
        LEVELS[usize::from(self.log_level.load(Ordering::Relaxed)).min(LEVELS.len() - 1)]
    }

    pub(crate) fn set_log_level(&self, level: LogLevel) {
        self.log_level.store(level as u8, Ordering::Relaxed);
    }

    /// Opens the session's GET stream, unless it is open already.
    pub(crate) fn open_standalone(&self) -> Option<StandaloneGuard> {
        self.standalone
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| StandaloneGuard(self.standalone.clone()))
    }

    /// Registers a server-to-client request; returns its id and where its response arrives.
    pub(crate) fn outbound(&self) -> (i64, oneshot::Receiver<Result<Value, RpcError>>) {
        let id = self.next_request.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        self.pending
            .lock()
            .expect("pending lock")
            .insert(id, sender);
        (id, receiver)
    }

    /// Forgets an outbound request that will not be answered.
    pub(crate) fn forget(&self, id: i64) {
        self.pending.lock().expect("pending lock").remove(&id);
    }

    /// Delivers the client's response to a server-to-client request; `false` if none waits.
    pub(crate) fn respond(&self, id: &str, response: Result<Value, RpcError>) -> bool {
        let Ok(id) = id.parse::<i64>() else {
            return false;
        };
        let waiting = self.pending.lock().expect("pending lock").remove(&id);
        waiting.is_some_and(|sender| sender.send(response).is_ok())
    }

    pub(crate) fn start_request(&self, id: &str, token: CancellationToken) {
        self.in_flight
            .lock()
            .expect("in-flight lock")
            .insert(id.into(), token);
    }

    pub(crate) fn end_request(&self, id: &str) {
        self.in_flight.lock().expect("in-flight lock").remove(id);
    }

    /// Cancels the in-flight request with this JSON id (from `notifications/cancelled`).
    pub(crate) fn cancel_request(&self, id: &str) -> bool {
        let token = self.in_flight.lock().expect("in-flight lock").remove(id);
        token.map(|t| t.cancel()).is_some()
    }

    /// Ends the session: everything waiting on the client is told it will not answer.
    pub(crate) fn close(&self) {
        self.pending.lock().expect("pending lock").clear();
        for (_, token) in self.in_flight.lock().expect("in-flight lock").drain() {
            token.cancel();
        }
    }
}

/// The legacy protocol session of the request, as a handler parameter.
///
/// Modern (2026-07-28) clients have no session: a handler taking `Session` answers them with an
/// error that says so, and one taking [`MaybeSession`] gets `None`. Keep state that must
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

    /// The client's capabilities, as sent in `initialize`.
    pub fn client_capabilities(&self) -> &Value {
        &self.data.client_capabilities
    }

    /// This session's value of type `T`, created with `T::default()` on first use.
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
            .ok_or(ArgumentError::Unavailable(NO_SESSION))
    }

    fn describe(_: &mut InputSchema<'_>, _: &Param) {}
}

/// The session of the request, if it has one: `None` for 2026-07-28 clients.
///
/// (`Option<Session>` itself cannot be a parameter: every `Option<T>` of a deserializable `T`
/// already is one, an optional argument.)
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::session::MaybeSession;
///
/// /// Says which session, if any, is calling.
/// #[tool]
/// fn whoami(MaybeSession(session): MaybeSession) -> String {
///     session.map_or("no session".into(), |s| format!("session {}", s.id()))
/// }
/// ```
#[derive(Debug, Clone)]
pub struct MaybeSession(pub Option<Session>);

impl FromCall for MaybeSession {
    const NEEDS: Needs = Needs::SESSION;

    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        Ok(MaybeSession(
            call.scope().session.clone().map(|data| Session { data }),
        ))
    }

    fn describe(_: &mut InputSchema<'_>, _: &Param) {}
}
