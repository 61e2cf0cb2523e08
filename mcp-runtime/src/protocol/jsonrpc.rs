//! JSON-RPC 2.0 framing: incoming messages, request ids, and response bodies.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::error::RpcError;
use super::object::Object;
use super::Params;

/// A JSON-RPC request id, kept exactly as the client wrote it so it is echoed byte for byte.
///
/// Ids are strings or integers; `null`, fractions, objects and arrays are rejected.
///
/// ```
/// use mcp_runtime::protocol::RequestId;
///
/// let id = RequestId::from_json("\"abc\"").unwrap();
/// assert_eq!(id.as_json(), "\"abc\"");
/// assert!(RequestId::from_json("1.5").is_err());
/// ```
#[derive(Clone)]
pub struct RequestId(Text);

/// An id's JSON text: a short one (what most clients send) kept inline, without a heap
/// allocation.
#[derive(Clone)]
enum Text {
    Short { len: u8, bytes: [u8; SHORT] },
    Long(Box<str>),
}

/// The longest id kept inline. An id (and an `Option<RequestId>`) is then three words, one
/// more than a `Box<str>` (a shorter inline id would not save it: `Option` needs the word for
/// its own niche), and a request's future 8 bytes larger.
const SHORT: usize = 22;

impl RequestId {
    /// Validates and keeps a raw JSON id.
    pub fn from_json(raw: &str) -> Result<Self, RpcError> {
        Self::check(raw)?;
        Ok(Self::keep(raw))
    }

    /// An integer id.
    pub fn number(n: i64) -> Self {
        Self::keep(&n.to_string())
    }

    fn keep(raw: &str) -> Self {
        Self(match u8::try_from(raw.len()) {
            Ok(len) if raw.len() <= SHORT => {
                let mut bytes = [0; SHORT];
                bytes[..raw.len()].copy_from_slice(raw.as_bytes());
                Text::Short { len, bytes }
            }
            _ => Text::Long(raw.into()),
        })
    }

    /// The id as JSON text.
    pub fn as_json(&self) -> &str {
        match &self.0 {
            Text::Short { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).expect("copied from a str")
            }
            Text::Long(text) => text,
        }
    }

    fn check(raw: &str) -> Result<(), RpcError> {
        let ok = match raw.as_bytes().first() {
            Some(b'"') => true,
            Some(b'-' | b'0'..=b'9') => raw.bytes().skip(1).all(|b| b.is_ascii_digit()),
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(RpcError::invalid_request(
                "the request `id` must be a string or an integer",
            ))
        }
    }
}

impl PartialEq for RequestId {
    fn eq(&self, other: &Self) -> bool {
        self.as_json() == other.as_json()
    }
}

impl Eq for RequestId {}

impl std::hash::Hash for RequestId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_json().hash(state);
    }
}

impl std::fmt::Debug for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RequestId").field(&self.as_json()).finish()
    }
}

/// One incoming JSON-RPC message, borrowed from the request body.
#[derive(Debug)]
pub struct Message<'a> {
    /// The id; `None` for a notification.
    pub id: Option<RequestId>,
    /// The method name; `None` for a response to a server-to-client request.
    pub method: Option<Cow<'a, str>>,
    /// The `params` (absent is the same as `{}`), or the `-32602` error that answers a request
    /// whose envelope is sound but whose `params` members are not.
    pub params: Result<Box<Params<'a>>, RpcError>,
    /// Whether the message carries `result` or `error` (a response from the client).
    pub is_response: bool,
    /// A response's `result`.
    pub result: Option<&'a RawValue>,
    /// A response's `error`.
    pub error: Option<&'a RawValue>,
}

/// The envelope as written; `P` is how `params` is read.
#[derive(Deserialize)]
#[serde(bound(deserialize = "'de: 'a, P: Deserialize<'de>"))]
struct Wire<'a, P> {
    #[serde(default, deserialize_with = "super::params::borrow_str")]
    jsonrpc: Option<Cow<'a, str>>,
    /// Kept even when `null`, which a plain `Option` would fold into "absent".
    #[serde(borrow, default, deserialize_with = "present")]
    id: Option<&'a RawValue>,
    #[serde(default, deserialize_with = "super::params::borrow_str")]
    method: Option<Cow<'a, str>>,
    #[serde(default = "Option::default")]
    params: Option<P>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

impl<'a> Message<'a> {
    /// Parses one message: `-32700` for malformed JSON, `-32600` for anything that is JSON but
    /// not a single JSON-RPC 2.0 message (batches included).
    ///
    /// A request of the usual shape is read by hand in one pass (`protocol::plain`); any other
    /// well-formed request in one serde pass, its `params` included. Anything else is read
    /// again, `params` kept raw, to tell a broken envelope (`-32600`, no id) from broken
    /// `params` (`-32602`, answered with the request's id).
    pub fn parse(body: &'a [u8]) -> Result<Self, RpcError> {
        // Checked once here, the text is read without serde_json checking every string and raw
        // value again.
        let text = std::str::from_utf8(body).map_err(|e| {
            RpcError::parse_error(format!("the request body is not valid UTF-8 ({e})"))
        })?;
        match super::plain::read(text) {
            Some(message) => Ok(message),
            None => Self::read_with_serde(text),
        }
    }

    /// The id of a message [`parse`](Self::parse) refused as an invalid request, when one can
    /// still be read from it (a JSON object with a string or integer `id`): the error then
    /// names the request it answers, and the client stops waiting for it.
    ///
    /// ```
    /// use mcp_runtime::protocol::Message;
    ///
    /// let body = br#"{"jsonrpc":"2.0","id":5,"method":"tools/list","params":[]}"#;
    /// assert!(Message::parse(body).is_err());
    /// assert_eq!(Message::id_of(body).unwrap().as_json(), "5");
    /// assert!(Message::id_of(br#"[{"id":5}]"#).is_none());
    /// assert!(Message::id_of(br#"{"id":null}"#).is_none());
    /// ```
    pub fn id_of(body: &[u8]) -> Option<RequestId> {
        #[derive(Deserialize)]
        struct Id<'a> {
            #[serde(borrow)]
            id: Option<&'a RawValue>,
        }
        let text = std::str::from_utf8(body).ok()?;
        let Object(Id { id }) = serde_json::from_str::<Object<Id<'_>>>(text).ok()?;
        RequestId::from_json(id?.get()).ok()
    }

    /// [`parse`](Self::parse) without the hand-written reader: serde alone. Only for checking
    /// that both read every message alike (the `message_decode` fuzz target).
    #[doc(hidden)]
    pub fn parse_with_serde(body: &'a [u8]) -> Result<Self, RpcError> {
        let text = std::str::from_utf8(body).map_err(|e| {
            RpcError::parse_error(format!("the request body is not valid UTF-8 ({e})"))
        })?;
        Self::read_with_serde(text)
    }

    /// [`parse`](Self::parse) for any message: what serde reads of `text`.
    pub(super) fn read_with_serde(text: &'a str) -> Result<Self, RpcError> {
        // Objects only, at every level: serde would read an array as the fields in order.
        // `params` goes to the heap as it is read: the message then moves as a small value.
        if let Ok(Object(wire)) =
            serde_json::from_str::<Object<Wire<'a, Object<Box<Params<'a>>>>>>(text)
        {
            return Self::from_wire(wire, |params| Ok(params.map(|p| p.0).unwrap_or_default()));
        }
        let first = text.bytes().find(|b| !b.is_ascii_whitespace());
        let wire: Wire<'a, &'a RawValue> = match serde_json::from_str(text) {
            Ok(Object(w)) => w,
            Err(e) if e.is_data() => {
                return Err(match first {
                    Some(b'[') => RpcError::invalid_request("batch requests are not supported"),
                    Some(b'{') => {
                        RpcError::invalid_request(format!("invalid JSON-RPC message: {e}"))
                    }
                    _ => RpcError::invalid_request("a JSON-RPC message must be a JSON object"),
                })
            }
            Err(e) => return Err(RpcError::parse_error(e)),
        };
        if let Some(params) = wire.params {
            if !matches!(params.get().as_bytes().first(), Some(b'{')) {
                return Err(RpcError::invalid_request("`params` must be an object"));
            }
        }
        Self::from_wire(wire, |raw| Params::parse(raw).map(Box::new))
    }

    /// Checks the envelope's rules and reads `params` with `read`.
    fn from_wire<P>(
        wire: Wire<'a, P>,
        read: impl FnOnce(Option<P>) -> Result<Box<Params<'a>>, RpcError>,
    ) -> Result<Self, RpcError> {
        if wire.jsonrpc.as_deref() != Some("2.0") {
            return Err(RpcError::invalid_request(r#"`jsonrpc` must be "2.0""#));
        }
        let id = match wire.id {
            Some(raw) if raw.get() != "null" => Some(RequestId::from_json(raw.get())?),
            Some(_) if wire.method.is_some() => {
                return Err(RpcError::invalid_request(
                    "the request `id` must not be null",
                ))
            }
            _ => None,
        };
        let is_response = wire.result.is_some() || wire.error.is_some();
        if wire.method.is_none() && !is_response {
            return Err(RpcError::invalid_request("a request must have a `method`"));
        }
        Ok(Message {
            id,
            method: wire.method,
            params: read(wire.params),
            is_response,
            result: wire.result,
            error: wire.error,
        })
    }
}

/// Serializes a successful response, the id copied verbatim.
pub fn result_body<R: Serialize + ?Sized>(id: &RequestId, result: &R) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
    out.extend_from_slice(id.as_json().as_bytes());
    out.extend_from_slice(br#","result":"#);
    serde_json::to_writer(&mut out, result).expect("a result serializes to JSON");
    out.push(b'}');
    out
}

/// Serializes an error response; `id` is `null` where the request's id is unknown.
pub fn error_body(id: Option<&RequestId>, error: &RpcError) -> Vec<u8> {
    #[derive(Serialize)]
    struct Failure<'a> {
        jsonrpc: &'static str,
        id: &'a RawValue,
        error: &'a RpcError,
    }
    let id = raw(id.map_or("null", RequestId::as_json));
    serde_json::to_vec(&Failure {
        jsonrpc: "2.0",
        id,
        error,
    })
    .expect("an error serializes to JSON")
}

fn raw(json: &str) -> &RawValue {
    // `RawValue` has no safe borrowed constructor; deserializing from a known-valid JSON
    // fragment borrows it without copying.
    serde_json::from_str(json).expect("a validated JSON fragment")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ErrorCode;

    fn code(body: &str) -> i32 {
        Message::parse(body.as_bytes()).unwrap_err().code.0
    }

    #[test]
    fn parses_a_request() {
        let m = Message::parse(br#"{"jsonrpc":"2.0","id":7,"method":"ping","params":{}}"#).unwrap();
        assert_eq!(m.id.unwrap().as_json(), "7");
        assert_eq!(m.method.as_deref(), Some("ping"));
        assert!(!m.is_response);
    }

    #[test]
    fn reads_params_in_the_same_pass_and_answers_bad_members_with_the_id() {
        let m = Message::parse(
            br#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add","arguments":{"a":1}}}"#,
        )
        .unwrap();
        // Strings without escapes are borrowed from the body, not copied.
        assert!(matches!(m.method, Some(Cow::Borrowed("tools/call"))));
        let params = m.params.unwrap();
        assert!(matches!(params.name, Some(Cow::Borrowed("add"))));
        assert_eq!(params.arguments.unwrap().get(), r#"{"a":1}"#);

        let m = Message::parse(
            br#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":5}}"#,
        )
        .unwrap();
        assert_eq!(m.id.unwrap().as_json(), "4");
        assert_eq!(m.params.unwrap_err().code, ErrorCode::INVALID_PARAMS);
        let m = Message::parse(br#"{"jsonrpc":"2.0","id":5,"method":"ping"}"#).unwrap();
        assert!(m.params.unwrap().name.is_none());
        let m = Message::parse(br#"{"jsonrpc":"2.0","id":6,"method":"p\u0069ng"}"#).unwrap();
        assert!(matches!(m.method, Some(Cow::Owned(ref s)) if s == "ping"));
    }

    #[test]
    fn classifies_bad_messages() {
        assert_eq!(code("{"), ErrorCode::PARSE_ERROR.0);
        assert_eq!(code("not json"), ErrorCode::PARSE_ERROR.0);
        assert_eq!(code("[]"), ErrorCode::INVALID_REQUEST.0);
        assert_eq!(code("[1]"), ErrorCode::INVALID_REQUEST.0);
        assert_eq!(code("42"), ErrorCode::INVALID_REQUEST.0);
        assert_eq!(
            code(r#"{"id":1,"method":"ping"}"#),
            ErrorCode::INVALID_REQUEST.0
        );
        assert_eq!(
            code(r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#),
            ErrorCode::INVALID_REQUEST.0
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1}"#),
            ErrorCode::INVALID_REQUEST.0
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#),
            ErrorCode::INVALID_REQUEST.0
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#),
            ErrorCode::INVALID_REQUEST.0
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}"#),
            ErrorCode::INVALID_REQUEST.0
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1,"method":"a","method":"b"}"#),
            ErrorCode::INVALID_REQUEST.0
        );
    }

    #[test]
    fn positional_arrays_are_refused_wherever_an_object_belongs() {
        // The envelope itself, as an array of its fields.
        assert_eq!(code(r#"["2.0",1,"ping"]"#), ErrorCode::INVALID_REQUEST.0);
        // `params` as an array of `Params` fields: what a gateway reading `params.name` misses.
        assert_eq!(
            code(
                r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":[null,"add",null,{"a":40,"b":2}]}"#
            ),
            ErrorCode::INVALID_REQUEST.0
        );
        // Members that are objects, given as arrays, are -32602 with the request's id.
        for params in [
            r#"{"_meta":["2026-07-28",{}]}"#,
            r#"{"notifications":[true]}"#,
            r#"{"ref":["ref/prompt","p"],"argument":{"name":"a","value":""}}"#,
            r#"{"ref":{"type":"ref/prompt","name":"p"},"argument":["a",""]}"#,
            r#"{"context":[{"a":"b"}]}"#,
            r#"{"context":{"arguments":{"a":"1","a":"2"}}}"#,
        ] {
            let body = format!(r#"{{"jsonrpc":"2.0","id":9,"method":"m","params":{params}}}"#);
            let m = Message::parse(body.as_bytes()).unwrap();
            assert_eq!(m.id.unwrap().as_json(), "9");
            assert_eq!(
                m.params.unwrap_err().code,
                ErrorCode::INVALID_PARAMS,
                "{params}"
            );
        }
    }

    #[test]
    fn a_body_that_is_not_utf8_is_a_parse_error() {
        for body in [
            &b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xffng\"}"[..],
            b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"\xc3\"}}",
            b"\xef\xbb",
        ] {
            let error = Message::parse(body).unwrap_err();
            assert_eq!(error.code, ErrorCode::PARSE_ERROR);
            assert!(error.message.contains("not valid UTF-8"), "{}", error.message);
        }
        // Text that is UTF-8 but not ASCII is read as it is.
        let m = Message::parse("{\"jsonrpc\":\"2.0\",\"id\":\"é\",\"method\":\"ping\"}".as_bytes())
            .unwrap();
        assert_eq!(m.id.unwrap().as_json(), "\"é\"");
    }

    #[test]
    fn ids_short_and_long_are_kept_as_written() {
        // Three words, one more than `Option<Box<str>>`.
        assert_eq!(std::mem::size_of::<Option<RequestId>>(), 24);
        let short = "\"abcdefghijklmnopqrst\"";
        let long = "\"abcdefghijklmnopqrstu\"";
        for raw in [
            "1",
            "-12",
            short,
            long,
            "\"\u{e9}\"",
            "12345678901234567890123",
        ] {
            let id = RequestId::from_json(raw).unwrap();
            assert_eq!(id.as_json(), raw);
            assert_eq!(id, id.clone());
            assert_eq!(format!("{id:?}"), format!("RequestId({raw:?})"));
        }
        assert_ne!(
            RequestId::from_json(short).unwrap(),
            RequestId::from_json(long).unwrap()
        );
        assert_eq!(RequestId::number(-7).as_json(), "-7");
        // Hashed as its text, as when it was kept as a `Box<str>`.
        use std::hash::BuildHasher;
        let state = std::hash::RandomState::new();
        let id = RequestId::from_json("42").unwrap();
        assert_eq!(state.hash_one(&id), state.hash_one("42"));
    }

    #[test]
    fn echoes_ids_verbatim() {
        let id = RequestId::from_json(r#""x\"y""#).unwrap();
        let body = result_body(&id, &serde_json::json!({}));
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            r#"{"jsonrpc":"2.0","id":"x\"y","result":{}}"#
        );
    }
}
