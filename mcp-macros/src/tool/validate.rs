//! Checks on the syntax `#[tool]` owns. Type questions are left to rustc.

use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::FnArg;

use super::attr::ToolArgs;
use super::model::ToolFn;

/// Every problem with the function and its attribute, combined into one error.
pub(crate) fn check(model: &ToolFn<'_>, args: &ToolArgs) -> syn::Result<()> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let sig = &model.item.sig;
    for arg in &sig.inputs {
        if let FnArg::Receiver(receiver) = arg {
            errors.push(syn::Error::new(
                receiver.span(),
                "#[tool] functions cannot take `self`: make it a free function and pass state as a parameter",
            ));
        }
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            sig.generics.span(),
            "#[tool] functions cannot be generic: the tool's schema must be known at compile time",
        ));
    }
    for param in &model.params {
        if let syn::Type::ImplTrait(t) = param.ty {
            errors.push(syn::Error::new(
                t.span(),
                "#[tool] parameters cannot be `impl Trait`: name a concrete type",
            ));
        }
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(syn::Error::new(
            unsafety.span(),
            "#[tool] functions cannot be `unsafe`",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new(
            variadic.span(),
            "#[tool] functions cannot be variadic",
        ));
    }
    let (name, span) = match &args.name {
        Some(lit) => (lit.value(), lit.span()),
        None => (sig.ident.unraw().to_string(), sig.ident.span()),
    };
    if let Err(reason) = check_name(&name) {
        errors.push(syn::Error::new(
            span,
            format!("invalid tool name `{name}`: {reason}"),
        ));
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            first.extend(errors);
            Err(first)
        }
    }
}

/// The same rule the runtime's registry enforces, checked early for a precise error.
fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > 128 {
        return Err("a tool name must be 1 to 128 characters long");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return Err("a tool name may contain only ASCII letters, digits, `_`, `-` and `.`");
    }
    Ok(())
}
