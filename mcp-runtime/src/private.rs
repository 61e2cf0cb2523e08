//! Items used by code that `#[tool]` generates. Not public API: no stability promise.

pub use inventory;
pub use schemars;
pub use serde_json;

pub use crate::completion::{
    CompleteOutcome, CompleterDef, CompletionContext, CompletionTarget, IntoCompletion,
};
pub use crate::extract::{
    ArgumentConst, CallContext, FromCall, Kind, Needs, Param, Parameter, ViaArgument, ViaFromCall,
};
pub use crate::icon::Icon;
pub use crate::invocation::Invocation;
pub use crate::prompt::{GetOutcome, IntoPromptResult, PromptDef};
pub use crate::protocol::CacheScope;
pub use crate::resource::{
    IntoContents, ReadCache, ReadOutcome, ReadTarget, ResourceAnnotations, ResourceDef, Role,
};
pub use crate::schema::InputSchema;
pub use crate::tool::{HeaderParam, Location, TaskSupport, ToolAnnotations, ToolDef, ToolResult};

pub use crate::tool::{
    OutputViaIntoToolResult, OutputViaSerialize, ReturnType, Returned, ToolReturn,
    ViaIntoToolResult, ViaSerialize, ViaSerializeError, ViaSerializeResult,
};

/// Fuzzing hook: whether `sealed` opens as the state of a `tools/call` of `fuzz`, no arguments.
pub fn fuzz_open_request_state(keys: &crate::mrtr::StateKeys, sealed: &str) -> bool {
    let digest = crate::mrtr::digest(None);
    crate::mrtr::RequestState::open(sealed, keys, None, "tools/call", "fuzz", &digest).is_ok()
}
