//! Transports that carry MCP messages. Streamable HTTP is the one served today.

pub(crate) mod http;
