//! Code generation shared by the handler macros: the parameter table, the `FromCall` shim
//! pieces, and small token helpers. Expansion cannot fail: validation ran before it.

mod complete;
mod prompt;
mod resource;
mod tool;

pub(crate) use complete::{complete, CompleteArgs};
pub(crate) use prompt::{prompt, PromptArgs};
pub(crate) use resource::{resource, ResourceArgs};
pub(crate) use tool::{tool, ToolArgs};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::Handler;

/// The parts of a shim that resolves a handler's parameters through `FromCall`.
pub(crate) struct Shim {
    /// `const __PARAMS: &[Param] = ...;`
    pub(crate) params: TokenStream,
    /// One `let __mcp_argN = ...;` per parameter (returns the rejection on failure).
    pub(crate) resolve: TokenStream,
    /// One `describe` call per parameter.
    pub(crate) describe: TokenStream,
    /// The call of the user's function with the resolved parameters (awaited if async).
    pub(crate) call: TokenStream,
}

pub(crate) fn shim(model: &Handler<'_>) -> Shim {
    shim_from(model, 0, Vec::new())
}

/// A shim whose first `skip` parameters are bound by the caller to `given` (a completer's
/// partial value); the rest are resolved.
pub(crate) fn shim_from(model: &Handler<'_>, skip: usize, given: Vec<TokenStream>) -> Shim {
    let resolved = model.params.get(skip..).unwrap_or_default();
    let entries = resolved.iter().map(|p| {
        let (name, ty) = (&p.name, p.ty);
        let description = p.description.as_deref().map(|d| quote!(.description(#d)));
        let header = header_name(p).map(|h| quote!(.header(#h)));
        quote_spanned! {ty.span()=>
            __mcp::Param::new(#name, || (&&__mcp::Kind::<#ty>::NEW).__mcp_kind()) #description #header
        }
    });
    // A mirrored argument's type must be one a header can carry.
    let mirrorable = resolved
        .iter()
        .filter(|p| header_name(p).is_some())
        .map(|p| {
            let ty = p.ty;
            quote_spanned! {ty.span()=>
                const _: () = {
                    fn __mcp_mirrorable<T: __mcp::HeaderParam>() {}
                    let _ = __mcp_mirrorable::<#ty>;
                };
            }
        });
    let bindings: Vec<Ident> = (0..resolved.len())
        .map(|i| format_ident!("__mcp_arg{}", i))
        .collect();
    let resolve = resolved
        .iter()
        .zip(&bindings)
        .enumerate()
        .map(|(i, (p, binding))| {
            let ty = p.ty;
            quote_spanned! {ty.span()=>
                let #binding: #ty = match (&&__mcp::Kind::<#ty>::NEW).__mcp_resolve(__call, &__PARAMS[#i]) {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(error) => return __mcp::Invocation::rejected(error),
                };
            }
        });
    let describe = resolved.iter().enumerate().map(|(i, p)| {
        let ty = p.ty;
        quote_spanned!(ty.span()=> (&&__mcp::Kind::<#ty>::NEW).__mcp_describe(__schema, &__PARAMS[#i]);)
    });
    let function = &model.item.sig.ident;
    let arguments = given
        .iter()
        .cloned()
        .chain(bindings.iter().map(|b| quote!(#b)));
    let call = if model.is_async() {
        quote!(#function(#(#arguments),*).await)
    } else {
        quote!(#function(#(#arguments),*))
    };
    Shim {
        params: quote! {
            #[allow(unused_imports)]
            use __mcp::{ViaArgument as _, ViaFromCall as _, Parameter as _};
            const __PARAMS: &[__mcp::Param] = &[#(#entries),*];
            #(#mirrorable)*
        },
        resolve: quote!(let _ = &__call; #(#resolve)*),
        describe: quote!(let _ = &__schema; #(#describe)*),
        call,
    }
}

/// The `#[header("Name")]` of a parameter, when it parsed.
fn header_name(param: &crate::model::Param<'_>) -> Option<String> {
    match &param.header {
        Some((_, Ok(lit))) => Some(lit.value()),
        _ => None,
    }
}

/// Runs `convert` on the user function's value: in a boxed future for an `async fn`, on the
/// blocking pool for a plain `fn`.
pub(crate) fn run(model: &Handler<'_>, call: &TokenStream, convert: TokenStream) -> TokenStream {
    if model.is_async() {
        quote! {
            __mcp::Invocation::pending(async move {
                let __value = #call;
                #convert
            })
        }
    } else {
        quote! {
            __mcp::Invocation::blocking(move || {
                let __value = #call;
                #convert
            })
        }
    }
}

/// The type named like the function (`struct add {}` lives in the type namespace, beside
/// `fn add`), through which a hand-built server picks the handler: `add::tool()`.
pub(crate) fn nameable(model: &Handler<'_>, kind: &str, accessor: &str) -> TokenStream {
    let vis = &model.item.vis;
    let ident = &model.item.sig.ident;
    let doc = format!(
        "The `#[{kind}]` definition of [`fn@{ident}`], for a server built from chosen handlers: \
         `Server::new().{kind}({ident}::{accessor}())`."
    );
    let doc = doc.replace("r#", "");
    quote! {
        #[doc = #doc]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #ident {}
    }
}

/// `impl name { pub fn accessor() -> &'static Def }` inside the expansion's block.
pub(crate) fn accessor(model: &Handler<'_>, accessor: &str, def: TokenStream) -> TokenStream {
    let ident = &model.item.sig.ident;
    let accessor = format_ident!("{}", accessor);
    quote! {
        impl #ident {
            /// The handler's definition.
            pub fn #accessor() -> &'static #def {
                &__DEF
            }
        }
        __mcp::inventory::submit!(__DEF);
    }
}

/// The `const _: () = { ... };` block every expansion lives in.
pub(crate) fn scope(runtime: &TokenStream, body: TokenStream) -> TokenStream {
    quote! {
        #[doc(hidden)]
        const _: () = {
            use #runtime::__private as __mcp;
            #body
        };
    }
}

/// `.key(value)` when there is a value.
pub(crate) fn setter<T: quote::ToTokens>(key: &str, value: Option<T>) -> TokenStream {
    let key = format_ident!("{}", key);
    match value {
        Some(v) => quote!(.#key(#v)),
        None => TokenStream::new(),
    }
}

/// `.scopes(&["a", "b"])`, or nothing when the handler needs no scope.
pub(crate) fn scopes_setter(scopes: &[String]) -> TokenStream {
    if scopes.is_empty() {
        return TokenStream::new();
    }
    quote!(.scopes(&[#(#scopes),*]))
}

/// `.at(Location { file!(), line!() })`.
pub(crate) fn location() -> TokenStream {
    quote!(.at(__mcp::Location {
        file: ::core::file!(),
        line: ::core::line!()
    }))
}
