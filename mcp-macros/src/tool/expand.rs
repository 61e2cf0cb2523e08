//! Code generation for `#[tool]`: a const [`ToolDef`] submitted to the registry, and a shim
//! that resolves each parameter through `FromCall`. Cannot fail.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{LitStr, ReturnType};

use super::attr::ToolArgs;
use super::model::ToolFn;

pub(crate) fn expand(model: &ToolFn<'_>, args: &ToolArgs) -> TokenStream {
    let krate = args
        .krate
        .as_ref()
        .map_or_else(|| quote!(::mcp_runtime), |p| quote!(#p));
    let sig = &model.item.sig;
    let function = &sig.ident;
    let name = args.name.as_ref().map_or_else(
        || LitStr::new(&sig.ident.unraw().to_string(), sig.ident.span()),
        Clone::clone,
    );
    let title = optional(args.title.as_ref().map(LitStr::value));
    let description = optional(
        args.description
            .as_ref()
            .map(LitStr::value)
            .or_else(|| model.description.clone()),
    );
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

    let params = model.params.iter().map(|p| {
        let name = &p.name;
        let description = optional(p.description.clone());
        quote!(__mcp::Param { name: #name, description: #description })
    });
    let bindings: Vec<_> = (0..model.params.len())
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
    let needs = model.params.iter().map(|p| {
        let ty = p.ty;
        quote_spanned!(ty.span()=> .union(<#ty as __mcp::FromCall>::NEEDS))
    });
    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    let output_span = match &sig.output {
        ReturnType::Default => Span::call_site(),
        ReturnType::Type(_, ty) => ty.span(),
    };
    let convert = quote_spanned!(output_span=> (&&&__mcp::Returned::new(__value)).__mcp_result());
    let run = if sig.asyncness.is_some() {
        quote! {
            __mcp::Invocation::pending(async move {
                let __value = #function(#(#bindings),*).await;
                #convert
            })
        }
    } else {
        quote! {
            let __value = #function(#(#bindings),*);
            __mcp::Invocation::Ready(#convert)
        }
    };

    quote! {
        #[doc(hidden)]
        const _: () = {
            use #krate::__private as __mcp;
            #[allow(unused_imports)]
            use __mcp::{
                OutputViaIntoToolResult as _, OutputViaSerialize as _, ViaIntoToolResult as _,
                ViaSerialize as _, ViaSerializeResult as _,
            };

            const __PARAMS: &[__mcp::Param] = &[#(#params),*];

            fn __call(__call: &mut __mcp::ToolCall<'_>) -> __mcp::Invocation {
                let _ = &__call;
                #(#resolve)*
                #run
            }

            fn __input_schema(__schema: &mut __mcp::InputSchema<'_>) {
                let _ = &__schema;
                #(#describe)*
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
                    needs: __mcp::Needs::NOTHING #(#needs)*,
                    input_schema: __input_schema,
                    output_schema: __output_schema,
                    call: __call,
                    location: __mcp::Location { file: ::core::file!(), line: ::core::line!() },
                }
            }
        };
    }
}

fn optional(value: Option<String>) -> TokenStream {
    match value {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}
