//! Tools: the descriptor a `#[tool]` expands to, and what calling one produces.

mod result;

pub use crate::invocation::Invocation;
pub(crate) use result::serialized_as_text;
pub use result::{IntoToolResult, Json, ToolResult};

use schemars::{Schema, SchemaGenerator};
use serde::Serialize;

use crate::extract::{CallContext, Param};
use crate::schema::InputSchema;

/// Where a handler was defined, for error messages that name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// The source file.
    pub file: &'static str,
    /// The line.
    pub line: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Hints about a tool's behaviour, sent as `annotations`. `None` leaves a hint unset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolAnnotations {
    /// The tool does not modify its environment.
    #[serde(rename = "readOnlyHint", skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// The tool may perform destructive updates.
    #[serde(rename = "destructiveHint", skip_serializing_if = "Option::is_none")]
    pub destructive: Option<bool>,
    /// Repeating a call with the same arguments has no further effect.
    #[serde(rename = "idempotentHint", skip_serializing_if = "Option::is_none")]
    pub idempotent: Option<bool>,
    /// The tool interacts with an open world of external entities.
    #[serde(rename = "openWorldHint", skip_serializing_if = "Option::is_none")]
    pub open_world: Option<bool>,
}

impl ToolAnnotations {
    /// No hints.
    pub const NONE: Self = Self {
        read_only: None,
        destructive: None,
        idempotent: None,
        open_world: None,
    };

    pub(crate) fn is_empty(&self) -> bool {
        *self == Self::NONE
    }
}

/// Resolves a call's parameters and starts the tool.
pub type CallFn = fn(&mut CallContext<'_>) -> Invocation;

/// Describes the tool's arguments into its input schema.
pub type InputSchemaFn = fn(&mut InputSchema<'_>);

/// Produces the tool's output schema, if it has structured output.
pub type OutputSchemaFn = fn(&mut SchemaGenerator) -> Option<Schema>;

/// Everything the runtime knows about one tool: what `#[tool]` expands to, and what you build
/// by hand to register a tool without the macro.
///
/// ```
/// use mcp_runtime::extract::{FromCall, Needs, Param, CallContext};
/// use mcp_runtime::schema::InputSchema;
/// use mcp_runtime::tool::{Invocation, Location, ToolAnnotations, ToolDef};
/// use mcp_runtime::ToolResult;
///
/// const NAME: Param = Param { name: "name", description: Some("Who to greet"), needs: Needs::NOTHING };
///
/// fn call(call: &mut CallContext<'_>) -> Invocation {
///     match String::from_call(call, &NAME) {
///         Ok(name) => Invocation::Ready(ToolResult::text(format!("Hello, {name}!"))),
///         Err(e) => Invocation::rejected(e),
///     }
/// }
///
/// static GREET: ToolDef = ToolDef {
///     name: "greet",
///     title: None,
///     description: Some("Greets someone."),
///     annotations: ToolAnnotations::NONE,
///     params: &[NAME],
///     input_schema: |schema| String::describe(schema, &NAME),
///     output_schema: |_| None,
///     call,
///     timeout: None,
///     location: Location { file: file!(), line: line!() },
/// };
///
/// let server = mcp_runtime::Server::new().tool(&GREET);
/// # let _ = server;
/// ```
#[derive(Debug)]
pub struct ToolDef {
    /// The tool's unique name.
    pub name: &'static str,
    /// A human-readable title.
    pub title: Option<&'static str>,
    /// What the tool does (the doc comment, for `#[tool]`).
    pub description: Option<&'static str>,
    /// Behaviour hints.
    pub annotations: ToolAnnotations,
    /// The parameters, in order (their needs decide the server's mode).
    pub params: &'static [Param],
    /// Builds the input schema.
    pub input_schema: InputSchemaFn,
    /// Builds the output schema.
    pub output_schema: OutputSchemaFn,
    /// Calls the tool.
    pub call: CallFn,
    /// The tool's own time limit (the server's when `None`).
    pub timeout: Option<std::time::Duration>,
    /// Where the tool was defined.
    pub location: Location,
}

inventory::collect!(ToolDef);
