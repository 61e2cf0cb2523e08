//! [`TestClient`]: call a server's tools in-process, in either protocol era, without a socket.

use std::sync::atomic::{AtomicI64, Ordering};

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::protocol::{Era, ProtocolVersion, RpcError};
use crate::tool::ToolResult;
use crate::{Error, Server};

/// An in-process client for unit tests.
///
/// Every message goes through the server's real HTTP handling (headers, guards, era detection)
/// and is serialized to JSON and parsed back, exactly as over a socket.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::testing::TestClient;
///
/// /// Adds two integers.
/// #[tool]
/// fn add(a: i64, b: i64) -> i64 {
///     a + b
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = TestClient::new(Server::from_registry()).unwrap();
/// let result = client.call_tool("add", serde_json::json!({"a": 2, "b": 3})).await.unwrap();
/// assert_eq!(result.all_text(), "5");
///
/// // The same server, as a 2025-era client sees it.
/// let legacy = client.legacy();
/// assert!(legacy.list_tools().await.unwrap().iter().any(|t| t.name == "add"));
/// # }
/// ```
#[derive(Debug)]
pub struct TestClient {
    router: axum::Router,
    version: ProtocolVersion,
    capabilities: Value,
    next_id: AtomicI64,
    /// The legacy session, once `initialize` opened one (stateful servers).
    session: std::sync::Mutex<Option<Option<String>>>,
}

/// A tool as `tools/list` describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListedTool {
    /// The name.
    pub name: String,
    /// The title.
    pub title: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The input schema.
    pub input_schema: Value,
    /// The output schema.
    pub output_schema: Option<Value>,
    /// The annotations.
    pub annotations: Option<Value>,
}

/// A raw HTTP exchange, for tests of the transport itself.
#[derive(Debug)]
pub struct TestResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: http::HeaderMap,
    /// The body, parsed as JSON (`Null` if empty).
    pub body: Value,
}

impl TestClient {
    /// A client of `server` speaking the newest revision (2026-07-28).
    pub fn new(server: Server) -> Result<Self, Error> {
        Ok(Self {
            router: server.router()?,
            version: ProtocolVersion::LATEST,
            capabilities: json!({}),
            next_id: AtomicI64::new(1),
            session: std::sync::Mutex::new(None),
        })
    }

    /// The same client, declaring these capabilities (`{"sampling": {}}`, ...) on 2026-07-28
    /// requests.
    pub fn with_capabilities(mut self, capabilities: Value) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// The same server, reached by a client of the newest legacy revision (2025-11-25).
    pub fn legacy(&self) -> Self {
        self.with_version(ProtocolVersion::LATEST_LEGACY)
    }

    /// The same server, reached by a client of `version`.
    pub fn with_version(&self, version: ProtocolVersion) -> Self {
        Self {
            router: self.router.clone(),
            version,
            capabilities: self.capabilities.clone(),
            next_id: AtomicI64::new(1),
            session: std::sync::Mutex::new(None),
        }
    }

    /// Calls a tool. A failed tool is `Ok` with `is_error` set; protocol errors are `Err`.
    pub async fn call_tool(&self, name: &str, arguments: Value) -> Result<ToolResult, RpcError> {
        let result = self
            .request("tools/call", json!({"name": name, "arguments": arguments}))
            .await?;
        serde_json::from_value(result).map_err(|e| RpcError::internal(e.to_string()))
    }

    /// Lists every tool, following pagination.
    pub async fn list_tools(&self) -> Result<Vec<ListedTool>, RpcError> {
        let mut tools = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let params = match &cursor {
                Some(c) => json!({"cursor": c}),
                None => json!({}),
            };
            let mut page = self.request("tools/list", params).await?;
            let listed: Vec<ListedTool> = serde_json::from_value(page["tools"].take())
                .map_err(|e| RpcError::internal(e.to_string()))?;
            tools.extend(listed);
            match page["nextCursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return Ok(tools),
            }
        }
    }

    /// Sends a request and returns its `result`, or its `error`.
    ///
    /// `params` is completed with what the era requires: `_meta` for 2026-07-28 clients.
    pub async fn request(&self, method: &str, mut params: Value) -> Result<Value, RpcError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if self.version.era() == Era::Modern {
            params["_meta"] = json!({
                "io.modelcontextprotocol/protocolVersion": self.version.as_str(),
                "io.modelcontextprotocol/clientCapabilities": self.capabilities,
                "io.modelcontextprotocol/clientInfo": {"name": "test-client", "version": "0"},
            });
        }
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let mut builder = Request::post(crate::server::DEFAULT_PATH)
            .header("mcp-protocol-version", self.version.as_str());
        if self.version.era() == Era::Legacy && method != "initialize" {
            if let Some(session) = self.legacy_session().await? {
                builder = builder.header("mcp-session-id", session);
            }
        }
        if self.version.era() == Era::Modern {
            builder = builder.header("mcp-method", method);
            let name = params.get("name").or_else(|| params.get("uri"));
            if let Some(name) = name.and_then(Value::as_str) {
                builder = builder.header("mcp-name", name);
            }
        }
        let response = self.send(builder, &body).await;
        let mut body = response.body;
        if let Some(error) = body.get("error") {
            return Err(RpcError::from_json(error).with_status(response.status));
        }
        Ok(body["result"].take())
    }

    /// The session id of a 2025-era client: the first request of such a client initializes,
    /// as a real client does, and keeps the session the server opens (if it opens one).
    async fn legacy_session(&self) -> Result<Option<String>, RpcError> {
        if let Some(known) = self.session.lock().expect("session lock").clone() {
            return Ok(known);
        }
        let init = json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {
                "protocolVersion": self.version.as_str(),
                "capabilities": self.capabilities,
                "clientInfo": {"name": "test-client", "version": "0"},
            },
        });
        let builder = Request::post(crate::server::DEFAULT_PATH);
        let response = self.send(builder, &init).await;
        if let Some(error) = response.body.get("error") {
            return Err(RpcError::from_json(error));
        }
        let session = response
            .headers
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        *self.session.lock().expect("session lock") = Some(session.clone());
        Ok(session)
    }

    /// Posts a raw body with extra headers and returns the raw exchange.
    pub async fn post_raw(&self, headers: &[(&str, &str)], body: &str) -> TestResponse {
        let mut builder = Request::post(crate::server::DEFAULT_PATH);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let request = builder
            .body(Body::from(body.to_owned()))
            .expect("a valid request");
        self.exchange(request).await
    }

    async fn send(&self, builder: http::request::Builder, body: &Value) -> TestResponse {
        let request = builder
            .header("host", "localhost")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(Body::from(serde_json::to_vec(body).expect("JSON")))
            .expect("a valid request");
        self.exchange(request).await
    }

    async fn exchange(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let (parts, body) = response.into_parts();
        let bytes = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }
}
