//! What one request shares with the parameters resolved for it: the notification channel of its
//! response, its progress token and log level, its cancellation, and its client input.

use std::sync::Arc;

use serde::Serialize;
use serde_json::value::RawValue;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::notify::LogLevel;
use crate::dispatch::Outgoing;
use crate::mrtr::InputRound;

/// The request-wide state behind `Progress`, `Log`, `Cancellation` and the client-input
/// parameters.
#[derive(Debug)]
pub(crate) struct RequestScope {
    /// Where notifications for this request's response stream go (`None`: dropped), a queue of
    /// [`QUEUE`](crate::dispatch::QUEUE) messages.
    pub(crate) notifications: Option<mpsc::Sender<Outgoing>>,
    pub(crate) progress_token: Option<Box<RawValue>>,
    /// The lowest level the client wants (`None`: no log messages at all).
    pub(crate) log_level: Option<LogLevel>,
    /// Created on first use: most requests never need one.
    cancel: std::sync::OnceLock<CancellationToken>,
    pub(crate) input: InputRound,
    pub(crate) client_capabilities: crate::protocol::ClientCapabilities,
    /// The legacy session the request belongs to.
    pub(crate) session: Option<Arc<crate::session::SessionData>>,
    /// How long a server-to-client request waits for its response.
    pub(crate) input_timeout: std::time::Duration,
    /// The server's notifier.
    pub(crate) notifier: Option<crate::Notifier>,
    /// How many of the handler's questions to a 2025-era client are waiting for an answer.
    waiting: std::sync::atomic::AtomicUsize,
}

/// Counts a question waiting for the client's answer while it lives.
#[derive(Debug)]
pub(crate) struct Waiting<'s>(&'s std::sync::atomic::AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

impl RequestScope {
    /// A scope for one request.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        notifications: Option<mpsc::Sender<Outgoing>>,
        progress_token: Option<Box<RawValue>>,
        log_level: Option<LogLevel>,
        input: InputRound,
        client_capabilities: crate::protocol::ClientCapabilities,
        session: Option<Arc<crate::session::SessionData>>,
        input_timeout: std::time::Duration,
        notifier: Option<crate::Notifier>,
    ) -> Self {
        Self {
            notifications,
            progress_token,
            log_level,
            cancel: std::sync::OnceLock::new(),
            input,
            client_capabilities,
            session,
            input_timeout,
            notifier,
            waiting: Default::default(),
        }
    }

    /// A scope that sends nothing and asks for nothing (for calls made outside a request).
    pub(crate) fn detached() -> Arc<Self> {
        Arc::new(Self {
            notifications: None,
            progress_token: None,
            log_level: None,
            cancel: std::sync::OnceLock::new(),
            input: InputRound::default(),
            client_capabilities: Default::default(),
            session: None,
            input_timeout: std::time::Duration::from_secs(60),
            notifier: None,
            waiting: Default::default(),
        })
    }

    /// Counts a question to the client as waiting until the guard is dropped.
    pub(crate) fn waiting_for_input(&self) -> Waiting<'_> {
        self.waiting
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Waiting(&self.waiting)
    }

    /// Whether the handler waits for the client's answer to a question.
    pub(crate) fn is_waiting_for_input(&self) -> bool {
        self.waiting.load(std::sync::atomic::Ordering::Acquire) > 0
    }

    /// The request's cancellation token.
    pub(crate) fn cancel(&self) -> &CancellationToken {
        self.cancel.get_or_init(CancellationToken::new)
    }

    /// Cancels the request, if anything is listening for that.
    pub(crate) fn cancel_if_watched(&self) {
        if let Some(token) = self.cancel.get() {
            token.cancel();
        }
    }

    /// Queues a notification on the response stream; dropped when the queue is full.
    pub(crate) fn notify<P: Serialize>(&self, method: &str, params: &P) {
        #[derive(Serialize)]
        struct Notification<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
        }
        if let Some(sender) = &self.notifications {
            let body = serde_json::to_vec(&Notification {
                jsonrpc: "2.0",
                method,
                params,
            })
            .expect("a notification serializes");
            // The receiver is gone once the response is finished (late notifications are moot),
            // and a full queue means the client reads slower than the handler reports.
            let _ = sender.try_send(Outgoing::Message(body.into()));
        }
    }

    /// Whether the client declared a capability (`sampling`, `elicitation`, `roots`, ...).
    pub(crate) fn client_can(&self, capability: &str) -> bool {
        self.client_capabilities.declares(capability)
    }
}
