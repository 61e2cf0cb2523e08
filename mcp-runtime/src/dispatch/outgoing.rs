//! What a call sends its client besides a single reply: typed JSON-RPC messages on a bounded
//! queue, which each transport frames its own way (server-sent events over HTTP, lines over
//! stdio). Nothing here knows how they travel.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::extract::RequestScope;
use crate::session::SessionData;

/// How many messages one call may have waiting for its transport. Past it, notifications
/// (progress, log messages) are dropped while the client reads slowly, and requests to the
/// client wait for room: a handler never fills memory faster than its client reads.
pub(crate) const QUEUE: usize = 64;

/// One thing a call puts on its response stream.
#[derive(Debug, Clone)]
pub(crate) enum Outgoing {
    /// A JSON-RPC message: a notification, a request to the client, or (last) the call's
    /// response.
    Message(Bytes),
    /// The call goes on without its client for now, which may come back after this long: a
    /// transport that can resume ends the client's connection; others ignore it.
    Pause(Duration),
}

/// The messages of one call, its response last.
pub(crate) type Messages = Pin<Box<dyn futures_util::Stream<Item = Outgoing> + Send>>;

/// A call whose messages stream out before its response.
pub(crate) struct CallStream {
    pub(crate) messages: Messages,
    /// Set for a 2025-era session call: it outlives the client's connection.
    pub(crate) session_call: Option<SessionCall>,
}

/// A call of a 2025-era session: it runs on when the client's connection drops, so a
/// transport that can resume keeps its messages for the client to come back to.
#[derive(Clone)]
pub(crate) struct SessionCall {
    pub(crate) session: Arc<SessionData>,
    /// The call's JSON-RPC id.
    pub(crate) request: Box<str>,
    scope: Arc<RequestScope>,
}

impl SessionCall {
    pub(crate) fn new(session: Arc<SessionData>, request: &str, scope: Arc<RequestScope>) -> Self {
        Self {
            session,
            request: request.into(),
            scope,
        }
    }

    /// Whether the handler is waiting for the client's answer to one of its questions.
    pub(crate) fn waits_for_client(&self) -> bool {
        self.scope.is_waiting_for_input()
    }

    /// Gives the call up (its client is gone for good).
    pub(crate) fn abandon(&self) {
        self.scope.cancel().cancel();
    }
}
