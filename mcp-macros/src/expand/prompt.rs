//! `#[prompt]`: a const `PromptDef` submitted to the registry.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::{location, optional, run, scope, shim};
use crate::model::Handler;

/// What `#[prompt(...)]` says.
pub(crate) struct PromptArgs {
    pub(crate) runtime: TokenStream,
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
}

pub(crate) fn prompt(model: &Handler<'_>, args: &PromptArgs) -> TokenStream {
    let shim = shim(model);
    let (params, resolve, describe) = (&shim.params, &shim.resolve, &shim.describe);
    let name = &args.name;
    let title = optional(args.title.as_deref());
    let description = optional(args.description.as_deref());
    let convert =
        quote_spanned!(model.output_span()=> __mcp::IntoPromptResult::into_prompt_result(__value));
    let run = run(model, &shim.call, convert);
    let location = location();
    scope(
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

            __mcp::inventory::submit! {
                __mcp::PromptDef {
                    name: #name,
                    title: #title,
                    description: #description,
                    params: __PARAMS,
                    arguments: __arguments,
                    get: __get,
                    location: #location,
                }
            }
        },
    )
}
