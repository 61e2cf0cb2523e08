//! Parsing the arguments of an attribute (`#[tool(name = "x", read_only)]`) into typed keys,
//! with every unknown or repeated key reported at once.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::Parser;
use syn::{Ident, Lit, LitBool, LitStr, Path};

/// One key's value.
pub(crate) enum Value {
    /// `key` alone.
    Flag,
    /// `key = literal`.
    Lit(Lit),
    /// `key = path`.
    Path(Path),
    /// `key = ["a", "b"]`.
    List(Vec<syn::Expr>),
}

/// A parsed attribute: an optional leading string literal, then `key = value` pairs.
/// An item of a list of strings or constants.
pub(crate) enum Item {
    Str(LitStr),
    Path(Path),
}

pub(crate) struct Attr {
    pub(crate) positional: Option<LitStr>,
    entries: Vec<(Ident, Value)>,
}

/// Parses `tokens`, accepting only `keys`; `positional` allows one leading string literal.
pub(crate) fn parse(tokens: TokenStream, keys: &[&str], positional: bool) -> syn::Result<Attr> {
    let mut attr = Attr {
        positional: None,
        entries: Vec::new(),
    };
    let mut tokens = tokens.into_iter().peekable();
    if positional {
        if let Some(TokenTree::Literal(lit)) = tokens.peek() {
            attr.positional = Some(syn::parse2(TokenTree::Literal(lit.clone()).into())?);
            tokens.next();
            match tokens.next() {
                None => return Ok(attr),
                Some(TokenTree::Punct(p)) if p.as_char() == ',' => {}
                Some(other) => return Err(syn::Error::new(other.span(), "expected `,`")),
            }
        }
    }
    let expected = keys
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut errors: Vec<syn::Error> = Vec::new();
    let parser = syn::meta::parser(|meta| {
        let span = meta
            .path
            .segments
            .first()
            .map_or(Span::call_site(), |s| s.ident.span());
        let value = if meta.input.peek(syn::Token![=]) {
            let input = meta.value()?;
            if input.peek(syn::token::Bracket) {
                let content;
                syn::bracketed!(content in input);
                let items = content
                    .parse_terminated(<syn::Expr as syn::parse::Parse>::parse, syn::Token![,])?;
                Value::List(items.into_iter().collect())
            } else if input.peek(Lit) {
                Value::Lit(input.parse()?)
            } else {
                Value::Path(input.parse()?)
            }
        } else {
            Value::Flag
        };
        let Some(ident) = meta.path.get_ident().cloned() else {
            errors.push(syn::Error::new(span, format!("expected one of {expected}")));
            return Ok(());
        };
        let key = ident.to_string();
        if !keys.contains(&key.as_str()) {
            errors.push(syn::Error::new(
                span,
                format!("unknown attribute key `{key}`; expected one of {expected}"),
            ));
        } else if attr.entries.iter().any(|(k, _)| *k == key) {
            errors.push(syn::Error::new(
                span,
                format!("duplicate attribute key `{key}`"),
            ));
        } else {
            attr.entries.push((ident, value));
        }
        Ok(())
    });
    parser.parse2(tokens.collect())?;
    match crate::combine(errors) {
        Some(e) => Err(e),
        None => Ok(attr),
    }
}

impl Attr {
    fn get(&self, key: &str) -> Option<(&Ident, &Value)> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(k, v)| (k, v))
    }

    fn wrong(key: &Ident, what: &str) -> syn::Error {
        syn::Error::new(key.span(), format!("`{key}` takes {what}"))
    }

    /// `key = "text"`.
    pub(crate) fn string(&self, key: &str) -> syn::Result<Option<LitStr>> {
        match self.get(key) {
            None => Ok(None),
            Some((_, Value::Lit(Lit::Str(s)))) => Ok(Some(s.clone())),
            Some((k, _)) => Err(Self::wrong(k, "a string: `key = \"...\"`")),
        }
    }

    /// `key` (true) or `key = true|false`.
    pub(crate) fn flag(&self, key: &str) -> syn::Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some((_, Value::Flag)) => Ok(Some(true)),
            Some((_, Value::Lit(Lit::Bool(LitBool { value, .. })))) => Ok(Some(*value)),
            Some((k, _)) => Err(Self::wrong(k, "no value, or `true` or `false`")),
        }
    }

    /// `key = path`.
    pub(crate) fn path(&self, key: &str) -> syn::Result<Option<Path>> {
        match self.get(key) {
            None => Ok(None),
            Some((_, Value::Path(p))) => Ok(Some(p.clone())),
            Some((k, _)) => Err(Self::wrong(k, "a path: `key = some::path`")),
        }
    }

    /// `key = 123`.
    pub(crate) fn integer(&self, key: &str) -> syn::Result<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some((_, Value::Lit(Lit::Int(i)))) => i.base10_parse().map(Some),
            Some((k, _)) => Err(Self::wrong(k, "a non-negative integer")),
        }
    }

    /// `key = 0.5` (or an integer).
    pub(crate) fn float(&self, key: &str) -> syn::Result<Option<(f64, Span)>> {
        match self.get(key) {
            None => Ok(None),
            Some((_, Value::Lit(Lit::Float(f)))) => Ok(Some((f.base10_parse()?, f.span()))),
            Some((_, Value::Lit(Lit::Int(i)))) => Ok(Some((i.base10_parse()?, i.span()))),
            Some((k, _)) => Err(Self::wrong(k, "a number")),
        }
    }

    /// `key = ["a", "b"]`.
    pub(crate) fn list(&self, key: &str) -> syn::Result<Option<Vec<LitStr>>> {
        let Some((k, _)) = self.get(key) else {
            return Ok(None);
        };
        let wrong = || Self::wrong(k, "a list of strings: `key = [\"a\", \"b\"]`");
        let items = self.items(key).map_err(|_| wrong())?.unwrap_or_default();
        items
            .into_iter()
            .map(|item| match item {
                Item::Str(s) => Ok(s),
                Item::Path(_) => Err(wrong()),
            })
            .collect::<syn::Result<_>>()
            .map(Some)
    }

    /// A list whose items are string literals or paths (`[\"https://...\", MY_ICON]`).
    pub(crate) fn items(&self, key: &str) -> syn::Result<Option<Vec<Item>>> {
        let wrong = |k| Self::wrong(k, "a list of strings or constants: `key = [\"...\", NAME]`");
        match self.get(key) {
            None => Ok(None),
            Some((k, Value::List(items))) => items
                .iter()
                .map(|item| match item {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: Lit::Str(s), ..
                    }) => Ok(Item::Str(s.clone())),
                    syn::Expr::Path(p) if p.qself.is_none() => Ok(Item::Path(p.path.clone())),
                    _ => Err(wrong(k)),
                })
                .collect::<syn::Result<_>>()
                .map(Some),
            Some((k, _)) => Err(wrong(k)),
        }
    }

    /// The runtime crate's path: `crate = path`, or `::mcp_runtime`.
    pub(crate) fn runtime(&self) -> syn::Result<TokenStream> {
        Ok(match self.path("crate")? {
            Some(p) => quote::quote!(#p),
            None => quote::quote!(::mcp_runtime),
        })
    }
}
