//! [`TestClient`]: call a server's tools, resources, prompts and completions in-process, in
//! either protocol era, without a socket.
//!
//! The client behaves as a real one does: a 2025-era client initializes first and keeps the
//! session the server opens; responses sent as `text/event-stream` are read event by event, with
//! the notifications before the result collected ([`TestClient::call_tool_with_notifications`]);
//! and the server's questions (sampling, elicitation, roots) are answered by the test's
//! callbacks ([`TestClient::on_sampling`], ...), whether they come as requests on a 2025-era
//! session's stream or as `input_required` results of the 2026-07-28 era.
//!
//! ```
//! use mcp_runtime::extract::{CreateMessage, InputError, Sampler};
//! use mcp_runtime::prelude::*;
//! use mcp_runtime::testing::TestClient;
//! use serde_json::json;
//!
//! /// Asks the client's model for a word.
//! #[tool]
//! async fn word(sampler: Sampler) -> Result<String, InputError> {
//!     let answer = sampler.create_message(CreateMessage::ask("A word?", 5)).await?;
//!     Ok(answer.text().unwrap_or_default().to_owned())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let client = TestClient::new(Server::new().tool(word::tool()))
//!     .unwrap()
//!     .on_sampling(|_params| {
//!         Ok(json!({"role": "assistant", "content": {"type": "text", "text": "hi"}, "model": "m"}))
//!     });
//! // 2026-07-28: `input_required`, answered and retried.
//! assert_eq!(client.call_tool("word", json!({})).await.unwrap().all_text(), "hi");
//! // 2025-11-25: a request on the session's stream, answered by a POST.
//! assert_eq!(client.legacy().call_tool("word", json!({})).await.unwrap().all_text(), "hi");
//! # }
//! ```

mod exchange;
mod input;
mod listed;
mod rounds;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::completion::Completion;
use crate::extract::LogLevel;
use crate::prompt::PromptResult;
use crate::protocol::{Era, ProtocolVersion, ResourceContents, RpcError};
use crate::tool::ToolResult;
use crate::{Error, Server};

use input::{Callbacks, Question};
pub use listed::{
    ListedPrompt, ListedPromptArgument, ListedResource, ListedResourceTemplate, ListedTool,
};

/// An in-process client for unit tests.
///
/// Every message goes through the server's real HTTP handling (headers, guards, era detection)
/// and is serialized to JSON and parsed back, exactly as over a socket.
///
/// Clones are the same client: they share the server, the callbacks, the request ids and the
/// 2025-era session. [`legacy`](Self::legacy) and [`with_version`](Self::with_version) make
/// another client (with a session of its own), and so does every method that changes what the
/// client declares ([`with_capabilities`](Self::with_capabilities), [`on_sampling`](Self::on_sampling), ...).
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
#[derive(Debug, Clone)]
pub struct TestClient {
    router: axum::Router,
    /// The endpoint's path.
    path: Arc<str>,
    version: ProtocolVersion,
    /// What the test declared with `with_capabilities`.
    capabilities: Value,
    log_level: Option<LogLevel>,
    callbacks: Callbacks,
    shared: Arc<Shared>,
}

/// What the clones of one client share.
#[derive(Debug, Default)]
struct Shared {
    /// The last request id used.
    last_id: AtomicI64,
    /// The 2025-era session, once `initialize` opened one (`None` inside: the server is
    /// stateless).
    session: tokio::sync::OnceCell<Option<String>>,
}

/// A result together with the notifications the server sent before it (progress, log
/// messages), each a whole JSON-RPC message (`{"jsonrpc", "method", "params"}`), in order.
///
/// ```
/// use mcp_runtime::extract::Log;
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::testing::TestClient;
///
/// /// Imports, and says so.
/// #[tool]
/// async fn import(log: Log) -> &'static str {
///     log.info("importing");
///     "imported"
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = TestClient::new(Server::new().tool(import::tool())).unwrap().legacy();
/// let reply = client.call_tool_with_notifications("import", serde_json::json!({})).await.unwrap();
/// assert_eq!(reply.result.all_text(), "imported");
/// assert_eq!(reply.notifications[0]["method"], "notifications/message");
/// assert_eq!(reply.notifications[0]["params"]["data"], "importing");
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Reply<T> {
    /// The result.
    pub result: T,
    /// The notifications that came before it.
    pub notifications: Vec<Value>,
}

/// A raw HTTP exchange, for tests of the transport itself.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = mcp_runtime::testing::TestClient::new(mcp_runtime::Server::new()).unwrap();
/// let headers = [
///     ("host", "localhost"),
///     ("content-type", "application/json"),
///     ("accept", "application/json, text/event-stream"),
/// ];
/// let response = client.post_raw(&headers, "{").await;
/// assert_eq!(response.status, 400);
/// assert_eq!(response.body["error"]["code"], -32700);
/// # }
/// ```
#[derive(Debug)]
pub struct TestResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: http::HeaderMap,
    /// The body, parsed as JSON (`Null` if empty, a string if not JSON).
    pub body: Value,
}

impl TestClient {
    /// A client of `server` speaking the newest revision (2026-07-28).
    ///
    /// Fails if the server cannot be built (see [`Server::router`]).
    ///
    /// ```
    /// let client = mcp_runtime::testing::TestClient::new(mcp_runtime::Server::new()).unwrap();
    /// assert_eq!(client.version(), mcp_runtime::protocol::ProtocolVersion::LATEST);
    /// ```
    pub fn new(server: Server) -> Result<Self, Error> {
        let path = Arc::from(server.mount_path());
        Ok(Self {
            router: server.router()?,
            path,
            version: ProtocolVersion::LATEST,
            capabilities: json!({}),
            log_level: None,
            callbacks: Callbacks::default(),
            shared: Arc::default(),
        })
    }

    /// A new client declaring these capabilities (`{"sampling": {}}`, ...): in `initialize`
    /// (2025 era) and in every request's `_meta` (2026-07-28). The callbacks' capabilities are
    /// added to them.
    ///
    /// ```
    /// use mcp_runtime::testing::TestClient;
    ///
    /// // Declares sampling without answering it: the 2026-07-28 `input_required` results come
    /// // back from `request` as they are, for a test to answer by hand.
    /// let client = TestClient::new(mcp_runtime::Server::new())
    ///     .unwrap()
    ///     .with_capabilities(serde_json::json!({"sampling": {}}));
    /// # let _ = client;
    /// ```
    pub fn with_capabilities(mut self, capabilities: Value) -> Self {
        self.capabilities = capabilities;
        self.renewed()
    }

    /// A new client answering `sampling/createMessage` with `answer`, which gets the request's
    /// `params` and returns the result (`{"role", "content", "model", ...}`) or an error; it
    /// declares the `sampling` capability.
    ///
    /// In the 2025 era an error is sent to the server as the answer, and reaches the handler; a
    /// 2026-07-28 request has no way to carry one, and fails with it.
    ///
    /// ```
    /// use mcp_runtime::testing::TestClient;
    /// use serde_json::json;
    ///
    /// let client = TestClient::new(mcp_runtime::Server::new()).unwrap().on_sampling(|params| {
    ///     let question = params["messages"][0]["content"]["text"].as_str().unwrap_or("");
    ///     Ok(json!({"role": "assistant", "content": {"type": "text", "text": question.len().to_string()}, "model": "m"}))
    /// });
    /// # let _ = client;
    /// ```
    pub fn on_sampling(
        self,
        answer: impl Fn(Value) -> Result<Value, RpcError> + Send + Sync + 'static,
    ) -> Self {
        self.answering(Question::Sampling, Arc::new(answer))
    }

    /// A new client answering `elicitation/create` with `answer` (the request's `params` in,
    /// `{"action": "accept", "content": {...}}`, `"decline"` or `"cancel"` out); it declares
    /// the `elicitation` capability (form mode). Errors go as with
    /// [`on_sampling`](Self::on_sampling).
    ///
    /// ```
    /// use mcp_runtime::testing::TestClient;
    /// use serde_json::json;
    ///
    /// let client = TestClient::new(mcp_runtime::Server::new())
    ///     .unwrap()
    ///     .on_elicitation(|_| Ok(json!({"action": "accept", "content": {"name": "Ada"}})));
    /// # let _ = client;
    /// ```
    pub fn on_elicitation(
        self,
        answer: impl Fn(Value) -> Result<Value, RpcError> + Send + Sync + 'static,
    ) -> Self {
        self.answering(Question::Elicitation, Arc::new(answer))
    }

    /// A new client answering `roots/list` with `answer` (`{"roots": [{"uri": ...}]}`); it
    /// declares the `roots` capability. Errors go as with [`on_sampling`](Self::on_sampling).
    ///
    /// ```
    /// use mcp_runtime::testing::TestClient;
    /// use serde_json::json;
    ///
    /// let client = TestClient::new(mcp_runtime::Server::new())
    ///     .unwrap()
    ///     .on_roots(|_| Ok(json!({"roots": [{"uri": "file:///work", "name": "work"}]})));
    /// # let _ = client;
    /// ```
    pub fn on_roots(
        self,
        answer: impl Fn(Value) -> Result<Value, RpcError> + Send + Sync + 'static,
    ) -> Self {
        self.answering(Question::Roots, Arc::new(answer))
    }

    /// A new client asking for log messages at `level` and above: in every request's `_meta`
    /// (2026-07-28, where a request without a level gets no log messages), or with
    /// `logging/setLevel` right after `initialize` (2025 era, where sessions start at `info`).
    ///
    /// ```
    /// use mcp_runtime::extract::{Log, LogLevel};
    /// use mcp_runtime::prelude::*;
    /// use mcp_runtime::testing::TestClient;
    ///
    /// /// Logs a detail.
    /// #[tool]
    /// async fn detailed(log: Log) -> &'static str {
    ///     log.debug("a detail");
    ///     "done"
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = TestClient::new(Server::new().tool(detailed::tool()))
    ///     .unwrap()
    ///     .with_log_level(LogLevel::Debug);
    /// let reply = client.call_tool_with_notifications("detailed", serde_json::json!({})).await.unwrap();
    /// assert_eq!(reply.notifications[0]["params"]["level"], "debug");
    /// # }
    /// ```
    pub fn with_log_level(mut self, level: LogLevel) -> Self {
        self.log_level = Some(level);
        self.renewed()
    }

    /// The same server, reached by a new client of the newest legacy revision (2025-11-25),
    /// with the same callbacks and capabilities.
    ///
    /// ```
    /// use mcp_runtime::testing::TestClient;
    ///
    /// let client = TestClient::new(mcp_runtime::Server::new()).unwrap();
    /// assert_eq!(client.legacy().version().as_str(), "2025-11-25");
    /// ```
    pub fn legacy(&self) -> Self {
        self.with_version(ProtocolVersion::LATEST_LEGACY)
    }

    /// The same server, reached by a new client of `version`, with the same callbacks and
    /// capabilities.
    ///
    /// ```
    /// use mcp_runtime::protocol::ProtocolVersion;
    /// use mcp_runtime::testing::TestClient;
    ///
    /// let client = TestClient::new(mcp_runtime::Server::new()).unwrap();
    /// let old = client.with_version(ProtocolVersion::DEFAULT_LEGACY);
    /// assert_eq!(old.version().as_str(), "2025-03-26");
    /// ```
    pub fn with_version(&self, version: ProtocolVersion) -> Self {
        Self {
            version,
            ..self.clone()
        }
        .renewed()
    }

    /// The revision this client speaks.
    ///
    /// ```
    /// let client = mcp_runtime::testing::TestClient::new(mcp_runtime::Server::new()).unwrap();
    /// assert_eq!(client.version().as_str(), "2026-07-28");
    /// ```
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }

    /// The 2025-era session this client (and its clones) works in, opening it with
    /// `initialize` if no request did yet; `None` for 2026-07-28 clients and stateless servers.
    ///
    /// ```
    /// use mcp_runtime::prelude::*;
    /// use mcp_runtime::session::Session;
    /// use mcp_runtime::testing::TestClient;
    ///
    /// /// Names the caller's session.
    /// #[tool]
    /// async fn whoami(session: Session) -> String {
    ///     session.id().to_owned()
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = TestClient::new(Server::new().tool(whoami::tool())).unwrap().legacy();
    /// let id = client.session_id().await.unwrap().expect("a stateful server opens sessions");
    /// assert_eq!(client.call_tool("whoami", serde_json::json!({})).await.unwrap().all_text(), id);
    /// # }
    /// ```
    pub async fn session_id(&self) -> Result<Option<String>, RpcError> {
        self.session().await
    }

    /// Calls a tool. A failed tool is `Ok` with `is_error` set; protocol errors are `Err`, and
    /// so is input the server asked for that no callback answers.
    ///
    /// ```
    /// use mcp_runtime::prelude::*;
    /// use mcp_runtime::testing::TestClient;
    ///
    /// /// Fails on purpose.
    /// #[tool]
    /// async fn fail() -> Result<String, String> {
    ///     Err("no".into())
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = TestClient::new(Server::new().tool(fail::tool())).unwrap();
    /// assert!(client.call_tool("fail", serde_json::json!({})).await.unwrap().is_error);
    /// assert!(client.call_tool("nope", serde_json::json!({})).await.is_err());
    /// # }
    /// ```
    pub async fn call_tool(&self, name: &str, arguments: Value) -> Result<ToolResult, RpcError> {
        let params = json!({"name": name, "arguments": arguments});
        Ok(self.call_typed("tools/call", params).await?.result)
    }

    /// Calls a tool asking for progress (it sends a progress token), and returns the result
    /// with the notifications that came before it. Log messages come at the level the server
    /// starts with (2025 era) or the one set by [`with_log_level`](Self::with_log_level).
    ///
    /// ```
    /// use mcp_runtime::extract::Progress;
    /// use mcp_runtime::prelude::*;
    /// use mcp_runtime::testing::TestClient;
    ///
    /// /// Works in two steps.
    /// #[tool]
    /// async fn work(progress: Progress) -> &'static str {
    ///     progress.report(1.0, Some(2.0), None);
    ///     progress.report(2.0, Some(2.0), None);
    ///     "done"
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = TestClient::new(Server::new().tool(work::tool())).unwrap();
    /// let reply = client.call_tool_with_notifications("work", serde_json::json!({})).await.unwrap();
    /// assert_eq!(reply.result.all_text(), "done");
    /// let steps: Vec<f64> = reply.notifications.iter().map(|n| n["params"]["progress"].as_f64().unwrap()).collect();
    /// assert_eq!(steps, [1.0, 2.0]);
    /// # }
    /// ```
    pub async fn call_tool_with_notifications(
        &self,
        name: &str,
        arguments: Value,
    ) -> Result<Reply<ToolResult>, RpcError> {
        let token = format!("progress-{}", self.next_id());
        let params =
            json!({"name": name, "arguments": arguments, "_meta": {"progressToken": token}});
        self.call_typed("tools/call", params).await
    }

    /// Lists every tool, following pagination.
    ///
    /// See [`ListedTool`] for an example.
    pub async fn list_tools(&self) -> Result<Vec<ListedTool>, RpcError> {
        self.list_all("tools/list", "tools").await
    }

    /// Lists every resource, following pagination.
    ///
    /// See [`ListedResource`] for an example.
    pub async fn list_resources(&self) -> Result<Vec<ListedResource>, RpcError> {
        self.list_all("resources/list", "resources").await
    }

    /// Lists every resource template, following pagination.
    ///
    /// See [`ListedResourceTemplate`] for an example.
    pub async fn list_resource_templates(&self) -> Result<Vec<ListedResourceTemplate>, RpcError> {
        self.list_all("resources/templates/list", "resourceTemplates")
            .await
    }

    /// Lists every prompt, following pagination.
    ///
    /// See [`ListedPrompt`] for an example.
    pub async fn list_prompts(&self) -> Result<Vec<ListedPrompt>, RpcError> {
        self.list_all("prompts/list", "prompts").await
    }

    /// Reads a resource (answering the input its handler asks for).
    ///
    /// ```
    /// use mcp_runtime::prelude::*;
    /// use mcp_runtime::testing::TestClient;
    ///
    /// /// A user's profile.
    /// #[resource("users://{id}/profile", mime_type = "text/plain")]
    /// async fn profile(id: u32) -> String {
    ///     format!("user {id}")
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = TestClient::new(Server::new().resource(profile::resource())).unwrap();
    /// let contents = client.read_resource("users://7/profile").await.unwrap();
    /// assert_eq!(contents[0].text.as_deref(), Some("user 7"));
    /// # }
    /// ```
    pub async fn read_resource(&self, uri: &str) -> Result<Vec<ResourceContents>, RpcError> {
        let mut result = self.finished("resources/read", json!({"uri": uri})).await?;
        decode(result["contents"].take())
    }

    /// Gets a prompt with its `arguments` (an object of strings; `Null` for none), answering
    /// the input its handler asks for.
    ///
    /// ```
    /// use mcp_runtime::prelude::*;
    /// use mcp_runtime::testing::TestClient;
    ///
    /// /// Asks for a summary.
    /// #[prompt]
    /// async fn summarize(text: String) -> String {
    ///     format!("Summarize: {text}")
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = TestClient::new(Server::new().prompt(summarize::prompt())).unwrap();
    /// let prompt = client.get_prompt("summarize", serde_json::json!({"text": "MCP"})).await.unwrap();
    /// assert_eq!(prompt.messages[0], PromptMessage::user("Summarize: MCP"));
    /// # }
    /// ```
    pub async fn get_prompt(&self, name: &str, arguments: Value) -> Result<PromptResult, RpcError> {
        let mut params = json!({"name": name});
        if !arguments.is_null() {
            params["arguments"] = arguments;
        }
        decode(self.finished("prompts/get", params).await?)
    }

    /// Completes the value of `argument` of `reference` (`{"type": "ref/prompt", "name": ...}`
    /// or `{"type": "ref/resource", "uri": ...}`) from the partial `value`;
    /// `context_arguments` are the values already chosen for the other arguments (an object of
    /// strings, sent as `context.arguments`).
    ///
    /// ```
    /// use mcp_runtime::prelude::*;
    /// use mcp_runtime::testing::TestClient;
    /// use serde_json::json;
    ///
    /// /// Asks for a review.
    /// #[prompt]
    /// async fn review(code: String, language: String) -> String {
    ///     format!("Review this {language}: {code}")
    /// }
    ///
    /// /// Suggests languages.
    /// #[complete(prompt = "review", argument = "language")]
    /// async fn languages(partial: String) -> Vec<&'static str> {
    ///     ["rust", "ruby", "go"].into_iter().filter(|l| l.starts_with(&partial)).collect()
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = Server::new().prompt(review::prompt()).completer(languages::completer());
    /// let client = TestClient::new(server).unwrap();
    /// let reference = json!({"type": "ref/prompt", "name": "review"});
    /// let completion = client.complete(reference, "language", "r", None).await.unwrap();
    /// assert_eq!(completion.values, ["rust", "ruby"]);
    /// # }
    /// ```
    pub async fn complete(
        &self,
        reference: Value,
        argument: &str,
        value: &str,
        context_arguments: Option<Value>,
    ) -> Result<Completion, RpcError> {
        let mut params = json!({"ref": reference, "argument": {"name": argument, "value": value}});
        if let Some(arguments) = context_arguments {
            params["context"] = json!({"arguments": arguments});
        }
        let mut result = self.finished("completion/complete", params).await?;
        decode(result["completion"].take())
    }

    /// Pings the server (`ping`, a method of the 2025 era only: 2026-07-28 servers answer it
    /// with "method not found").
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = mcp_runtime::testing::TestClient::new(mcp_runtime::Server::new()).unwrap();
    /// client.legacy().ping().await.unwrap();
    /// assert!(client.ping().await.is_err());
    /// # }
    /// ```
    pub async fn ping(&self) -> Result<(), RpcError> {
        self.request("ping", json!({})).await.map(drop)
    }

    /// Asks a 2026-07-28 server what it supports (`server/discover`): its versions,
    /// capabilities and instructions.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = mcp_runtime::testing::TestClient::new(mcp_runtime::Server::new()).unwrap();
    /// let discovered = client.discover().await.unwrap();
    /// assert!(discovered["supportedVersions"].as_array().unwrap().contains(&"2026-07-28".into()));
    /// # }
    /// ```
    pub async fn discover(&self) -> Result<Value, RpcError> {
        self.request("server/discover", json!({})).await
    }

    /// Sends a request and returns its `result`, or its `error`.
    ///
    /// `params` is completed with what the era requires (`_meta` for 2026-07-28 clients; what
    /// `params._meta` already holds is kept). The request takes the same path as the helpers:
    /// streamed responses are read to their result, and the server's questions are answered by
    /// the callbacks. An `input_required` result (2026-07-28) asking a question no callback
    /// answers is returned as it is, for the test to answer by hand.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = mcp_runtime::testing::TestClient::new(mcp_runtime::Server::new()).unwrap();
    /// let result = client.request("server/discover", serde_json::json!({})).await.unwrap();
    /// assert_eq!(result["resultType"], "complete");
    /// let error = client.request("tools/list", serde_json::json!({})).await.unwrap_err();
    /// assert_eq!(error.code.0, -32601, "no tools, no tools methods");
    /// # }
    /// ```
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        Ok(self.call(method, params).await?.result)
    }

    /// Sends a request as [`request`](Self::request) does, and returns its `result` with the
    /// notifications the server sent before it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = mcp_runtime::testing::TestClient::new(mcp_runtime::Server::new()).unwrap();
    /// let reply = client.request_with_notifications("server/discover", serde_json::json!({})).await.unwrap();
    /// assert!(reply.notifications.is_empty());
    /// # }
    /// ```
    pub async fn request_with_notifications(
        &self,
        method: &str,
        params: Value,
    ) -> Result<Reply<Value>, RpcError> {
        self.call(method, params).await
    }

    /// Sends a notification (`notifications/roots/list_changed`, `notifications/cancelled`,
    /// ...); `Ok` once the server accepted it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = mcp_runtime::testing::TestClient::new(mcp_runtime::Server::new()).unwrap();
    /// client.legacy().notify("notifications/roots/list_changed", serde_json::json!({})).await.unwrap();
    /// # }
    /// ```
    pub async fn notify(&self, method: &str, params: Value) -> Result<(), RpcError> {
        let session = self.session().await?;
        self.post_notification(method, self.prepared(params), session.as_deref())
            .await
    }

    /// Posts a raw body with extra headers and returns the raw exchange (the whole body, read
    /// to its end).
    ///
    /// See [`TestResponse`] for an example.
    pub async fn post_raw(&self, headers: &[(&str, &str)], body: &str) -> TestResponse {
        let mut builder = Request::post(&*self.path);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let request = builder
            .body(Body::from(body.to_owned()))
            .expect("a valid request");
        let (parts, body) = self.send(request).await.into_parts();
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

    /// This client answering `question` with `callback`: a new client.
    fn answering(mut self, question: Question, callback: input::Callback) -> Self {
        self.callbacks.set(question, callback);
        self.renewed()
    }

    /// The same settings in a new client: ids from 1, and no session yet.
    fn renewed(mut self) -> Self {
        self.shared = Arc::default();
        self
    }

    fn next_id(&self) -> i64 {
        self.shared.last_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The capabilities this client declares: the test's and its callbacks'.
    fn declared(&self) -> Value {
        self.callbacks.declare(&self.capabilities)
    }

    /// The session requests of this client belong to (2025 era), initializing first if no
    /// request did yet.
    async fn session(&self) -> Result<Option<String>, RpcError> {
        if self.version.era() != Era::Legacy {
            return Ok(None);
        }
        self.shared
            .session
            .get_or_try_init(|| self.initialize())
            .await
            .cloned()
    }

    /// The result of a request whose input was all answered.
    async fn finished(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        rounds::finished(self.request(method, params).await?)
    }

    /// A request's result read as `T`, with its notifications.
    async fn call_typed<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
    ) -> Result<Reply<T>, RpcError> {
        let reply = self.call(method, params).await?;
        Ok(Reply {
            result: decode(rounds::finished(reply.result)?)?,
            notifications: reply.notifications,
        })
    }

    /// Every entry of a list method, page after page.
    async fn list_all<T: DeserializeOwned>(
        &self,
        method: &str,
        key: &str,
    ) -> Result<Vec<T>, RpcError> {
        let mut entries = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let params = match &cursor {
                Some(cursor) => json!({"cursor": cursor}),
                None => json!({}),
            };
            let mut page = self.request(method, params).await?;
            entries.extend(decode::<Vec<T>>(page[key].take())?);
            let next = page["nextCursor"].as_str().map(str::to_owned);
            match next {
                None => return Ok(entries),
                Some(next) if cursor.as_ref() == Some(&next) => {
                    return Err(RpcError::internal(format!(
                        "`{method}` returned the cursor it was given"
                    )))
                }
                Some(next) => cursor = Some(next),
            }
        }
    }
}

/// A result read as `T`.
fn decode<T: DeserializeOwned>(value: Value) -> Result<T, RpcError> {
    serde_json::from_value(value).map_err(|e| {
        RpcError::internal(format!("the result does not have the expected shape: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sendable<T: Send>(_: &T) {}

    #[test]
    fn clients_and_their_calls_can_move_between_threads() {
        let client = TestClient::new(Server::new()).unwrap();
        let call = client.call_tool("x", json!({}));
        sendable(&call);
        let listing = client.list_prompts();
        sendable(&listing);
        fn shared<T: Send + Sync + Clone>() {}
        shared::<TestClient>();
    }
}
