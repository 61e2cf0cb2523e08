//! Each macro's keys, read from its parsed attribute and checked against the function.

use proc_macro2::TokenStream;
use syn::spanned::Spanned;

use crate::attr::{self, Attr, Item};
use crate::expand::{CompleteArgs, PromptArgs, ResourceArgs, ToolArgs};
use crate::model::Handler;
use crate::validate;

/// Either the value or the errors found so far (collected, so one pass reports them all).
type Checked<T> = (Option<T>, Vec<syn::Error>);

fn finish<T>(value: syn::Result<T>, errors: &mut Vec<syn::Error>) -> Option<T> {
    value.map_err(|e| errors.push(e)).ok()
}

fn description(attr: &Attr, model: &Handler<'_>, errors: &mut Vec<syn::Error>) -> Option<String> {
    finish(attr.string("description"), errors)
        .flatten()
        .map(|s| s.value())
        .or_else(|| model.description.clone())
}

fn string(attr: &Attr, key: &str, errors: &mut Vec<syn::Error>) -> Option<String> {
    finish(attr.string(key), errors)
        .flatten()
        .map(|s| s.value())
}

/// The handler's name: `name = "..."` or the function's name, checked against the naming rule.
fn name(attr: &Attr, model: &Handler<'_>, kind: &str, errors: &mut Vec<syn::Error>) -> String {
    let (name, span) = match finish(attr.string("name"), errors).flatten() {
        Some(lit) => (lit.value(), lit.span()),
        None => (model.name(), model.item.sig.ident.span()),
    };
    validate::name(kind, &name, span, errors);
    name
}

/// `scopes = ["notes:read", ...]`: the OAuth scopes a caller needs, each a scope token as
/// RFC 6749 (section 3.3) defines it.
fn scopes(attr: &Attr, errors: &mut Vec<syn::Error>) -> Vec<String> {
    let Some(list) = finish(attr.list("scopes"), errors).flatten() else {
        return Vec::new();
    };
    let mut scopes = Vec::with_capacity(list.len());
    for lit in list {
        let scope = lit.value();
        let valid = |c: char| c == '!' || ('#'..='[').contains(&c) || (']'..='~').contains(&c);
        if scope.is_empty() || !scope.chars().all(valid) {
            errors.push(syn::Error::new(
                lit.span(),
                format!(
                    "`{scope}` is not a scope: a scope is one or more visible ASCII characters \
                     other than `\"` and `\\` (no spaces; list each scope separately)"
                ),
            ));
        } else if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes
}

/// `icons = ["https://.../icon.png", SOME_ICON]`: each a URL or `data:image/` URI (its MIME
/// type taken from the extension) or a constant `Icon`; the `.icons(&[...])` setter, or nothing.
fn icons(attr: &Attr, errors: &mut Vec<syn::Error>) -> TokenStream {
    let Some(items) = finish(attr.items("icons"), errors).flatten() else {
        return TokenStream::new();
    };
    let icons = items.into_iter().filter_map(|item| match item {
        Item::Path(path) => Some(quote::quote!(#path)),
        Item::Str(lit) => {
            let src = lit.value();
            let valid = src.starts_with("https://")
                || src.starts_with("http://")
                || (src.starts_with("data:image/") && src.contains(";base64,"));
            if !valid || src.chars().any(char::is_whitespace) {
                errors.push(syn::Error::new(
                    lit.span(),
                    format!(
                        "`{src}` is not an icon: an icon is an https:// (or http://) URL or a \
                         data:image/...;base64,... URI, or a constant `Icon`"
                    ),
                ));
                return None;
            }
            let mime = icon_mime_type(&src).map(|m| quote::quote!(.mime_type(#m)));
            Some(quote::quote!(__mcp::Icon::new(#src) #mime))
        }
    });
    let icons: Vec<TokenStream> = icons.collect();
    if icons.is_empty() {
        return TokenStream::new();
    }
    quote::quote!(.icons(&[#(#icons),*]))
}

/// The MIME type of an icon URL, from its extension (a `data:` URI names its own).
fn icon_mime_type(src: &str) -> Option<&'static str> {
    if src.starts_with("data:") {
        return None;
    }
    let path = src.split(['?', '#']).next().unwrap_or_default();
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        _ => return None,
    })
}

fn runtime(attr: &Attr, errors: &mut Vec<syn::Error>) -> TokenStream {
    finish(attr.runtime(), errors).unwrap_or_default()
}

pub(crate) fn tool(tokens: TokenStream, model: &Handler<'_>) -> Checked<ToolArgs> {
    let mut errors = Vec::new();
    validate::handler(model, "#[tool]", &mut errors);
    let keys = [
        "name",
        "title",
        "description",
        "read_only",
        "destructive",
        "idempotent",
        "open_world",
        "timeout_ms",
        "task",
        "scopes",
        "icons",
        "crate",
    ];
    let attr = match attr::parse(tokens, &keys, false) {
        Ok(a) => a,
        Err(e) => {
            errors.push(e);
            return (None, errors);
        }
    };
    let mut flag = |key| finish(attr.flag(key), &mut errors).flatten();
    let (read_only, destructive, idempotent, open_world) = (
        flag("read_only"),
        flag("destructive"),
        flag("idempotent"),
        flag("open_world"),
    );
    let args = ToolArgs {
        runtime: runtime(&attr, &mut errors),
        name: name(&attr, model, "tool", &mut errors),
        title: string(&attr, "title", &mut errors),
        description: description(&attr, model, &mut errors),
        read_only,
        destructive,
        idempotent,
        open_world,
        timeout_ms: finish(attr.integer("timeout_ms"), &mut errors).flatten(),
        task: task(&attr, &mut errors),
        scopes: scopes(&attr, &mut errors),
        icons: icons(&attr, &mut errors),
    };
    (Some(args), errors)
}

/// `task = "optional"` or `task = "required"`: the name of the `TaskSupport` variant.
fn task(attr: &Attr, errors: &mut Vec<syn::Error>) -> Option<&'static str> {
    let lit = finish(attr.string("task"), errors).flatten()?;
    match lit.value().as_str() {
        "optional" => Some("Optional"),
        "required" => Some("Required"),
        other => {
            errors.push(syn::Error::new(
                lit.span(),
                format!("`task` is \"optional\" or \"required\", not \"{other}\""),
            ));
            None
        }
    }
}

pub(crate) fn prompt(tokens: TokenStream, model: &Handler<'_>) -> Checked<PromptArgs> {
    let mut errors = Vec::new();
    validate::handler(model, "#[prompt]", &mut errors);
    let keys = ["name", "title", "description", "scopes", "icons", "crate"];
    let attr = match attr::parse(tokens, &keys, false) {
        Ok(a) => a,
        Err(e) => {
            errors.push(e);
            return (None, errors);
        }
    };
    let args = PromptArgs {
        runtime: runtime(&attr, &mut errors),
        name: name(&attr, model, "prompt", &mut errors),
        title: string(&attr, "title", &mut errors),
        description: description(&attr, model, &mut errors),
        scopes: scopes(&attr, &mut errors),
        icons: icons(&attr, &mut errors),
    };
    (Some(args), errors)
}

/// The variable names of a URI template (`{id}`, `{+path}`, `{?q,limit}`), for matching
/// against the parameters. The runtime parses the template fully when the server starts.
fn template_variables(uri: &str) -> Vec<String> {
    let mut vars = Vec::new();
    let mut rest = uri;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let body =
            rest[start + 1..start + len].trim_start_matches(['+', '#', '.', '/', ';', '?', '&']);
        for spec in body.split(',') {
            let name = spec
                .split(':')
                .next()
                .unwrap_or_default()
                .trim_end_matches('*');
            vars.push(name.to_owned());
        }
        rest = &rest[start + len..];
    }
    vars
}

pub(crate) fn resource(tokens: TokenStream, model: &Handler<'_>) -> Checked<ResourceArgs> {
    let mut errors = Vec::new();
    validate::handler(model, "#[resource]", &mut errors);
    let keys = [
        "name",
        "title",
        "description",
        "mime_type",
        "audience",
        "priority",
        "size",
        "ttl_ms",
        "cache_scope",
        "scopes",
        "icons",
        "crate",
    ];
    let span = tokens.span();
    let attr = match attr::parse(tokens, &keys, true) {
        Ok(a) => a,
        Err(e) => {
            errors.push(e);
            return (None, errors);
        }
    };
    let Some(uri) = attr.positional.clone() else {
        errors.push(syn::Error::new(
            span,
            "#[resource] needs the resource's URI first: #[resource(\"scheme://path/{var}\")]",
        ));
        return (None, errors);
    };
    let variables = template_variables(&uri.value());
    for (i, var) in variables.iter().enumerate() {
        if variables[..i].contains(var) {
            errors.push(syn::Error::new(
                uri.span(),
                format!(
                    "the template variable `{var}` appears twice: a URI could give it two values"
                ),
            ));
        }
    }
    for var in &variables {
        if !model.params.iter().any(|p| &p.name == var) {
            errors.push(syn::Error::new(
                uri.span(),
                format!("the template variable `{var}` has no parameter: add `{var}: T` to the function"),
            ));
        }
    }
    // Parameters that are not variables must not be arguments (they can be `Progress`,
    // `Sampler`, ...): the type decides, so the check is a constant the compiler evaluates.
    let not_variables = model
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| !variables.contains(&p.name))
        .map(|(i, p)| {
            let what = if p.name.is_empty() {
                "a destructuring parameter".to_owned()
            } else {
                format!("the parameter `{}`", p.name)
            };
            (
                i,
                format!(
                    "{what} is not a variable of the URI template `{}`",
                    uri.value()
                ),
            )
        })
        .collect();
    let audience = finish(attr.list("audience"), &mut errors)
        .flatten()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|role| match role.value().as_str() {
            "user" => Some("User"),
            "assistant" => Some("Assistant"),
            other => {
                errors.push(syn::Error::new(
                    role.span(),
                    format!("unknown audience `{other}`: expected \"user\" or \"assistant\""),
                ));
                None
            }
        })
        .collect();
    let priority = finish(attr.float("priority"), &mut errors)
        .flatten()
        .map(|(p, span)| {
            if !(0.0..=1.0).contains(&p) {
                errors.push(syn::Error::new(span, "`priority` must be between 0 and 1"));
            }
            p
        });
    let ttl = finish(attr.integer("ttl_ms"), &mut errors).flatten();
    let scope_lit = finish(attr.string("cache_scope"), &mut errors).flatten();
    let scope = match scope_lit.as_ref().map(|s| (s.value(), s.span())) {
        None => "Public",
        Some((s, _)) if s == "public" => "Public",
        Some((s, _)) if s == "private" => "Private",
        Some((s, span)) => {
            errors.push(syn::Error::new(
                span,
                format!("unknown cache scope `{s}`: expected \"public\" or \"private\""),
            ));
            "Public"
        }
    };
    if let (None, Some(lit)) = (ttl, &scope_lit) {
        errors.push(syn::Error::new(
            lit.span(),
            "`cache_scope` goes with `ttl_ms`",
        ));
    }
    let name = match finish(attr.string("name"), &mut errors).flatten() {
        Some(lit) => lit.value(),
        None => model.name(),
    };
    let args = ResourceArgs {
        runtime: runtime(&attr, &mut errors),
        uri: uri.value(),
        name,
        title: string(&attr, "title", &mut errors),
        description: description(&attr, model, &mut errors),
        mime_type: string(&attr, "mime_type", &mut errors),
        audience,
        priority,
        size: finish(attr.integer("size"), &mut errors).flatten(),
        cache: ttl.map(|t| (t, scope)),
        scopes: scopes(&attr, &mut errors),
        icons: icons(&attr, &mut errors),
        not_variables,
    };
    (Some(args), errors)
}

pub(crate) fn complete(tokens: TokenStream, model: &Handler<'_>) -> Checked<CompleteArgs> {
    let mut errors = Vec::new();
    validate::handler(model, "#[complete]", &mut errors);
    let span = tokens.span();
    let attr = match attr::parse(tokens, &["prompt", "resource", "argument", "crate"], false) {
        Ok(a) => a,
        Err(e) => {
            errors.push(e);
            return (None, errors);
        }
    };
    let prompt = string(&attr, "prompt", &mut errors);
    let resource = string(&attr, "resource", &mut errors);
    let target = match (prompt, resource) {
        (Some(p), None) => Some(("Prompt", p)),
        (None, Some(r)) => Some(("Resource", r)),
        _ => {
            errors.push(syn::Error::new(
                span,
                "#[complete] needs exactly one of `prompt = \"name\"` or `resource = \"uri template\"`",
            ));
            None
        }
    };
    let argument = string(&attr, "argument", &mut errors);
    if argument.is_none() {
        errors.push(syn::Error::new(
            span,
            "#[complete] needs `argument = \"name\"`",
        ));
    }
    if model.params.is_empty() {
        errors.push(syn::Error::new(
            model.item.sig.span(),
            "a completer takes the partial value (`String`) first, then any parameters (`CompletionContext`, `State<T>`, ...)",
        ));
    }
    let runtime = runtime(&attr, &mut errors);
    let args = target.zip(argument).map(|(target, argument)| CompleteArgs {
        runtime,
        target,
        argument,
    });
    (args, errors)
}
