//! Prompt messages and the conversions into a prompt result.

use serde::{Deserialize, Serialize};

use super::GetOutcome;
use crate::protocol::{Content, RpcError};

/// One message of a prompt.
///
/// ```
/// use mcp_runtime::prompt::PromptMessage;
/// use mcp_runtime::Content;
///
/// let ask = PromptMessage::user("Summarise this:");
/// let image = PromptMessage::user(Content::image(b"...", "image/png"));
/// let primed = PromptMessage::assistant("Here is a summary:");
/// # let _ = (ask, image, primed);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromptMessage {
    /// Who speaks.
    pub role: MessageRole,
    /// What is said.
    pub content: Content,
}

/// The speaker of a prompt message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageRole {
    /// The user.
    User,
    /// The model.
    Assistant,
}

impl PromptMessage {
    /// A message from the user: text (`&str`, `String`) or any [`Content`].
    pub fn user(content: impl Into<Content>) -> Self {
        Self {
            role: MessageRole::User,
            content: content.into(),
        }
    }

    /// A message from the assistant.
    pub fn assistant(content: impl Into<Content>) -> Self {
        Self {
            role: MessageRole::Assistant,
            content: content.into(),
        }
    }
}

impl From<&str> for Content {
    fn from(text: &str) -> Self {
        Content::text(text)
    }
}

impl From<String> for Content {
    fn from(text: String) -> Self {
        Content::text(text)
    }
}

/// The result of `prompts/get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromptResult {
    /// A description of this particular result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The messages.
    pub messages: Vec<PromptMessage>,
}

/// Converts a prompt's return value into its result.
///
/// A `String` (or `&str`) is one user message; a [`PromptMessage`] or `Vec<PromptMessage>` is
/// sent as is; `Result<T, E: Display>` turns an `Err` into a JSON-RPC error.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a #[prompt]",
    label = "not prompt messages",
    note = "return a `String` (one user message), a `PromptMessage`, a `Vec<PromptMessage>`, a `PromptResult`, or a `Result` of one of these"
)]
pub trait IntoPromptResult {
    /// Performs the conversion.
    fn into_prompt_result(self) -> GetOutcome;
}

impl IntoPromptResult for PromptResult {
    fn into_prompt_result(self) -> GetOutcome {
        Ok(self)
    }
}

impl IntoPromptResult for Vec<PromptMessage> {
    fn into_prompt_result(self) -> GetOutcome {
        Ok(PromptResult {
            description: None,
            messages: self,
        })
    }
}

impl IntoPromptResult for PromptMessage {
    fn into_prompt_result(self) -> GetOutcome {
        vec![self].into_prompt_result()
    }
}

impl IntoPromptResult for String {
    fn into_prompt_result(self) -> GetOutcome {
        PromptMessage::user(self).into_prompt_result()
    }
}

impl IntoPromptResult for &str {
    fn into_prompt_result(self) -> GetOutcome {
        PromptMessage::user(self).into_prompt_result()
    }
}

/// A typed failure: not found or invalid params (`-32602`), or internal.
impl<T: IntoPromptResult> IntoPromptResult for Result<T, crate::protocol::ProtocolError> {
    fn into_prompt_result(self) -> GetOutcome {
        self.map_err(crate::protocol::ProtocolError::into_rpc)?
            .into_prompt_result()
    }
}

/// Any other error is an internal failure (`-32603`, HTTP 500) with the error's text.
impl<T: IntoPromptResult, E: std::fmt::Display> IntoPromptResult for Result<T, E> {
    fn into_prompt_result(self) -> GetOutcome {
        match self {
            Ok(value) => value.into_prompt_result(),
            Err(e) => Err(RpcError::internal(e.to_string())),
        }
    }
}
