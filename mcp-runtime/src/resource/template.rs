//! RFC 6570 URI templates, matched against URIs in one forward scan.
//!
//! Supported expressions: `{var}`, `{+var}`, `{#var}`, `{/var}`, `{.var}`, `{?a,b}` and
//! `{&a,b}`, with several comma-separated variables and prefix modifiers (`{var:3}`).
//! Matching never backtracks: each part of the template consumes the URI from left to right,
//! and the end of a value is found by a linear search, so a URI of any length is matched in
//! time proportional to its length.
//!
//! Values are separated as RFC 6570 expands them: `,` in `{a,b}`, `{+a,b}` and `{#a,b}`, `/` in
//! `{/a,b}`, `.` in `{.a,b}`, `&` between query pairs. Nothing a URI holds is dropped: the last
//! variable of an expression keeps the rest of the expression's value, separators included (a
//! list value: `{ids}` matches `1,2,3` with `ids` = `1,2,3`), and where fewer values are given
//! than an expression has variables, the later ones are absent. A prefix modifier is a limit:
//! `{code:3}` matches a value of at most three characters (after percent-decoding).

use std::borrow::Cow;
use std::fmt;

/// A parsed URI template.
///
/// ```
/// use mcp_runtime::resource::UriTemplate;
///
/// let t = UriTemplate::parse("users://{id}/posts{?sort,limit}").unwrap();
/// let vars = t.match_uri("users://42/posts?limit=5").unwrap();
/// assert_eq!(vars, [("id", "42".into()), ("limit", "5".into())]);
/// assert!(t.match_uri("users://42/comments").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplate {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Expression { op: Op, vars: Vec<Var> },
}

/// One variable of an expression: its name and its prefix modifier, if any (`{name:3}`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Var {
    name: String,
    max_chars: Option<usize>,
}

impl Var {
    /// Parses `name` or `name:N` (N from 1 to 9999, RFC 6570's `max-length`).
    fn parse(spec: &str) -> Result<Self, String> {
        if spec.ends_with('*') {
            return Err(format!("the explode modifier in `{spec}` is not supported"));
        }
        let (name, max_chars) = match spec.split_once(':') {
            Some((name, max)) => {
                let valid = (1..=4).contains(&max.len())
                    && max.bytes().all(|b| b.is_ascii_digit())
                    && !max.starts_with('0');
                if !valid {
                    return Err(format!(
                        "the prefix modifier in `{spec}` is not a length from 1 to 9999"
                    ));
                }
                (name, max.parse().ok())
            }
            None => (spec, None),
        };
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'%'));
        if !valid {
            return Err(format!("`{spec}` is not a valid variable name"));
        }
        Ok(Self {
            name: name.to_owned(),
            max_chars,
        })
    }

    /// The percent-decoded `raw` value, if it is valid UTF-8 and within the prefix modifier.
    fn value<'u>(&self, raw: &'u str) -> Option<Cow<'u, str>> {
        let value = decode(raw)?;
        match self.max_chars {
            Some(max) if value.chars().nth(max).is_some() => None,
            _ => Some(value),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Simple,
    Reserved,
    Fragment,
    Label,
    Path,
    Query,
    QueryContinuation,
}

/// Why a template could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid URI template `{template}`: {reason}")]
pub struct TemplateError {
    template: String,
    reason: String,
}

impl UriTemplate {
    /// Parses a template.
    pub fn parse(template: &str) -> Result<Self, TemplateError> {
        let error = |reason: String| TemplateError {
            template: template.to_owned(),
            reason,
        };
        let mut parts = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            match rest.find('{') {
                Some(0) => {
                    let end = rest
                        .find('}')
                        .ok_or_else(|| error("an expression is not closed with `}`".into()))?;
                    parts.push(Self::expression(&rest[1..end]).map_err(error)?);
                    rest = &rest[end + 1..];
                }
                found => {
                    let end = found.unwrap_or(rest.len());
                    if rest[..end].contains('}') {
                        return Err(error("`}` without an opening `{`".into()));
                    }
                    parts.push(Part::Literal(rest[..end].to_owned()));
                    rest = &rest[end..];
                }
            }
        }
        for pair in parts.windows(2) {
            if let [Part::Expression { op: a, .. }, Part::Expression { op: b, .. }] = pair {
                if !a.is_query() && !b.has_prefix() {
                    return Err(error(
                        "two adjacent expressions need a literal or an operator between them"
                            .into(),
                    ));
                }
            }
        }
        let template = Self {
            source: template.to_owned(),
            parts,
        };
        let names: Vec<&str> = template.variables().collect();
        let repeated = (1..names.len()).find(|&i| names[..i].contains(&names[i]));
        if let Some(name) = repeated.map(|i| names[i]) {
            return Err(error(format!(
                "the variable `{name}` appears twice (a match could give it two values)"
            )));
        }
        Ok(template)
    }

    fn expression(body: &str) -> Result<Part, String> {
        let (op, list) = match body.chars().next() {
            Some('+') => (Op::Reserved, &body[1..]),
            Some('#') => (Op::Fragment, &body[1..]),
            Some('.') => (Op::Label, &body[1..]),
            Some('/') => (Op::Path, &body[1..]),
            Some('?') => (Op::Query, &body[1..]),
            Some('&') => (Op::QueryContinuation, &body[1..]),
            Some(c @ (';' | '=' | ',' | '!' | '@' | '|')) => {
                return Err(format!("the operator `{c}` is not supported"))
            }
            _ => (Op::Simple, body),
        };
        let vars = list.split(',').map(Var::parse).collect::<Result<_, _>>()?;
        Ok(Part::Expression { op, vars })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The names of every variable, in order.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().flat_map(|p| match p {
            Part::Expression { vars, .. } => vars.iter().map(|v| v.name.as_str()).collect(),
            Part::Literal(_) => Vec::new(),
        })
    }

    /// Matches `uri`, returning each variable present with its percent-decoded value.
    pub fn match_uri<'u>(&self, uri: &'u str) -> Option<Vec<(&str, Cow<'u, str>)>> {
        let mut values = Vec::new();
        let mut pos = 0;
        for (index, part) in self.parts.iter().enumerate() {
            let rest = &uri[pos..];
            match part {
                Part::Literal(literal) => {
                    rest.starts_with(literal.as_str()).then_some(())?;
                    pos += literal.len();
                }
                Part::Expression { op, vars } if op.is_query() => {
                    // `{?a}{&b}`: the query takes every pair, for its own variables and those of
                    // the continuations that follow it.
                    let continued = self.parts[index + 1..]
                        .iter()
                        .map_while(|p| match p {
                            Part::Expression {
                                op: Op::QueryContinuation,
                                vars,
                            } => Some(vars),
                            _ => None,
                        })
                        .flatten();
                    let vars: Vec<&Var> = vars.iter().chain(continued).collect();
                    pos += Self::match_query(*op, &vars, rest, &mut values)?;
                }
                Part::Expression { op, vars } => {
                    let body = match op.prefix() {
                        Some(prefix) => match rest.strip_prefix(prefix) {
                            Some(body) => body,
                            // An expression whose variables are all undefined expands to nothing.
                            None => continue,
                        },
                        None => rest,
                    };
                    let next = self.parts.get(index + 1);
                    let mut at = rest.len() - body.len();
                    for (i, var) in vars.iter().enumerate() {
                        if i > 0 {
                            // Fewer values than variables: the later ones are absent.
                            match rest[at..].strip_prefix(op.separator()) {
                                Some(_) => at += 1,
                                None => break,
                            }
                        }
                        let last = i + 1 == vars.len();
                        let len = Self::value_len(*op, &rest[at..], next, last)?;
                        values.push((var.name.as_str(), var.value(&rest[at..at + len])?));
                        at += len;
                    }
                    pos += at;
                }
            }
        }
        (pos == uri.len()).then_some(values)
    }

    /// How much of `body` one value takes: up to the next literal, or to the first character
    /// the value cannot contain. Only the last value of an expression may contain the
    /// expression's separator.
    fn value_len(op: Op, body: &str, next: Option<&Part>, last: bool) -> Option<usize> {
        let separator = op.separator();
        let allowed = |c: char| {
            let class = match op {
                Op::Reserved | Op::Fragment => is_uri_char(c),
                _ => is_unreserved(c) || c == '%' || c == ',',
            };
            class && (last || c != separator)
        };
        let limit = body.find(|c: char| !allowed(c)).unwrap_or(body.len());
        match next {
            // The last value ends where the literal first starts, which must be within its
            // reach; an earlier one ends there or at its separator, whichever comes first.
            Some(Part::Literal(literal)) => {
                match body.find(literal.as_str()).filter(|&at| at <= limit) {
                    Some(at) => Some(at),
                    None => (!last).then_some(limit),
                }
            }
            // The next expression starts at its operator's character.
            Some(Part::Expression { op: next, .. }) => {
                let lead = match next {
                    Op::Query => Some('?'),
                    Op::QueryContinuation => Some('&'),
                    other => other.prefix(),
                };
                let stop = lead.and_then(|c| body[..limit].find(c)).unwrap_or(limit);
                Some(stop)
            }
            _ => Some(limit),
        }
    }

    fn match_query<'t, 'u>(
        op: Op,
        vars: &[&'t Var],
        rest: &'u str,
        values: &mut Vec<(&'t str, Cow<'u, str>)>,
    ) -> Option<usize> {
        let lead = if op == Op::Query { '?' } else { '&' };
        let Some(query) = rest.strip_prefix(lead) else {
            return Some(0);
        };
        let end = query.find('#').unwrap_or(query.len());
        for pair in query[..end].split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if let Some(var) = vars.iter().find(|v| v.name == key) {
                values.push((var.name.as_str(), var.value(value)?));
            }
        }
        Some(1 + end)
    }
}

impl fmt::Display for UriTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Op {
    fn is_query(self) -> bool {
        matches!(self, Op::Query | Op::QueryContinuation)
    }

    fn prefix(self) -> Option<char> {
        match self {
            Op::Fragment => Some('#'),
            Op::Label => Some('.'),
            Op::Path => Some('/'),
            _ => None,
        }
    }

    /// What separates the values of an expression with several variables.
    fn separator(self) -> char {
        match self {
            Op::Label => '.',
            Op::Path => '/',
            Op::Query | Op::QueryContinuation => '&',
            Op::Simple | Op::Reserved | Op::Fragment => ',',
        }
    }

    fn has_prefix(self) -> bool {
        self.prefix().is_some() || self.is_query()
    }
}

fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

fn is_uri_char(c: char) -> bool {
    is_unreserved(c) || "%:/?#[]@!$&'()*+,;=".contains(c)
}

/// Percent-decodes one value; `None` if it is not valid UTF-8 afterwards or holds a NUL (which
/// ends a string for the C libraries and file systems handlers pass values to).
fn decode(value: &str) -> Option<Cow<'_, str>> {
    if !value.contains('%') {
        return (!value.contains('\0')).then_some(Cow::Borrowed(value));
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let digit = |b: u8| (b as char).to_digit(16).unwrap_or_default() as u8;
            out.push(digit(hex[0]) << 4 | digit(hex[1]));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    if out.contains(&0) {
        return None;
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(template: &str, uri: &str) -> Option<Vec<(String, String)>> {
        let t = UriTemplate::parse(template).unwrap();
        t.match_uri(uri).map(|v| {
            v.into_iter()
                .map(|(k, v)| (k.to_owned(), v.into_owned()))
                .collect()
        })
    }

    fn pairs(list: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
        Some(
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn simple_variables() {
        assert_eq!(
            vars("test://template/{id}/data", "test://template/123/data"),
            pairs(&[("id", "123")])
        );
        assert_eq!(
            vars("test://template/{id}/data", "test://template/1/2/data"),
            None
        );
        assert_eq!(
            vars("test://template/{id}/data", "test://template/123/datax"),
            None
        );
        assert_eq!(
            vars("users://{id}", "users://a%20b"),
            pairs(&[("id", "a b")])
        );
        assert_eq!(
            vars("x://{a},{b}", "x://1,2"),
            pairs(&[("a", "1"), ("b", "2")])
        );
        assert_eq!(
            vars("x://{a,b}", "x://1,2"),
            pairs(&[("a", "1"), ("b", "2")])
        );
        assert_eq!(
            vars("x://{a}.json", "x://report.json"),
            pairs(&[("a", "report")])
        );
    }

    #[test]
    fn reserved_path_and_query() {
        assert_eq!(
            vars("file:///{+path}", "file:///a/b/c.txt"),
            pairs(&[("path", "a/b/c.txt")])
        );
        assert_eq!(
            vars("repo://{owner}{/name}", "repo://me/tool"),
            pairs(&[("owner", "me"), ("name", "tool")])
        );
        assert_eq!(
            vars("search://docs{?q,limit}", "search://docs?q=rust&limit=5"),
            pairs(&[("q", "rust"), ("limit", "5")])
        );
        assert_eq!(vars("search://docs{?q,limit}", "search://docs"), pairs(&[]));
        assert_eq!(
            vars("search://docs{?q}{&page}", "search://docs?q=a&page=2"),
            pairs(&[("q", "a"), ("page", "2")])
        );
        assert_eq!(
            vars("x://{+rest}{#frag}", "x://a/b#top"),
            pairs(&[("rest", "a/b"), ("frag", "top")])
        );
    }

    #[test]
    fn refuses_what_it_cannot_match() {
        for bad in [
            "x://{a",
            "x://a}",
            "x://{;a}",
            "x://{a*}",
            "x://{}",
            "x://{a}{b}",
            "x://{a}/{a}",
            "x://{a}{?b,a}",
        ] {
            assert!(UriTemplate::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(vars("users://{id}", "users://%zz"), None);
    }

    #[test]
    fn nothing_a_uri_holds_is_dropped() {
        // A single variable keeps a list value whole.
        assert_eq!(vars("x://{a}", "x://1,2"), pairs(&[("a", "1,2")]));
        // The last variable keeps the rest, separators included.
        assert_eq!(
            vars("x://{a,b},{c}", "x://1,2,3"),
            pairs(&[("a", "1"), ("b", "2"), ("c", "3")])
        );
        assert_eq!(
            vars("x://{a,b}", "x://1,2,3"),
            pairs(&[("a", "1"), ("b", "2,3")])
        );
        // Fewer values than variables: the later ones are absent.
        assert_eq!(vars("x://{a,b}.json", "x://1.json"), pairs(&[("a", "1")]));
        assert_eq!(
            vars("x://{a,b}.json", "x://1,2.json"),
            pairs(&[("a", "1"), ("b", "2")])
        );
    }

    #[test]
    fn path_and_label_values_use_their_own_separator() {
        assert_eq!(
            vars("repo://x{/owner,name}", "repo://x/me/tool"),
            pairs(&[("owner", "me"), ("name", "tool")])
        );
        assert_eq!(
            vars("repo://x{/owner,name}", "repo://x/me"),
            pairs(&[("owner", "me")])
        );
        assert_eq!(vars("repo://x{/owner,name}", "repo://x/a/b/c"), None);
        assert_eq!(
            vars("host://www{.domain,tld}", "host://www.example.com"),
            pairs(&[("domain", "example"), ("tld", "com")])
        );
        assert_eq!(
            vars("x://{+a,b}", "x://p/q,r/s"),
            pairs(&[("a", "p/q"), ("b", "r/s")])
        );
    }

    #[test]
    fn prefix_modifiers_are_limits() {
        assert_eq!(vars("x://{a:3}", "x://123"), pairs(&[("a", "123")]));
        assert_eq!(vars("x://{a:3}", "x://1234"), None);
        // Characters are counted after decoding.
        assert_eq!(vars("x://{a:1}", "x://%C3%A9"), pairs(&[("a", "é")]));
        assert_eq!(vars("x://q{?a:2}", "x://q?a=123"), None);
        assert_eq!(vars("x://q{?a:2}", "x://q?a=12"), pairs(&[("a", "12")]));
        for bad in [
            "x://{a:}",
            "x://{a:zz}",
            "x://{a:0}",
            "x://{a:10000}",
            "x://{a:+1}",
        ] {
            let error = UriTemplate::parse(bad).unwrap_err().to_string();
            assert!(error.contains("prefix modifier"), "{bad}: {error}");
        }
        assert!(UriTemplate::parse("x://{a:9999}").is_ok());
    }

    #[test]
    fn nul_never_reaches_a_handler() {
        assert_eq!(vars("x://{a}", "x://a%00b"), None);
        assert_eq!(vars("x://{+a}", "x://a/%00"), None);
        assert_eq!(vars("x://{?q}", "x://?q=%00"), None);
        // Other escapes are decoded as before: handlers that use values as paths take a
        // `PathSegment` or `RelativePath`.
        assert_eq!(
            vars("x://{a}", "x://..%2F..%2Fetc"),
            pairs(&[("a", "../../etc")])
        );
    }

    #[test]
    fn percent_escapes_are_two_hex_digits() {
        assert_eq!(vars("x://{a}", "x://%41"), pairs(&[("a", "A")]));
        for bad in [
            "x://%+1", "x://%-1", "x://%4", "x://%", "x://% 1", "x://%ff",
        ] {
            assert_eq!(vars("x://{+a}", bad), None, "{bad}");
        }
    }

    #[test]
    fn long_uris_match_and_fail_cleanly() {
        let t = UriTemplate::parse("x://{a}/{+b}/end{?q}").unwrap();
        let hostile = format!("x://a/{}", "/en".repeat(20_000));
        assert!(t.match_uri(&hostile).is_none());
        let long = format!("x://a/{}/end?q=1", "b/".repeat(25_000));
        let matched = t.match_uri(&long).unwrap();
        assert_eq!(matched[1].1.len(), 50_000);
        assert_eq!(matched[2], ("q", "1".into()));
    }
}
