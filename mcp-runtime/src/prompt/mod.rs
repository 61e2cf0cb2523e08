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

/// Everything the runtime knows about one prompt: what `#[prompt]` expands to (reach it as
/// `name::prompt()`), and what you build by hand to register a prompt without the macro.
///
/// Its arguments are described like a tool's input schema; each property becomes a prompt
/// argument (required unless its type accepts a missing value).
///
/// ```
/// use mcp_runtime::extract::Param;
/// use mcp_runtime::invocation::Invocation;
/// use mcp_runtime::prompt::{IntoPromptResult, PromptDef};
///
/// const TOPIC: Param = Param::argument::<String>("topic").description("What to write about");
///
/// static HAIKU: PromptDef = PromptDef::new("haiku", |call| match call.argument::<String>(&TOPIC) {
///     Ok(topic) => Invocation::Ready(format!("Write a haiku about {topic}.").into_prompt_result()),
///     Err(e) => Invocation::rejected(e),
/// })
/// .description("Asks for a haiku.")
/// .params(&[TOPIC])
/// .arguments(|schema| schema.property::<String>(&TOPIC));
///
/// let server = mcp_runtime::Server::new().prompt(&HAIKU);
/// # let _ = server;
/// ```
#[derive(Debug)]
pub struct PromptDef {
    pub(crate) name: &'static str,
    pub(crate) title: Option<&'static str>,
    pub(crate) description: Option<&'static str>,
    pub(crate) scopes: &'static [&'static str],
    pub(crate) icons: &'static [crate::Icon],
    pub(crate) params: &'static [Param],
    pub(crate) arguments: fn(&mut InputSchema<'_>),
    pub(crate) get: GetFn,
    pub(crate) location: Location,
}

impl PromptDef {
    /// A prompt named `name` that `get` produces.
    #[track_caller]
    pub const fn new(name: &'static str, get: GetFn) -> Self {
        Self {
            name,
            title: None,
            description: None,
            scopes: &[],
            icons: &[],
            params: &[],
            arguments: |_| {},
            get,
            location: Location::caller(),
        }
    }

    /// With what describes its arguments.
    pub const fn arguments(mut self, describe: fn(&mut InputSchema<'_>)) -> Self {
        self.arguments = describe;
        self
    }

    /// The prompt's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

crate::descriptor::builders!(PromptDef, described);

inventory::collect!(PromptDef);
