//! Handler parameters: the [`FromCall`] trait and the types that implement it.
//!
//! Every parameter of a `#[tool]` function is resolved through [`FromCall`], as axum resolves
//! handler arguments through its extractors. A plain argument (`a: i64`, `filter: Option<String>`,
//! any `T: Deserialize + JsonSchema`) reads the property of the same name from the call's
//! `arguments`; [`Args<T>`] reads the whole `arguments` object into one struct. Each
//! implementation declares its [`Needs`], from which the server derives its mode.

mod arguments;
mod input;
mod kind;
mod needs;
mod notify;
mod request;
mod scope;
mod steps;
mod text;

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::de::value::MapDeserializer;
use serde::de::{DeserializeOwned, IntoDeserializer};

use text::TextDeserializer;

pub use arguments::{ArgumentValue, Arguments};
/// The request headers type a handler parameter can take (from the `http` crate).
pub use http::HeaderMap;
pub use input::{
    CreateMessage, Elicitation, Elicitor, InputError, Root, Roots, SampledMessage, Sampler,
};
#[doc(hidden)]
pub use kind::{ArgumentConst, Kind, Parameter, ViaArgument, ViaFromCall};
pub use needs::Needs;
pub use notify::{Cancellation, Log, LogLevel, Progress, ResponseStream};
pub use request::{Extension, RequestParts};
pub(crate) use scope::RequestScope;
pub use steps::Steps;

use crate::protocol::ProtocolVersion;
use crate::schema::InputSchema;
use crate::state::States;

/// A parameter of a handler function, as the macro saw it (or as you declare it by hand).
///
/// ```
/// use mcp_runtime::extract::{Needs, Param, Progress};
///
/// const QUERY: Param = Param::argument::<String>("query").description("What to look for");
/// const PROGRESS: Param = Param::of::<Progress>("progress");
/// assert_eq!(QUERY.name(), "query");
/// assert_eq!(PROGRESS.kind().needs, Needs::RESPONSE_STREAM);
/// assert!(QUERY.kind().argument);
/// ```
#[derive(Clone, Copy)]
pub struct Param {
    name: &'static str,
    pub(crate) description: Option<&'static str>,
    /// The `x-mcp-header` name its value is mirrored under (`Mcp-Param-{name}`).
    pub(crate) header: Option<&'static str>,
    kind: fn() -> ParamKind,
}

impl std::fmt::Debug for Param {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Param")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("header", &self.header)
            .field("kind", &self.kind())
            .finish()
    }
}

impl Param {
    /// A parameter named `name` whose kind `kind` reports (what `#[tool]` generates).
    pub const fn new(name: &'static str, kind: fn() -> ParamKind) -> Self {
        Self {
            name,
            description: None,
            header: None,
            kind,
        }
    }

    /// A tool argument (prompt argument, template variable) of type `T`.
    pub const fn argument<T: DeserializeOwned + JsonSchema + Send + 'static>(
        name: &'static str,
    ) -> Self {
        Self::new(name, ParamKind::argument::<T>)
    }

    /// A parameter of the [`FromCall`] kind `E`.
    pub const fn of<E: FromCall>(name: &'static str) -> Self {
        Self::new(name, ParamKind::of::<E>)
    }

    /// The same parameter, with its `///` description.
    pub const fn description(mut self, description: &'static str) -> Self {
        self.description = Some(description);
        self
    }

    /// The same argument, mirrored into the HTTP header `Mcp-Param-{name}` (its schema gets
    /// `"x-mcp-header": name`): gateways and load balancers can route on the value without
    /// reading the body, and the server refuses a 2026-07-28 call whose header and argument
    /// differ. What `#[header("Region")]` on a `#[tool]` parameter generates.
    ///
    /// The name is an HTTP token (letters, digits, ``!#$%&'*+-.^_`|~``), unique in the tool
    /// ignoring case, and the argument is a string, an integer or a boolean: the server checks
    /// both when it starts.
    ///
    /// ```
    /// use mcp_runtime::extract::Param;
    ///
    /// const REGION: Param = Param::argument::<String>("region").header("Region");
    /// assert_eq!(REGION.header_name(), Some("Region"));
    /// ```
    pub const fn header(mut self, name: &'static str) -> Self {
        self.header = Some(name);
        self
    }

    /// The `x-mcp-header` name of the argument, if it is mirrored into a header.
    pub const fn header_name(&self) -> Option<&'static str> {
        self.header
    }

    /// The parameter's name: the argument's property name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// What kind of parameter it is.
    pub fn kind(&self) -> ParamKind {
        (self.kind)()
    }
}

/// What a parameter's type is: what it needs from the transport, whether it is an argument of
/// the call, and what it needs the server to have been given.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct ParamKind {
    /// What the parameter needs from the transport ([`FromCall::NEEDS`]).
    pub needs: Needs,
    /// Whether it is an argument of the call ([`FromCall::ARGUMENT`]).
    pub argument: bool,
    /// Checks, when the server starts, that it has what the parameter needs
    /// ([`FromCall::check`]).
    pub check: fn(&States) -> Result<(), String>,
    /// The parameter type's name, for messages.
    pub type_name: &'static str,
}

impl std::fmt::Debug for ParamKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParamKind")
            .field("needs", &self.needs)
            .field("argument", &self.argument)
            .field("type_name", &self.type_name)
            .finish_non_exhaustive()
    }
}

impl ParamKind {
    /// The kind of a [`FromCall`] type.
    pub fn of<E: FromCall>() -> Self {
        Self {
            needs: E::NEEDS,
            argument: E::ARGUMENT,
            check: E::check,
            type_name: std::any::type_name::<E>(),
        }
    }

    /// The kind of an argument of type `T`.
    pub fn argument<T: DeserializeOwned + JsonSchema + Send + 'static>() -> Self {
        Self {
            needs: Needs::NOTHING,
            argument: true,
            check: |_| Ok(()),
            type_name: std::any::type_name::<T>(),
        }
    }
}

/// What a parameter can read about the call (tool call, prompt request or resource read) it is
/// resolved for: its arguments, the protocol revision, the server's application state, and the
/// request that carried it (caller, headers, extensions set by tower layers).
#[derive(Debug)]
pub struct CallContext<'a> {
    arguments: Arguments<'a>,
    version: ProtocolVersion,
    scope: std::sync::Arc<RequestScope>,
    request: RequestParts<'a>,
}

impl<'a> CallContext<'a> {
    /// A call with these arguments, made under `version`, outside any request: notifications
    /// go nowhere, no client input can be had, and no state or request parts are there.
    pub fn new(arguments: Arguments<'a>, version: ProtocolVersion) -> Self {
        Self::scoped(
            arguments,
            version,
            RequestScope::detached(),
            RequestParts::default(),
        )
    }

    /// The same call, reading `request` for the server's state and the request's parts.
    pub fn with_request(mut self, request: RequestParts<'a>) -> Self {
        self.request = request;
        self
    }

    /// A call made within a request, through its scope.
    pub(crate) fn scoped(
        arguments: Arguments<'a>,
        version: ProtocolVersion,
        scope: std::sync::Arc<RequestScope>,
        request: RequestParts<'a>,
    ) -> Self {
        Self {
            arguments,
            version,
            scope,
            request,
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

    /// The server's state and the request's parts.
    pub fn request(&self) -> &RequestParts<'a> {
        &self.request
    }

    /// Reads the argument `param` names as a `T` (what a plain parameter `name: T` does).
    ///
    /// A missing argument reads as JSON `null`: `Option<T>` is `None`, other types are
    /// [`ArgumentError::Missing`].
    pub fn argument<T: DeserializeOwned>(&self, param: &Param) -> Result<T, ArgumentError> {
        let invalid = |message: String| ArgumentError::Invalid {
            name: param.name,
            message,
        };
        match self.arguments.get(param.name) {
            Some(ArgumentValue::Json(raw)) => {
                serde_json::from_str(raw.get()).map_err(|e| invalid(e.to_string()))
            }
            Some(ArgumentValue::Text(text)) => {
                T::deserialize(TextDeserializer(Some(text))).map_err(|e| invalid(e.to_string()))
            }
            None => serde_json::from_str("null").map_err(|_| ArgumentError::Missing(param.name)),
        }
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
    /// The parameter cannot be had for this request. An `Option<E>` parameter is `None` then.
    #[error("{0}")]
    Unavailable(Cow<'static, str>),
}

/// A type that can be a parameter of a `#[tool]`, `#[resource]` or `#[prompt]` function,
/// other than an argument.
///
/// A plain argument (`a: i64`, `filter: Option<String>`, any `T: Deserialize + JsonSchema`)
/// needs no implementation: it reads the property of the same name from the call's
/// `arguments`. Everything else a handler can take ([`State`](crate::State),
/// [`Principal`](crate::session::Principal), [`Extension`], [`Progress`], [`Sampler`],
/// [`Session`](crate::session::Session), ...) implements `FromCall`, as an axum extractor
/// implements `FromRequestParts`; implement it for your own types to give handlers something
/// else of the call. `Option<E>` of any `FromCall` type is `None` where `E` is
/// [unavailable](ArgumentError::Unavailable). When a type is both, `FromCall` decides.
///
/// ```
/// use mcp_runtime::extract::{ArgumentError, CallContext, FromCall, Param};
/// use mcp_runtime::prelude::*;
///
/// /// The tenant named by the `x-tenant` header a gateway sets.
/// struct Tenant(String);
///
/// impl FromCall for Tenant {
///     fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
///         call.request()
///             .headers()
///             .get("x-tenant")
///             .and_then(|v| v.to_str().ok())
///             .map(|t| Tenant(t.to_owned()))
///             .ok_or(ArgumentError::Unavailable("the request names no tenant".into()))
///     }
/// }
///
/// /// Says which tenant is calling.
/// #[tool]
/// async fn whose(tenant: Option<Tenant>) -> String {
///     tenant.map_or("nobody".into(), |t| t.0)
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a #[tool], #[resource] or #[prompt] parameter",
    label = "not a parameter type",
    note = "an argument must implement `serde::Deserialize` and `schemars::JsonSchema` of schemars 1 (the version mcp-runtime uses and re-exports as `mcp_runtime::schemars`; deriving another major version's `JsonSchema` does not count); other parameter types implement `mcp_runtime::extract::FromCall`"
)]
pub trait FromCall: Sized + Send + 'static {
    /// What this parameter needs from the transport.
    const NEEDS: Needs = Needs::NOTHING;

    /// Whether the parameter is an argument of the call (a tool argument, prompt argument or
    /// template variable) rather than something of the request (progress, client input...).
    /// A resource's parameters that are arguments must be variables of its URI template.
    const ARGUMENT: bool = false;

    /// Resolves the parameter for one call.
    fn from_call(call: &mut CallContext<'_>, param: &Param) -> Result<Self, ArgumentError>;

    /// Adds what the parameter contributes to the tool's input schema (nothing, for parameters
    /// that are not arguments).
    fn describe(schema: &mut InputSchema<'_>, param: &Param) {
        let _ = (schema, param);
    }

    /// Checks, when the server starts, that it was given what this parameter needs (a
    /// [`State`](crate::State) checks that the server has a value of its type). The message
    /// says what is missing; the server's error names the handler too.
    fn check(states: &States) -> Result<(), String> {
        let _ = states;
        Ok(())
    }
}

/// An optional parameter: `None` where `E` cannot be had for this request (no session for a
/// 2026-07-28 client, no principal, no such extension, no such state).
impl<E: FromCall> FromCall for Option<E> {
    const NEEDS: Needs = E::NEEDS;
    const ARGUMENT: bool = E::ARGUMENT;

    fn from_call(call: &mut CallContext<'_>, param: &Param) -> Result<Self, ArgumentError> {
        match E::from_call(call, param) {
            Ok(value) => Ok(Some(value)),
            Err(ArgumentError::Unavailable(_) | ArgumentError::Missing(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    fn describe(schema: &mut InputSchema<'_>, param: &Param) {
        E::describe(schema, param);
        // A missing argument is `None`, so an optional argument is never required.
        schema.optional(param);
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
        let id = Param::argument::<u32>("id");
        let lang = Param::argument::<Option<String>>("lang");
        assert_eq!(call.argument::<u32>(&id).unwrap(), 42);
        assert_eq!(call.argument::<Option<String>>(&lang).unwrap(), None);
        assert!(matches!(
            call.argument::<String>(&lang),
            Err(ArgumentError::Missing("lang"))
        ));
        let Args(page) = Args::<Page>::from_call(&mut call, &id).unwrap();
        assert_eq!(page, Page { id: 42, lang: None });
    }

    #[test]
    fn an_optional_parameter_of_any_kind_is_not_required() {
        type Cart = crate::Handle<u32>;
        let mut generator = crate::schema::generator();
        let mut schema = InputSchema::new(&mut generator);
        let optional = Param::new("cart", ParamKind::of::<Option<Cart>>);
        let required = Param::new("other", ParamKind::of::<Cart>);
        Option::<Cart>::describe(&mut schema, &optional);
        Cart::describe(&mut schema, &required);
        let schema = schema.finish().unwrap();
        assert_eq!(schema["required"], serde_json::json!(["other"]));
        assert_eq!(schema["properties"]["cart"]["type"], "string");
    }
}
