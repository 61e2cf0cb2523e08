//! The model of a `#[tool]` function: borrowed syntax plus what the macro reads from it.

use syn::{FnArg, ItemFn, Pat, Type};

use crate::docs;

/// A tool function as the macro sees it.
pub(crate) struct ToolFn<'a> {
    pub(crate) item: &'a ItemFn,
    pub(crate) params: Vec<Param<'a>>,
    pub(crate) description: Option<String>,
}

/// One typed parameter.
pub(crate) struct Param<'a> {
    pub(crate) ty: &'a Type,
    /// The property name: the identifier the parameter binds, raw prefix removed.
    pub(crate) name: String,
    pub(crate) description: Option<String>,
}

impl<'a> ToolFn<'a> {
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
}

fn binding_name(pat: &Pat) -> String {
    match pat {
        Pat::Ident(p) => {
            let name = p.ident.to_string();
            name.strip_prefix("r#").unwrap_or(&name).to_owned()
        }
        // Destructuring patterns (`Args(x)`) name no property; the parameter type decides.
        _ => String::new(),
    }
}

/// Removes `///` from parameters, where rustc does not accept doc comments.
pub(crate) fn strip_param_docs(item: &mut ItemFn) {
    for arg in &mut item.sig.inputs {
        if let FnArg::Typed(pt) = arg {
            pt.attrs.retain(|a| !docs::is_doc(a));
        }
    }
}
