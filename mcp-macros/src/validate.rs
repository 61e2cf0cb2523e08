//! Checks on the syntax the macros own. Type questions are left to rustc.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::FnArg;

use crate::model::Handler;

/// The checks every handler shares: a free, non-generic, safe function.
pub(crate) fn handler(model: &Handler<'_>, kind: &str, errors: &mut Vec<syn::Error>) {
    let sig = &model.item.sig;
    for arg in &sig.inputs {
        if let FnArg::Receiver(receiver) = arg {
            errors.push(syn::Error::new(
                receiver.span(),
                format!("{kind} functions cannot take `self`: make it a free function and pass state as a parameter"),
            ));
        }
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            sig.generics.span(),
            format!("{kind} functions cannot be generic: the schema must be known at compile time"),
        ));
    }
    for param in &model.params {
        if let syn::Type::Reference(r) = param.ty {
            let owned = match &*r.elem {
                syn::Type::Path(p) if p.path.is_ident("str") => "`String`".to_owned(),
                syn::Type::Slice(_) => "a `Vec`".to_owned(),
                other => format!("`{}`", quote::ToTokens::to_token_stream(other)),
            };
            errors.push(syn::Error::new(
                r.span(),
                format!(
                    "{kind} parameters cannot borrow: the arguments do not outlive the call; take {owned} instead"
                ),
            ));
        }
        if let syn::Type::ImplTrait(t) = param.ty {
            errors.push(syn::Error::new(
                t.span(),
                format!("{kind} parameters cannot be `impl Trait`: name a concrete type"),
            ));
        }
    }
    headers(model, kind, errors);
    if let Some(unsafety) = &sig.unsafety {
        errors.push(syn::Error::new(
            unsafety.span(),
            format!("{kind} functions cannot be `unsafe`"),
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new(
            variadic.span(),
            format!("{kind} functions cannot be variadic"),
        ));
    }
}

/// The naming rule the runtime's registry enforces for tools and prompts, checked early for a
/// precise error.
pub(crate) fn name(kind: &str, name: &str, span: Span, errors: &mut Vec<syn::Error>) {
    let reason = if name.is_empty() || name.len() > 128 {
        Some("a name must be 1 to 128 characters long")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        Some("a name may contain only ASCII letters, digits, `_`, `-` and `.`")
    } else {
        None
    };
    if let Some(reason) = reason {
        errors.push(syn::Error::new(
            span,
            format!("invalid {kind} name `{name}`: {reason}"),
        ));
    }
}

/// `#[header("Name")]` on parameters: only on tools, once per parameter, each name an HTTP
/// token (RFC 9110) unique in the tool ignoring case. (Whether the type can be mirrored is
/// rustc's question: the expansion requires `HeaderParam`.)
fn headers(model: &Handler<'_>, kind: &str, errors: &mut Vec<syn::Error>) {
    let mut seen: Vec<String> = Vec::new();
    for param in &model.params {
        let Some((attr, name)) = &param.header else {
            continue;
        };
        if kind != "#[tool]" {
            errors.push(syn::Error::new_spanned(
                attr,
                format!(
                    "`#[header]` mirrors a tool argument into an HTTP header; {kind} parameters \
                     cannot have one"
                ),
            ));
            continue;
        }
        let lit = match name {
            Ok(lit) => lit,
            Err(_) => {
                errors.push(syn::Error::new_spanned(
                    attr,
                    "expected `#[header(\"Name\")]`: the header is `Mcp-Param-Name`",
                ));
                continue;
            }
        };
        let value = lit.value();
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if value.is_empty() || !value.bytes().all(token) {
            errors.push(syn::Error::new(
                lit.span(),
                format!(
                    "{value:?} is not a header name: use letters, digits and ``!#$%&'*+-.^_`|~`` \
                     (no spaces, colons or other characters)"
                ),
            ));
        } else if seen.iter().any(|s| s.eq_ignore_ascii_case(&value)) {
            errors.push(syn::Error::new(
                lit.span(),
                format!("the header `Mcp-Param-{value}` is declared twice (names ignore case)"),
            ));
        } else {
            seen.push(value);
        }
    }
}
