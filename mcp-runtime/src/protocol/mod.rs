//! Wire types of both protocol eras, JSON-RPC framing, and version negotiation.

mod client;
mod content;
pub(crate) mod era;
mod error;
mod jsonrpc;
pub(crate) mod mirror;
mod object;
mod params;
mod plain;
mod version;

pub(crate) use client::client_info;
pub use client::{ClientCapabilities, MAX_CLIENT_INFO_CHARS, TASKS_EXTENSION};
pub use content::{
    BinaryContent, Content, EmbeddedResource, ResourceContents, ResourceLink, TextContent,
};
pub(crate) use error::Challenge;
pub use error::{ErrorCode, ProtocolError, RpcError};
pub use jsonrpc::{error_body, result_body, Message, RequestId};
pub use params::{
    CompletionArgument, CompletionContextParams, CompletionReference, Params, RequestMeta,
};
pub use version::{Era, ProtocolVersion, UnknownVersion};

use serde::Serialize;

/// A client or server's name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Implementation {
    /// A programmatic name.
    pub name: String,
    /// A version string.
    pub version: String,
    /// A human-readable title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Icons a client may show for the server (2025-11-25 onwards; a client's are not read).
    #[serde(default, skip_deserializing, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<crate::Icon>,
}

/// Who may cache a cacheable result (2026-07-28).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheScope {
    /// The result holds nothing user-specific; any client may share it.
    Public,
    /// The result may be reused only within the same authorization context.
    Private,
}

/// How long, and by whom, a cacheable 2026-07-28 result may be reused.
///
/// ```
/// use mcp_runtime::protocol::{CachePolicy, CacheScope};
///
/// let policy = CachePolicy { ttl_ms: 60_000, scope: CacheScope::Public };
/// let json = serde_json::to_value(policy).unwrap();
/// assert_eq!(json, serde_json::json!({"ttlMs": 60000, "cacheScope": "public"}));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CachePolicy {
    /// Milliseconds the result stays fresh (`0`: immediately stale).
    #[serde(rename = "ttlMs")]
    pub ttl_ms: u64,
    /// Who may share the cached result.
    #[serde(rename = "cacheScope")]
    pub scope: CacheScope,
}

/// The `_meta` key under which 2026-07-28 results carry the server's identity.
pub const SERVER_INFO_META: &str = "io.modelcontextprotocol/serverInfo";
