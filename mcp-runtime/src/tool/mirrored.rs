//! Tool arguments mirrored into HTTP headers (`x-mcp-header`, 2026-07-28).
//!
//! A tool marks an argument with `"x-mcp-header": "Region"` in its input schema; a client
//! calling it over Streamable HTTP repeats the argument's value in `Mcp-Param-Region`, so that
//! gateways, load balancers and firewalls can route on it without reading the body. The server
//! refuses a call whose headers and body disagree (`HeaderMismatch`, -32020, HTTP 400): a
//! proxy routing on the header and the handler acting on the body must see the same value.

use std::borrow::Cow;

use http::{HeaderMap, HeaderName};
use serde_json::Value;

use crate::extract::{ArgumentValue, Arguments};
use crate::protocol::mirror::{self, mismatch};
use crate::protocol::RpcError;

/// An argument type that can be mirrored into a header with `#[header("Name")]`: its schema
/// is a string, an integer or a boolean (an `Option` of one may be left out).
///
/// Implement it for your own type whose schema is one of those (a string enum, say) and put
/// `#[schemars(inline)]` on it, so that the property has its `type` in place rather than a
/// `$ref`; the server checks the schema when it starts.
///
/// ```
/// use mcp_runtime::tool::HeaderParam;
///
/// fn mirrorable<T: HeaderParam>() {}
/// mirrorable::<String>();
/// mirrorable::<Option<u32>>();
/// mirrorable::<bool>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be mirrored into an `Mcp-Param-*` header",
    label = "not a string, an integer or a boolean",
    note = "`#[header]` goes on a `String`, integer or `bool` argument (or an `Option` of one); \
            for a type of your own whose schema is one of those, implement `HeaderParam`"
)]
pub trait HeaderParam {}

macro_rules! header_params {
    ($($ty:ty),*) => {$(impl HeaderParam for $ty {})*};
}

header_params!(String, bool, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl<T: HeaderParam> HeaderParam for Option<T> {}

/// The largest integer a header may carry: JavaScript's safe range (2^53 - 1).
const SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// The arguments of one tool that are mirrored into headers.
#[derive(Debug)]
pub(crate) struct Mirrored {
    params: Box<[Mirror]>,
}

/// One mirrored argument.
#[derive(Debug)]
struct Mirror {
    /// The property names from the schema's root to the argument.
    path: Box<[String]>,
    /// `mcp-param-{name}`, lowercase.
    header: HeaderName,
    /// `Mcp-Param-{Name}` as declared, for messages.
    label: String,
    /// The argument's name (its path, dotted), for messages.
    argument: String,
    /// Whether the argument is an integer (which a header carries only up to 2^53 - 1).
    integer: bool,
}

impl Mirrored {
    /// Reads the `x-mcp-header` annotations of a tool's input schema, checking each as the
    /// specification requires (clients drop a tool that breaks one rule): a non-empty HTTP
    /// token, unique ignoring case, on a string, integer or boolean property reached from the
    /// root through `properties` alone. `None` when the tool mirrors nothing.
    ///
    /// A mirrored integer's range is narrowed in `schema` to what a header carries, 2^53 - 1
    /// either side of zero, so that clients do not send what the server would refuse.
    pub(crate) fn from_schema(schema: &mut Value) -> Result<Option<Self>, String> {
        let mut params = Vec::new();
        walk(schema, Some(&mut Vec::new()), "", &mut params)?;
        for param in params.iter().filter(|p| p.integer) {
            let property = param.path.iter().try_fold(&mut *schema, |node, key| {
                node.get_mut("properties")?.get_mut(key)
            });
            if let Some(Value::Object(property)) = property {
                narrow(property, "minimum", -SAFE_INTEGER, |a, b| a < b);
                narrow(property, "maximum", SAFE_INTEGER, |a, b| a > b);
            }
        }
        Ok((!params.is_empty()).then(|| Self {
            params: params.into(),
        }))
    }

    /// Checks a call's `Mcp-Param-*` headers against its arguments: each argument present
    /// (and not `null`) needs its header, with the same value once decoded; a header without
    /// its argument, a repeated header or one that is not visible ASCII is refused too.
    pub(crate) fn check(
        &self,
        headers: &HeaderMap,
        arguments: &Arguments<'_>,
    ) -> Result<(), RpcError> {
        for param in self.params.iter() {
            let sent = header_value(headers, param)?;
            let body = argument(arguments, &param.path)?;
            let (label, name) = (&param.label, &param.argument);
            if let (true, Some(Value::Number(number))) = (param.integer, &body) {
                if exact_integer(number).is_none_or(|i| i.unsigned_abs() > SAFE_INTEGER as u64) {
                    return Err(RpcError::invalid_params(format!(
                        "the argument `{name}` is {number}: an argument mirrored into the {label} \
                         header is an integer from -(2^53 - 1) to 2^53 - 1"
                    )));
                }
            }
            match (sent, body) {
                (None, None) => {}
                (None, Some(_)) => {
                    return Err(mismatch(format!(
                        "Header mismatch: the {label} header is required: the argument `{name}` \
                         is in the body"
                    )))
                }
                (Some(_), None) => {
                    return Err(mismatch(format!(
                        "Header mismatch: the {label} header was sent but the argument `{name}` \
                         is not in the body"
                    )))
                }
                (Some(sent), Some(body)) => {
                    if !same(&sent, &body) {
                        return Err(mismatch(format!(
                            "Header mismatch: {label} header value '{sent}' does not match body \
                             value {body}"
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Visits a schema node. `path` is the chain of `properties` keys that reached it, `None`
/// once the chain went through anything else (`items`, `oneOf`, `$ref`, `$defs`...).
fn walk(
    node: &Value,
    mut path: Option<&mut Vec<String>>,
    pointer: &str,
    found: &mut Vec<Mirror>,
) -> Result<(), String> {
    let Value::Object(object) = node else {
        if let Value::Array(items) = node {
            for (i, item) in items.iter().enumerate() {
                walk(item, None, &format!("{pointer}/{i}"), found)?;
            }
        }
        return Ok(());
    };
    if let Some(name) = object.get("x-mcp-header") {
        let mirror = mirror_of(
            name,
            object.get("type"),
            path.as_deref().map(Vec::as_slice),
            pointer,
            found,
        )?;
        found.push(mirror);
    }
    for (key, value) in object {
        match (key.as_str(), value) {
            // Values, not schemas.
            ("x-mcp-header" | "enum" | "const" | "default" | "examples", _) => {}
            ("properties", Value::Object(properties)) => {
                for (name, property) in properties {
                    let at = format!("{pointer}/properties/{name}");
                    match path.as_deref_mut() {
                        Some(path) => {
                            path.push(name.clone());
                            let result = walk(property, Some(path), &at, found);
                            path.pop();
                            result?;
                        }
                        None => walk(property, None, &at, found)?,
                    }
                }
            }
            _ => walk(value, None, &format!("{pointer}/{key}"), found)?,
        }
    }
    Ok(())
}

/// Checks one annotation and turns it into a [`Mirror`].
fn mirror_of(
    name: &Value,
    kind: Option<&Value>,
    path: Option<&[String]>,
    pointer: &str,
    found: &[Mirror],
) -> Result<Mirror, String> {
    let at = if pointer.is_empty() { "/" } else { pointer };
    let Some(path) = path.filter(|p| !p.is_empty()) else {
        return Err(format!(
            "`x-mcp-header` at {at} is not on a property reached from the root through \
             `properties` alone (not inside `items`, `oneOf`, `$ref`, `$defs`...)"
        ));
    };
    let Some(name) = name.as_str() else {
        return Err(format!("`x-mcp-header` at {at} must be a string"));
    };
    // `http` parses header names by the same token rule (RFC 9110, section 5.1).
    let header = HeaderName::from_bytes(format!("mcp-param-{name}").as_bytes())
        .ok()
        .filter(|_| !name.is_empty());
    let Some(header) = header else {
        return Err(format!(
            "`x-mcp-header` {name:?} at {at} is not an HTTP token: one or more letters, digits \
             or ``!#$%&'*+-.^_`|~`` (no spaces, colons or control characters)"
        ));
    };
    let integer = match kind.and_then(Value::as_str) {
        Some("integer") => true,
        Some("string" | "boolean") => false,
        _ => {
            return Err(format!(
                "`x-mcp-header` \"{name}\" at {at} is on a property whose `type` is not \
                 \"string\", \"integer\" or \"boolean\" (a `$ref` needs `#[schemars(inline)]`)"
            ))
        }
    };
    if found.iter().any(|m| m.header == header) {
        return Err(format!(
            "`x-mcp-header` \"{name}\" at {at} is used twice (names are compared ignoring case)"
        ));
    }
    Ok(Mirror {
        path: path.into(),
        header,
        label: format!("Mcp-Param-{name}"),
        argument: path.join("."),
        integer,
    })
}

/// Sets `key` (`minimum` or `maximum`) to `limit` unless it is already within it (`beyond`
/// says whether a value is past the limit).
fn narrow(
    property: &mut serde_json::Map<String, Value>,
    key: &str,
    limit: i64,
    beyond: fn(f64, f64) -> bool,
) {
    let within = property
        .get(key)
        .and_then(Value::as_f64)
        .is_some_and(|v| !beyond(v, limit as f64));
    if !within {
        property.insert(key.to_owned(), limit.into());
    }
}

/// The header's value, trimmed and decoded, if it was sent once.
fn header_value<'h>(
    headers: &'h HeaderMap,
    param: &Mirror,
) -> Result<Option<Cow<'h, str>>, RpcError> {
    let mut values = headers.get_all(&param.header).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let label = &param.label;
    if values.next().is_some() {
        return Err(mismatch(format!(
            "Header mismatch: the {label} header may appear only once"
        )));
    }
    let text = value.to_str().map_err(|_| {
        mismatch(format!(
            "Header mismatch: the {label} header has characters other than visible ASCII \
             (send such values as =?base64?...?=)"
        ))
    })?;
    mirror::decode(mirror::trim(text)).map(Some)
}

/// The argument at `path`, unless it is missing or `null`.
fn argument(arguments: &Arguments<'_>, path: &[String]) -> Result<Option<Value>, RpcError> {
    let (first, rest) = path.split_first().expect("a mirrored argument has a path");
    let Some(ArgumentValue::Json(raw)) = arguments.get(first) else {
        return Ok(None);
    };
    let mut value: Value = serde_json::from_str(raw.get())
        .map_err(|e| RpcError::invalid_params(format!("the argument `{first}`: {e}")))?;
    for key in rest {
        value = match value {
            Value::Object(mut object) => object.remove(key).unwrap_or(Value::Null),
            _ => Value::Null,
        };
    }
    Ok((!value.is_null()).then_some(value))
}

/// Whether a decoded header value says what the body's value says: the same text, the same
/// boolean, or the same integer, the header read as a JSON number (`42`, `42.0` and `4.2e1` are
/// `42`; `+42`, `042` and `42.000000000000001` are not).
fn same(sent: &str, body: &Value) -> bool {
    match body {
        Value::String(text) => sent == text,
        Value::Bool(flag) => sent == if *flag { "true" } else { "false" },
        Value::Number(number) => {
            exact_integer(number).is_some_and(|body| integer(sent) == Some(body))
        }
        _ => false,
    }
}

/// The integer a JSON number is exactly (`-7.0` is `-7`), if it is one in the safe range.
fn exact_integer(number: &serde_json::Number) -> Option<i64> {
    number.as_i64().or_else(|| {
        let float = number.as_f64()?;
        (float.fract() == 0.0 && float.abs() <= SAFE_INTEGER as f64).then_some(float as i64)
    })
}

/// The integer `text` is as a JSON number, exactly, if it is one within 2^53 - 1 of zero.
fn integer(text: &str) -> Option<i64> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (rest, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (mantissa, ""),
    };
    // The JSON grammar: no leading zeros, and digits after a point or an exponent.
    let leading_zero = whole.len() > 1 && whole.starts_with('0');
    if !digits(whole) || leading_zero || (mantissa.contains('.') && !digits(fraction)) {
        return None;
    }
    let exponent: i32 = match exponent {
        None => 0,
        Some(e) => {
            let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
            if !digits(unsigned) || unsigned.len() > 4 {
                return None;
            }
            e.parse().ok()?
        }
    };
    // The value is `all` times ten to the `scale`.
    let all = format!("{whole}{fraction}");
    let scale = exponent - fraction.len() as i32;
    let kept = match usize::try_from(-scale) {
        Ok(dropped) => {
            let (kept, dropped) = all.split_at(all.len().saturating_sub(dropped));
            if dropped.bytes().any(|b| b != b'0') {
                return None;
            }
            kept
        }
        Err(_) => &all,
    };
    let significant = kept.trim_start_matches('0');
    if significant.is_empty() {
        return Some(0);
    }
    let zeros = usize::try_from(scale).unwrap_or(0);
    if significant.len() + zeros > 16 {
        return None;
    }
    let value: i64 = format!("{significant}{}", "0".repeat(zeros)).parse().ok()?;
    (value <= SAFE_INTEGER).then_some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ErrorCode;
    use http::HeaderValue;
    use serde_json::json;
    use serde_json::value::RawValue;

    fn schema(properties: Value) -> Value {
        json!({"type": "object", "properties": properties})
    }

    fn rejected(mut schema: Value) -> String {
        Mirrored::from_schema(&mut schema).unwrap_err()
    }

    #[test]
    fn annotations_are_read_and_checked() {
        let mirrored = Mirrored::from_schema(&mut schema(json!({
            "region": {"type": "string", "x-mcp-header": "Region"},
            "priority": {"type": "integer", "x-mcp-header": "Priority"},
            "options": {"type": "object", "properties": {
                "dry": {"type": "boolean", "x-mcp-header": "Dry-Run"}
            }},
            "query": {"type": "string"}
        })))
        .unwrap()
        .unwrap();
        let mut names: Vec<_> = mirrored.params.iter().map(|m| m.label.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "Mcp-Param-Dry-Run",
                "Mcp-Param-Priority",
                "Mcp-Param-Region"
            ]
        );
        assert!(
            Mirrored::from_schema(&mut schema(json!({"q": {"type": "string"}})))
                .unwrap()
                .is_none()
        );
        for (property, reason) in [
            (
                json!({"type": "string", "x-mcp-header": ""}),
                "not an HTTP token",
            ),
            (
                json!({"type": "string", "x-mcp-header": "My Region"}),
                "not an HTTP token",
            ),
            (
                json!({"type": "string", "x-mcp-header": "Region:A"}),
                "not an HTTP token",
            ),
            (
                json!({"type": "string", "x-mcp-header": "Région"}),
                "not an HTTP token",
            ),
            (
                json!({"type": "string", "x-mcp-header": "Re\tgion"}),
                "not an HTTP token",
            ),
            (
                json!({"type": "string", "x-mcp-header": 7}),
                "must be a string",
            ),
            (json!({"type": "number", "x-mcp-header": "Score"}), "`type`"),
            (json!({"type": "object", "x-mcp-header": "Data"}), "`type`"),
            (json!({"type": "array", "x-mcp-header": "Items"}), "`type`"),
            (json!({"type": "null", "x-mcp-header": "Nil"}), "`type`"),
            (json!({"$ref": "#/$defs/R", "x-mcp-header": "R"}), "`type`"),
            (
                json!({"type": "array", "items": {"type": "string", "x-mcp-header": "I"}}),
                "not on a property reached",
            ),
            (
                json!({"oneOf": [{"type": "string", "x-mcp-header": "O"}]}),
                "not on a property reached",
            ),
        ] {
            let error = rejected(schema(json!({ "p": property })));
            assert!(error.contains(reason), "{property}: {error}");
        }
        let twice = rejected(schema(json!({
            "a": {"type": "string", "x-mcp-header": "MyField"},
            "b": {"type": "string", "x-mcp-header": "myfield"}
        })));
        assert!(twice.contains("used twice"), "{twice}");
        let in_defs = rejected(json!({
            "type": "object",
            "properties": {},
            "$defs": {"R": {"type": "string", "x-mcp-header": "R"}}
        }));
        assert!(in_defs.contains("/$defs/R"), "{in_defs}");
        let at_root = rejected(json!({"type": "string", "x-mcp-header": "Root"}));
        assert!(at_root.contains("at /"), "{at_root}");
        // A default value that happens to hold the key is data, not an annotation.
        assert!(Mirrored::from_schema(&mut schema(json!({
            "o": {"type": "object", "default": {"x-mcp-header": 1}}
        })))
        .unwrap()
        .is_none());
    }

    fn check(headers: &[(&'static str, &str)], arguments: &str) -> Result<(), RpcError> {
        let mirrored = Mirrored::from_schema(&mut schema(json!({
            "region": {"type": "string", "x-mcp-header": "Region"},
            "priority": {"type": "integer", "x-mcp-header": "Priority"},
            "verbose": {"type": "boolean", "x-mcp-header": "Verbose"},
            "query": {"type": "string"}
        })))
        .unwrap()
        .unwrap();
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(*name, HeaderValue::from_bytes(value.as_bytes()).unwrap());
        }
        let raw: Box<RawValue> = RawValue::from_string(arguments.into()).unwrap();
        mirrored.check(&map, &Arguments::parse(Some(&raw)).unwrap())
    }

    #[test]
    fn headers_must_repeat_the_arguments() {
        let accepted = [
            (vec![], r#"{"query": "q"}"#),
            (vec![], r#"{"region": null, "verbose": null}"#),
            (
                vec![("mcp-param-region", "us-west1")],
                r#"{"region": "us-west1"}"#,
            ),
            (
                vec![("MCP-PARAM-REGION", "  us-west1 ")],
                r#"{"region": "us-west1"}"#,
            ),
            (
                vec![("mcp-param-region", "=?base64?SGVsbG8=?=")],
                r#"{"region": "Hello"}"#,
            ),
            (
                vec![("mcp-param-region", "SGVsbG8=")],
                r#"{"region": "SGVsbG8="}"#,
            ),
            (
                vec![("mcp-param-region", "=?base64?SGVsbG8=")],
                r#"{"region": "=?base64?SGVsbG8="}"#,
            ),
            (
                vec![("mcp-param-region", "=?base64?IHBhZGRlZCA=?=")],
                r#"{"region": " padded "}"#,
            ),
            (vec![("mcp-param-priority", "42")], r#"{"priority": 42}"#),
            (vec![("mcp-param-priority", "42.0")], r#"{"priority": 42}"#),
            (vec![("mcp-param-priority", "-7")], r#"{"priority": -7.0}"#),
            (vec![("mcp-param-priority", "4.2e1")], r#"{"priority": 42}"#),
            (
                vec![("mcp-param-priority", "9007199254740991")],
                r#"{"priority": 9007199254740991}"#,
            ),
            (
                vec![("mcp-param-verbose", "false")],
                r#"{"verbose": false}"#,
            ),
            (vec![("mcp-param-other", "x")], r#"{"query": "q"}"#),
        ];
        for (headers, arguments) in accepted {
            assert!(
                check(&headers, arguments).is_ok(),
                "{headers:?} {arguments}: {:?}",
                check(&headers, arguments)
            );
        }
        let refused = [
            (vec![], r#"{"region": "us-west1"}"#, "is required"),
            (
                vec![("mcp-param-region", "us-west1")],
                r#"{}"#,
                "not in the body",
            ),
            (
                vec![("mcp-param-region", "us-east1")],
                r#"{"region": "us-west1"}"#,
                "does not match",
            ),
            (
                vec![("mcp-param-region", "US-WEST1")],
                r#"{"region": "us-west1"}"#,
                "does not match",
            ),
            (
                vec![("mcp-param-region", "=?base64?SGVsbG8?=")],
                r#"{"region": "Hello"}"#,
                "base64",
            ),
            (
                vec![("mcp-param-region", "=?base64?SGVs!!!bG8=?=")],
                r#"{"region": "Hello"}"#,
                "base64",
            ),
            (
                vec![("mcp-param-region", "Région")],
                r#"{"region": "Région"}"#,
                "visible ASCII",
            ),
            (
                vec![("mcp-param-region", "a"), ("mcp-param-region", "a")],
                r#"{"region": "a"}"#,
                "only once",
            ),
            (
                vec![("mcp-param-priority", "43")],
                r#"{"priority": 42}"#,
                "does not match",
            ),
            (
                vec![("mcp-param-priority", "0x2a")],
                r#"{"priority": 42}"#,
                "does not match",
            ),
            (
                vec![("mcp-param-priority", "42.000000000000001")],
                r#"{"priority": 42}"#,
                "does not match",
            ),
            (
                vec![("mcp-param-priority", "+42")],
                r#"{"priority": 42}"#,
                "does not match",
            ),
            (
                vec![("mcp-param-verbose", "True")],
                r#"{"verbose": true}"#,
                "does not match",
            ),
            (
                vec![("mcp-param-verbose", "1")],
                r#"{"verbose": true}"#,
                "does not match",
            ),
        ];
        for (headers, arguments, reason) in refused {
            let error = check(&headers, arguments).unwrap_err();
            assert_eq!(error.code, ErrorCode::HEADER_MISMATCH, "{headers:?}");
            assert_eq!(error.status, http::StatusCode::BAD_REQUEST);
            assert!(
                error.message.contains(reason),
                "{headers:?}: {}",
                error.message
            );
        }
    }

    #[test]
    fn integers_beyond_what_a_header_carries_are_invalid_params() {
        for body in [
            "9007199254740992",
            "-9007199254740992",
            "9223372036854775807",
            "1.5",
        ] {
            let header = [("mcp-param-priority", body)];
            let error = check(&header, &format!(r#"{{"priority": {body}}}"#)).unwrap_err();
            assert_eq!(error.code, ErrorCode::INVALID_PARAMS, "{body}");
            assert!(error.message.contains("2^53 - 1"), "{}", error.message);
        }
    }

    #[test]
    fn header_integers_are_read_exactly_as_json_numbers() {
        let cases = [
            ("0", Some(0)),
            ("-0", Some(0)),
            ("42", Some(42)),
            ("-42", Some(-42)),
            ("42.0", Some(42)),
            ("42.000", Some(42)),
            ("4.2e1", Some(42)),
            ("4200E-2", Some(42)),
            ("0.42e2", Some(42)),
            ("1e15", Some(1_000_000_000_000_000)),
            ("9007199254740991", Some(SAFE_INTEGER)),
            ("-9007199254740991", Some(-SAFE_INTEGER)),
            ("9007199254740992", None),
            ("1e16", None),
            ("1e9999", None),
            ("42.5", None),
            ("42.000000000000001", None),
            ("4.25e1", None),
            ("+42", None),
            ("042", None),
            ("42.", None),
            (".5", None),
            ("4e", None),
            ("", None),
            ("-", None),
            ("0x2a", None),
            ("1_000", None),
        ];
        for (text, expected) in cases {
            assert_eq!(integer(text), expected, "{text:?}");
        }
    }

    #[test]
    fn a_mirrored_integer_range_is_narrowed_to_what_a_header_carries() {
        let mut tool = schema(json!({
            "wide": {"type": "integer", "x-mcp-header": "Wide",
                     "minimum": i64::MIN, "maximum": i64::MAX},
            "unsigned": {"type": "integer", "x-mcp-header": "Unsigned",
                         "minimum": 0, "maximum": u64::MAX},
            "narrow": {"type": "integer", "x-mcp-header": "Narrow",
                       "minimum": -5, "maximum": 5},
            "open": {"type": "integer", "x-mcp-header": "Open"},
            "plain": {"type": "integer", "minimum": i64::MIN}
        }));
        Mirrored::from_schema(&mut tool).unwrap().unwrap();
        let range = |name: &str| {
            let p = &tool["properties"][name];
            (p["minimum"].clone(), p["maximum"].clone())
        };
        let safe = json!(SAFE_INTEGER);
        let unsafe_low = json!(-SAFE_INTEGER);
        assert_eq!(range("wide"), (unsafe_low.clone(), safe.clone()));
        assert_eq!(range("unsigned"), (json!(0), safe.clone()));
        assert_eq!(range("narrow"), (json!(-5), json!(5)));
        assert_eq!(range("open"), (unsafe_low, safe));
        assert_eq!(
            range("plain").0,
            json!(i64::MIN),
            "not mirrored: left alone"
        );
    }
}
