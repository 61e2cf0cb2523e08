//! Transports that carry MCP messages: Streamable HTTP over TCP or a Unix socket.

pub(crate) mod http;
#[cfg(unix)]
pub(crate) mod unix;
