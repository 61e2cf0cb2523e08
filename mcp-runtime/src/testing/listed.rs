//! What the list methods describe, as a client reads it.

use serde::Deserialize;
use serde_json::Value;

/// A tool as `tools/list` describes it.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::testing::TestClient;
///
/// /// Says hello.
/// #[tool]
/// async fn hello() -> &'static str {
///     "hello"
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = TestClient::new(Server::new().tool(hello::tool())).unwrap();
/// let tools = client.list_tools().await.unwrap();
/// assert_eq!(tools[0].description.as_deref(), Some("Says hello."));
/// # }
/// ```
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

/// A resource as `resources/list` describes it.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::testing::TestClient;
///
/// /// The app's settings.
/// #[resource("config://app", mime_type = "application/json")]
/// async fn settings() -> &'static str {
///     "{}"
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = TestClient::new(Server::new().resource(settings::resource())).unwrap();
/// let resources = client.list_resources().await.unwrap();
/// assert_eq!(resources[0].uri, "config://app");
/// assert_eq!(resources[0].mime_type.as_deref(), Some("application/json"));
/// # }
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListedResource {
    /// The URI.
    pub uri: String,
    /// The name.
    pub name: String,
    /// The title.
    pub title: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The MIME type.
    pub mime_type: Option<String>,
    /// The annotations (`audience`, `priority`).
    pub annotations: Option<Value>,
    /// The size in bytes, if known.
    pub size: Option<u64>,
}

/// A resource template as `resources/templates/list` describes it.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::testing::TestClient;
///
/// /// A user's profile.
/// #[resource("users://{id}/profile")]
/// async fn profile(id: u32) -> String {
///     format!("user {id}")
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = TestClient::new(Server::new().resource(profile::resource())).unwrap();
/// let templates = client.list_resource_templates().await.unwrap();
/// assert_eq!(templates[0].uri_template, "users://{id}/profile");
/// # }
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListedResourceTemplate {
    /// The URI template (RFC 6570).
    pub uri_template: String,
    /// The name.
    pub name: String,
    /// The title.
    pub title: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The MIME type of the resources it names.
    pub mime_type: Option<String>,
    /// The annotations (`audience`, `priority`).
    pub annotations: Option<Value>,
}

/// A prompt as `prompts/list` describes it.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::testing::TestClient;
///
/// /// Asks for a summary.
/// #[prompt]
/// async fn summarize(
///     /// The text to summarize
///     text: String,
/// ) -> String {
///     format!("Summarize: {text}")
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = TestClient::new(Server::new().prompt(summarize::prompt())).unwrap();
/// let prompts = client.list_prompts().await.unwrap();
/// assert_eq!(prompts[0].name, "summarize");
/// assert_eq!(prompts[0].arguments[0].name, "text");
/// assert!(prompts[0].arguments[0].required);
/// # }
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListedPrompt {
    /// The name.
    pub name: String,
    /// The title.
    pub title: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The arguments it takes.
    #[serde(default)]
    pub arguments: Vec<ListedPromptArgument>,
}

/// An argument of a [`ListedPrompt`].
///
/// ```
/// let argument: mcp_runtime::testing::ListedPromptArgument =
///     serde_json::from_value(serde_json::json!({"name": "text", "required": true})).unwrap();
/// assert!(argument.required && argument.description.is_none());
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListedPromptArgument {
    /// The name.
    pub name: String,
    /// The description.
    pub description: Option<String>,
    /// Whether it must be given.
    #[serde(default)]
    pub required: bool,
}
