//! The built, immutable state behind one MCP endpoint, shared by every request.

use serde_json::value::RawValue;

use crate::protocol::{CachePolicy, Implementation};
use crate::registry::Registry;
use crate::transport::http::guard::HostGuard;

/// Everything a request may read, built once by [`Server`](crate::Server).
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub(crate) registry: Registry,
    pub(crate) info: Implementation,
    pub(crate) instructions: Option<String>,
    /// `_meta` of every 2026-07-28 result, serialized once.
    pub(crate) server_meta: Box<RawValue>,
    /// The server's capabilities, serialized once.
    pub(crate) capabilities: Box<RawValue>,
    pub(crate) supported_versions: Vec<&'static str>,
    pub(crate) list_cache: CachePolicy,
    pub(crate) guard: HostGuard,
    pub(crate) body_limit: usize,
}
