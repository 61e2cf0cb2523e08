//! Sessions served by every process of a server, through a [`RedisStore`]: each process keeps
//! a copy of the sessions it serves (opened there, or adopted from the record another process
//! wrote), and the processes tell each other what changes a session.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{Handshake, Principal, SessionData, SessionRefusal, Sessions};
use crate::extract::LogLevel;
use crate::protocol::{ClientCapabilities, Implementation, ProtocolVersion};
use crate::quota::ClientKey;
use crate::store::{Opened, Owner, RedisStore};

/// What changes a session, as the processes serving it hear of it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum SessionEvent {
    /// The session was deleted.
    Ended,
    /// `logging/setLevel`.
    Level(LogLevel),
    /// `resources/subscribe`.
    Subscribed(String),
    /// `resources/unsubscribe`.
    Unsubscribed(String),
    /// The client's answer to the server-to-client request `request`, for the process that
    /// asked.
    Answer {
        request: i64,
        result: Option<Box<RawValue>>,
        error: Option<serde_json::Value>,
    },
    /// `notifications/cancelled` for the call with this JSON-RPC id.
    Cancel(String),
    /// A client attached to (or left) a stream of the session on another process: the call
    /// behind it still has a client.
    Attached { stream: u32, attached: bool },
}

/// What other processes need of a session to serve it: what `initialize` settled and who
/// opened it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SharedRecord {
    principal: Option<String>,
    /// Whose per-client quota it counts against.
    #[serde(default)]
    owner: Option<String>,
    version: String,
    client_info: Option<Implementation>,
    capabilities: [bool; 5],
}

impl SharedRecord {
    fn of(session: &SessionData) -> Self {
        let c = session.client_capabilities;
        Self {
            principal: session.principal.as_ref().map(|p| p.subject().to_owned()),
            owner: session
                .shared
                .as_ref()
                .and_then(|s| s.client.as_deref().map(str::to_owned)),
            version: session.version.as_str().to_owned(),
            client_info: session.client_info.clone(),
            capabilities: [
                c.sampling,
                c.elicitation_form,
                c.elicitation_url,
                c.roots,
                c.roots_list_changed,
            ],
        }
    }

    fn handshake(self) -> Option<Handshake> {
        let [sampling, elicitation_form, elicitation_url, roots, roots_list_changed] =
            self.capabilities;
        Some(Handshake {
            version: ProtocolVersion::from_wire(&self.version)?,
            client_info: self.client_info,
            capabilities: ClientCapabilities {
                sampling,
                elicitation_form,
                elicitation_url,
                roots,
                roots_list_changed,
                // Sessions are 2025-era: the tasks extension is a 2026-07-28 request's.
                tasks: false,
            },
        })
    }
}

/// Where a session served by several processes is kept.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    pub(crate) store: RedisStore,
    /// How long its keys last after its last use.
    pub(crate) ttl: std::time::Duration,
    /// Whose per-client quota it counts against, on every process.
    pub(crate) client: Option<Box<str>>,
}

/// The first id of this copy's requests to the client: random, so that two processes asking
/// the same client never use the same id (and below 2^52, which every client's numbers hold).
fn first_request_id() -> AtomicI64 {
    AtomicI64::new((i64::from(OsRng.next_u32() & 0xF_FFFF) << 32) | 1)
}

/// How often at most one process renews a session in use: each renewal lasts the idle timeout
/// plus this window, so a session lives at least the idle timeout after its last use on any
/// process, and at most this much longer, for one Redis round trip per window instead of one
/// per request.
fn renewal_window(idle: std::time::Duration) -> std::time::Duration {
    (idle / 10).min(std::time::Duration::from_secs(10))
}

impl Sessions {
    /// Marks a new copy of a session as served by several processes, counted against `client`'s
    /// quota.
    pub(super) fn share(&self, session: &mut SessionData, client: Option<Box<str>>) {
        if let Some(store) = &self.shared {
            session.next_request = first_request_id();
            session.shared = Some(Shared {
                store: store.clone(),
                ttl: self.limits.idle_timeout,
                client,
            });
        }
    }

    /// Opens a session here and records it for the other processes, unless every process
    /// together holds as many as the server may.
    pub(super) async fn open_on(
        self: &Arc<Self>,
        store: &RedisStore,
        principal: Option<&Principal>,
        client: Option<ClientKey>,
        handshake: Handshake,
    ) -> Result<Arc<SessionData>, SessionRefusal> {
        let session = self.open(principal, client, handshake)?;
        let record = serde_json::to_string(&SharedRecord::of(&session))
            .expect("a session record serializes");
        // Until it is used, it lasts only as long as an unused session may.
        let ttl = self.limits.unused_timeout.min(self.limits.idle_timeout);
        let owner = session
            .shared()
            .and_then(|s| s.client.as_deref())
            .map(|client| Owner {
                client,
                quota: self.limits.per_client,
            });
        let opened = store
            .open_session(&session.id, &record, ttl, self.limits.max_sessions, owner)
            .await;
        match opened {
            Ok(Opened::Yes) => Ok(session),
            Ok(Opened::Full(after)) => {
                self.close_here(&session.id);
                Err(SessionRefusal::Full(after))
            }
            Ok(Opened::Quota(after)) => {
                self.close_here(&session.id);
                Err(SessionRefusal::Quota(after))
            }
            Err(_) => {
                self.close_here(&session.id);
                Err(SessionRefusal::StoreUnavailable)
            }
        }
    }

    /// The session a request names: this process's copy, or one made from the record another
    /// process wrote. Either way it lasts the idle timeout from now on every process.
    pub(super) async fn find_on(
        self: &Arc<Self>,
        store: &RedisStore,
        id: Option<&str>,
        principal: Option<&Principal>,
    ) -> Result<Arc<SessionData>, SessionRefusal> {
        let session = match self.find(id, principal) {
            Ok(session) => session,
            Err(SessionRefusal::Unknown) => {
                let id = id.expect("an unknown session has an id");
                let loaded = store
                    .load_session(id)
                    .await
                    .map_err(|_| SessionRefusal::StoreUnavailable)?
                    .ok_or(SessionRefusal::Unknown)?;
                self.adopt(id, loaded, principal)?
            }
            Err(refusal) => return Err(refusal),
        };
        if session.renewal_due(renewal_window(self.limits.idle_timeout)) {
            // Without holding up the request.
            let (store, id) = (store.clone(), session.id.clone());
            let client = session.shared().and_then(|s| s.client.clone());
            let ttl = self.limits.idle_timeout + renewal_window(self.limits.idle_timeout);
            tokio::spawn(async move {
                let _ = store.renew_session(&id, client.as_deref(), ttl).await;
            });
        }
        Ok(session)
    }

    /// Serves here a session another process opened, with its settings as recorded.
    fn adopt(
        self: &Arc<Self>,
        id: &str,
        loaded: crate::store::Loaded,
        principal: Option<&Principal>,
    ) -> Result<Arc<SessionData>, SessionRefusal> {
        let record: SharedRecord =
            serde_json::from_str(&loaded.record).map_err(|_| SessionRefusal::Unknown)?;
        if record.principal.as_deref() != principal.map(|p| p.subject()) {
            return Err(SessionRefusal::Unknown);
        }
        self.start_reaper();
        if self.store.len() >= self.limits.max_sessions {
            self.reap();
            if self.store.len() >= self.limits.max_sessions {
                return Err(SessionRefusal::Full(self.retry_after(None)));
            }
        }
        let client = record.owner.clone().map(String::into_boxed_str);
        let handshake = record.handshake().ok_or(SessionRefusal::Unknown)?;
        let mut session = self.session(handshake, principal, client);
        session.id = id.into();
        session.used.store(true, Ordering::Relaxed);
        if let Some(level) = loaded
            .level
            .and_then(|l| serde_json::from_str::<LogLevel>(&l).ok())
        {
            session.set_log_level(level);
        }
        for uri in loaded.subscriptions {
            session.follow(uri);
        }
        let session = Arc::new(session);
        session.touch();
        self.store.insert(session.clone());
        Ok(session)
    }

    /// Applies to this process's copy of session `id` what another process says of it.
    pub(crate) fn apply(&self, id: &str, event: SessionEvent) {
        if let SessionEvent::Ended = event {
            self.close_here(id);
            return;
        }
        let Some(session) = self.store.get(id) else {
            return;
        };
        match event {
            SessionEvent::Ended => {}
            SessionEvent::Level(level) => session.set_log_level(level),
            SessionEvent::Subscribed(uri) => session.follow(uri),
            SessionEvent::Unsubscribed(uri) => session.unsubscribe(&uri),
            SessionEvent::Answer {
                request,
                result,
                error,
            } => {
                session.respond(&request.to_string(), super::answer_of(result, error));
            }
            SessionEvent::Cancel(request) => {
                session.cancel_request(&request);
            }
            SessionEvent::Attached { stream, attached } => session
                .streams
                .lock()
                .expect("streams lock")
                .attach_elsewhere(stream, attached),
        }
    }
}

impl SessionData {
    /// Whether this copy last renewed the session's keys more than `window` ago (or never):
    /// if so, it is taken as renewed now.
    fn renewal_due(&self, window: std::time::Duration) -> bool {
        // Milliseconds since the copy was made, plus one (0: never renewed).
        let now = self.epoch.elapsed().as_millis() as u64 + 1;
        let last = self.renewed.load(Ordering::Relaxed);
        let due = last == 0 || now.saturating_sub(last) >= window.as_millis() as u64;
        due && self
            .renewed
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    }

    /// Where the session is shared, if it is.
    pub(crate) fn shared(&self) -> Option<&Shared> {
        self.shared.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_copy_renews_once_per_window_and_first_at_once() {
        let session = SessionData::new(ProtocolVersion::LATEST_LEGACY, None, Default::default());
        assert!(
            session.renewal_due(Duration::from_secs(10)),
            "never renewed"
        );
        assert!(!session.renewal_due(Duration::from_secs(10)));
        assert!(session.renewal_due(Duration::ZERO));
        assert_eq!(
            renewal_window(Duration::from_secs(30 * 60)),
            Duration::from_secs(10)
        );
        assert_eq!(
            renewal_window(Duration::from_secs(1)),
            Duration::from_millis(100)
        );
    }
}
