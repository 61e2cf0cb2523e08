//! Attribute macros for `mcp-runtime`. Use them through `mcp_runtime::tool`; the generated code
//! refers to `::mcp_runtime`.
//!
//! Each macro runs in four stages, one module each: parse the attribute, build a model of the
//! function that borrows its syntax, validate the model (collecting every error), and expand.

mod docs;
mod tool;

use proc_macro::TokenStream;

/// Turns a function into an MCP tool.
///
/// See `mcp_runtime::tool` for the full documentation.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    tool::expand(attr.into(), item.into()).into()
}
