//! Tools: the descriptor a `#[tool]` expands to, and what calling one produces.

pub(crate) mod mirrored;
mod result;
mod returned;
pub(crate) mod structured;

pub use crate::invocation::Invocation;
pub use mirrored::HeaderParam;
pub(crate) use result::serialized_as_text;
pub use result::{IntoToolResult, Json, ToolResult};
#[doc(hidden)]
pub use returned::{
    OutputViaIntoToolResult, OutputViaSerialize, ReturnType, Returned, ToolReturn,
    ViaIntoToolResult, ViaSerialize, ViaSerializeError, ViaSerializeResult,
};

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

impl Location {
    /// Where the calling function was called from (with `#[track_caller]`), for definitions
    /// built by `const` functions.
    #[track_caller]
    pub const fn caller() -> Self {
        let caller = std::panic::Location::caller();
        Self {
            file: caller.file(),
            line: caller.line(),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Hints about a tool's behaviour, sent as `annotations`. Unset hints are left out.
///
/// ```
/// use mcp_runtime::tool::ToolAnnotations;
///
/// const HINTS: ToolAnnotations = ToolAnnotations::NONE.read_only(true).open_world(false);
/// assert_eq!(HINTS.read_only, Some(true));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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

    /// With the read-only hint.
    pub const fn read_only(mut self, hint: bool) -> Self {
        self.read_only = Some(hint);
        self
    }

    /// With the destructive hint.
    pub const fn destructive(mut self, hint: bool) -> Self {
        self.destructive = Some(hint);
        self
    }

    /// With the idempotent hint.
    pub const fn idempotent(mut self, hint: bool) -> Self {
        self.idempotent = Some(hint);
        self
    }

    /// With the open-world hint.
    pub const fn open_world(mut self, hint: bool) -> Self {
        self.open_world = Some(hint);
        self
    }

    pub(crate) fn is_empty(&self) -> bool {
        *self == Self::NONE
    }
}

/// Whether a tool's calls may run as tasks (the `io.modelcontextprotocol/tasks` extension): sent
/// as the tool's `execution.taskSupport`.
///
/// With `Optional` or `Required`, a call from a client that declared the extension and that has
/// not finished when the handler first waits is answered at once with a task to poll
/// (`tasks/get`, `tasks/update`, `tasks/cancel`) while the handler runs on. A `Required` tool
/// is always answered with a task, and a 2026-07-28 client without the extension gets `-32021`
/// (2025-era clients wait for the result, as for any tool).
///
/// ```
/// use mcp_runtime::tool::TaskSupport;
///
/// assert_eq!(TaskSupport::default(), TaskSupport::Forbidden);
/// assert_eq!(TaskSupport::Required.as_str(), "required");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskSupport {
    /// Calls always finish within their request (the default).
    #[default]
    Forbidden,
    /// A call may become a task when it does not finish at once.
    Optional,
    /// Calls are tasks: clients must declare the extension.
    Required,
}

impl TaskSupport {
    /// The value of `execution.taskSupport`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Forbidden => "forbidden",
            Self::Optional => "optional",
            Self::Required => "required",
        }
    }

    /// Whether calls may run as tasks.
    pub const fn allows_tasks(self) -> bool {
        !matches!(self, Self::Forbidden)
    }
}

/// Resolves a call's parameters and starts the tool.
pub type CallFn = fn(&mut CallContext<'_>) -> Invocation;

/// Describes the tool's arguments into its input schema.
pub type InputSchemaFn = fn(&mut InputSchema<'_>);

/// Produces the tool's output schema, if it has structured output.
pub type OutputSchemaFn = fn(&mut SchemaGenerator) -> Option<Schema>;

/// Everything the runtime knows about one tool: what `#[tool]` expands to (reach it as
/// `name::tool()`), and what you build by hand to register a tool without the macro.
///
/// Built in a `const` or `static` with [`ToolDef::new`] and the builder methods, so that fields
/// can be added without breaking anyone's definitions.
///
/// ```
/// use mcp_runtime::extract::{CallContext, Param};
/// use mcp_runtime::tool::{Invocation, ToolDef};
/// use mcp_runtime::ToolResult;
///
/// const NAME: Param = Param::argument::<String>("name").description("Who to greet");
///
/// fn call(call: &mut CallContext<'_>) -> Invocation {
///     match call.argument::<String>(&NAME) {
///         Ok(name) => Invocation::Ready(ToolResult::text(format!("Hello, {name}!"))),
///         Err(e) => Invocation::rejected(e),
///     }
/// }
///
/// static GREET: ToolDef = ToolDef::new("greet", call)
///     .description("Greets someone.")
///     .params(&[NAME])
///     .input_schema(|schema| schema.property::<String>(&NAME));
///
/// let server = mcp_runtime::Server::new().tool(&GREET);
/// # let _ = server;
/// ```
#[derive(Debug)]
pub struct ToolDef {
    pub(crate) name: &'static str,
    pub(crate) title: Option<&'static str>,
    pub(crate) description: Option<&'static str>,
    pub(crate) annotations: ToolAnnotations,
    pub(crate) params: &'static [Param],
    pub(crate) input_schema: InputSchemaFn,
    pub(crate) output_schema: OutputSchemaFn,
    pub(crate) call: CallFn,
    pub(crate) timeout: Option<std::time::Duration>,
    pub(crate) task: TaskSupport,
    pub(crate) scopes: &'static [&'static str],
    pub(crate) icons: &'static [crate::Icon],
    pub(crate) location: Location,
}

impl ToolDef {
    /// A tool named `name` that `call` runs: no parameters, no annotations, defined where
    /// this is called.
    #[track_caller]
    pub const fn new(name: &'static str, call: CallFn) -> Self {
        Self {
            name,
            title: None,
            description: None,
            annotations: ToolAnnotations::NONE,
            params: &[],
            input_schema: |_| {},
            output_schema: |_| None,
            call,
            timeout: None,
            task: TaskSupport::Forbidden,
            scopes: &[],
            icons: &[],
            location: Location::caller(),
        }
    }

    /// With behaviour hints.
    pub const fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.annotations = annotations;
        self
    }

    /// With what builds its input schema.
    pub const fn input_schema(mut self, describe: InputSchemaFn) -> Self {
        self.input_schema = describe;
        self
    }

    /// With what builds its output schema.
    pub const fn output_schema(mut self, output: OutputSchemaFn) -> Self {
        self.output_schema = output;
        self
    }

    /// With a time limit of its own (the server's applies otherwise).
    pub const fn timeout(mut self, limit: std::time::Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// With task support: whether its calls may (or must) run as tasks.
    pub const fn task(mut self, support: TaskSupport) -> Self {
        self.task = support;
        self
    }

    /// The tool's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

crate::descriptor::builders!(ToolDef, described);

inventory::collect!(ToolDef);
