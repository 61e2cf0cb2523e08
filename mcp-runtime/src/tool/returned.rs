//! How `#[tool]` turns a function's return value into a [`ToolResult`] and finds its output
//! schema: chosen by method resolution through references (autoref specialization). Not public
//! API: the generated code calls these.

use std::cell::Cell;
use std::fmt::Display;
use std::marker::PhantomData;

use schemars::{Schema, SchemaGenerator};
use serde::Serialize;

use super::{serialized_as_text, IntoToolResult, ToolResult};

/// A tool's return value on its way to a [`ToolResult`].
///
/// The conversion is chosen by method resolution through references (autoref
/// specialization): [`IntoToolResult`] first, then `Result<T: Serialize, E: Display>`, then
/// `Result<T: Serialize, E: Serialize>` (an `Err` is an error result whose text is the error's
/// JSON: never a success that reads `{"Err":...}`), then any `T: Serialize` as JSON text, and
/// last a fallback that requires `IntoToolResult`, whose message says what a tool may return
/// (and rustc which trait the type lacks). The generated code calls
/// `(&&&&&Returned::new(value)).__mcp_result()`.
pub struct Returned<T>(Cell<Option<T>>);

impl<T> std::fmt::Debug for Returned<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Returned(..)")
    }
}

impl<T> Returned<T> {
    /// Wraps a return value.
    pub fn new(value: T) -> Self {
        Self(Cell::new(Some(value)))
    }

    fn take(&self) -> T {
        self.0.take().expect("a return value is converted once")
    }
}

/// Conversion through [`IntoToolResult`].
pub trait ViaIntoToolResult {
    /// Converts.
    fn __mcp_result(&self) -> ToolResult;
}

impl<T: IntoToolResult> ViaIntoToolResult for &&&&Returned<T> {
    fn __mcp_result(&self) -> ToolResult {
        self.take().into_tool_result()
    }
}

/// Conversion of a `Result` whose success value is only `Serialize`.
pub trait ViaSerializeResult {
    /// Converts.
    fn __mcp_result(&self) -> ToolResult;
}

impl<T: Serialize, E: Display> ViaSerializeResult for &&&Returned<Result<T, E>> {
    fn __mcp_result(&self) -> ToolResult {
        match self.take() {
            Ok(value) => serialized_as_text(&value),
            Err(e) => ToolResult::error(e.to_string()),
        }
    }
}

/// Conversion of a `Result` whose error is only `Serialize`.
pub trait ViaSerializeError {
    /// Converts.
    fn __mcp_result(&self) -> ToolResult;
}

impl<T: Serialize, E: Serialize> ViaSerializeError for &&Returned<Result<T, E>> {
    fn __mcp_result(&self) -> ToolResult {
        match self.take() {
            Ok(value) => serialized_as_text(&value),
            Err(e) => {
                let mut error = serialized_as_text(&e);
                error.is_error = true;
                error
            }
        }
    }
}

/// Conversion of any `Serialize` value into its JSON text.
pub trait ViaSerialize {
    /// Converts.
    fn __mcp_result(&self) -> ToolResult;
}

impl<T: Serialize> ViaSerialize for &Returned<T> {
    fn __mcp_result(&self) -> ToolResult {
        serialized_as_text(&self.take())
    }
}

/// Nothing fits: requiring [`IntoToolResult`] makes rustc say why.
pub trait ToolReturn<T> {
    /// Converts (never compiles).
    fn __mcp_result(&self) -> ToolResult
    where
        T: IntoToolResult;
}

impl<T> ToolReturn<T> for Returned<T> {
    fn __mcp_result(&self) -> ToolResult
    where
        T: IntoToolResult,
    {
        self.take().into_tool_result()
    }
}

/// A tool's return type, for choosing its output schema the same way as [`Returned`].
#[derive(Debug)]
pub struct ReturnType<T>(PhantomData<fn() -> T>);

impl<T> ReturnType<T> {
    /// The marker.
    pub const NEW: Self = Self(PhantomData);
}

/// Output schema through [`IntoToolResult`].
pub trait OutputViaIntoToolResult {
    /// The schema.
    fn __mcp_output_schema(&self, generator: &mut SchemaGenerator) -> Option<Schema>;
}

impl<T: IntoToolResult> OutputViaIntoToolResult for &&ReturnType<T> {
    fn __mcp_output_schema(&self, generator: &mut SchemaGenerator) -> Option<Schema> {
        T::output_schema(generator)
    }
}

/// No output schema for values sent as text.
pub trait OutputViaSerialize {
    /// The schema.
    fn __mcp_output_schema(&self, generator: &mut SchemaGenerator) -> Option<Schema>;
}

impl<T> OutputViaSerialize for &ReturnType<T> {
    fn __mcp_output_schema(&self, _: &mut SchemaGenerator) -> Option<Schema> {
        None
    }
}
