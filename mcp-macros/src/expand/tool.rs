//! `#[tool]`: a const `ToolDef` submitted to the registry.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::{accessor, location, nameable, run, scope, scopes_setter, setter, shim};
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
    /// The `TaskSupport` variant, if the calls may run as tasks.
    pub(crate) task: Option<&'static str>,
    /// The OAuth scopes a caller needs (`scopes = [...]`).
    pub(crate) scopes: Vec<String>,
    /// `.icons(&[...])`, or nothing (`icons = [...]`).
    pub(crate) icons: TokenStream,
}

pub(crate) fn tool(model: &Handler<'_>, args: &ToolArgs) -> TokenStream {
    let shim = shim(model);
    let (params, resolve, describe) = (&shim.params, &shim.resolve, &shim.describe);
    let name = &args.name;
    let title = setter("title", args.title.as_deref());
    let description = setter("description", args.description.as_deref());
    let scopes = scopes_setter(&args.scopes);
    let icons = &args.icons;
    let annotations = [
        ("read_only", args.read_only),
        ("destructive", args.destructive),
        ("idempotent", args.idempotent),
        ("open_world", args.open_world),
    ]
    .into_iter()
    .map(|(key, value)| setter(key, value));
    let timeout = setter(
        "timeout",
        args.timeout_ms
            .map(|ms| quote!(::core::time::Duration::from_millis(#ms))),
    );
    let task = setter(
        "task",
        args.task.map(|variant| {
            let variant = quote::format_ident!("{}", variant);
            quote!(__mcp::TaskSupport::#variant)
        }),
    );
    let output = model.output();
    // Return values convert through `IntoToolResult`, else `Serialize` (autoref specialization).
    let convert =
        quote_spanned!(model.output_span()=> (&&&&&__mcp::Returned::new(__value)).__mcp_result());
    let run = run(model, &shim.call, convert);
    let location = location();
    let nameable = nameable(model, "tool", "tool");
    let accessor = accessor(model, "tool", quote!(__mcp::ToolDef));
    let body = scope(
        &args.runtime,
        quote! {
            #[allow(unused_imports)]
            use __mcp::{
                OutputViaIntoToolResult as _, OutputViaSerialize as _, ViaIntoToolResult as _,
                ToolReturn as _, ViaSerialize as _, ViaSerializeError as _,
                ViaSerializeResult as _,
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

            const __DEF: __mcp::ToolDef = __mcp::ToolDef::new(#name, __call)
                #title
                #description
                .annotations(__mcp::ToolAnnotations::NONE #(#annotations)*)
                .params(__PARAMS)
                .input_schema(__input_schema)
                .output_schema(__output_schema)
                #timeout
                #task
                #scopes
                #icons
                #location;

            #accessor
        },
    );
    quote!(#nameable #body)
}
