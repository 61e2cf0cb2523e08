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
            #[doc = concat!("Whether this client can be asked: it declared the `", $capability, "` capability and")]
            /// the request can carry input (a 2026-07-28 request to this server). Handlers that
            /// can do without the input use this to avoid asking.
            pub fn is_available(&self) -> bool {
                self.scope.input.mode == crate::mrtr::InputMode::RoundTrip
                    && self.scope.client_can($capability)
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

/// Asks a question of one input kind and parses the answer; a malformed answer is asked again.
async fn ask<T: DeserializeOwned>(
    scope: &RequestScope,
    kind: &'static str,
    key: Option<String>,
    method: &'static str,
    params: Value,
    capability: &'static str,
) -> T {
    let key = key.unwrap_or_else(|| scope.input.next_key(kind));
    let declared = scope.client_can(capability);
    let answer = scope
        .input
        .ask(key.clone(), method, params.clone(), (capability, declared))
        .await;
    match serde_json::from_value(answer) {
        Ok(parsed) => parsed,
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
/// use mcp_runtime::extract::{CreateMessage, Sampler};
///
/// /// Answers a question with the client's model.
/// #[tool]
/// async fn ask(question: String, sampler: Sampler) -> String {
///     let answer = sampler.create_message(CreateMessage::ask(question, 200)).await;
///     answer.text().unwrap_or_default().to_owned()
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Sampler {
    scope: Arc<RequestScope>,
}

impl Sampler {
    /// Sends `sampling/createMessage` and waits for the client's answer.
    pub async fn create_message(&self, request: CreateMessage) -> SampledMessage {
        self.create_message_keyed(None, request).await
    }

    /// The same, with an explicit key (for calls whose order can vary between runs).
    pub async fn create_message_keyed(
        &self,
        key: Option<&str>,
        request: CreateMessage,
    ) -> SampledMessage {
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
/// use mcp_runtime::extract::{Elicitation, Elicitor};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Login {
///     /// Your user name
///     username: String,
/// }
///
/// /// Greets the user by name.
/// #[tool]
/// async fn greet(elicitor: Elicitor) -> String {
///     match elicitor.form::<Login>("Who are you?").await {
///         Elicitation::Accept(login) => format!("Hello, {}!", login.username),
///         Elicitation::Decline | Elicitation::Cancel => "Hello, stranger!".into(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Elicitor {
    scope: Arc<RequestScope>,
}

impl Elicitor {
    /// Asks for a form whose fields are `T`'s (its schema is the requested schema).
    pub async fn form<T: DeserializeOwned + JsonSchema>(&self, message: &str) -> Elicitation<T> {
        self.form_keyed(None, message).await
    }

    /// The same, with an explicit key.
    pub async fn form_keyed<T: DeserializeOwned + JsonSchema>(
        &self,
        key: Option<&str>,
        message: &str,
    ) -> Elicitation<T> {
        let mut generator = crate::schema::generator();
        let mut schema = T::json_schema(&mut generator).to_value();
        if let Some(object) = schema.as_object_mut() {
            object.remove("$schema");
            object.remove("title");
        }
        let params = json!({"mode": "form", "message": message, "requestedSchema": schema});
        self.elicit(key, params).await
    }

    /// Sends the user to a URL (URL mode): the answer says whether they agreed to go.
    pub async fn url(&self, message: &str, url: &str, elicitation_id: &str) -> Elicitation<()> {
        let params =
            json!({"mode": "url", "message": message, "url": url, "elicitationId": elicitation_id});
        match self.elicit::<Value>(None, params).await {
            Elicitation::Accept(_) => Elicitation::Accept(()),
            Elicitation::Decline => Elicitation::Decline,
            Elicitation::Cancel => Elicitation::Cancel,
        }
    }

    async fn elicit<T: DeserializeOwned>(
        &self,
        key: Option<&str>,
        params: Value,
    ) -> Elicitation<T> {
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
            .await;
            match result.action.as_str() {
                "decline" => return Elicitation::Decline,
                "cancel" => return Elicitation::Cancel,
                _ => {
                    let content = result.content.unwrap_or(Value::Object(Default::default()));
                    match serde_json::from_value(content) {
                        Ok(value) => return Elicitation::Accept(value),
                        // Content that does not fit the schema: ask again.
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
/// use mcp_runtime::extract::Roots;
///
/// /// Lists the client's workspace folders.
/// #[tool]
/// async fn workspaces(roots: Roots) -> String {
///     roots.list().await.into_iter().map(|r| r.uri).collect::<Vec<_>>().join("\n")
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Roots {
    scope: Arc<RequestScope>,
}

impl Roots {
    /// The client's roots.
    pub async fn list(&self) -> Vec<Root> {
        self.list_keyed(None).await
    }

    /// The same, with an explicit key.
    pub async fn list_keyed(&self, key: Option<&str>) -> Vec<Root> {
        let result: ListRootsResult = ask(
            &self.scope,
            "roots",
            key.map(str::to_owned),
            "roots/list",
            json!({}),
            "roots",
        )
        .await;
        result.roots
    }
}

input_parameter!(Roots, "roots");
