//! What a tool returns: [`ToolResult`], and the conversions into it.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::protocol::Content;

/// The result of a tool call, as sent on the wire.
///
/// ```
/// use mcp_runtime::{Content, ToolResult};
///
/// let ok = ToolResult::text("done");
/// assert!(!ok.is_error);
/// let failed = ToolResult::error("the file does not exist");
/// assert!(failed.is_error);
/// let mixed = ToolResult::new(vec![Content::text("a"), Content::text("b")]);
/// assert_eq!(mixed.content.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolResult {
    /// The content blocks.
    pub content: Vec<Content>,
    /// Structured output, matching the tool's `outputSchema`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    /// Whether the tool failed (an error the model can see and act on).
    #[serde(default)]
    pub is_error: bool,
    /// A failure at the protocol level (the tool returned `Err(ProtocolError)`): the client
    /// gets a JSON-RPC error instead of a result.
    #[serde(skip)]
    pub(crate) failure: Option<Failure>,
}

/// A tool's protocol-level failure, kept beside its result.
#[derive(Debug, Clone)]
pub(crate) struct Failure(pub(crate) crate::protocol::RpcError);

impl PartialEq for Failure {
    fn eq(&self, other: &Self) -> bool {
        self.0.code == other.0.code && self.0.message == other.0.message
    }
}

impl ToolResult {
    /// A successful result with these blocks.
    pub fn new(content: Vec<Content>) -> Self {
        Self {
            content,
            structured_content: None,
            is_error: false,
            failure: None,
        }
    }

    /// A successful result of one text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new(vec![Content::text(text)])
    }

    /// The text of every text block, joined by newlines (handy in assertions).
    ///
    /// ```
    /// use mcp_runtime::{Content, ToolResult};
    ///
    /// let r = ToolResult::new(vec![Content::text("a"), Content::image(b"", "image/png"), Content::text("b")]);
    /// assert_eq!(r.all_text(), "a\nb");
    /// ```
    pub fn all_text(&self) -> String {
        self.content
            .iter()
            .filter_map(|c| match c {
                Content::Text(t) => Some(t.text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A failed result (`isError: true`) whose text explains the failure.
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            is_error: true,
            ..Self::text(message)
        }
    }

    /// The JSON-RPC error this result stands for, if the tool failed at the protocol level
    /// (it returned `Err(ProtocolError)`).
    ///
    /// ```
    /// use mcp_runtime::{IntoToolResult, ProtocolError};
    ///
    /// let r: Result<String, ProtocolError> = Err(ProtocolError::invalid_params("no such city"));
    /// assert_eq!(r.into_tool_result().protocol_error().unwrap().code.0, -32602);
    /// ```
    pub fn protocol_error(&self) -> Option<&crate::protocol::RpcError> {
        self.failure.as_ref().map(|f| &f.0)
    }

    /// The result as the client gets it: the result object, or the JSON-RPC error of a
    /// protocol-level failure.
    /// The result as a client of `era` receives it: for a 2025-era client, structured content
    /// that is not an object is wrapped as `{"result": value}` (`tool::structured`).
    pub(crate) fn for_era(mut self, era: crate::protocol::Era) -> Self {
        if era == crate::protocol::Era::Legacy {
            if let Some(content) = &mut self.structured_content {
                super::structured::wrap_for_legacy(content);
            }
        }
        self
    }

    pub(crate) fn into_reply(self) -> Result<Self, crate::protocol::RpcError> {
        match self.failure {
            Some(Failure(error)) => Err(error),
            None => Ok(self),
        }
    }
}

/// Converts a tool's return value into a [`ToolResult`].
///
/// Implemented for text-like values (`String`, `&str`, numbers, `bool`, `()`), content
/// ([`Content`], `Vec<Content>`), [`ToolResult`] itself, [`Json<T>`] (structured output) and
/// `Result<T, E>` where `E: Display` (an `Err` becomes an `isError` result). A `#[tool]` may also
/// return any other `T: Serialize`; it is sent as its JSON text.
///
/// ```
/// use mcp_runtime::{IntoToolResult, Json};
///
/// #[derive(serde::Serialize, schemars::JsonSchema)]
/// struct Weather { celsius: f64 }
///
/// let r = Json(Weather { celsius: 21.5 }).into_tool_result();
/// assert_eq!(r.structured_content.unwrap()["celsius"], 21.5);
///
/// let r: Result<i64, String> = Err("division by zero".into());
/// assert!(r.into_tool_result().is_error);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a #[tool]",
    label = "not a tool result",
    note = "return text (`String`, `&str`), `Json<T>` (`T: Serialize + JsonSchema`, structured content), `ToolResult`, any `T: Serialize` (sent as JSON text), or a `Result` of one of these whose error implements `Display` or `Serialize` (an `isError` result) or is a `ProtocolError` (a JSON-RPC error)"
)]
pub trait IntoToolResult {
    /// Performs the conversion.
    fn into_tool_result(self) -> ToolResult;

    /// The `outputSchema` this type produces, if it produces structured content.
    fn output_schema(generator: &mut SchemaGenerator) -> Option<Schema> {
        let _ = generator;
        None
    }
}

impl IntoToolResult for ToolResult {
    fn into_tool_result(self) -> ToolResult {
        self
    }
}

impl IntoToolResult for Content {
    fn into_tool_result(self) -> ToolResult {
        ToolResult::new(vec![self])
    }
}

impl IntoToolResult for Vec<Content> {
    fn into_tool_result(self) -> ToolResult {
        ToolResult::new(self)
    }
}

impl IntoToolResult for String {
    fn into_tool_result(self) -> ToolResult {
        ToolResult::text(self)
    }
}

impl IntoToolResult for &str {
    fn into_tool_result(self) -> ToolResult {
        ToolResult::text(self)
    }
}

impl IntoToolResult for Cow<'_, str> {
    fn into_tool_result(self) -> ToolResult {
        ToolResult::text(self)
    }
}

impl IntoToolResult for () {
    fn into_tool_result(self) -> ToolResult {
        ToolResult::new(Vec::new())
    }
}

impl IntoToolResult for Value {
    fn into_tool_result(self) -> ToolResult {
        match self {
            Value::String(s) => ToolResult::text(s),
            other => ToolResult::text(other.to_string()),
        }
    }
}

macro_rules! display_as_text {
    ($($t:ty),*) => {$(
        impl IntoToolResult for $t {
            fn into_tool_result(self) -> ToolResult {
                ToolResult::text(self.to_string())
            }
        }
    )*};
}
display_as_text!(
    bool, char, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
);

/// A tool that fails at the protocol level (the request itself is wrong, or the server failed)
/// answers with a JSON-RPC error rather than an `isError` result the model reads.
impl<T: IntoToolResult> IntoToolResult for Result<T, crate::ProtocolError> {
    fn into_tool_result(self) -> ToolResult {
        match self {
            Ok(v) => v.into_tool_result(),
            Err(e) => {
                let error = e.into_rpc();
                ToolResult {
                    failure: Some(Failure(error.clone())),
                    ..ToolResult::error(error.message.into_owned())
                }
            }
        }
    }

    fn output_schema(generator: &mut SchemaGenerator) -> Option<Schema> {
        T::output_schema(generator)
    }
}

impl<T: IntoToolResult, E: std::fmt::Display> IntoToolResult for Result<T, E> {
    fn into_tool_result(self) -> ToolResult {
        match self {
            Ok(v) => v.into_tool_result(),
            Err(e) => ToolResult::error(e.to_string()),
        }
    }

    fn output_schema(generator: &mut SchemaGenerator) -> Option<Schema> {
        T::output_schema(generator)
    }
}

/// Structured tool output: the value becomes `structuredContent` (and its JSON text the text
/// content), and its schema becomes the tool's `outputSchema`.
///
/// `T` need not be an object. A 2025-era client, whose revision allows object outputs only,
/// receives a list, a number or any other non-object value as `{"result": value}`, and the
/// output schema wrapped the same way.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// #[derive(serde::Serialize, schemars::JsonSchema)]
/// struct Sum { total: i64 }
///
/// /// Adds and reports the total as structured output.
/// #[tool]
/// fn sum(values: Vec<i64>) -> Json<Sum> {
///     Json(Sum { total: values.iter().sum() })
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T: Serialize + JsonSchema> IntoToolResult for Json<T> {
    fn into_tool_result(self) -> ToolResult {
        match serde_json::to_value(&self.0) {
            Ok(value) => ToolResult {
                structured_content: Some(value.clone()),
                ..ToolResult::text(value.to_string())
            },
            Err(e) => ToolResult::error(format!("the tool's output could not be serialized: {e}")),
        }
    }

    fn output_schema(generator: &mut SchemaGenerator) -> Option<Schema> {
        Some(T::json_schema(generator))
    }
}

/// Sends any serializable value as the JSON text of one text block.
pub(crate) fn serialized_as_text<T: Serialize>(value: &T) -> ToolResult {
    match serde_json::to_string(value) {
        Ok(text) => ToolResult::text(text),
        Err(e) => ToolResult::error(format!("the tool's output could not be serialized: {e}")),
    }
}
