//! `#[resource]`: a const `ResourceDef` submitted to the registry.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::{location, optional, run, scope, shim};
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
    /// Parameters that are not template variables, with the error if one is an argument.
    pub(crate) not_variables: Vec<(usize, String)>,
}

pub(crate) fn resource(model: &Handler<'_>, args: &ResourceArgs) -> TokenStream {
    let shim = shim(model);
    let (params, resolve, describe) = (&shim.params, &shim.resolve, &shim.describe);
    let (uri, name) = (&args.uri, &args.name);
    let title = optional(args.title.as_deref());
    let description = optional(args.description.as_deref());
    let mime_type = optional(args.mime_type.as_deref());
    let audience = args.audience.iter().map(|role| {
        let role = quote::format_ident!("{}", role);
        quote!(__mcp::Role::#role)
    });
    let some = |value: Option<TokenStream>| match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    };
    let priority = some(args.priority.map(|p| quote!(#p)));
    let size = some(args.size.map(|s| quote!(#s)));
    let cache = some(args.cache.map(|(ttl_ms, scope)| {
        let scope = quote::format_ident!("{}", scope);
        quote!(__mcp::ReadCache { ttl_ms: #ttl_ms, scope: __mcp::CacheScope::#scope })
    }));
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
            const _: () = ::core::assert!(!<#ty as __mcp::FromCall>::ARGUMENT, #message);
        }
    });
    scope(
        &args.runtime,
        quote! {
            #params
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

            __mcp::inventory::submit! {
                __mcp::ResourceDef {
                    uri: #uri,
                    name: #name,
                    title: #title,
                    description: #description,
                    mime_type: #mime_type,
                    annotations: __mcp::ResourceAnnotations { audience: &[#(#audience),*], priority: #priority },
                    size: #size,
                    cache: #cache,
                    params: __PARAMS,
                    arguments: __arguments,
                    read: __read,
                    location: #location,
                }
            }
        },
    )
}
