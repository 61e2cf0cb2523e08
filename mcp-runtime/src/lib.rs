//! Declarative Model Context Protocol servers.
//!
//! Annotate plain functions with [`#[tool]`](macro@tool); [`Server::from_registry`] serves every
//! one of them on a Streamable HTTP endpoint, to clients of both protocol eras: the stateless
//! 2026-07-28 revision and the 2025 revisions with their `initialize` handshake.
//!
//! ```no_run
//! use mcp_runtime::prelude::*;
//!
//! /// Adds two integers.
//! #[tool]
//! async fn add(
//!     /// Left operand
//!     a: i64,
//!     /// Right operand
//!     b: i64,
//! ) -> i64 {
//!     a + b
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), mcp_runtime::Error> {
//!     Server::from_registry().name("calc").serve("127.0.0.1:8080").await
//! }
//! ```

// Handler panics are caught and answered as errors; with `panic = "abort"` one panicking handler
// would take every session and in-flight call down with it.
#[cfg(panic = "abort")]
compile_error!(
    "mcp-runtime needs `panic = \"unwind\"`: it turns handler panics into error results, \
     and `panic = \"abort\"` would end the whole server on the first one"
);

pub mod auth;
pub mod completion;
mod descriptor;
mod dispatch;
mod endpoint;
mod error;
pub mod extract;
mod handle;
mod icon;
pub mod invocation;
#[cfg(feature = "logging")]
pub mod logging;
pub mod mrtr;
pub mod notifier;
mod offload;
mod outbound;
pub mod prompt;
pub mod protocol;
mod quota;
pub mod registry;
pub mod resource;
pub mod schema;
mod server;
pub mod session;
pub mod skill;
pub mod state;
pub mod store;
pub mod task;
pub mod testing;
pub mod tool;
pub mod tool_set;
mod trace;
mod transport;
pub mod webhook;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use dispatch::ResponseMode;
pub use error::Error;
pub use extract::Args;
pub use handle::{Handle, Handles};
pub use icon::{Icon, IconTheme};
pub use mcp_macros::{complete, prompt, resource, tool};
pub use notifier::Notifier;
pub use protocol::{Content, ProtocolError};
pub use server::Mode;
pub use server::{
    Listening, Server, DEFAULT_BODY_LIMIT, DEFAULT_BODY_READ_TIMEOUT, DEFAULT_CALLS_PER_SESSION,
    DEFAULT_CONNECTIONS_PER_CLIENT, DEFAULT_HANDLE_TTL, DEFAULT_HEADER_READ_TIMEOUT,
    DEFAULT_PAGE_SIZE, DEFAULT_PATH, DEFAULT_RESUME_GRACE, DEFAULT_SESSIONS_PER_CLIENT,
    DEFAULT_STREAMS_PER_CLIENT, DEFAULT_STREAM_LIFETIME, DEFAULT_SUBSCRIPTIONS_PER_SESSION,
    DEFAULT_UNUSED_SESSION_TIMEOUT, DEFAULT_WRITE_TIMEOUT, SHUTDOWN_GRACE,
};
pub use state::State;
pub use tool::{IntoToolResult, Json, ToolResult};
pub use tool_set::ToolSet;
#[cfg(unix)]
pub use transport::unix::UnixListening;

/// The schemars the SDK generates schemas with (major version 1): derive `JsonSchema` from
/// it (or from the same major version) for argument and `Json<T>` types.
pub use schemars;

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}

/// The names most servers need: `use mcp_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::auth::Principal;
    pub use crate::completion::CompletionContext;
    pub use crate::extract::{Args, Extension};
    pub use crate::prompt::PromptMessage;
    pub use crate::protocol::{Content, ProtocolError, ResourceContents};
    pub use crate::state::State;
    pub use crate::tool::{IntoToolResult, Json, ToolResult};
    pub use crate::{complete, prompt, resource, tool, Server};
    pub use crate::{Handle, Handles};
}
