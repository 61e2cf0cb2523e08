//! `#[prompt]`: a const `PromptDef` submitted to the registry.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::{accessor, location, nameable, run, scope, scopes_setter, setter, shim};
use crate::model::Handler;

/// What `#[prompt(...)]` says.
pub(crate) struct PromptArgs {
    pub(crate) runtime: TokenStream,
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    /// The OAuth scopes a caller needs (`scopes = [...]`).
    pub(crate) scopes: Vec<String>,
    /// `.icons(&[...])`, or nothing (`icons = [...]`).
    pub(crate) icons: TokenStream,
}

pub(crate) fn prompt(model: &Handler<'_>, args: &PromptArgs) -> TokenStream {
    let shim = shim(model);
    let (params, resolve, describe) = (&shim.params, &shim.resolve, &shim.describe);
    let name = &args.name;
    let title = setter("title", args.title.as_deref());
    let description = setter("description", args.description.as_deref());
    let scopes = scopes_setter(&args.scopes);
    let icons = &args.icons;
    let convert =
        quote_spanned!(model.output_span()=> __mcp::IntoPromptResult::into_prompt_result(__value));
    let run = run(model, &shim.call, convert);
    let location = location();
    let nameable = nameable(model, "prompt", "prompt");
    let accessor = accessor(model, "prompt", quote!(__mcp::PromptDef));
    let body = scope(
        &args.runtime,
        quote! {
            #params

            fn __get(__call: &mut __mcp::CallContext<'_>) -> __mcp::Invocation<__mcp::GetOutcome> {
                #resolve
                #run
            }

            fn __arguments(__schema: &mut __mcp::InputSchema<'_>) {
                #describe
            }

            const __DEF: __mcp::PromptDef = __mcp::PromptDef::new(#name, __get)
                #title
                #description
                #scopes
                #icons
                .params(__PARAMS)
                .arguments(__arguments)
                #location;

            #accessor
        },
    );
    quote!(#nameable #body)
}
