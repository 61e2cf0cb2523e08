//! `UriTemplate`: parsing an arbitrary template and matching arbitrary URIs against it never
//! panics. A parsed template re-parses from `as_str()` to the same template; every variable a
//! match captures is one of the template's variables. And a URI expanded from the template with
//! plain alphanumeric values (none of whose characters occur in the template's literals, each
//! within its prefix modifier, and nothing but `{&…}` and one final `{#…}` after a query) matches,
//! capturing exactly those values in order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_runtime::resource::UriTemplate;

/// The input's first line is the template, every other line a URI to match; the lines after
/// the first also give the values (made alphanumeric) of an expansion of the template.
struct Input<'a> {
    template: &'a str,
    uris: Vec<&'a str>,
    fills: Vec<&'a [u8]>,
}

impl<'a> Input<'a> {
    fn read(data: &'a str) -> Self {
        let mut lines = data.split('\n');
        let template = lines.next().unwrap_or_default();
        let uris: Vec<&str> = lines.collect();
        let fills = uris.iter().map(|u| u.as_bytes()).collect();
        Self {
            template,
            uris,
            fills,
        }
    }
}

/// One part of a template, as this target reads it (only for templates `parse` accepted).
enum Part<'t> {
    Literal(&'t str),
    Expression {
        op: Option<char>,
        vars: Vec<(&'t str, Option<usize>)>,
    },
}

fn parts(template: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(open) = rest.strip_prefix('{') {
            let end = open.find('}').expect("parse accepted it");
            let body = &open[..end];
            let op = body.chars().next().filter(|c| "+#./?&".contains(*c));
            let list = if op.is_some() { &body[1..] } else { body };
            let vars = list
                .split(',')
                .map(|spec| match spec.split_once(':') {
                    Some((name, max)) => (name, Some(max.parse().expect("parse accepted it"))),
                    None => (spec, None),
                })
                .collect();
            out.push(Part::Expression { op, vars });
            rest = &open[end + 1..];
        } else {
            let end = rest.find('{').unwrap_or(rest.len());
            out.push(Part::Literal(&rest[..end]));
            rest = &rest[end..];
        }
    }
    out
}

fn alphanumeric(bytes: &[u8]) -> String {
    const SET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut s: String = bytes
        .iter()
        .take(16)
        .map(|b| SET[usize::from(*b) % SET.len()] as char)
        .collect();
    if s.is_empty() {
        s.push('v');
    }
    s
}

/// Expands `parts` with `fills`; `None` where the matcher is not meant to round-trip it.
fn expand(parts: &[Part<'_>], fills: &[&[u8]]) -> Option<(String, Vec<(String, String)>)> {
    let literal_chars: String = parts
        .iter()
        .filter_map(|p| match p {
            Part::Literal(l) => Some(*l),
            Part::Expression { .. } => None,
        })
        .collect();
    // After the first query expression, the query runs to `#` or the end: only continuations
    // and one closing fragment may follow.
    if let Some(first) = parts.iter().position(|p| {
        matches!(
            p,
            Part::Expression {
                op: Some('?' | '&'),
                ..
            }
        )
    }) {
        let after = &parts[first + 1..];
        for (i, part) in after.iter().enumerate() {
            let last = i + 1 == after.len();
            match part {
                Part::Expression { op: Some('&'), .. } => {}
                Part::Expression { op: Some('#'), .. } if last => {}
                _ => return None,
            }
        }
    }
    let mut fills = fills.iter().cycle();
    let mut next = || alphanumeric(fills.next().copied().unwrap_or(b"v"));
    let mut uri = String::new();
    let mut expected = Vec::new();
    for part in parts {
        match part {
            Part::Literal(l) => uri.push_str(l),
            Part::Expression { op, vars } => {
                let values: Vec<String> = vars
                    .iter()
                    .map(|(_, max)| {
                        let mut value = next();
                        value.truncate(max.unwrap_or(usize::MAX));
                        value
                    })
                    .collect();
                if values
                    .iter()
                    .any(|v| v.chars().any(|c| literal_chars.contains(c)))
                {
                    return None;
                }
                match op {
                    Some(lead @ ('?' | '&')) => {
                        uri.push(*lead);
                        let pairs: Vec<String> = vars
                            .iter()
                            .zip(&values)
                            .map(|((k, _), v)| format!("{k}={v}"))
                            .collect();
                        uri.push_str(&pairs.join("&"));
                    }
                    Some('+') | None => uri.push_str(&values.join(",")),
                    Some(lead) => {
                        uri.push(*lead);
                        // RFC 6570: `{/a,b}` expands to `/1/2`, `{.a,b}` to `.1.2`.
                        let separator = if *lead == '#' { ',' } else { *lead };
                        uri.push_str(&values.join(separator.encode_utf8(&mut [0; 4])));
                    }
                }
                expected.extend(vars.iter().map(|(v, _)| v.to_string()).zip(values));
            }
        }
    }
    Some((uri, expected))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let input = Input::read(text);
    let Ok(template) = UriTemplate::parse(input.template) else {
        return;
    };
    assert_eq!(template.as_str(), input.template);
    assert_eq!(template.to_string(), input.template);
    assert_eq!(
        UriTemplate::parse(template.as_str()).as_ref(),
        Ok(&template)
    );
    let variables: Vec<&str> = template.variables().collect();
    for uri in &input.uris {
        if let Some(captured) = template.match_uri(uri) {
            for (name, _) in &captured {
                assert!(
                    variables.contains(name),
                    "`{name}` captured from `{uri}` is not a variable of `{}`",
                    input.template
                );
            }
        }
    }
    if let Some((uri, expected)) = expand(&parts(input.template), &input.fills) {
        let captured = template.match_uri(&uri).unwrap_or_else(|| {
            panic!(
                "`{uri}`, expanded from `{}`, does not match it",
                input.template
            )
        });
        let captured: Vec<(String, String)> = captured
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.into_owned()))
            .collect();
        assert_eq!(
            captured, expected,
            "captures of `{uri}` from `{}`",
            input.template
        );
    }
});
