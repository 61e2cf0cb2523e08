//! Handler parameters: the [`FromCall`] trait and the types that implement it.
//!
//! Every parameter of a `#[tool]` function is resolved through [`FromCall`], as axum resolves
//! handler arguments through its extractors. A plain argument (`a: i64`, `filter: Option<String>`,
//! any `T: Deserialize + JsonSchema`) reads the property of the same name from the call's
//! `arguments`; [`Args<T>`] reads the whole `arguments` object into one struct. Each
//! implementation declares its [`Needs`], from which the server derives its mode.

mod arguments;
mod input;
mod needs;
mod notify;
mod scope;
mod text;

use schemars::JsonSchema;
use serde::de::value::MapDeserializer;
use serde::de::{DeserializeOwned, IntoDeserializer};

use text::TextDeserializer;

pub use arguments::{ArgumentValue, Arguments};
pub use input::{
    CreateMessage, Elicitation, Elicitor, InputError, Root, Roots, SampledMessage, Sampler,
};
pub use needs::Needs;
pub use notify::{Cancellation, Log, LogLevel, Progress, ResponseStream};
pub(crate) use scope::{RequestScope, StreamItem};

use crate::protocol::ProtocolVersion;
use crate::schema::InputSchema;

/// A parameter of a tool function, as the macro saw it.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The parameter's name: the argument's property name.
    pub name: &'static str,
    /// The parameter's `///` doc comment.
    pub description: Option<&'static str>,
    /// What the parameter's type needs from the transport (its [`FromCall::NEEDS`]).
    pub needs: Needs,
}

/// What a parameter can read about the call (tool call, prompt request or resource read) it is
/// resolved for.
#[derive(Debug)]
pub struct CallContext<'a> {
    arguments: Arguments<'a>,
    version: ProtocolVersion,
    scope: std::sync::Arc<RequestScope>,
}

impl<'a> CallContext<'a> {
    /// A call with these arguments, made under `version`, outside any request: notifications
    /// go nowhere and no client input can be had.
    pub fn new(arguments: Arguments<'a>, version: ProtocolVersion) -> Self {
        Self::scoped(arguments, version, RequestScope::detached())
    }

    /// A call made within a request, through its scope.
    pub(crate) fn scoped(
        arguments: Arguments<'a>,
        version: ProtocolVersion,
        scope: std::sync::Arc<RequestScope>,
    ) -> Self {
        Self {
            arguments,
            version,
            scope,
        }
    }

    pub(crate) fn scope(&self) -> &std::sync::Arc<RequestScope> {
        &self.scope
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
    /// The parameter cannot be had for this request.
    #[error("{0}")]
    Unavailable(&'static str),
}

/// A type that can be a parameter of a `#[tool]` function.
///
/// Implemented for every `T: DeserializeOwned + JsonSchema` (a tool argument of that name) and
/// for [`Args<T>`]. Implement it for your own types to give tools access to something else of
/// the call, as an axum extractor does.
///
/// ```
/// use mcp_runtime::extract::{ArgumentError, FromCall, Needs, Param, CallContext};
/// use mcp_runtime::protocol::ProtocolVersion;
/// use mcp_runtime::schema::InputSchema;
///
/// /// The protocol revision the client speaks, for tools that adapt their output.
/// struct ClientVersion(ProtocolVersion);
///
/// impl FromCall for ClientVersion {
///     const NEEDS: Needs = Needs::NOTHING;
///     fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
///         Ok(ClientVersion(call.protocol_version()))
///     }
///     fn describe(_: &mut InputSchema<'_>, _: &Param) {}
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a #[tool], #[resource] or #[prompt] parameter",
    label = "not a parameter type",
    note = "an argument must implement `serde::Deserialize` and `schemars::JsonSchema`; other parameter types implement `mcp_runtime::extract::FromCall`"
)]
pub trait FromCall: Sized + Send + 'static {
    /// What this parameter needs from the transport.
    const NEEDS: Needs;

    /// Whether the parameter is an argument of the call (a tool argument, prompt argument or
    /// template variable) rather than something of the request (progress, client input...).
    /// A resource's parameters that are arguments must be variables of its URI template.
    const ARGUMENT: bool = false;

    /// Resolves the parameter for one call.
    fn from_call(call: &mut CallContext<'_>, param: &Param) -> Result<Self, ArgumentError>;

    /// Adds what the parameter contributes to the tool's input schema (nothing, for parameters
    /// that are not arguments).
    fn describe(schema: &mut InputSchema<'_>, param: &Param);
}

impl<T> FromCall for T
where
    T: DeserializeOwned + JsonSchema + Send + 'static,
{
    const NEEDS: Needs = Needs::NOTHING;
    const ARGUMENT: bool = true;

    fn from_call(call: &mut CallContext<'_>, param: &Param) -> Result<Self, ArgumentError> {
        let invalid = |message: String| ArgumentError::Invalid {
            name: param.name,
            message,
        };
        match call.arguments.get(param.name) {
            Some(ArgumentValue::Json(raw)) => {
                serde_json::from_str(raw.get()).map_err(|e| invalid(e.to_string()))
            }
            Some(ArgumentValue::Text(text)) => {
                T::deserialize(TextDeserializer(Some(text))).map_err(|e| invalid(e.to_string()))
            }
            None => serde_json::from_str("null").map_err(|_| ArgumentError::Missing(param.name)),
        }
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
    const ARGUMENT: bool = true;

    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        let parsed = match call.arguments.as_json() {
            Some(json) => serde_json::from_str(json).map_err(|e| e.to_string()),
            None => {
                let texts = call
                    .arguments
                    .texts()
                    .map(|(name, text)| (name, TextDeserializer(Some(text))));
                T::deserialize(MapDeserializer::<_, serde::de::value::Error>::new(texts))
                    .map_err(|e| e.to_string())
            }
        };
        parsed.map(Args).map_err(ArgumentError::Malformed)
    }

    fn describe(schema: &mut InputSchema<'_>, _: &Param) {
        schema.flatten::<T>();
    }
}

impl<'de> IntoDeserializer<'de, serde::de::value::Error> for TextDeserializer<'_> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use serde::Deserialize;

    use super::*;
    use crate::protocol::ProtocolVersion;

    #[derive(Debug, PartialEq, Deserialize, JsonSchema)]
    struct Page {
        id: u32,
        lang: Option<String>,
    }

    fn text_call(pairs: &[(&'static str, &'static str)]) -> CallContext<'static> {
        let entries = pairs
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), Cow::Borrowed(*v)))
            .collect();
        CallContext::new(Arguments::from_text(entries), ProtocolVersion::LATEST)
    }

    #[test]
    fn text_arguments_parse_into_typed_parameters() {
        let mut call = text_call(&[("id", "42")]);
        let id = Param {
            name: "id",
            description: None,
            needs: Needs::NOTHING,
        };
        let lang = Param {
            name: "lang",
            description: None,
            needs: Needs::NOTHING,
        };
        assert_eq!(u32::from_call(&mut call, &id).unwrap(), 42);
        assert_eq!(Option::<String>::from_call(&mut call, &lang).unwrap(), None);
        assert!(matches!(
            String::from_call(&mut call, &lang),
            Err(ArgumentError::Missing("lang"))
        ));
        let Args(page) = Args::<Page>::from_call(&mut call, &id).unwrap();
        assert_eq!(page, Page { id: 42, lang: None });
    }
}
