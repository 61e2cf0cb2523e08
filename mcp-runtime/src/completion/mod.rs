//! Completions: suggestions for prompt arguments and resource template variables, from
//! functions marked `#[complete]`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::extract::{ArgumentError, CallContext, FromCall, Param};
use crate::invocation::Invocation;
use crate::protocol::RpcError;
use crate::tool::Location;

/// The most values one completion result carries (the protocol's limit).
pub const MAX_VALUES: usize = 100;

/// What a completer completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompletionTarget {
    /// An argument of the prompt of this name.
    Prompt(&'static str),
    /// A variable of the resource template with this URI template.
    Resource(&'static str),
}

/// The request a completer answers: the partial value and the arguments already chosen.
#[derive(Debug, Clone, Default)]
pub struct CompletionContext {
    arguments: HashMap<String, String>,
}

impl CompletionContext {
    /// A context with these already-resolved arguments.
    pub fn new(arguments: HashMap<String, String>) -> Self {
        Self { arguments }
    }

    /// The value already chosen for another argument.
    pub fn argument(&self, name: &str) -> Option<&str> {
        self.arguments.get(name).map(String::as_str)
    }
}

/// A completer's context: the arguments already chosen.
impl FromCall for CompletionContext {
    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        let arguments = call
            .arguments()
            .texts()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        Ok(Self { arguments })
    }
}

/// Suggested values.
///
/// ```
/// use mcp_runtime::completion::{Completion, IntoCompletion};
///
/// let c = (0..150).map(|i| i.to_string()).collect::<Vec<_>>().into_completion().unwrap();
/// assert_eq!(c.values.len(), 100);
/// assert_eq!((c.total, c.has_more), (Some(150), true));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    /// At most [`MAX_VALUES`] suggestions.
    pub values: Vec<String>,
    /// How many suggestions exist in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    /// Whether more exist than were sent.
    #[serde(default)]
    pub has_more: bool,
}

impl Completion {
    /// Suggestions, truncated to [`MAX_VALUES`] with `total` and `has_more` set accordingly.
    pub fn new(mut values: Vec<String>) -> Self {
        let total = values.len();
        let has_more = total > MAX_VALUES;
        values.truncate(MAX_VALUES);
        Self {
            values,
            total: has_more.then_some(total),
            has_more,
        }
    }
}

/// What a completer produces.
pub type CompleteOutcome = Result<Completion, RpcError>;

/// Converts a completer's return value into a [`Completion`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a #[complete] function",
    note = "return `Vec<String>`, `Vec<&str>`, a `Completion`, or a `Result` of one of these"
)]
pub trait IntoCompletion {
    /// Performs the conversion.
    fn into_completion(self) -> CompleteOutcome;
}

impl IntoCompletion for Completion {
    fn into_completion(self) -> CompleteOutcome {
        Ok(self)
    }
}

impl IntoCompletion for Vec<String> {
    fn into_completion(self) -> CompleteOutcome {
        Ok(Completion::new(self))
    }
}

impl IntoCompletion for Vec<&str> {
    fn into_completion(self) -> CompleteOutcome {
        Ok(Completion::new(
            self.into_iter().map(str::to_owned).collect(),
        ))
    }
}

/// A typed failure (invalid params, internal).
impl<T: IntoCompletion> IntoCompletion for Result<T, crate::protocol::ProtocolError> {
    fn into_completion(self) -> CompleteOutcome {
        self.map_err(crate::protocol::ProtocolError::into_rpc)?
            .into_completion()
    }
}

/// Any other error is an internal failure with the error's text.
impl<T: IntoCompletion, E: std::fmt::Display> IntoCompletion for Result<T, E> {
    fn into_completion(self) -> CompleteOutcome {
        self.map_err(|e| RpcError::internal(e.to_string()))?
            .into_completion()
    }
}

/// Starts a completer with the partial value; its other parameters (the
/// [`CompletionContext`], state, ...) are resolved from the call, whose arguments are the
/// context's.
pub type CompleteFn = fn(&mut CallContext<'_>, String) -> Invocation<CompleteOutcome>;

/// A completer: what `#[complete]` expands to (reach it as `name::completer()`).
///
/// ```
/// use mcp_runtime::completion::{CompleterDef, CompletionTarget, IntoCompletion};
/// use mcp_runtime::invocation::Invocation;
///
/// static LANGUAGES: CompleterDef = CompleterDef::new(CompletionTarget::Prompt("review"), "language", |_, partial| {
///     let all = ["rust", "python", "typescript"];
///     Invocation::Ready(all.into_iter().filter(|l| l.starts_with(&partial)).collect::<Vec<_>>().into_completion())
/// });
/// # let _ = &LANGUAGES;
/// ```
#[derive(Debug)]
pub struct CompleterDef {
    pub(crate) target: CompletionTarget,
    pub(crate) argument: &'static str,
    pub(crate) params: &'static [Param],
    pub(crate) complete: CompleteFn,
    pub(crate) location: Location,
}

impl CompleterDef {
    /// Completes `argument` of `target` with `complete`.
    #[track_caller]
    pub const fn new(
        target: CompletionTarget,
        argument: &'static str,
        complete: CompleteFn,
    ) -> Self {
        Self {
            target,
            argument,
            params: &[],
            complete,
            location: Location::caller(),
        }
    }
}

crate::descriptor::builders!(CompleterDef);

inventory::collect!(CompleterDef);
