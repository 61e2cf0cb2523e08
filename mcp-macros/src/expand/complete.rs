//! `#[complete]`: a const `CompleterDef` submitted to the registry.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::{accessor, location, nameable, scope};
use crate::model::Handler;

/// What `#[complete(...)]` says.
pub(crate) struct CompleteArgs {
    pub(crate) runtime: TokenStream,
    /// `Prompt` or `Resource`, and the prompt name or URI template.
    pub(crate) target: (&'static str, String),
    pub(crate) argument: String,
}

pub(crate) fn complete(model: &Handler<'_>, args: &CompleteArgs) -> TokenStream {
    let shim = super::shim_from(model, 1, vec![quote!(__value)]);
    let (params, resolve) = (&shim.params, &shim.resolve);
    let convert =
        quote_spanned!(model.output_span()=> __mcp::IntoCompletion::into_completion(__value));
    let run = super::run(model, &shim.call, convert);
    let (kind, target) = (quote::format_ident!("{}", args.target.0), &args.target.1);
    let argument = &args.argument;
    let location = location();
    let nameable = nameable(model, "completer", "completer");
    let accessor = accessor(model, "completer", quote!(__mcp::CompleterDef));
    let body = scope(
        &args.runtime,
        quote! {
            #params

            fn __complete(
                __call: &mut __mcp::CallContext<'_>,
                __value: ::std::string::String,
            ) -> __mcp::Invocation<__mcp::CompleteOutcome> {
                #resolve
                #run
            }

            const __DEF: __mcp::CompleterDef =
                __mcp::CompleterDef::new(__mcp::CompletionTarget::#kind(#target), #argument, __complete)
                    .params(__PARAMS)
                    #location;

            #accessor
        },
    );
    quote!(#nameable #body)
}
