//! `#[tool]`: a const `ToolDef` submitted to the registry.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::{location, optional, run, scope, shim};
use crate::model::Handler;

/// What `#[tool(...)]` says.
pub(crate) struct ToolArgs {
    pub(crate) runtime: TokenStream,
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) read_only: Option<bool>,
    pub(crate) destructive: Option<bool>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) open_world: Option<bool>,
    pub(crate) timeout_ms: Option<u64>,
}

pub(crate) fn tool(model: &Handler<'_>, args: &ToolArgs) -> TokenStream {
    let shim = shim(model);
    let (params, resolve, describe) = (&shim.params, &shim.resolve, &shim.describe);
    let name = &args.name;
    let title = optional(args.title.as_deref());
    let description = optional(args.description.as_deref());
    let flag = |v: Option<bool>| match v {
        Some(b) => quote!(::core::option::Option::Some(#b)),
        None => quote!(::core::option::Option::None),
    };
    let (read_only, destructive, idempotent, open_world) = (
        flag(args.read_only),
        flag(args.destructive),
        flag(args.idempotent),
        flag(args.open_world),
    );
    let timeout = match args.timeout_ms {
        Some(ms) => quote!(::core::option::Option::Some(::core::time::Duration::from_millis(#ms))),
        None => quote!(::core::option::Option::None),
    };
    let output = model.output();
    // Return values convert through `IntoToolResult`, else `Serialize` (autoref specialization).
    let convert =
        quote_spanned!(model.output_span()=> (&&&&__mcp::Returned::new(__value)).__mcp_result());
    let run = run(model, &shim.call, convert);
    let location = location();
    scope(
        &args.runtime,
        quote! {
            #[allow(unused_imports)]
            use __mcp::{
                OutputViaIntoToolResult as _, OutputViaSerialize as _, ViaIntoToolResult as _,
                ViaSerialize as _, ViaSerializeError as _, ViaSerializeResult as _,
            };

            #params

            fn __call(__call: &mut __mcp::CallContext<'_>) -> __mcp::Invocation {
                #resolve
                #run
            }

            fn __input_schema(__schema: &mut __mcp::InputSchema<'_>) {
                #describe
            }

            fn __output_schema(
                __generator: &mut __mcp::schemars::SchemaGenerator,
            ) -> ::core::option::Option<__mcp::schemars::Schema> {
                (&&&__mcp::ReturnType::<#output>::NEW).__mcp_output_schema(__generator)
            }

            __mcp::inventory::submit! {
                __mcp::ToolDef {
                    name: #name,
                    title: #title,
                    description: #description,
                    annotations: __mcp::ToolAnnotations {
                        read_only: #read_only,
                        destructive: #destructive,
                        idempotent: #idempotent,
                        open_world: #open_world,
                    },
                    params: __PARAMS,
                    input_schema: __input_schema,
                    output_schema: __output_schema,
                    call: __call,
                    timeout: #timeout,
                    location: #location,
                }
            }
        },
    )
}
