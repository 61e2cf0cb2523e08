//! A started tool call: finished already, or a future to await.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::ToolResult;
use crate::extract::ArgumentError;

/// A started tool call.
///
/// Synchronous tools finish while their parameters are resolved and need no allocation;
/// `async` tools return a boxed future.
pub enum Invocation {
    /// The call has finished.
    Ready(ToolResult),
    /// The call is running.
    Pending(Pin<Box<dyn Future<Output = ToolResult> + Send + 'static>>),
}

impl std::fmt::Debug for Invocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ready(r) => f.debug_tuple("Ready").field(r).finish(),
            Self::Pending(_) => f.write_str("Pending(..)"),
        }
    }
}

impl Invocation {
    /// A call whose parameters could not be resolved: an `isError` result the model can act on.
    pub fn rejected(error: ArgumentError) -> Self {
        Self::Ready(ToolResult::error(error.to_string()))
    }

    /// A running call.
    pub fn pending(future: impl Future<Output = ToolResult> + Send + 'static) -> Self {
        Self::Pending(Box::pin(future))
    }

    /// Runs the call to completion. A panic in the tool becomes an `isError` result.
    pub async fn finish(self) -> ToolResult {
        match self {
            Self::Ready(result) => result,
            Self::Pending(future) => CatchUnwind(future).await,
        }
    }
}

struct CatchUnwind(Pin<Box<dyn Future<Output = ToolResult> + Send + 'static>>);

impl Future for CatchUnwind {
    type Output = ToolResult;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ToolResult> {
        let future = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(poll) => poll,
            Err(panic) => Poll::Ready(panicked(&*panic)),
        }
    }
}

/// The result reported for a tool that panicked.
pub(crate) fn panicked(panic: &(dyn std::any::Any + Send)) -> ToolResult {
    let detail = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    ToolResult::error(format!("the tool failed unexpectedly: {detail}"))
}
