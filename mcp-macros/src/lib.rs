//! Attribute macros for `mcp-runtime`. Use them through `mcp_runtime`; the generated code
//! refers to `::mcp_runtime` (or the path given with `crate = ...`).
//!
//! Each macro runs in four stages: parse the attribute (`attr`), build a model of the function
//! that borrows its syntax (`model`), check both, collecting every error (`args`, `validate`),
//! and expand (`expand`), which cannot fail.

mod args;
mod attr;
mod docs;
mod expand;
mod model;
mod validate;

use proc_macro::TokenStream;
use quote::ToTokens;

/// Turns a function (`fn` or `async fn`) into an MCP tool.
///
/// The doc comment is the tool's description; `///` on a parameter describes that argument.
/// Parameters are resolved through `mcp_runtime::extract::FromCall`: any
/// `T: Deserialize + JsonSchema` is the argument of the same name (`Option<T>` is optional),
/// and `Args<T>` takes every argument as one struct.
///
/// Keys: `name`, `title`, `description`, `read_only`, `destructive`, `idempotent`,
/// `open_world` (flags, or `= false`), `timeout_ms`, `task` (`"optional"` or `"required"`),
/// `scopes` (`["notes:read"]`), `icons` (`["https://.../icon.png", SOME_ICON]`: URLs, `data:image/`
/// URIs or constant `Icon`s), `crate = path` (where `mcp_runtime` is).
///
/// `#[header("Region")]` on a `String`, integer or `bool` argument mirrors it into the HTTP
/// header `Mcp-Param-Region` (`x-mcp-header` in the schema): gateways can route on it without
/// reading the body, and the server refuses a 2026-07-28 call whose header and argument differ.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// /// Runs a query in a region.
/// #[tool]
/// async fn run_query(#[header("Region")] region: String, query: String) -> String {
///     format!("ran {query} in {region}")
/// }
/// ```
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// /// Adds two integers.
/// #[tool(read_only, idempotent)]
/// async fn add(
///     /// Left operand
///     a: i64,
///     /// Right operand
///     b: i64,
/// ) -> i64 {
///     a + b
/// }
/// ```
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    handler(attr, item, "#[tool]", |attr, model| {
        let (args, errors) = args::tool(attr, model);
        (args.map(|a| expand::tool(model, &a)), errors)
    })
}

/// Turns a function into an MCP resource, or a resource template when the URI has RFC 6570
/// variables; each variable is a parameter of the same name (checked at compile time).
///
/// Keys after the URI: `name`, `title`, `description`, `mime_type`, `audience` (`["user",
/// "assistant"]`), `priority` (0 to 1), `size`, `ttl_ms` and `cache_scope` (`"public"` or
/// `"private"`), `scopes`, `icons`, `crate = path`.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// /// A user's profile.
/// #[resource("users://{id}/profile", mime_type = "text/plain")]
/// fn profile(id: u64) -> String {
///     format!("user {id}")
/// }
/// ```
#[proc_macro_attribute]
pub fn resource(attr: TokenStream, item: TokenStream) -> TokenStream {
    handler(attr, item, "#[resource]", |attr, model| {
        let (args, errors) = args::resource(attr, model);
        (args.map(|a| expand::resource(model, &a)), errors)
    })
}

/// Turns a function into an MCP prompt whose arguments are its parameters (`String` required,
/// `Option<String>` optional; other types are parsed from the argument's text).
///
/// Keys: `name`, `title`, `description`, `scopes`, `icons`, `crate = path`.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// /// Asks for a review.
/// #[prompt]
/// fn review(
///     /// The code to review
///     code: String,
/// ) -> String {
///     format!("Please review:\n{code}")
/// }
/// ```
#[proc_macro_attribute]
pub fn prompt(attr: TokenStream, item: TokenStream) -> TokenStream {
    handler(attr, item, "#[prompt]", |attr, model| {
        let (args, errors) = args::prompt(attr, model);
        (args.map(|a| expand::prompt(model, &a)), errors)
    })
}

/// Turns a function into a completer for a prompt argument (`prompt = "name"`) or a resource
/// template variable (`resource = "template"`), named by `argument = "name"`.
///
/// The function takes the partial value (`String`) and optionally the `CompletionContext`, and
/// returns `Vec<String>`, `Vec<&str>`, a `Completion` or a `Result` of one; it may be `async`.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// /// Greets someone.
/// #[prompt]
/// fn greet(language: String) -> String {
///     format!("Say hello in {language}.")
/// }
///
/// #[complete(prompt = "greet", argument = "language")]
/// fn languages(partial: String) -> Vec<&'static str> {
///     ["english", "esperanto"].into_iter().filter(|l| l.starts_with(&partial)).collect()
/// }
/// ```
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
    model::strip_param_attrs(&mut function);
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
