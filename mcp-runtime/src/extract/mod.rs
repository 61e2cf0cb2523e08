//! Handler parameters: the [`FromCall`] trait and the types that implement it.
//!
//! Every parameter of a `#[tool]` function is resolved through [`FromCall`], as axum resolves
//! handler arguments through its extractors. A plain argument (`a: i64`, `filter: Option<String>`,
//! any `T: Deserialize + JsonSchema`) reads the property of the same name from the call's
//! `arguments`; [`Args<T>`] reads the whole `arguments` object into one struct. Each
//! implementation declares its [`Needs`], from which the server derives its mode.

mod arguments;
mod needs;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

pub use arguments::Arguments;
pub use needs::Needs;

use crate::protocol::ProtocolVersion;
use crate::schema::InputSchema;

/// A parameter of a tool function, as the macro saw it.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The parameter's name: the argument's property name.
    pub name: &'static str,
    /// The parameter's `///` doc comment.
    pub description: Option<&'static str>,
}

/// What a parameter can read about the call it is resolved for.
#[derive(Debug)]
pub struct ToolCall<'a> {
    arguments: Arguments<'a>,
    version: ProtocolVersion,
}

impl<'a> ToolCall<'a> {
    /// A call with these arguments, made under `version`.
    pub fn new(arguments: Arguments<'a>, version: ProtocolVersion) -> Self {
        Self { arguments, version }
    }

    /// The call's arguments.
    pub fn arguments(&self) -> &Arguments<'a> {
        &self.arguments
    }

    /// The protocol revision the request was made under.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.version
    }
}

/// Why a parameter could not be resolved. The model sees the message in an `isError` result and
/// can correct its call.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ArgumentError {
    /// A required argument is absent.
    #[error("missing required argument `{0}`")]
    Missing(&'static str),
    /// An argument does not have the expected type or value.
    #[error("invalid argument `{name}`: {message}")]
    Invalid {
        /// The argument.
        name: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// `arguments` is not an object or has duplicate keys.
    #[error("invalid arguments: {0}")]
    Malformed(String),
}

/// A type that can be a parameter of a `#[tool]` function.
///
/// Implemented for every `T: DeserializeOwned + JsonSchema` (a tool argument of that name) and
/// for [`Args<T>`]. Implement it for your own types to give tools access to something else of
/// the call, as an axum extractor does.
///
/// ```
/// use mcp_runtime::extract::{ArgumentError, FromCall, Needs, Param, ToolCall};
/// use mcp_runtime::protocol::ProtocolVersion;
/// use mcp_runtime::schema::InputSchema;
///
/// /// The protocol revision the client speaks, for tools that adapt their output.
/// struct ClientVersion(ProtocolVersion);
///
/// impl FromCall for ClientVersion {
///     const NEEDS: Needs = Needs::NOTHING;
///     fn from_call(call: &mut ToolCall<'_>, _: &Param) -> Result<Self, ArgumentError> {
///         Ok(ClientVersion(call.protocol_version()))
///     }
///     fn describe(_: &mut InputSchema<'_>, _: &Param) {}
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a #[tool] parameter",
    label = "not a tool parameter type",
    note = "a tool argument must implement `serde::Deserialize` and `schemars::JsonSchema`; other parameter types implement `mcp_runtime::extract::FromCall`"
)]
pub trait FromCall: Sized + Send + 'static {
    /// What this parameter needs from the transport.
    const NEEDS: Needs;

    /// Resolves the parameter for one call.
    fn from_call(call: &mut ToolCall<'_>, param: &Param) -> Result<Self, ArgumentError>;

    /// Adds what the parameter contributes to the tool's input schema (nothing, for parameters
    /// that are not arguments).
    fn describe(schema: &mut InputSchema<'_>, param: &Param);
}

impl<T> FromCall for T
where
    T: DeserializeOwned + JsonSchema + Send + 'static,
{
    const NEEDS: Needs = Needs::NOTHING;

    fn from_call(call: &mut ToolCall<'_>, param: &Param) -> Result<Self, ArgumentError> {
        let raw = call.arguments.get(param.name).map_or("null", |r| r.get());
        serde_json::from_str(raw).map_err(|e| {
            if call.arguments.get(param.name).is_none() {
                ArgumentError::Missing(param.name)
            } else {
                ArgumentError::Invalid {
                    name: param.name,
                    message: e.to_string(),
                }
            }
        })
    }

    fn describe(schema: &mut InputSchema<'_>, param: &Param) {
        schema.property::<T>(param);
    }
}

/// All of a call's arguments as one struct whose fields are the tool's properties.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Search {
///     /// What to look for.
///     query: String,
///     /// At most this many hits.
///     limit: Option<u32>,
/// }
///
/// /// Searches the index.
/// #[tool]
/// async fn search(Args(search): Args<Search>) -> String {
///     format!("{} (limit {})", search.query, search.limit.unwrap_or(10))
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Args<T>(pub T);

impl<T> FromCall for Args<T>
where
    T: DeserializeOwned + JsonSchema + Send + 'static,
{
    const NEEDS: Needs = Needs::NOTHING;

    fn from_call(call: &mut ToolCall<'_>, _: &Param) -> Result<Self, ArgumentError> {
        serde_json::from_str(call.arguments.as_json())
            .map(Args)
            .map_err(|e| ArgumentError::Malformed(e.to_string()))
    }

    fn describe(schema: &mut InputSchema<'_>, _: &Param) {
        schema.flatten::<T>();
    }
}
