//! JSON-RPC errors and the HTTP status each one travels with.

use std::borrow::Cow;

use http::StatusCode;
use serde::Serialize;
use serde_json::Value;

/// A JSON-RPC error code.
///
/// ```
/// use mcp_runtime::protocol::ErrorCode;
///
/// assert_eq!(ErrorCode::METHOD_NOT_FOUND.0, -32601);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ErrorCode(pub i32);

impl ErrorCode {
    /// The body is not valid JSON.
    pub const PARSE_ERROR: Self = Self(-32700);
    /// The body is JSON but not a valid JSON-RPC request.
    pub const INVALID_REQUEST: Self = Self(-32600);
    /// No such method.
    pub const METHOD_NOT_FOUND: Self = Self(-32601);
    /// The method's parameters are invalid (unknown tool, missing `_meta`, bad cursor...).
    pub const INVALID_PARAMS: Self = Self(-32602);
    /// The server failed.
    pub const INTERNAL_ERROR: Self = Self(-32603);
    /// A legacy session that does not exist (any more).
    pub const SESSION_NOT_FOUND: Self = Self(-32001);
    /// A legacy resource that does not exist.
    pub const RESOURCE_NOT_FOUND: Self = Self(-32002);
    /// A required HTTP header is missing or does not match the body (2026-07-28).
    pub const HEADER_MISMATCH: Self = Self(-32020);
    /// The client did not declare a capability the request needs (2026-07-28).
    pub const MISSING_CAPABILITY: Self = Self(-32021);
    /// The requested protocol version is not supported (2026-07-28).
    pub const UNSUPPORTED_VERSION: Self = Self(-32022);
    /// The caller lacks a scope the handler needs (HTTP 403, `insufficient_scope`).
    pub const INSUFFICIENT_SCOPE: Self = Self(-32003);
    /// The request carries no valid bearer token (HTTP 401, `invalid_token`).
    pub const UNAUTHORIZED: Self = Self(-32004);
}

/// What an error asks of the client's credentials (sent as `WWW-Authenticate` over HTTP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    /// The header's value, complete.
    Header(http::HeaderValue),
    /// A token granting these scopes (space-separated) is needed: the transport adds where its
    /// metadata is.
    Scope(Box<str>),
}

/// A JSON-RPC error object together with the HTTP status of the response that carries it.
///
/// ```
/// use mcp_runtime::protocol::{ErrorCode, RpcError};
///
/// let e = RpcError::invalid_params("unknown tool `nope`");
/// assert_eq!(e.code, ErrorCode::INVALID_PARAMS);
/// assert_eq!(e.status.as_u16(), 200);
/// ```
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[error("{message} ({})", code.0)]
pub struct RpcError {
    /// The JSON-RPC code.
    pub code: ErrorCode,
    /// A human-readable message.
    pub message: Cow<'static, str>,
    /// Structured details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// The HTTP status of the response.
    #[serde(skip)]
    pub status: StatusCode,
    /// When the client may try again (`Retry-After`), for refusals that pass.
    #[serde(skip)]
    retry_after: Option<std::time::Duration>,
    /// What a `WWW-Authenticate` header says with the error.
    #[serde(skip)]
    challenge: Option<Challenge>,
}

impl RpcError {
    /// An error with a code, a message and HTTP 200.
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
            status: StatusCode::OK,
            retry_after: None,
            challenge: None,
        }
    }

    /// Says when the client may try again (sent as `Retry-After`, in whole seconds, at least
    /// one).
    pub fn with_retry_after(mut self, after: std::time::Duration) -> Self {
        self.retry_after = Some(after);
        self
    }

    /// When the client may try again, if the error says.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.retry_after
    }

    /// Challenges the client to come back with a token granting `scopes` (space-separated):
    /// HTTP transports answer with `WWW-Authenticate: Bearer error="insufficient_scope"`.
    pub(crate) fn with_scope_challenge(mut self, scopes: String) -> Self {
        self.challenge = Some(Challenge::Scope(scopes.into()));
        self
    }

    /// Sent with `WWW-Authenticate: challenge` by HTTP transports.
    pub(crate) fn with_challenge(mut self, challenge: http::HeaderValue) -> Self {
        self.challenge = Some(Challenge::Header(challenge));
        self
    }

    /// What a `WWW-Authenticate` header says with the error, if anything.
    pub(crate) fn challenge(&self) -> Option<&Challenge> {
        self.challenge.as_ref()
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Attaches structured details.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// Reads a JSON-RPC error object (as a peer sent it).
    pub fn from_json(error: &Value) -> Self {
        let mut e = Self::new(
            ErrorCode(error["code"].as_i64().unwrap_or(0) as i32),
            error["message"].as_str().unwrap_or("").to_owned(),
        );
        e.data = error.get("data").cloned();
        e
    }

    /// `-32700`, HTTP 400.
    pub fn parse_error(e: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::PARSE_ERROR, format!("parse error: {e}"))
            .with_status(StatusCode::BAD_REQUEST)
    }

    /// `-32600`, HTTP 400.
    pub fn invalid_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::INVALID_REQUEST, message).with_status(StatusCode::BAD_REQUEST)
    }

    /// The id this error, answering `body` that could not be read as a message, names: the
    /// body's own id when it is an invalid request whose id can still be read, else none.
    pub(crate) fn id_for(&self, body: &[u8]) -> Option<super::RequestId> {
        (self.code == ErrorCode::INVALID_REQUEST)
            .then(|| super::Message::id_of(body))
            .flatten()
    }

    /// `-32601`, HTTP 404 (the Streamable HTTP transport answers unknown methods with 404).
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            ErrorCode::METHOD_NOT_FOUND,
            format!("method not found: `{method}`"),
        )
        .with_status(StatusCode::NOT_FOUND)
    }

    /// `-32602`, HTTP 200.
    pub fn invalid_params(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::INVALID_PARAMS, message)
    }

    /// `-32603`, HTTP 500.
    pub fn internal(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::INTERNAL_ERROR, message).with_status(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Why a resource read, a prompt or a completion failed, as the client should learn it: the
/// error type `#[resource]`, `#[prompt]` and `#[complete]` functions return (a tool's errors
/// are results the model reads instead).
///
/// [`not_found`](Self::not_found) answers with the era's code (`-32002` before 2026-07-28,
/// `-32602` from it) and `data.uri` for a resource; [`invalid_params`](Self::invalid_params)
/// with `-32602`; both travel with HTTP 200, as JSON-RPC errors do. Any other error converts
/// with `?` into an internal error (`-32603`, HTTP 500) whose message is the error's text; an
/// [`RpcError`] converts as it is.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::ProtocolError;
///
/// /// A note by id.
/// #[resource("notes://{id}")]
/// async fn note(id: u32) -> Result<String, ProtocolError> {
///     match id {
///         1 => Ok("the first note".into()),
///         _ => Err(ProtocolError::not_found()),
///     }
/// }
///
/// /// Reads a file's first line.
/// #[resource("files://{name}")]
/// async fn first_line(name: String) -> Result<String, ProtocolError> {
///     let text = std::fs::read_to_string(&name)?; // an I/O failure: -32603
///     Ok(text.lines().next().unwrap_or_default().to_owned())
/// }
/// ```
pub struct ProtocolError(RpcError);

impl std::fmt::Debug for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl ProtocolError {
    /// The resource (or prompt) asked for does not exist.
    pub fn not_found() -> Self {
        Self(RpcError::new(ErrorCode::RESOURCE_NOT_FOUND, "not found"))
    }

    /// The request's arguments are wrong: `-32602`.
    pub fn invalid_params(message: impl Into<Cow<'static, str>>) -> Self {
        Self(RpcError::invalid_params(message))
    }

    /// The server failed: `-32603`, HTTP 500.
    pub fn internal(message: impl Into<Cow<'static, str>>) -> Self {
        Self(RpcError::internal(message))
    }

    /// The JSON-RPC error it answers with.
    pub fn into_rpc(self) -> RpcError {
        self.0
    }
}

impl<E: std::error::Error + 'static> From<E> for ProtocolError {
    fn from(error: E) -> Self {
        match (&error as &dyn std::any::Any).downcast_ref::<RpcError>() {
            Some(rpc) => Self(rpc.clone()),
            None => Self::internal(error.to_string()),
        }
    }
}
