//! What a resource returns, and the conversions into resource contents.

use base64::Engine as _;

use super::{ReadOutcome, ReadTarget};
use crate::protocol::{ResourceContents, RpcError};
use crate::tool::Json;

/// Converts a resource's return value into its contents.
///
/// `String` and `&str` are text, `Vec<u8>` a base64 blob, [`Json<T>`] JSON text
/// (`application/json`), [`ResourceContents`] and `Vec<ResourceContents>` are sent as they are,
/// and `Result<T, E: Display>` turns an `Err` into a JSON-RPC error.
///
/// ```
/// use mcp_runtime::resource::{IntoContents, ReadTarget};
///
/// let target = ReadTarget { uri: "notes://1", mime_type: Some("text/markdown") };
/// let contents = "# Notes".into_contents(&target).unwrap();
/// assert_eq!(contents[0].text.as_deref(), Some("# Notes"));
/// assert_eq!(contents[0].mime_type.as_deref(), Some("text/markdown"));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a #[resource]",
    label = "not resource contents",
    note = "return text (`String`, `&str`), bytes (`Vec<u8>`), `Json<T>`, `ResourceContents`, `Vec<ResourceContents>`, or a `Result` of one of these"
)]
pub trait IntoContents {
    /// Performs the conversion for the resource being read.
    fn into_contents(self, target: &ReadTarget<'_>) -> ReadOutcome;
}

fn text(target: &ReadTarget<'_>, text: String, default_mime: &str) -> ReadOutcome {
    Ok(vec![ResourceContents {
        uri: target.uri.to_owned(),
        mime_type: Some(target.mime_type.unwrap_or(default_mime).to_owned()),
        text: Some(text),
        blob: None,
    }])
}

impl IntoContents for String {
    fn into_contents(self, target: &ReadTarget<'_>) -> ReadOutcome {
        text(target, self, "text/plain")
    }
}

impl IntoContents for &str {
    fn into_contents(self, target: &ReadTarget<'_>) -> ReadOutcome {
        text(target, self.to_owned(), "text/plain")
    }
}

impl IntoContents for Vec<u8> {
    fn into_contents(self, target: &ReadTarget<'_>) -> ReadOutcome {
        Ok(vec![ResourceContents {
            uri: target.uri.to_owned(),
            mime_type: Some(
                target
                    .mime_type
                    .unwrap_or("application/octet-stream")
                    .to_owned(),
            ),
            text: None,
            blob: Some(base64::engine::general_purpose::STANDARD.encode(self)),
        }])
    }
}

impl IntoContents for ResourceContents {
    fn into_contents(self, _: &ReadTarget<'_>) -> ReadOutcome {
        Ok(vec![self])
    }
}

impl IntoContents for Vec<ResourceContents> {
    fn into_contents(self, _: &ReadTarget<'_>) -> ReadOutcome {
        Ok(self)
    }
}

impl<T: serde::Serialize> IntoContents for Json<T> {
    fn into_contents(self, target: &ReadTarget<'_>) -> ReadOutcome {
        let json = serde_json::to_string(&self.0).map_err(|e| {
            RpcError::internal(format!("the resource could not be serialized: {e}"))
        })?;
        text(target, json, "application/json")
    }
}

/// A typed failure: not found (the era's code, `data.uri`), invalid params, or internal.
impl<T: IntoContents> IntoContents for Result<T, crate::protocol::ProtocolError> {
    fn into_contents(self, target: &ReadTarget<'_>) -> ReadOutcome {
        self.map_err(crate::protocol::ProtocolError::into_rpc)?
            .into_contents(target)
    }
}

/// Any other error is an internal failure (`-32603`, HTTP 500) with the error's text.
impl<T: IntoContents, E: std::fmt::Display> IntoContents for Result<T, E> {
    fn into_contents(self, target: &ReadTarget<'_>) -> ReadOutcome {
        match self {
            Ok(value) => value.into_contents(target),
            Err(e) => Err(RpcError::internal(e.to_string())),
        }
    }
}
