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
    let entries = model.params.iter().map(|p| {
        let (name, ty) = (&p.name, p.ty);
        let description = optional(p.description.as_deref());
        quote_spanned! {ty.span()=>
            __mcp::Param { name: #name, description: #description, needs: <#ty as __mcp::FromCall>::NEEDS }
        }
    });
    let bindings: Vec<Ident> = (0..model.params.len())
        .map(|i| format_ident!("__mcp_arg{}", i))
        .collect();
    let resolve = model
        .params
        .iter()
        .zip(&bindings)
        .enumerate()
        .map(|(i, (p, binding))| {
            let ty = p.ty;
            quote_spanned! {ty.span()=>
                let #binding = match <#ty as __mcp::FromCall>::from_call(__call, &__PARAMS[#i]) {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(error) => return __mcp::Invocation::rejected(error),
                };
            }
        });
    let describe = model.params.iter().enumerate().map(|(i, p)| {
        let ty = p.ty;
        quote_spanned!(ty.span()=> <#ty as __mcp::FromCall>::describe(__schema, &__PARAMS[#i]);)
    });
    let function = &model.item.sig.ident;
    let call = if model.is_async() {
        quote!(#function(#(#bindings),*).await)
    } else {
        quote!(#function(#(#bindings),*))
    };
    Shim {
        params: quote!(const __PARAMS: &[__mcp::Param] = &[#(#entries),*];),
        resolve: quote!(let _ = &__call; #(#resolve)*),
        describe: quote!(let _ = &__schema; #(#describe)*),
        call,
    }
}

/// Runs `convert` on the user function's value, now or in a boxed future.
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
            let __value = #call;
            __mcp::Invocation::Ready(#convert)
        }
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

/// `Some("...")` or `None`.
pub(crate) fn optional(value: Option<&str>) -> TokenStream {
    match value {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

/// `Location { file!(), line!() }`.
pub(crate) fn location() -> TokenStream {
    quote!(__mcp::Location {
        file: ::core::file!(),
        line: ::core::line!()
    })
}
