//! `#[resource]`: a const `ResourceDef` submitted to the registry.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::{accessor, location, nameable, run, scope, scopes_setter, setter, shim};
use crate::model::Handler;

/// What `#[resource(...)]` says.
pub(crate) struct ResourceArgs {
    pub(crate) runtime: TokenStream,
    pub(crate) uri: String,
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) mime_type: Option<String>,
    /// `User` / `Assistant`.
    pub(crate) audience: Vec<&'static str>,
    pub(crate) priority: Option<f64>,
    pub(crate) size: Option<u64>,
    /// Milliseconds and `Public` / `Private`.
    pub(crate) cache: Option<(u64, &'static str)>,
    /// The OAuth scopes a caller needs (`scopes = [...]`).
    pub(crate) scopes: Vec<String>,
    /// `.icons(&[...])`, or nothing (`icons = [...]`).
    pub(crate) icons: TokenStream,
    /// Parameters that are not template variables, with the error if one is an argument.
    pub(crate) not_variables: Vec<(usize, String)>,
}

pub(crate) fn resource(model: &Handler<'_>, args: &ResourceArgs) -> TokenStream {
    let shim = shim(model);
    let (params, resolve, describe) = (&shim.params, &shim.resolve, &shim.describe);
    let (uri, name) = (&args.uri, &args.name);
    let title = setter("title", args.title.as_deref());
    let description = setter("description", args.description.as_deref());
    let scopes = scopes_setter(&args.scopes);
    let icons = &args.icons;
    let mime_type = setter("mime_type", args.mime_type.as_deref());
    let audience = args.audience.iter().map(|role| {
        let role = quote::format_ident!("{}", role);
        quote!(__mcp::Role::#role)
    });
    let priority = setter("priority", args.priority);
    let size = setter("size", args.size);
    let cache = setter(
        "cache",
        args.cache.map(|(ttl_ms, scope)| {
            let scope = quote::format_ident!("{}", scope);
            quote!(__mcp::ReadCache { ttl_ms: #ttl_ms, scope: __mcp::CacheScope::#scope })
        }),
    );
    let convert = quote_spanned!(model.output_span()=>
        __mcp::IntoContents::into_contents(__value, &__mcp::ReadTarget { uri: &__uri, mime_type: __mime_type })
    );
    let run = run(model, &shim.call, convert);
    let location = location();
    let checks = args.not_variables.iter().map(|(i, message)| {
        let ty = model.params[*i].ty;
        // `assert!` formats its message: the template's braces must be escaped.
        let message = message.replace('{', "{{").replace('}', "}}");
        quote_spanned! {syn::spanned::Spanned::span(ty)=>
            const _: () = ::core::assert!(!__mcp::Kind::<#ty>::ARGUMENT, #message);
        }
    });
    let nameable = nameable(model, "resource", "resource");
    let accessor = accessor(model, "resource", quote!(__mcp::ResourceDef));
    let body = scope(
        &args.runtime,
        quote! {
            #params
            #[allow(unused_imports)]
            use __mcp::ArgumentConst as _;
            #(#checks)*

            fn __read(
                __call: &mut __mcp::CallContext<'_>,
                __target: &__mcp::ReadTarget<'_>,
            ) -> __mcp::Invocation<__mcp::ReadOutcome> {
                #resolve
                let __uri = ::std::string::String::from(__target.uri);
                let __mime_type = __target.mime_type;
                #run
            }

            fn __arguments(__schema: &mut __mcp::InputSchema<'_>) {
                #describe
            }

            const __DEF: __mcp::ResourceDef = __mcp::ResourceDef::new(#uri, #name, __read)
                #title
                #description
                #mime_type
                .annotations(__mcp::ResourceAnnotations::NONE.audience(&[#(#audience),*]) #priority)
                #size
                #cache
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
