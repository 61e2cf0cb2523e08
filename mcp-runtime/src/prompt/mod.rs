//! Prompts: what `#[prompt]` expands to, and the messages a prompt produces.

mod messages;

pub use messages::{IntoPromptResult, MessageRole, PromptMessage, PromptResult};

use crate::extract::{CallContext, Param};
use crate::invocation::Invocation;
use crate::protocol::RpcError;
use crate::schema::InputSchema;
use crate::tool::Location;

/// What getting a prompt produces.
pub type GetOutcome = Result<PromptResult, RpcError>;

/// Resolves a prompt's arguments and starts it.
pub type GetFn = fn(&mut CallContext<'_>) -> Invocation<GetOutcome>;

/// Everything the runtime knows about one prompt: what `#[prompt]` expands to, and what you
/// build by hand to register a prompt without the macro.
///
/// Its arguments are described like a tool's input schema; each property becomes a prompt
/// argument (required unless its type accepts a missing value).
///
/// ```
/// use mcp_runtime::extract::{FromCall, Needs, Param};
/// use mcp_runtime::invocation::Invocation;
/// use mcp_runtime::prompt::{IntoPromptResult, PromptDef};
/// use mcp_runtime::tool::Location;
///
/// const TOPIC: Param = Param { name: "topic", description: Some("What to write about"), needs: Needs::NOTHING };
///
/// static HAIKU: PromptDef = PromptDef {
///     name: "haiku",
///     title: None,
///     description: Some("Asks for a haiku."),
///     params: &[TOPIC],
///     arguments: |schema| String::describe(schema, &TOPIC),
///     get: |call| match String::from_call(call, &TOPIC) {
///         Ok(topic) => Invocation::Ready(format!("Write a haiku about {topic}.").into_prompt_result()),
///         Err(e) => Invocation::rejected(e),
///     },
///     location: Location { file: file!(), line: line!() },
/// };
///
/// let server = mcp_runtime::Server::new().prompt(&HAIKU);
/// # let _ = server;
/// ```
#[derive(Debug)]
pub struct PromptDef {
    /// The prompt's unique name.
    pub name: &'static str,
    /// A human-readable title.
    pub title: Option<&'static str>,
    /// What the prompt is for (the doc comment, for `#[prompt]`).
    pub description: Option<&'static str>,
    /// The parameters, in order (their needs decide the server's mode).
    pub params: &'static [Param],
    /// Describes the arguments.
    pub arguments: fn(&mut InputSchema<'_>),
    /// Produces the messages.
    pub get: GetFn,
    /// Where the prompt was defined.
    pub location: Location,
}

inventory::collect!(PromptDef);
