//! The `params` of incoming requests, parsed once into one borrowed view.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::RpcError;

/// The `params` of any request this server understands. Members a method does not use are
/// ignored; a member of the wrong type is `-32602`. (The members of rare methods are boxed: every
/// request's params are built and moved, and a smaller struct is cheaper to move.)
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Params<'a> {
    /// Per-request metadata (required in the 2026-07-28 era).
    #[serde(
        rename = "_meta",
        borrow,
        default,
        deserialize_with = "super::object::optional_object"
    )]
    pub meta: Option<RequestMeta<'a>>,
    /// The tool (or prompt) name.
    #[serde(default, deserialize_with = "borrow_str")]
    pub name: Option<Cow<'a, str>>,
    /// The resource URI.
    #[serde(default, deserialize_with = "borrow_str")]
    pub uri: Option<Cow<'a, str>>,
    /// A tool call's arguments, unparsed.
    #[serde(borrow, default)]
    pub arguments: Option<&'a RawValue>,
    /// A pagination cursor.
    #[serde(default, deserialize_with = "borrow_str")]
    pub cursor: Option<Cow<'a, str>>,
    /// The version a legacy client asks for in `initialize`.
    #[serde(default, deserialize_with = "borrow_str")]
    pub protocol_version: Option<Cow<'a, str>>,
    /// A legacy client's capabilities, from `initialize`.
    #[serde(borrow, default)]
    pub capabilities: Option<&'a RawValue>,
    /// A legacy client's identity, from `initialize`.
    #[serde(borrow, default)]
    pub client_info: Option<&'a RawValue>,
    /// Answers to the inputs an earlier round asked for (2026-07-28 multi round-trip requests).
    #[serde(borrow, default)]
    pub input_responses: Option<&'a RawValue>,
    /// The sealed state an earlier round returned.
    #[serde(default, deserialize_with = "borrow_str")]
    pub request_state: Option<Cow<'a, str>>,
    /// A 2025-11-25 client's request to run a `tools/call` as a task (`{"ttl": ms}`).
    #[serde(borrow, default)]
    pub task: Option<&'a RawValue>,
    /// Where a `tools/call` that becomes a task pushes its status changes: the Events
    /// extension's webhook object (`{"mode": "webhook", "url", "secret"}`).
    #[serde(borrow, default)]
    pub delivery: Option<&'a RawValue>,
    /// The task a `tasks/get`, `tasks/update` or `tasks/cancel` names.
    #[serde(default, deserialize_with = "borrow_str")]
    pub task_id: Option<Cow<'a, str>>,
    /// The request a `notifications/cancelled` cancels.
    #[serde(borrow, default)]
    pub request_id: Option<&'a RawValue>,
    /// The level of `logging/setLevel`.
    #[serde(default, deserialize_with = "borrow_str")]
    pub level: Option<Cow<'a, str>>,
    /// What a `subscriptions/listen` request opts in to.
    #[serde(default, deserialize_with = "super::object::optional_boxed")]
    pub notifications: Option<Box<crate::notifier::SubscriptionFilter>>,
    /// What `completion/complete` completes.
    #[serde(
        rename = "ref",
        default,
        deserialize_with = "super::object::optional_boxed"
    )]
    pub reference: Option<Box<CompletionReference>>,
    /// The argument `completion/complete` completes.
    #[serde(default, deserialize_with = "super::object::optional_boxed")]
    pub argument: Option<Box<CompletionArgument>>,
    /// Arguments already resolved, for `completion/complete`.
    #[serde(default, deserialize_with = "super::object::optional_boxed")]
    pub context: Option<Box<CompletionContextParams>>,
}

/// The `ref` of a `completion/complete` request.
#[derive(Debug, Deserialize)]
#[serde(tag = "type")]
pub enum CompletionReference {
    /// A prompt, by name.
    #[serde(rename = "ref/prompt")]
    Prompt {
        /// The prompt's name.
        name: String,
    },
    /// A resource template, by URI template.
    #[serde(rename = "ref/resource")]
    Resource {
        /// The template.
        uri: String,
    },
}

/// The `argument` of a `completion/complete` request.
#[derive(Debug, Deserialize)]
pub struct CompletionArgument {
    /// The argument's name.
    pub name: String,
    /// The partial value.
    pub value: String,
}

/// The `context` of a `completion/complete` request.
#[derive(Debug, Default, Deserialize)]
pub struct CompletionContextParams {
    /// Arguments already resolved (a key given twice is refused).
    #[serde(default, deserialize_with = "super::object::unique_strings")]
    pub arguments: std::collections::HashMap<String, String>,
}

/// The `_meta` of a request.
#[derive(Debug, Default, Deserialize)]
pub struct RequestMeta<'a> {
    /// The revision of a 2026-07-28-era request.
    #[serde(
        rename = "io.modelcontextprotocol/protocolVersion",
        default,
        deserialize_with = "borrow_str"
    )]
    pub protocol_version: Option<Cow<'a, str>>,
    /// The client's capabilities for this request, as JSON text (checked to be JSON, and read
    /// only where they matter).
    #[serde(
        rename = "io.modelcontextprotocol/clientCapabilities",
        borrow,
        default,
        deserialize_with = "json_text"
    )]
    pub client_capabilities: Option<&'a str>,
    /// The client's identity.
    #[serde(rename = "io.modelcontextprotocol/clientInfo", borrow, default)]
    pub client_info: Option<&'a RawValue>,
    /// The token progress notifications refer to.
    #[serde(rename = "progressToken", borrow, default)]
    pub progress_token: Option<&'a RawValue>,
    /// The lowest level of log messages the client wants for this request (2026-07-28).
    #[serde(
        rename = "io.modelcontextprotocol/logLevel",
        default,
        deserialize_with = "borrow_str"
    )]
    pub log_level: Option<Cow<'a, str>>,
}

/// Reads an optional string borrowed from the body when it has no escapes (serde only borrows a
/// `Cow` that is not inside an `Option`; a plain `Option<Cow<str>>` always copies).
pub(super) fn borrow_str<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    #[derive(Deserialize)]
    struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);
    Ok(Option::<Borrowed<'a>>::deserialize(d)?.map(|b| b.0))
}

/// Reads an optional JSON value as its text, checked by serde (`null` is `None`, as for any
/// `Option`).
fn json_text<'de: 'a, 'a, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'a str>, D::Error> {
    Ok(Option::<&'a RawValue>::deserialize(d)?.map(RawValue::get))
}

impl<'a> Params<'a> {
    /// Parses `params` (absent is the same as `{}`).
    pub fn parse(raw: Option<&'a RawValue>) -> Result<Self, RpcError> {
        match raw {
            None => Ok(Self::default()),
            Some(raw) => serde_json::from_str::<super::object::Object<Self>>(raw.get())
                .map(|params| params.0)
                .map_err(|e| RpcError::invalid_params(format!("invalid params: {e}"))),
        }
    }

    /// The revision named in `_meta`, if any: the mark of a 2026-07-28-era request.
    pub fn meta_version(&self) -> Option<&str> {
        self.meta.as_ref()?.protocol_version.as_deref()
    }
}
