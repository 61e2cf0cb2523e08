//! `#[complete]`: a const `CompleterDef` submitted to the registry.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::{location, scope};
use crate::model::Handler;

/// What `#[complete(...)]` says.
pub(crate) struct CompleteArgs {
    pub(crate) runtime: TokenStream,
    /// `Prompt` or `Resource`, and the prompt name or URI template.
    pub(crate) target: (&'static str, String),
    pub(crate) argument: String,
}

pub(crate) fn complete(model: &Handler<'_>, args: &CompleteArgs) -> TokenStream {
    let function = &model.item.sig.ident;
    let inputs = match model.params.len() {
        1 => quote!(__value),
        _ => quote!(__value, __context),
    };
    let call = if model.is_async() {
        quote!(#function(#inputs).await)
    } else {
        quote!(#function(#inputs))
    };
    let convert =
        quote_spanned!(model.output_span()=> __mcp::IntoCompletion::into_completion(__value));
    let run = super::run(model, &call, convert);
    let (kind, target) = (quote::format_ident!("{}", args.target.0), &args.target.1);
    let argument = &args.argument;
    let location = location();
    scope(
        &args.runtime,
        quote! {
            fn __complete(
                __value: ::std::string::String,
                __context: __mcp::CompletionContext,
            ) -> __mcp::Invocation<__mcp::CompleteOutcome> {
                let _ = &__context;
                #run
            }

            __mcp::inventory::submit! {
                __mcp::CompleterDef {
                    target: __mcp::CompletionTarget::#kind(#target),
                    argument: #argument,
                    complete: __complete,
                    location: #location,
                }
            }
        },
    )
}
