//! A single-pass reader for a request of the usual shape: a JSON object of the envelope's
//! members, `params` holding known members, strings without escapes. What it reads is exactly
//! what serde reads (the envelope's derived `Deserialize`); anything else, and every input
//! that is not sound, it leaves to serde by answering `None`, so that errors keep their text.
//!
//! Serde pays for generality on every member: each key is unescaped and matched field by
//! field, each value goes through a visitor. Here a key is matched where it stands, a plain
//! string is borrowed as it is, and the client's capabilities, kept as text, are checked here.
//! Only the values kept as `&RawValue` (`arguments`, ...) are handed to serde, which checks
//! them and lends them out (a `&RawValue` has no other safe constructor).

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::jsonrpc::{Message, RequestId};
use super::{Params, RequestMeta};

/// The message `text` holds, when it has the usual shape; `None` leaves it to serde.
pub(super) fn read(text: &str) -> Option<Message<'_>> {
    let mut cursor = Cursor { text, at: 0 };
    let mut version = None;
    let mut id = None;
    let mut method = None;
    let mut params = None;
    cursor.object(
        &["jsonrpc", "id", "method", "params"],
        |cursor, key| match key {
            "jsonrpc" => set(&mut version, cursor.string()?),
            "id" => set(&mut id, cursor.id()?),
            "method" => set(&mut method, cursor.string()?),
            "params" => set(&mut params, cursor.params()?),
            _ => None,
        },
    )?;
    cursor.end()?;
    if version? != "2.0" {
        return None;
    }
    Some(Message {
        id: id.map(RequestId::from_json).transpose().ok()?,
        method: Some(Cow::Borrowed(method?)),
        params: Ok(params.unwrap_or_default()),
        is_response: false,
        result: None,
        error: None,
    })
}

/// The members of `params` read here (the others are rare).
const PARAMS: &[&str] = &[
    "name",
    "arguments",
    "_meta",
    "uri",
    "cursor",
    "protocolVersion",
    "capabilities",
    "clientInfo",
    "inputResponses",
    "requestState",
    "task",
    "delivery",
    "taskId",
    "requestId",
    "level",
];

/// The members of `params._meta` read here: all that [`RequestMeta`] has.
const META: &[&str] = &[
    "io.modelcontextprotocol/protocolVersion",
    "io.modelcontextprotocol/clientCapabilities",
    "io.modelcontextprotocol/clientInfo",
    "io.modelcontextprotocol/logLevel",
    "progressToken",
];

/// How deep the raw values read here may nest (deeper ones are left to serde).
const DEPTH: usize = 32;

/// Fills an empty `slot`; `None` for a member given twice (serde's derived structs refuse it).
fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(value);
            Some(())
        }
    }
}

/// How many bytes of `bytes` come before the first `"`, `\` or control character (all of them
/// if there is none). Read a word at a time, as serde reads strings: in a word, the lowest
/// byte flagged is always one of these (a false flag only ever follows a true one).
fn plain_len(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    // Flags the bytes of `word` that are below `n`.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    let mut len = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of 8 bytes"));
        let found = below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            | below(word, 0x20);
        if found != 0 {
            return len + found.trailing_zeros() as usize / 8;
        }
        len += 8;
    }
    let tail = chunks.remainder();
    len + tail
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(tail.len())
}

/// A position in the message's text.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a [u8] {
        &self.text.as_bytes()[self.at..]
    }

    /// Skips JSON whitespace and returns the next byte.
    fn peek(&mut self) -> Option<u8> {
        let rest = self.rest();
        // Every whitespace byte is at most a space: anything above is the next token.
        if let Some(&next) = rest.first().filter(|&&b| b > b' ') {
            return Some(next);
        }
        let skipped = rest
            .iter()
            .position(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t'))?;
        self.at += skipped;
        Some(rest[skipped])
    }

    /// Consumes `byte`, after whitespace.
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Nothing but whitespace is left.
    fn end(&mut self) -> Option<()> {
        self.peek().is_none().then_some(())
    }

    /// An object whose keys are all among `keys`, each member read by `member`, given its key
    /// (a key that needs unescaping is never among them, and so is refused like any other).
    fn object(
        &mut self,
        keys: &[&'static str],
        mut member: impl FnMut(&mut Self, &'static str) -> Option<()>,
    ) -> Option<()> {
        self.list(b'{', b'}', |cursor| {
            cursor.eat(b'"')?;
            let key = cursor.key(keys)?;
            cursor.eat(b':')?;
            member(cursor, key)
        })
    }

    /// `open`, then items read by `item` separated by commas, then `close`.
    fn list(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.eat(open)?;
        if self.eat(close).is_some() {
            return Some(());
        }
        loop {
            item(self)?;
            match self.peek()? {
                b',' => self.at += 1,
                b if b == close => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The one of `keys` the text starts with, up to its closing quote, which is consumed.
    fn key(&mut self, keys: &[&'static str]) -> Option<&'static str> {
        let rest = self.rest();
        // The closing quote's place tells most keys apart before their text is compared.
        let key = keys
            .iter()
            .find(|key| rest.get(key.len()) == Some(&b'"') && rest.starts_with(key.as_bytes()))?;
        self.at += key.len() + 1;
        Some(key)
    }

    /// A string without escapes or control characters, borrowed.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let len = plain_len(self.rest());
        if self.rest().get(len) != Some(&b'"') {
            return None;
        }
        let text = self.text.get(self.at..self.at + len)?;
        self.at += len + 1;
        Some(text)
    }

    /// A request id as written: a plain string or an integer.
    fn id(&mut self) -> Option<&'a str> {
        match self.peek()? {
            b'"' | b'-' | b'0'..=b'9' => self.json(),
            _ => None,
        }
    }

    /// An integer: JSON's, without a fraction or an exponent.
    fn integer(&mut self) -> Option<()> {
        self.at += usize::from(self.peek()? == b'-');
        let digits = self
            .rest()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        // JSON allows no leading zero.
        let leading_zero = digits > 1 && self.rest()[0] == b'0';
        let more = self.rest().get(digits);
        if digits == 0 || leading_zero || matches!(more, Some(b'.' | b'e' | b'E')) {
            return None;
        }
        self.at += digits;
        Some(())
    }

    /// A JSON value but `null` (which serde reads as an absent member), as written: checked
    /// here when it is made of plain strings, integers, literals, arrays and objects, nested
    /// at most [`DEPTH`] deep; anything else is left to serde.
    fn json(&mut self) -> Option<&'a str> {
        if self.peek()? == b'n' {
            return None;
        }
        let start = self.at;
        self.value(DEPTH)?;
        self.text.get(start..self.at)
    }

    /// Skips one value of what [`json`](Self::json) reads, `depth` levels deep at most.
    fn value(&mut self, depth: usize) -> Option<()> {
        let inner = depth.checked_sub(1)?;
        match self.peek()? {
            b'{' => self.list(b'{', b'}', |cursor| {
                cursor.string()?;
                cursor.eat(b':')?;
                cursor.value(inner)
            }),
            b'[' => self.list(b'[', b']', |cursor| cursor.value(inner)),
            b'"' => self.string().map(drop),
            b'-' | b'0'..=b'9' => self.integer(),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => None,
        }
    }

    /// The literal `word`.
    fn literal(&mut self, word: &str) -> Option<()> {
        self.rest()
            .starts_with(word.as_bytes())
            .then(|| self.at += word.len())
    }

    /// Any JSON value but `null` (which serde reads as an absent member), checked and lent
    /// out by serde.
    fn raw(&mut self) -> Option<&'a RawValue> {
        if self.peek()? == b'n' {
            return None;
        }
        let rest = &self.text[self.at..];
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<&RawValue>();
        let value = values.next()?.ok()?;
        self.at += values.byte_offset();
        Some(value)
    }

    /// A string member, borrowed.
    fn text_member(&mut self) -> Option<Cow<'a, str>> {
        self.string().map(Cow::Borrowed)
    }

    /// `params`, boxed as [`Message`] keeps it.
    fn params(&mut self) -> Option<Box<Params<'a>>> {
        let mut params = Box::<Params<'a>>::default();
        let p = &mut *params;
        self.object(PARAMS, |cursor, key| match key {
            "_meta" => set(&mut p.meta, cursor.meta()?),
            "name" => set(&mut p.name, cursor.text_member()?),
            "arguments" => set(&mut p.arguments, cursor.raw()?),
            "uri" => set(&mut p.uri, cursor.text_member()?),
            "cursor" => set(&mut p.cursor, cursor.text_member()?),
            "protocolVersion" => set(&mut p.protocol_version, cursor.text_member()?),
            "capabilities" => set(&mut p.capabilities, cursor.raw()?),
            "clientInfo" => set(&mut p.client_info, cursor.raw()?),
            "inputResponses" => set(&mut p.input_responses, cursor.raw()?),
            "requestState" => set(&mut p.request_state, cursor.text_member()?),
            "task" => set(&mut p.task, cursor.raw()?),
            "delivery" => set(&mut p.delivery, cursor.raw()?),
            "taskId" => set(&mut p.task_id, cursor.text_member()?),
            "requestId" => set(&mut p.request_id, cursor.raw()?),
            "level" => set(&mut p.level, cursor.text_member()?),
            _ => None,
        })?;
        Some(params)
    }

    /// `params._meta`.
    fn meta(&mut self) -> Option<RequestMeta<'a>> {
        let mut meta = RequestMeta::default();
        let m = &mut meta;
        self.object(META, |cursor, key| match key {
            "io.modelcontextprotocol/protocolVersion" => {
                set(&mut m.protocol_version, cursor.text_member()?)
            }
            "io.modelcontextprotocol/clientCapabilities" => {
                set(&mut m.client_capabilities, cursor.json()?)
            }
            "io.modelcontextprotocol/clientInfo" => set(&mut m.client_info, cursor.raw()?),
            "progressToken" => set(&mut m.progress_token, cursor.raw()?),
            "io.modelcontextprotocol/logLevel" => set(&mut m.log_level, cursor.text_member()?),
            _ => None,
        })?;
        Some(meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const META: &str = r#""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{}}}"#;

    /// What serde alone makes of `text`.
    fn serde(text: &str) -> String {
        format!("{:?}", Message::read_with_serde(text))
    }

    /// Reads `text` by hand, checking that whatever is read is what serde reads.
    fn plain(text: &str) -> Option<Message<'_>> {
        let read = read(text);
        if let Some(message) = &read {
            assert_eq!(format!("{:?}", Ok::<_, ()>(message)), serde(text), "{text}");
        }
        read
    }

    fn call(params: &str) -> String {
        format!(r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{params}}}"#)
    }

    #[test]
    fn reads_the_usual_requests_as_serde_does() {
        for text in [
            call(r#"{"name":"add","arguments":{"a":1,"b":2}}"#),
            call(&format!(
                r#"{{"name":"add","arguments":{{"a":1,"b":2}},{META}}}"#
            )),
            call(&format!(r#"{{{META}}}"#)),
            call(r#"{"_meta":{}}"#),
            call("{}"),
            call(r#" { "name" : "a b" , "arguments" : [ 1 , {"x":[null,true,-1.5e3]} ] } "#),
            call(
                r#"{"_meta":{"progressToken":7,"io.modelcontextprotocol/logLevel":"debug","io.modelcontextprotocol/clientInfo":{"name":"c"}}}"#,
            ),
            call(
                r#"{"uri":"file:///a","cursor":"c","protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{},"inputResponses":{},"requestState":"s","task":{"ttl":1},"delivery":{},"taskId":"t","requestId":"r","level":"info"}"#,
            ),
            call(
                r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{ "a" : [ true , false , null , -0 , 12 , "x" , [ ] , { } ] , "b":{"c":{}} } }}"#,
            ),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":[]}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":"text"}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":false}}"#),
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.into(),
            "\n\t{\"method\":\"ping\",\"id\":\"x-\u{e9}\",\"jsonrpc\":\"2.0\"}\r\n ".into(),
            r#"{"jsonrpc":"2.0","id":-0,"method":"ping"}"#.into(),
            r#"{"jsonrpc":"2.0","id":12345678901234567890123,"method":"ping"}"#.into(),
        ] {
            assert!(plain(&text).is_some(), "{text}");
        }
        let text = call(&format!(r#"{{"name":"add",{META}}}"#));
        let m = plain(&text).unwrap();
        assert!(matches!(m.method, Some(Cow::Borrowed("tools/call"))));
        assert_eq!(m.params.unwrap().meta_version(), Some("2026-07-28"));
    }

    #[test]
    fn plain_text_ends_at_the_first_quote_backslash_or_control_character() {
        for (text, len) in [
            ("", 0),
            ("abc", 3),
            ("abc\"", 3),
            ("abcdefghij\"", 10),
            ("abcdefgh\"", 8),
            ("a\\bcdefghijk\"", 1),
            ("abcdefghi\u{1f}", 9),
            ("\u{e9}\u{7f}\u{ff}zzzzzzzzzzzzzz\" \"", 19),
            ("\u{0}\"", 0),
            ("\"\u{0}", 0),
        ] {
            assert_eq!(plain_len(text.as_bytes()), len, "{text:?}");
        }
    }

    #[test]
    fn leaves_anything_unusual_to_serde() {
        for text in [
            // Escapes, in keys and in values (serde unescapes them).
            call(r#"{"n\u0061me":"add"}"#),
            call(r#"{"name":"a\"dd"}"#),
            call(r#"{"name":"a\\"}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026\u002d07-28"}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol\/protocolVersion":"2026-07-28"}}"#),
            call("{\"name\":\"a\u{1}\"}"),
            // Members of the wrong type, null, unknown, or given twice.
            call(r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":20260728}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":null}}"#),
            call(
                r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"a","io.modelcontextprotocol/protocolVersion":"b"}}"#,
            ),
            call(r#"{"_meta":{"other":1}}"#),
            call(r#"{"_meta":null}"#),
            call(r#"{"_meta":[]}"#),
            call(r#"{"name":5}"#),
            call(r#"{"name":"a","name":"b"}"#),
            call(r#"{"arguments":null}"#),
            // Client capabilities serde reads, or refuses, in ways of its own.
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":null}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"a":1.5}}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"a":1e2}}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"a":01}}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"a\u0062":{}}}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"a":"\n"}}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"a":}}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"a":1,}}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":[1,]}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"a" 1}}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"a":tru}}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"a":nul}}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"a":truex}}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{1:2}}}"#),
            call(r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{}"#),
            call(&format!(
                r#"{{"_meta":{{"io.modelcontextprotocol/clientCapabilities":{}{}}}}}"#,
                "[".repeat(40),
                "]".repeat(40)
            )),
            call(r#"{"arguments":{"a":}}"#),
            call(r#"{"arguments":{"a":1}"#),
            call(r#"{"ref":{"type":"ref/prompt","name":"p"}}"#),
            call("null"),
            call("[]"),
            call(r#"{"name":"a",}"#),
            // The envelope.
            r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#.into(),
            r#"{"jsonrpc":"2.0","id":1e3,"method":"ping"}"#.into(),
            r#"{"jsonrpc":"2.0","id":01,"method":"ping"}"#.into(),
            r#"{"jsonrpc":"2.0","id":-,"method":"ping"}"#.into(),
            r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#.into(),
            r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#.into(),
            r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#.into(),
            r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#.into(),
            r#"{"id":1,"method":"ping"}"#.into(),
            r#"{"jsonrpc":"2.0","id":1}"#.into(),
            r#"{"jsonrpc":"2.0","id":1,"result":{}}"#.into(),
            r#"{"jsonrpc":"2.0","id":1,"method":"ping"} x"#.into(),
            r#"{"jsonrpc":"2.0","id":1,"method":"ping""#.into(),
            r#"["2.0",1,"ping"]"#.into(),
            "\u{feff}{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}".into(),
            String::new(),
        ] {
            assert!(plain(&text).is_none(), "{text}");
        }
    }
}
