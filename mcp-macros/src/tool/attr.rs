//! Parsing `#[tool(...)]`.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::{LitBool, LitStr, Path};

/// The keys of `#[tool(...)]`.
#[derive(Default)]
pub(crate) struct ToolArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) read_only: Option<bool>,
    pub(crate) destructive: Option<bool>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) open_world: Option<bool>,
    pub(crate) krate: Option<Path>,
}

const KEYS: &str = "`name`, `title`, `description`, `read_only`, `destructive`, `idempotent`, `open_world`, `crate`";

pub(crate) fn parse(attr: TokenStream) -> syn::Result<ToolArgs> {
    let mut args = ToolArgs::default();
    let mut errors: Option<syn::Error> = None;
    let parser = syn::meta::parser(|meta| {
        let key = meta
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        let span = meta
            .path
            .segments
            .first()
            .map_or(Span::call_site(), |s| s.ident.span());
        let duplicate = || syn::Error::new(span, format!("duplicate attribute key `{key}`"));
        macro_rules! once {
            ($slot:expr, $value:expr) => {{
                if $slot.is_some() {
                    return Err(duplicate());
                }
                $slot = Some($value);
                Ok(())
            }};
        }
        let flag = |meta: &syn::meta::ParseNestedMeta<'_>| -> syn::Result<bool> {
            if meta.input.peek(syn::Token![=]) {
                Ok(meta.value()?.parse::<LitBool>()?.value)
            } else {
                Ok(true)
            }
        };
        let outcome = match key.as_str() {
            "name" => once!(args.name, meta.value()?.parse()?),
            "title" => once!(args.title, meta.value()?.parse()?),
            "description" => once!(args.description, meta.value()?.parse()?),
            "read_only" => once!(args.read_only, flag(&meta)?),
            "destructive" => once!(args.destructive, flag(&meta)?),
            "idempotent" => once!(args.idempotent, flag(&meta)?),
            "open_world" => once!(args.open_world, flag(&meta)?),
            "crate" => once!(args.krate, meta.value()?.parse()?),
            _ => Err(syn::Error::new(
                span,
                format!("unknown attribute key `{key}`; expected one of {KEYS}"),
            )),
        };
        if let Err(e) = outcome {
            // Keep parsing so every bad key is reported at once; skip this key's value.
            if meta.input.peek(syn::Token![=]) {
                let _ = meta.value().and_then(|v| v.parse::<syn::Expr>());
            }
            match &mut errors {
                Some(all) => all.combine(e),
                None => errors = Some(e),
            }
        }
        Ok(())
    });
    parser.parse2(attr)?;
    match errors {
        Some(e) => Err(e),
        None => Ok(args),
    }
}
