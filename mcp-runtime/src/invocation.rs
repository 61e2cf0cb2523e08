//! A started handler call (tool, resource read, prompt): finished already, or a future to await.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::extract::ArgumentError;
use crate::protocol::RpcError;
use crate::tool::ToolResult;

/// What a kind of handler produces, including when its parameters are rejected or it panics.
pub trait Outcome: Sized + Send + 'static {
    /// The outcome of a call whose parameters could not be resolved.
    fn rejected(error: ArgumentError) -> Self;
    /// The outcome of a handler that panicked. What the panic said stays in the server's log
    /// (it may name internals: paths, queries, values); the client learns only that the handler
    /// failed.
    fn panicked() -> Self;
    /// The outcome of a handler stopped at its time limit.
    fn timed_out(limit: std::time::Duration) -> Self;
    /// The outcome of a handler that needs client input this client cannot give.
    fn input_unavailable(method: &str) -> Self;
    /// The outcome of a request the client cancelled.
    fn cancelled() -> Self;
    /// What a task keeps of a finished call: the result object, or the JSON-RPC error it
    /// failed with. Only tools run as tasks.
    #[doc(hidden)]
    fn into_task_result(self) -> Result<serde_json::Value, RpcError> {
        Err(RpcError::internal("only tool calls run as tasks"))
    }
}

fn unavailable_message(method: &str) -> String {
    format!(
        "this handler asks the client for input (`{method}`), which a stateless server can only \
         request from 2026-07-28 clients; 2025-era clients need a server with sessions"
    )
}

impl Outcome for ToolResult {
    /// An `isError` result the model can act on.
    fn rejected(error: ArgumentError) -> Self {
        ToolResult::error(error.to_string())
    }

    fn panicked() -> Self {
        ToolResult::error("the tool failed unexpectedly (the server logged the details)")
    }

    fn cancelled() -> Self {
        ToolResult::error("the client cancelled the request")
    }

    fn timed_out(limit: std::time::Duration) -> Self {
        ToolResult::error(format!(
            "the tool did not finish within {limit:?} and was stopped"
        ))
    }

    fn input_unavailable(method: &str) -> Self {
        ToolResult::error(unavailable_message(method))
    }

    fn into_task_result(self) -> Result<serde_json::Value, RpcError> {
        let result = self.into_reply()?;
        serde_json::to_value(&result).map_err(|e| RpcError::internal(e.to_string()))
    }
}

impl<T: Send + 'static> Outcome for Result<T, RpcError> {
    /// `-32602`: the request's arguments are wrong.
    fn rejected(error: ArgumentError) -> Self {
        Err(RpcError::invalid_params(error.to_string()))
    }

    fn panicked() -> Self {
        Err(RpcError::internal(
            "the handler failed unexpectedly (the server logged the details)",
        ))
    }

    fn cancelled() -> Self {
        Err(RpcError::internal("the client cancelled the request"))
    }

    fn timed_out(limit: std::time::Duration) -> Self {
        Err(RpcError::internal(format!(
            "the handler did not finish within {limit:?} and was stopped"
        )))
    }

    fn input_unavailable(method: &str) -> Self {
        Err(RpcError::new(
            crate::protocol::ErrorCode::INTERNAL_ERROR,
            unavailable_message(method),
        ))
    }
}

/// A started call.
///
/// `async` handlers return a boxed future, run on the async workers; synchronous handlers
/// return the blocking work, run on tokio's blocking pool so that a slow one stalls no other
/// request; a call that failed to start is ready at once.
pub enum Invocation<T = ToolResult> {
    /// The call has finished.
    Ready(T),
    /// The call is running.
    Pending(Pin<Box<dyn Future<Output = T> + Send + 'static>>),
    /// The call is blocking work, to run on the blocking pool. When a time limit stops the
    /// call, the work already begun runs to its end on its thread (Rust cannot stop a
    /// thread) and its result is dropped; the client has had its answer on time.
    Blocking(Box<dyn FnOnce() -> T + Send + 'static>),
}

impl<T: std::fmt::Debug> std::fmt::Debug for Invocation<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ready(r) => f.debug_tuple("Ready").field(r).finish(),
            Self::Pending(_) => f.write_str("Pending(..)"),
            Self::Blocking(_) => f.write_str("Blocking(..)"),
        }
    }
}

impl<T: Outcome> Invocation<T> {
    /// A call whose parameters could not be resolved.
    pub fn rejected(error: ArgumentError) -> Self {
        Self::Ready(T::rejected(error))
    }

    /// A running call.
    pub fn pending(future: impl Future<Output = T> + Send + 'static) -> Self {
        Self::Pending(Box::pin(future))
    }

    /// Blocking work, run on the blocking pool.
    pub fn blocking(work: impl FnOnce() -> T + Send + 'static) -> Self {
        Self::Blocking(Box::new(work))
    }

    /// Starts a call with `start`; a panic while starting becomes [`Outcome::panicked`].
    pub fn start(start: impl FnOnce() -> Self) -> Self {
        std::panic::catch_unwind(AssertUnwindSafe(start))
            .unwrap_or_else(|panic| Self::Ready(panicked(&*panic)))
    }

    /// Runs the call to completion; a panic becomes [`Outcome::panicked`].
    pub async fn finish(self) -> T {
        match self {
            Self::Ready(outcome) => outcome,
            Self::Pending(future) => CatchUnwind(future).await,
            Self::Blocking(work) => {
                // The request's span goes along to the blocking thread.
                let span = tracing::Span::current();
                let run = move || {
                    let _in_span = span.enter();
                    std::panic::catch_unwind(AssertUnwindSafe(work))
                };
                match tokio::task::spawn_blocking(run).await {
                    Ok(Ok(outcome)) => outcome,
                    Ok(Err(panic)) => panicked(&*panic),
                    // The runtime is shutting down.
                    Err(_) => T::cancelled(),
                }
            }
        }
    }

    /// Starts and finishes a call.
    pub async fn run(start: impl FnOnce() -> Self) -> T {
        Self::start(start).finish().await
    }
}

struct CatchUnwind<T>(Pin<Box<dyn Future<Output = T> + Send + 'static>>);

impl<T: Outcome> Future for CatchUnwind<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let future = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(poll) => poll,
            Err(panic) => Poll::Ready(panicked(&*panic)),
        }
    }
}

/// Logs a handler's panic and gives the outcome the client sees.
pub(crate) fn panicked<T: Outcome>(panic: &(dyn std::any::Any + Send)) -> T {
    let detail = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    tracing::error!(panic = detail, "a handler panicked");
    T::panicked()
}
