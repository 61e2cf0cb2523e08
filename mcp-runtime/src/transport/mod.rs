//! Transports that carry MCP messages: Streamable HTTP over TCP or a Unix socket, and stdio.

pub(crate) mod http;
pub(crate) mod stdio;
#[cfg(unix)]
pub(crate) mod unix;
