//! The built, immutable state behind one MCP endpoint, shared by every request: the protocol's
//! policy, which every transport follows, and the HTTP transport's own settings beside it.

use std::sync::Arc;
use std::time::Duration;

use serde_json::value::RawValue;

use crate::mrtr::StateKeys;

use crate::protocol::{CachePolicy, Implementation};
use crate::registry::Registry;

/// Everything a request may read, built once by [`Server`](crate::Server).
#[derive(Debug)]
pub(crate) struct Endpoint {
    /// The handlers, swapped whole when a [`ToolSet`](crate::ToolSet) changes them.
    pub(crate) registry: Arc<arc_swap::ArcSwap<Registry>>,
    pub(crate) info: Implementation,
    pub(crate) instructions: Option<String>,
    /// `_meta` of every 2026-07-28 result, serialized once.
    pub(crate) server_meta: Box<RawValue>,
    /// The server's capabilities for 2026-07-28 clients, serialized once.
    pub(crate) capabilities: Box<RawValue>,
    /// The server's capabilities for 2025-era clients (sessions add resource subscriptions).
    pub(crate) legacy_capabilities: Box<RawValue>,
    pub(crate) supported_versions: Vec<&'static str>,
    pub(crate) list_cache: CachePolicy,
    /// How many entries a page of a list holds.
    pub(crate) page_size: usize,
    /// The largest message a client may send, in bytes (an HTTP body, a stdio line).
    pub(crate) message_limit: usize,
    /// The time limit of handlers without their own.
    pub(crate) handler_timeout: Option<Duration>,
    pub(crate) state_keys: StateKeys,
    /// How long a sealed request state stays valid.
    pub(crate) state_ttl: Duration,
    /// How long a server-to-client request waits for its answer.
    pub(crate) input_timeout: Duration,
    /// Where change notifications come from.
    pub(crate) notifier: crate::Notifier,
    /// Whether the server announces list changes and resource updates.
    pub(crate) changes: bool,
    /// Cancelled when the server shuts down: long-lived streams end.
    pub(crate) shutdown: tokio_util::sync::CancellationToken,
    /// Legacy sessions, when the server is stateful.
    pub(crate) sessions: Option<Arc<crate::session::Sessions>>,
    /// The long-lived streams (listen and session `GET` streams): a cap, and a quota per
    /// client.
    pub(crate) streams: Arc<crate::quota::Budget>,
    /// How long a `subscriptions/listen` stream lasts before it closes (the client listens
    /// again).
    pub(crate) stream_lifetime: Duration,
    /// The application's values handed to `State<T>` parameters.
    pub(crate) states: crate::state::States,
    /// How long a [`Handle`](crate::Handle) stays valid.
    pub(crate) handle_ttl: Duration,
    /// Where tasks push their status changes, for clients that ask.
    pub(crate) webhooks: crate::webhook::Webhooks,
    /// The tasks of task-supporting tools.
    pub(crate) tasks: Arc<crate::task::Tasks>,
    /// What a handler the caller lacks a scope for answers.
    pub(crate) unpermitted: crate::auth::Unpermitted,
    /// What only the HTTP transport reads.
    pub(crate) http: crate::transport::http::Settings,
}
