//! The model of a handler function: borrowed syntax plus what the macros read from it.

use syn::ext::IdentExt;
use syn::{FnArg, ItemFn, Pat, ReturnType, Type};

use crate::docs;

/// A handler function (`#[tool]`, `#[resource]`, `#[prompt]`, `#[complete]`).
pub(crate) struct Handler<'a> {
    pub(crate) item: &'a ItemFn,
    pub(crate) params: Vec<Param<'a>>,
    pub(crate) description: Option<String>,
}

/// One typed parameter.
pub(crate) struct Param<'a> {
    pub(crate) ty: &'a Type,
    /// The argument name: the identifier the parameter binds, raw prefix removed (empty for
    /// destructuring patterns, which name no argument).
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    /// `#[header("Name")]`: the argument is mirrored into `Mcp-Param-Name` (the attribute, and
    /// its name if it parsed).
    pub(crate) header: Option<(&'a syn::Attribute, syn::Result<syn::LitStr>)>,
}

impl<'a> Handler<'a> {
    pub(crate) fn new(item: &'a ItemFn) -> Self {
        let params = item
            .sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                FnArg::Typed(pt) => Some(Param {
                    ty: &pt.ty,
                    name: binding_name(&pt.pat),
                    description: docs::text(&pt.attrs),
                    header: pt
                        .attrs
                        .iter()
                        .find(|a| is_header(a))
                        .map(|a| (a, a.parse_args::<syn::LitStr>())),
                }),
                FnArg::Receiver(_) => None,
            })
            .collect();
        Self {
            item,
            params,
            description: docs::text(&item.attrs),
        }
    }

    /// The function's name without a raw prefix.
    pub(crate) fn name(&self) -> String {
        self.item.sig.ident.unraw().to_string()
    }

    /// Whether the function is `async`.
    pub(crate) fn is_async(&self) -> bool {
        self.item.sig.asyncness.is_some()
    }

    /// The return type (`()` when omitted).
    pub(crate) fn output(&self) -> proc_macro2::TokenStream {
        match &self.item.sig.output {
            ReturnType::Default => quote::quote!(()),
            ReturnType::Type(_, ty) => quote::quote!(#ty),
        }
    }

    /// The span of the return type, for errors about it.
    pub(crate) fn output_span(&self) -> proc_macro2::Span {
        match &self.item.sig.output {
            ReturnType::Default => self.item.sig.ident.span(),
            ReturnType::Type(_, ty) => syn::spanned::Spanned::span(ty),
        }
    }
}

fn binding_name(pat: &Pat) -> String {
    match pat {
        Pat::Ident(p) => p.ident.unraw().to_string(),
        _ => String::new(),
    }
}

/// Whether an attribute is `#[header(...)]`.
pub(crate) fn is_header(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("header")
}

/// Removes `///` and `#[header]` from parameters: rustc accepts neither there.
pub(crate) fn strip_param_attrs(item: &mut ItemFn) {
    for arg in &mut item.sig.inputs {
        if let FnArg::Typed(pt) = arg {
            pt.attrs.retain(|a| !docs::is_doc(a) && !is_header(a));
        }
    }
}
