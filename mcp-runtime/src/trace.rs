//! One `tracing` span per request, with the OpenTelemetry semantic conventions for MCP.
//!
//! The span (`mcp.server`, level DEBUG, target `mcp_runtime::request`, as tower-http's request
//! spans) covers the request from its arrival to its response; a handler's own events and
//! spans nest inside it, blocking handlers and streamed calls included. Its fields:
//! `otel.name` (`{mcp.method.name} {target}`, the target a tool or prompt name), `otel.kind`
//! (`server`), `mcp.method.name`, `mcp.protocol.version`, `mcp.session.id`,
//! `jsonrpc.request.id`, `gen_ai.tool.name` and `gen_ai.operation.name` (`execute_tool`) for
//! `tools/call`, `gen_ai.prompt.name` for `prompts/get`, `mcp.resource.uri` for resource reads
//! and subscriptions, `network.transport` (`tcp`, `unix` or `pipe`), `network.protocol.name`
//! (`http` over a socket), and on failure `error.type` (the JSON-RPC error code, or
//! `tool_error` for an `isError` result), `rpc.response.status_code` and `otel.status_code`
//! (`ERROR`). `tracing-opentelemetry` exports it as an OpenTelemetry span with those names.
//!
//! When nothing listens at DEBUG for this target, making the span costs a check of one static
//! flag, and no field is computed.

use std::future::Future;
use std::pin::Pin;

use tracing::field::Empty;
use tracing::Span;

use crate::dispatch::Outcome;
use crate::protocol::{Params, ProtocolVersion, RequestId, RpcError};

/// The transport a request came over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// Streamable HTTP over TCP.
    Tcp,
    /// Streamable HTTP over a Unix domain socket.
    Unix,
    /// stdio.
    Pipe,
}

impl Transport {
    fn network(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Unix => "unix",
            Self::Pipe => "pipe",
        }
    }
}

/// Runs a request's future in its enabled span, boxed, and records how it ended. (When the span
/// is disabled the caller awaits the future in place instead: a request's future is moved
/// whole by the HTTP server, and wrapping it in place would make every request's larger.)
#[cold]
pub(crate) fn traced<'a>(
    span: Span,
    future: impl Future<Output = Outcome> + Send + 'a,
) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>> {
    Box::pin(async move {
        let outcome = tracing::Instrument::instrument(future, span.clone()).await;
        if let Outcome::Error(error) = &outcome {
            record_error(&span, error);
        }
        outcome
    })
}

/// The span of one request (disabled, and free, when nothing listens).
pub(crate) fn request_span(
    transport: Transport,
    method: &str,
    version: ProtocolVersion,
    id: Option<&RequestId>,
    session: Option<&str>,
    params: &Params<'_>,
) -> Span {
    if cfg!(feature = "untraced") {
        return Span::none();
    }
    let span = tracing::debug_span!(
        target: "mcp_runtime::request",
        "mcp.server",
        otel.name = Empty,
        otel.kind = "server",
        otel.status_code = Empty,
        mcp.method.name = Empty,
        mcp.protocol.version = Empty,
        mcp.session.id = Empty,
        jsonrpc.request.id = Empty,
        gen_ai.tool.name = Empty,
        gen_ai.operation.name = Empty,
        gen_ai.prompt.name = Empty,
        mcp.resource.uri = Empty,
        network.transport = Empty,
        network.protocol.name = Empty,
        error.type = Empty,
        rpc.response.status_code = Empty,
    );
    if span.is_disabled() {
        return span;
    }
    describe(&span, transport, method, version, id, session, params);
    span
}

/// Fills in an enabled span's fields.
#[cold]
fn describe(
    span: &Span,
    transport: Transport,
    method: &str,
    version: ProtocolVersion,
    id: Option<&RequestId>,
    session: Option<&str>,
    params: &Params<'_>,
) {
    span.record("mcp.method.name", method);
    span.record("mcp.protocol.version", version.as_str());
    span.record("network.transport", transport.network());
    if transport != Transport::Pipe {
        span.record("network.protocol.name", "http");
    }
    if let Some(session) = session {
        span.record("mcp.session.id", session);
    }
    if let Some(id) = id {
        let raw = id.as_json();
        span.record("jsonrpc.request.id", raw.trim_matches('"'));
    }
    let target = match method {
        "tools/call" => params.name.as_deref().inspect(|name| {
            span.record("gen_ai.tool.name", *name);
            span.record("gen_ai.operation.name", "execute_tool");
        }),
        "prompts/get" => params.name.as_deref().inspect(|name| {
            span.record("gen_ai.prompt.name", *name);
        }),
        "resources/read" | "resources/subscribe" | "resources/unsubscribe" => {
            if let Some(uri) = params.uri.as_deref() {
                span.record("mcp.resource.uri", uri);
            }
            None
        }
        _ => None,
    };
    match target {
        Some(target) => span.record("otel.name", format!("{method} {target}")),
        None => span.record("otel.name", method),
    };
}

/// Records a JSON-RPC error on a span.
#[cold]
fn record_error(span: &Span, error: &RpcError) {
    let code = error.code.0.to_string();
    span.record("error.type", code.as_str());
    span.record("rpc.response.status_code", code.as_str());
    span.record("otel.status_code", "ERROR");
}

/// Records, on the current request's span, that a tool answered with an `isError` result.
#[cold]
pub(crate) fn record_tool_error() {
    let span = Span::current();
    if !span.is_disabled() {
        span.record("error.type", "tool_error");
        span.record("otel.status_code", "ERROR");
    }
}
