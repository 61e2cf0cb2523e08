//! Parameters that ask the client for input: [`Sampler`], [`Elicitor`], [`Roots`].
//!
//! One `await` is the whole API. For 2026-07-28 clients the runtime answers `input_required`
//! and runs the handler again when the client retries with the answers (see
//! [`mrtr`](crate::mrtr)): **a handler must make the same input calls in the same order for the
//! same arguments and answers**, or give each call an explicit key (`*_keyed`).

use std::sync::Arc;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::scope::RequestScope;
use super::{ArgumentError, CallContext, FromCall, Needs, Param};
use crate::prompt::{MessageRole, PromptMessage};
use crate::protocol::Content;
use crate::schema::InputSchema;

macro_rules! input_parameter {
    ($ty:ident, $capability:literal) => {
        impl $ty {
            #[doc = concat!("Whether this client can be asked: it declared the `", $capability, "` capability")]
            /// and the request can carry input (a 2026-07-28 request, or a 2025-era request in
            /// a session with a response stream). Handlers that can do without the input use
            /// this to avoid asking.
            pub fn is_available(&self) -> bool {
                let scope = &self.scope;
                let reachable = match &scope.session {
                    Some(_) => scope.notifications.is_some() || scope.input.is_parked(),
                    None => scope.input.mode == crate::mrtr::InputMode::RoundTrip,
                };
                reachable && scope.client_can($capability)
            }
        }

        impl FromCall for $ty {
            const NEEDS: Needs = Needs::CLIENT_INPUT;

            fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
                Ok(Self {
                    scope: call.scope().clone(),
                })
            }

            fn describe(_: &mut InputSchema<'_>, _: &Param) {}
        }
    };
}

/// Why the client could not give an input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The client did not declare the capability the input needs.
    #[error("the client did not declare the `{0}` capability")]
    NotDeclared(&'static str),
    /// The client answered with an error.
    #[error("the client refused: {message} ({code})")]
    Rejected {
        /// The JSON-RPC error code.
        code: i64,
        /// The client's message.
        message: String,
    },
    /// The client did not answer in time.
    #[error("the client did not answer within {0:?}")]
    TimedOut(std::time::Duration),
    /// The session ended before the client answered.
    #[error("the session ended before the client answered")]
    Closed,
    /// The request has no stream to carry the question (the client does not accept one).
    #[error("this request cannot carry a question to the client")]
    Unreachable,
    /// The answer does not have the expected shape.
    #[error("the client's answer is malformed: {0}")]
    Malformed(String),
}

/// Asks the client for one input and parses the answer.
///
/// In a 2025-era session the question is a real request on the response stream, answered by a
/// POST of the client's; otherwise it is an input of a multi round-trip request, and a
/// malformed answer is asked again.
async fn ask<T: DeserializeOwned>(
    scope: &RequestScope,
    kind: &'static str,
    key: Option<String>,
    method: &'static str,
    params: Value,
    capability: &'static str,
) -> Result<T, InputError> {
    // A 2025-era session's question is a request on the call's stream, unless the call is a
    // task: then it waits on the task, and reaches the client through `tasks/result`.
    if let Some(session) = scope.session.as_ref().filter(|_| !scope.input.is_parked()) {
        if !scope.client_can(capability) {
            return Err(InputError::NotDeclared(capability));
        }
        let stream = scope
            .notifications
            .as_ref()
            .ok_or(InputError::Unreachable)?;
        // Forgotten by the session however this ends, the call's cancellation included.
        let mut outbound = session.outbound();
        let request =
            json!({"jsonrpc": "2.0", "id": outbound.id, "method": method, "params": params});
        let message = crate::dispatch::Outgoing::Message(request.to_string().into());
        // A question waits for room: it must reach the client.
        if stream.send(message).await.is_err() {
            return Err(InputError::Unreachable);
        }
        let _waiting = scope.waiting_for_input();
        let answer = match tokio::time::timeout(scope.input_timeout, &mut outbound.answer).await {
            Ok(Ok(Ok(raw))) => raw,
            Ok(Ok(Err(e))) => {
                return Err(InputError::Rejected {
                    code: i64::from(e.code.0),
                    message: e.message.into_owned(),
                })
            }
            Ok(Err(_)) => return Err(InputError::Closed),
            Err(_) => return Err(InputError::TimedOut(scope.input_timeout)),
        };
        return serde_json::from_str(answer.get())
            .map_err(|e| InputError::Malformed(e.to_string()));
    }
    let key = key.unwrap_or_else(|| scope.input.next_key(kind));
    let declared = scope.client_can(capability);
    let answer = scope
        .input
        .ask(key.clone(), method, params.clone(), (capability, declared))
        .await;
    match serde_json::from_value(answer) {
        Ok(parsed) => Ok(parsed),
        // A task's question is not asked again: its key is spent.
        Err(e) if scope.input.is_parked() => Err(InputError::Malformed(e.to_string())),
        Err(_) => {
            scope.input.reject(&key, method, params);
            std::future::pending().await
        }
    }
}

/// A request for the client's model to generate a message (`sampling/createMessage`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessage {
    /// The conversation so far.
    pub messages: Vec<PromptMessage>,
    /// The most tokens to generate.
    pub max_tokens: u32,
    /// A system prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
}

impl CreateMessage {
    /// One user question, answered in at most `max_tokens` tokens.
    ///
    /// ```
    /// let ask = mcp_runtime::extract::CreateMessage::ask("What is the capital of France?", 100);
    /// assert_eq!(ask.max_tokens, 100);
    /// ```
    pub fn ask(question: impl Into<String>, max_tokens: u32) -> Self {
        Self {
            messages: vec![PromptMessage::user(question.into())],
            max_tokens,
            system_prompt: None,
            temperature: None,
        }
    }
}

/// What the client's model generated.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SampledMessage {
    /// Who speaks (the assistant).
    pub role: MessageRole,
    /// The generated content.
    pub content: Content,
    /// The model that generated it.
    #[serde(default)]
    pub model: String,
    /// Why generation stopped.
    #[serde(default)]
    pub stop_reason: Option<String>,
}

impl SampledMessage {
    /// The generated text, if the content is text.
    pub fn text(&self) -> Option<&str> {
        match &self.content {
            Content::Text(t) => Some(&t.text),
            _ => None,
        }
    }
}

/// Asks the client's model to generate a message.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::extract::{CreateMessage, InputError, Sampler};
///
/// /// Answers a question with the client's model.
/// #[tool]
/// async fn ask(question: String, sampler: Sampler) -> Result<String, InputError> {
///     let answer = sampler.create_message(CreateMessage::ask(question, 200)).await?;
///     Ok(answer.text().unwrap_or_default().to_owned())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Sampler {
    scope: Arc<RequestScope>,
}

impl Sampler {
    /// Sends `sampling/createMessage` and waits for the client's answer.
    pub async fn create_message(
        &self,
        request: CreateMessage,
    ) -> Result<SampledMessage, InputError> {
        self.create_message_keyed(None, request).await
    }

    /// The same, with an explicit key (for calls whose order can vary between runs).
    pub async fn create_message_keyed(
        &self,
        key: Option<&str>,
        request: CreateMessage,
    ) -> Result<SampledMessage, InputError> {
        let params = serde_json::to_value(request).expect("a sampling request serializes");
        ask(
            &self.scope,
            "sampling",
            key.map(str::to_owned),
            "sampling/createMessage",
            params,
            "sampling",
        )
        .await
    }
}

input_parameter!(Sampler, "sampling");

/// The user's answer to an elicitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Elicitation<T> {
    /// The user accepted and supplied the content.
    Accept(T),
    /// The user declined.
    Decline,
    /// The user dismissed the request.
    Cancel,
}

#[derive(Deserialize)]
struct ElicitResult {
    action: String,
    #[serde(default)]
    content: Option<Value>,
}

/// Asks the user for information through the client (`elicitation/create`).
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::extract::{Elicitation, Elicitor, InputError};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Login {
///     /// Your user name
///     username: String,
/// }
///
/// /// Greets the user by name.
/// #[tool]
/// async fn greet(elicitor: Elicitor) -> Result<String, InputError> {
///     Ok(match elicitor.form::<Login>("Who are you?").await? {
///         Elicitation::Accept(login) => format!("Hello, {}!", login.username),
///         Elicitation::Decline | Elicitation::Cancel => "Hello, stranger!".into(),
///     })
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Elicitor {
    scope: Arc<RequestScope>,
}

impl Elicitor {
    /// Asks for a form whose fields are `T`'s (its schema is the requested schema).
    pub async fn form<T: DeserializeOwned + JsonSchema>(
        &self,
        message: &str,
    ) -> Result<Elicitation<T>, InputError> {
        self.form_keyed(None, message).await
    }

    /// The same, with an explicit key.
    pub async fn form_keyed<T: DeserializeOwned + JsonSchema>(
        &self,
        key: Option<&str>,
        message: &str,
    ) -> Result<Elicitation<T>, InputError> {
        let mut generator = crate::schema::generator();
        let mut schema = T::json_schema(&mut generator).to_value();
        if let Some(object) = schema.as_object_mut() {
            object.remove("$schema");
            object.remove("title");
        }
        crate::schema::standardize(&mut schema);
        let params = json!({"mode": "form", "message": message, "requestedSchema": schema});
        self.elicit(key, params).await
    }

    /// Asks for a form described by a hand-written JSON Schema (for schemas a derive cannot
    /// express, such as titled enums); the content comes back as JSON.
    pub async fn form_with_schema(
        &self,
        key: Option<&str>,
        message: &str,
        schema: Value,
    ) -> Result<Elicitation<Value>, InputError> {
        let params = json!({"mode": "form", "message": message, "requestedSchema": schema});
        self.elicit(key, params).await
    }

    /// Sends the user to a URL (URL mode): the answer says whether they agreed to go.
    pub async fn url(
        &self,
        message: &str,
        url: &str,
        elicitation_id: &str,
    ) -> Result<Elicitation<()>, InputError> {
        let params =
            json!({"mode": "url", "message": message, "url": url, "elicitationId": elicitation_id});
        Ok(match self.elicit::<Value>(None, params).await? {
            Elicitation::Accept(_) => Elicitation::Accept(()),
            Elicitation::Decline => Elicitation::Decline,
            Elicitation::Cancel => Elicitation::Cancel,
        })
    }

    async fn elicit<T: DeserializeOwned>(
        &self,
        key: Option<&str>,
        params: Value,
    ) -> Result<Elicitation<T>, InputError> {
        let key = key
            .map(str::to_owned)
            .unwrap_or_else(|| self.scope.input.next_key("elicitation"));
        loop {
            let result: ElicitResult = ask(
                &self.scope,
                "elicitation",
                Some(key.clone()),
                "elicitation/create",
                params.clone(),
                "elicitation",
            )
            .await?;
            match result.action.as_str() {
                "decline" => return Ok(Elicitation::Decline),
                "cancel" => return Ok(Elicitation::Cancel),
                _ => {
                    let content = result.content.unwrap_or(Value::Object(Default::default()));
                    match serde_json::from_value(content) {
                        Ok(value) => return Ok(Elicitation::Accept(value)),
                        // In a session the answer is final; otherwise ask again.
                        Err(e) if self.scope.session.is_some() => {
                            return Err(InputError::Malformed(e.to_string()))
                        }
                        Err(_) => {
                            self.scope
                                .input
                                .reject(&key, "elicitation/create", params.clone());
                            std::future::pending::<()>().await;
                        }
                    }
                }
            }
        }
    }
}

input_parameter!(Elicitor, "elicitation");

/// A root the client exposes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Root {
    /// The root's URI (`file:///...`).
    pub uri: String,
    /// A name for it.
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Deserialize)]
struct ListRootsResult {
    roots: Vec<Root>,
}

/// Asks the client for its roots (`roots/list`).
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::extract::{InputError, Roots};
///
/// /// Lists the client's workspace folders.
/// #[tool]
/// async fn workspaces(roots: Roots) -> Result<String, InputError> {
///     let roots = roots.list().await?;
///     Ok(roots.into_iter().map(|r| r.uri).collect::<Vec<_>>().join("\n"))
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Roots {
    scope: Arc<RequestScope>,
}

impl Roots {
    /// The client's roots.
    pub async fn list(&self) -> Result<Vec<Root>, InputError> {
        self.list_keyed(None).await
    }

    /// The same, with an explicit key.
    pub async fn list_keyed(&self, key: Option<&str>) -> Result<Vec<Root>, InputError> {
        let result: ListRootsResult = ask(
            &self.scope,
            "roots",
            key.map(str::to_owned),
            "roots/list",
            json!({}),
            "roots",
        )
        .await?;
        Ok(result.roots)
    }
}

input_parameter!(Roots, "roots");
