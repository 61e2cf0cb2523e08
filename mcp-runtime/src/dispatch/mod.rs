//! The method table: one parsed request in, one [`Outcome`] out, for either era.

mod results;

use std::panic::AssertUnwindSafe;

use serde_json::value::RawValue;

use crate::endpoint::Endpoint;
use crate::extract::{Arguments, ToolCall};
use crate::protocol::{Era, Params, ProtocolVersion, RequestId, RpcError};
use crate::tool::ToolResult;

use results::{DiscoverResult, InitializeResult, ListToolsResult, Stamp};

/// A request (or notification) whose era is known.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    /// `None` for a notification.
    pub(crate) id: Option<RequestId>,
    pub(crate) method: &'a str,
    pub(crate) params: Params<'a>,
    pub(crate) version: ProtocolVersion,
}

/// What the transport sends back.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A JSON-RPC response body (result or error).
    Reply(Vec<u8>),
    /// A JSON-RPC error, with its HTTP status.
    Error(RpcError),
    /// A notification or response was accepted; nothing to send.
    Accepted,
}

impl Endpoint {
    /// Runs one request to its outcome.
    pub(crate) async fn dispatch(&self, call: Call<'_>) -> Outcome {
        let Some(id) = call.id.clone() else {
            // Notifications (`notifications/initialized`, `notifications/cancelled`, ...) need
            // no answer from a stateless server.
            return Outcome::Accepted;
        };
        let era = call.version.era();
        let result = match (call.method, era) {
            ("initialize", Era::Legacy) => Ok(self.initialize(&id, &call)),
            ("server/discover", Era::Modern) => Ok(self.discover(&id)),
            ("ping", Era::Legacy) => Ok(self.reply(&id, era, &results::Empty {}, None)),
            // Without tools there is no `tools` capability, and so no tools methods.
            ("tools/list", _) if !self.registry.is_empty() => self.list_tools(&id, &call),
            ("tools/call", _) if !self.registry.is_empty() => self.call_tool(&id, &call).await,
            (method, _) => Err(RpcError::method_not_found(method)),
        };
        result.unwrap_or_else(Outcome::Error)
    }

    fn reply<R: serde::Serialize>(
        &self,
        id: &RequestId,
        era: Era,
        result: &R,
        cacheable: Option<()>,
    ) -> Outcome {
        let stamp = (era == Era::Modern).then(|| Stamp {
            result_type: "complete",
            meta: &self.server_meta,
            cache: cacheable.map(|()| self.list_cache),
        });
        Outcome::Reply(crate::protocol::result_body(
            id,
            &results::Stamped { result, stamp },
        ))
    }

    fn initialize(&self, id: &RequestId, call: &Call<'_>) -> Outcome {
        let requested = call.params.protocol_version.as_deref();
        let version = requested
            .and_then(ProtocolVersion::from_wire)
            .filter(|v| v.era() == Era::Legacy)
            .unwrap_or(ProtocolVersion::LATEST_LEGACY);
        let result = InitializeResult {
            protocol_version: version.as_str(),
            capabilities: &self.capabilities,
            server_info: &self.info,
            instructions: self.instructions.as_deref(),
        };
        self.reply(id, Era::Legacy, &result, None)
    }

    fn discover(&self, id: &RequestId) -> Outcome {
        let result = DiscoverResult {
            supported_versions: &self.supported_versions,
            capabilities: &self.capabilities,
            instructions: self.instructions.as_deref(),
        };
        self.reply(id, Era::Modern, &result, Some(()))
    }

    fn list_tools(&self, id: &RequestId, call: &Call<'_>) -> Result<Outcome, RpcError> {
        let index = match call.params.cursor.as_deref() {
            None => 0,
            Some(cursor) => cursor
                .parse::<usize>()
                .ok()
                .filter(|&i| i > 0)
                .ok_or_else(|| RpcError::invalid_params(format!("invalid cursor `{cursor}`")))?,
        };
        let (tools, more) = self
            .registry
            .page(index)
            .ok_or_else(|| RpcError::invalid_params("the cursor is past the last page"))?;
        let next = more.then(|| (index + 1).to_string());
        let result = ListToolsResult {
            tools,
            next_cursor: next.as_deref(),
        };
        Ok(self.reply(id, call.version.era(), &result, Some(())))
    }

    async fn call_tool(&self, id: &RequestId, call: &Call<'_>) -> Result<Outcome, RpcError> {
        let name = call
            .params
            .name
            .as_deref()
            .ok_or_else(|| RpcError::invalid_params("`tools/call` needs the tool's `name`"))?;
        let tool = self
            .registry
            .tool(name)
            .ok_or_else(|| RpcError::invalid_params(format!("Unknown tool: {name}")))?;
        let arguments = Arguments::parse(call.params.arguments)
            .map_err(|e| RpcError::invalid_params(e.to_string()))?;
        let result = self.invoke(tool.call, arguments, call.version).await;
        Ok(self.reply(id, call.version.era(), &result, None))
    }

    async fn invoke(
        &self,
        call: crate::tool::CallFn,
        arguments: Arguments<'_>,
        version: ProtocolVersion,
    ) -> ToolResult {
        let mut tool_call = ToolCall::new(arguments, version);
        let started = std::panic::catch_unwind(AssertUnwindSafe(|| call(&mut tool_call)));
        match started {
            Ok(invocation) => invocation.finish().await,
            Err(panic) => crate::tool::invocation_panicked(&*panic),
        }
    }
}

/// Builds the `_meta` object that carries the server's identity on 2026-07-28 results.
pub(crate) fn server_meta(info: &crate::protocol::Implementation) -> Box<RawValue> {
    let mut meta = serde_json::Map::new();
    meta.insert(
        crate::protocol::SERVER_INFO_META.into(),
        serde_json::to_value(info).expect("server info serializes"),
    );
    serde_json::value::to_raw_value(&meta).expect("server meta serializes")
}
