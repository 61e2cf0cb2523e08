//! The `Accept` header: which of the endpoint's two response types a client takes.

use http::HeaderValue;

use super::headers::RequestHeaders;

/// What a request's `Accept` header allows, read in one pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Accepted {
    /// `application/json` (a plain response).
    pub(crate) json: bool,
    /// `text/event-stream` (a streamed response).
    pub(crate) stream: bool,
}

impl Accepted {
    const BOTH: Self = Self {
        json: true,
        stream: true,
    };

    /// Reads every `Accept` header; without one, everything is acceptable.
    pub(crate) fn from_headers(headers: &RequestHeaders<'_>) -> Self {
        match headers.accept {
            None => Self::BOTH,
            Some(value) if !headers.accept_repeated => {
                Self::common(value).unwrap_or_else(|| Self::parse([value]))
            }
            Some(_) => Self::parse(headers.accept_values()),
        }
    }

    /// The values MCP clients send, recognised without parsing.
    fn common(value: &HeaderValue) -> Option<Self> {
        let (json, stream) = match value.as_bytes() {
            b"application/json, text/event-stream"
            | b"application/json,text/event-stream"
            | b"text/event-stream, application/json"
            | b"*/*" => (true, true),
            b"application/json" => (true, false),
            b"text/event-stream" => (false, true),
            _ => return None,
        };
        Some(Self { json, stream })
    }

    fn parse<'v>(values: impl IntoIterator<Item = &'v HeaderValue>) -> Self {
        let mut accepted = Self {
            json: false,
            stream: false,
        };
        // Bytes, not `str`: a header value is checked once, and a range is a few bytes.
        for range in values
            .into_iter()
            .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        {
            let mut parts = range.split(|&b| b == b';');
            let media = parts.next().unwrap_or_default().trim_ascii();
            if parts.any(refuses) {
                continue;
            }
            accepted.json |= matches(media, b"application", b"json");
            accepted.stream |= matches(media, b"text", b"event-stream");
        }
        accepted
    }
}

/// Whether the media range `range` (`type/subtype`, `type/*` or `*/*`) covers `kind/subtype`.
fn matches(range: &[u8], kind: &[u8], subtype: &[u8]) -> bool {
    let Some(slash) = range.iter().position(|&b| b == b'/') else {
        return false;
    };
    let (k, s) = (&range[..slash], &range[slash + 1..]);
    (k == b"*" && s == b"*")
        || (k.eq_ignore_ascii_case(kind) && (s == b"*" || s.eq_ignore_ascii_case(subtype)))
}

/// A `q=0` parameter: the client refuses the range it follows.
fn refuses(param: &[u8]) -> bool {
    let Some(eq) = param.iter().position(|&b| b == b'=') else {
        return false;
    };
    let (name, value) = (param[..eq].trim_ascii(), param[eq + 1..].trim_ascii());
    name.eq_ignore_ascii_case(b"q")
        && std::str::from_utf8(value)
            .ok()
            .and_then(|v| v.parse::<f32>().ok())
            .is_some_and(|q| q == 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    use http::header::ACCEPT;
    use http::HeaderMap;

    fn accepted(values: &[&str]) -> (bool, bool) {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(ACCEPT, v.parse().unwrap());
        }
        let a = Accepted::from_headers(&RequestHeaders::read(&headers));
        // The common values' shortcut agrees with the parse.
        if let [one] = values {
            let parsed = Accepted::parse([&one.parse().unwrap()]);
            assert_eq!(parsed, a, "{one}");
        }
        (a.json, a.stream)
    }

    #[test]
    fn ranges_wildcards_parameters_and_refusals() {
        assert_eq!(accepted(&[]), (true, true));
        assert_eq!(
            accepted(&["application/json, text/event-stream"]),
            (true, true)
        );
        assert_eq!(accepted(&["application/json"]), (true, false));
        assert_eq!(accepted(&["text/event-stream"]), (false, true));
        assert_eq!(
            accepted(&["application/json", "text/event-stream"]),
            (true, true)
        );
        assert_eq!(accepted(&["*/*"]), (true, true));
        assert_eq!(
            accepted(&["text/event-stream, application/json"]),
            (true, true)
        );
        assert_eq!(
            accepted(&["application/json,text/event-stream"]),
            (true, true)
        );
        assert_eq!(accepted(&["application/*;q=0.5"]), (true, false));
        assert_eq!(
            accepted(&["TEXT/Event-Stream; charset=utf-8"]),
            (false, true)
        );
        assert_eq!(accepted(&["application/json;q=0, text/*"]), (false, true));
        assert_eq!(accepted(&["application/json; q = 0.0"]), (false, false));
        assert_eq!(accepted(&["application/json;q=0.001"]), (true, false));
        assert_eq!(accepted(&["application/jsonx, text/html"]), (false, false));
        assert_eq!(accepted(&["application"]), (false, false));
    }
}
