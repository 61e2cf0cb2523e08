//! Parameters that send notifications on the request's response stream: [`Progress`] and
//! [`Log`]. Using either makes the response a `text/event-stream` once something is sent.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::scope::RequestScope;
use super::{ArgumentError, CallContext, FromCall, Needs, Param};
use crate::schema::InputSchema;

/// Reports progress against the request's progress token (a no-op when the client sent none).
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::extract::Progress;
///
/// /// Counts to ten, slowly.
/// #[tool]
/// async fn count(progress: Progress) -> &'static str {
///     for i in 1..=10 {
///         progress.report(i as f64, Some(10.0), Some(&format!("step {i}")));
///     }
///     "done"
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Progress {
    scope: Arc<RequestScope>,
}

impl Progress {
    /// Sends `notifications/progress`: how far along (`progress`, increasing), out of `total`
    /// if known, with an optional message.
    ///
    /// A call has a few dozen messages of room ahead of its client; while a slow client leaves
    /// none, reports are dropped rather than held (the next one says more anyway).
    ///
    /// In a call that runs as a task, the report also becomes the task's `statusMessage`
    /// (`"3/10: copying"`), which clients read when they poll.
    pub fn report(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        if let Some(task) = self.scope.input.task() {
            let done = match total {
                Some(total) => format!("{progress}/{total}"),
                None => format!("{progress}"),
            };
            task.set_message(match message {
                Some(message) => format!("{done}: {message}"),
                None => done,
            });
        }
        let Some(token) = &self.scope.progress_token else {
            return;
        };
        let mut params = json!({"progressToken": token, "progress": progress});
        if let Some(total) = total {
            params["total"] = json!(total);
        }
        if let Some(message) = message {
            params["message"] = json!(message);
        }
        self.scope.notify("notifications/progress", &params);
    }

    /// Whether the client asked for progress (sent a progress token).
    pub fn is_requested(&self) -> bool {
        self.scope.progress_token.is_some()
    }
}

impl FromCall for Progress {
    const NEEDS: Needs = Needs::RESPONSE_STREAM;

    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        Ok(Self {
            scope: call.scope().clone(),
        })
    }

    fn describe(_: &mut InputSchema<'_>, _: &Param) {}
}

/// The severity of a log message (RFC 5424 levels, lowest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Detailed debugging information.
    Debug,
    /// Normal operation.
    Info,
    /// Normal but significant.
    Notice,
    /// Something may be wrong.
    Warning,
    /// Something failed.
    Error,
    /// A critical condition.
    Critical,
    /// Action must be taken immediately.
    Alert,
    /// The system is unusable.
    Emergency,
}

impl LogLevel {
    /// Parses a wire name such as `"warning"`.
    pub fn from_wire(name: &str) -> Option<Self> {
        serde_json::from_value(json!(name)).ok()
    }
}

/// Sends log messages (`notifications/message`) to the client, filtered by the level it asked
/// for: in the 2026-07-28 era only when the request's `_meta` names a level; in the 2025 era at
/// `info` and above.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::extract::Log;
///
/// /// Imports a file.
/// #[tool]
/// async fn import(path: String, log: Log) -> String {
///     log.info(format!("importing {path}"));
///     log.debug("parsed the header");
///     "imported".into()
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Log {
    scope: Arc<RequestScope>,
    logger: Option<&'static str>,
}

impl Log {
    /// The same log, naming `logger` as the source of its messages.
    pub fn named(mut self, logger: &'static str) -> Self {
        self.logger = Some(logger);
        self
    }

    /// Whether a message at `level` would be sent.
    pub fn enabled(&self, level: LogLevel) -> bool {
        self.scope.log_level.is_some_and(|min| level >= min)
    }

    /// Sends `data` (any JSON value, usually a string) at `level`; dropped, like a progress
    /// report, while the client reads too slowly to leave room for it.
    pub fn log(&self, level: LogLevel, data: impl Serialize) {
        if !self.enabled(level) {
            return;
        }
        let mut params = json!({"level": level, "data": data});
        if let Some(logger) = self.logger {
            params["logger"] = json!(logger);
        }
        self.scope.notify("notifications/message", &params);
    }

    /// Sends a debug message.
    pub fn debug(&self, data: impl Serialize) {
        self.log(LogLevel::Debug, data);
    }

    /// Sends an info message.
    pub fn info(&self, data: impl Serialize) {
        self.log(LogLevel::Info, data);
    }

    /// Sends a warning.
    pub fn warning(&self, data: impl Serialize) {
        self.log(LogLevel::Warning, data);
    }

    /// Sends an error message.
    pub fn error(&self, data: impl Serialize) {
        self.log(LogLevel::Error, data);
    }
}

impl FromCall for Log {
    const NEEDS: Needs = Needs::RESPONSE_STREAM;

    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        Ok(Self {
            scope: call.scope().clone(),
            logger: None,
        })
    }

    fn describe(_: &mut InputSchema<'_>, _: &Param) {}
}

/// The request's cancellation: cancelled when the client goes away (2026-07-28: closes the
/// response stream) or the handler's time limit passes, just before the handler is dropped.
/// Hand it to work that must clean up, such as a spawned task or a child process.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::extract::Cancellation;
///
/// /// Runs a long job in the background and stops it if the client leaves.
/// #[tool]
/// async fn long_job(cancel: Cancellation) -> String {
///     let job = tokio::spawn(async move {
///         tokio::select! {
///             _ = cancel.cancelled() => "stopped",
///             _ = tokio::time::sleep(std::time::Duration::from_millis(10)) => "finished",
///         }
///     });
///     job.await.unwrap_or("failed").to_string()
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Cancellation {
    token: tokio_util::sync::CancellationToken,
}

impl Cancellation {
    /// Completes when the request is cancelled.
    pub async fn cancelled(&self) {
        self.token.cancelled().await;
    }

    /// Whether the request has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

impl FromCall for Cancellation {
    const NEEDS: Needs = Needs::NOTHING;

    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        Ok(Self {
            token: call.scope().cancel().clone(),
        })
    }

    fn describe(_: &mut InputSchema<'_>, _: &Param) {}
}

/// The request's response stream, for long calls.
///
/// In a 2025-era session, [`detach`](ResponseStream::detach) ends the client's connection now
/// and asks it to reconnect after `retry` (SSE polling): the call goes on, its events are kept,
/// and the client gets them when it resumes with `Last-Event-ID`. Elsewhere it does nothing.
///
/// ```
/// use std::time::Duration;
///
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::extract::ResponseStream;
///
/// /// A long job that frees its connection while it works.
/// #[tool]
/// async fn long_job(stream: ResponseStream) -> &'static str {
///     stream.detach(Duration::from_secs(2));
///     tokio::time::sleep(Duration::from_millis(10)).await;
///     "done"
/// }
/// ```
#[derive(Debug, Clone)]
pub struct ResponseStream {
    scope: Arc<RequestScope>,
}

impl ResponseStream {
    /// Ends the client's connection and asks it to come back after `retry`.
    pub fn detach(&self, retry: std::time::Duration) {
        if let Some(sender) = &self.scope.notifications {
            let _ = sender.try_send(crate::dispatch::Outgoing::Pause(retry));
        }
    }
}

impl FromCall for ResponseStream {
    const NEEDS: Needs = Needs::RESPONSE_STREAM;

    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        Ok(Self {
            scope: call.scope().clone(),
        })
    }

    fn describe(_: &mut InputSchema<'_>, _: &Param) {}
}
