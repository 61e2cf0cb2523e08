//! Attribute macros for `mcp-runtime`. Use them through `mcp_runtime`; the generated code
//! refers to `::mcp_runtime` (or the path given with `crate = ...`).
//!
//! Each macro runs in four stages: parse the attribute ([`attr`]), build a model of the function
//! that borrows its syntax ([`model`]), check both, collecting every error ([`args`],
//! [`validate`]), and expand ([`expand`]), which cannot fail.

mod args;
mod attr;
mod docs;
mod expand;
mod model;
mod validate;

use proc_macro::TokenStream;
use quote::ToTokens;

/// Turns a function into an MCP tool. See `mcp_runtime::tool`.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    handler(attr, item, "#[tool]", |attr, model| {
        let (args, errors) = args::tool(attr, model);
        (args.map(|a| expand::tool(model, &a)), errors)
    })
}

/// Turns a function into an MCP resource or resource template. See `mcp_runtime::resource`.
#[proc_macro_attribute]
pub fn resource(attr: TokenStream, item: TokenStream) -> TokenStream {
    handler(attr, item, "#[resource]", |attr, model| {
        let (args, errors) = args::resource(attr, model);
        (args.map(|a| expand::resource(model, &a)), errors)
    })
}

/// Turns a function into an MCP prompt. See `mcp_runtime::prompt`.
#[proc_macro_attribute]
pub fn prompt(attr: TokenStream, item: TokenStream) -> TokenStream {
    handler(attr, item, "#[prompt]", |attr, model| {
        let (args, errors) = args::prompt(attr, model);
        (args.map(|a| expand::prompt(model, &a)), errors)
    })
}

/// Turns a function into a completer for a prompt argument or a template variable. See
/// `mcp_runtime::complete`.
#[proc_macro_attribute]
pub fn complete(attr: TokenStream, item: TokenStream) -> TokenStream {
    handler(attr, item, "#[complete]", |attr, model| {
        let (args, errors) = args::complete(attr, model);
        (args.map(|a| expand::complete(model, &a)), errors)
    })
}

type Expansion = (Option<proc_macro2::TokenStream>, Vec<syn::Error>);

/// The driver every macro shares. The user's function is always emitted, without the `///` on
/// its parameters (which rustc rejects), so one mistake gives one error and the IDE keeps
/// working.
fn handler(
    attr: TokenStream,
    item: TokenStream,
    kind: &str,
    expand: impl FnOnce(proc_macro2::TokenStream, &model::Handler<'_>) -> Expansion,
) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let mut function: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let error = syn::Error::new_spanned(
                &item,
                format!("{kind} applies to a free function: `fn` or `async fn`"),
            );
            let mut out = error.to_compile_error();
            out.extend(item);
            return out.into();
        }
    };
    let (generated, errors) = {
        let model = model::Handler::new(&function);
        expand(attr.into(), &model)
    };
    model::strip_param_docs(&mut function);
    let mut out = function.into_token_stream();
    match combine(errors) {
        Some(error) => out.extend(error.to_compile_error()),
        None => out.extend(generated),
    }
    out.into()
}

/// All errors as one.
fn combine(errors: Vec<syn::Error>) -> Option<syn::Error> {
    errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    })
}
