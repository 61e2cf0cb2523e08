//! How the generated code tells a parameter's kind from its type: a [`FromCall`] type first, else
//! an argument (`T: Deserialize + JsonSchema`), chosen by method resolution through references
//! (autoref specialization). A type that is neither fails with [`FromCall`]'s message.
//!
//! Not public API: the macros call `(&&Kind::<T>::NEW).__mcp_resolve(...)` and friends.

use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use super::{ArgumentError, CallContext, FromCall, Param, ParamKind};
use crate::schema::InputSchema;

/// The marker the generated code calls through.
pub struct Kind<T>(PhantomData<fn() -> T>);

impl<T> std::fmt::Debug for Kind<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kind")
    }
}

impl<T> Kind<T> {
    /// The marker.
    pub const NEW: Self = Self(PhantomData);
}

impl<T: FromCall> Kind<T> {
    /// Whether the parameter is an argument of the call, for checks the compiler evaluates.
    pub const ARGUMENT: bool = T::ARGUMENT;
}

/// The same constant for arguments (an inherent constant wins where both apply).
pub trait ArgumentConst {
    /// Always `true`.
    const ARGUMENT: bool;
}

impl<T: DeserializeOwned + JsonSchema> ArgumentConst for Kind<T> {
    const ARGUMENT: bool = true;
}

/// A [`FromCall`] parameter.
pub trait ViaFromCall<T> {
    /// The parameter's kind.
    fn __mcp_kind(&self) -> ParamKind;
    /// Resolves it.
    fn __mcp_resolve(&self, call: &mut CallContext<'_>, param: &Param) -> Result<T, ArgumentError>;
    /// Describes it.
    fn __mcp_describe(&self, schema: &mut InputSchema<'_>, param: &Param);
}

impl<T: FromCall> ViaFromCall<T> for &&Kind<T> {
    fn __mcp_kind(&self) -> ParamKind {
        ParamKind::of::<T>()
    }

    fn __mcp_resolve(&self, call: &mut CallContext<'_>, param: &Param) -> Result<T, ArgumentError> {
        T::from_call(call, param)
    }

    fn __mcp_describe(&self, schema: &mut InputSchema<'_>, param: &Param) {
        T::describe(schema, param);
    }
}

/// An argument.
pub trait ViaArgument<T> {
    /// The parameter's kind.
    fn __mcp_kind(&self) -> ParamKind;
    /// Resolves it.
    fn __mcp_resolve(&self, call: &mut CallContext<'_>, param: &Param) -> Result<T, ArgumentError>;
    /// Describes it.
    fn __mcp_describe(&self, schema: &mut InputSchema<'_>, param: &Param);
}

impl<T: DeserializeOwned + JsonSchema + Send + 'static> ViaArgument<T> for &Kind<T> {
    fn __mcp_kind(&self) -> ParamKind {
        ParamKind::argument::<T>()
    }

    fn __mcp_resolve(&self, call: &mut CallContext<'_>, param: &Param) -> Result<T, ArgumentError> {
        call.argument(param)
    }

    fn __mcp_describe(&self, schema: &mut InputSchema<'_>, param: &Param) {
        schema.property::<T>(param);
    }
}

/// Neither: [`__mcp_kind`](Parameter::__mcp_kind) requires `T: FromCall`, whose message says
/// what a parameter must be (once: the other methods are never reached, the crate does not
/// compile).
pub trait Parameter<T> {
    /// The parameter's kind.
    fn __mcp_kind(&self) -> ParamKind
    where
        T: FromCall;
    /// Unreachable.
    fn __mcp_resolve(&self, call: &mut CallContext<'_>, param: &Param) -> Result<T, ArgumentError>;
    /// Unreachable.
    fn __mcp_describe(&self, schema: &mut InputSchema<'_>, param: &Param);
}

impl<T> Parameter<T> for Kind<T> {
    fn __mcp_kind(&self) -> ParamKind
    where
        T: FromCall,
    {
        ParamKind::of::<T>()
    }

    fn __mcp_resolve(&self, _: &mut CallContext<'_>, _: &Param) -> Result<T, ArgumentError> {
        unreachable!("a parameter that is neither an argument nor `FromCall` does not compile")
    }

    fn __mcp_describe(&self, _: &mut InputSchema<'_>, _: &Param) {
        unreachable!("a parameter that is neither an argument nor `FromCall` does not compile")
    }
}
