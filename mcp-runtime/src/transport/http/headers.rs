//! The request headers the endpoint reads, picked out of the header map in one pass.

use http::header::{HeaderName, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HOST, ORIGIN};
use http::{HeaderMap, HeaderValue, StatusCode};

use crate::protocol::RpcError;

pub(crate) const SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
pub(crate) const PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
pub(crate) const METHOD: HeaderName = HeaderName::from_static("mcp-method");
pub(crate) const NAME: HeaderName = HeaderName::from_static("mcp-name");
const FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// The first value of each header the endpoint reads.
///
/// One walk over a request's few headers costs less than a hashed lookup per name, and every
/// check reads the same values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestHeaders<'a> {
    map: &'a HeaderMap,
    pub(crate) host: Option<&'a HeaderValue>,
    pub(crate) forwarded_host: Option<&'a HeaderValue>,
    pub(crate) origin: Option<&'a HeaderValue>,
    pub(crate) content_type: Option<&'a HeaderValue>,
    pub(crate) content_length: Option<&'a HeaderValue>,
    pub(crate) accept: Option<&'a HeaderValue>,
    /// Whether the request has more than one `Accept` header.
    pub(crate) accept_repeated: bool,
    pub(crate) session_id: Option<&'a HeaderValue>,
    pub(crate) last_event_id: Option<&'a HeaderValue>,
    pub(crate) protocol_version: Option<&'a HeaderValue>,
    pub(crate) method: Option<&'a HeaderValue>,
    pub(crate) name: Option<&'a HeaderValue>,
    /// The first header that may appear once but appeared again.
    repeated: Option<&'a HeaderName>,
}

impl<'a> RequestHeaders<'a> {
    /// Picks the endpoint's headers out of `map`.
    pub(crate) fn read(map: &'a HeaderMap) -> Self {
        let mut h = Self {
            map,
            host: None,
            forwarded_host: None,
            origin: None,
            content_type: None,
            content_length: None,
            accept: None,
            accept_repeated: false,
            session_id: None,
            last_event_id: None,
            protocol_version: None,
            method: None,
            name: None,
            repeated: None,
        };
        for (name, value) in map {
            // The headers every request has come first.
            let slot = if *name == HOST {
                &mut h.host
            } else if *name == CONTENT_TYPE {
                &mut h.content_type
            } else if *name == ACCEPT {
                // A list header: its values are read together.
                h.accept_repeated |= h.accept.is_some();
                h.accept.get_or_insert(value);
                continue;
            } else if *name == CONTENT_LENGTH {
                &mut h.content_length
            } else if *name == PROTOCOL_VERSION {
                &mut h.protocol_version
            } else if *name == SESSION_ID {
                &mut h.session_id
            } else if *name == METHOD {
                &mut h.method
            } else if *name == NAME {
                &mut h.name
            } else if *name == ORIGIN {
                &mut h.origin
            } else if *name == FORWARDED_HOST {
                &mut h.forwarded_host
            } else if *name == LAST_EVENT_ID {
                &mut h.last_event_id
            } else {
                continue;
            };
            if slot.is_some() {
                h.repeated.get_or_insert(name);
            }
            slot.get_or_insert(value);
        }
        h
    }

    /// Refuses a request that repeats a header that may appear once (`Host`, `Content-Type`,
    /// `Origin`, the `Mcp-*` headers...) or lists several hosts in `Host`: two readers taking
    /// different copies (a proxy the last, this server the first) would disagree about the
    /// request.
    pub(crate) fn check_singletons(&self) -> Result<(), RpcError> {
        let refuse = |message: String| {
            Err(RpcError::invalid_request(message).with_status(StatusCode::BAD_REQUEST))
        };
        if let Some(name) = self.repeated {
            return refuse(format!("the {name} header may appear only once"));
        }
        for (name, value) in [
            ("host", self.host),
            ("x-forwarded-host", self.forwarded_host),
        ] {
            if value.is_some_and(|v| v.as_bytes().contains(&b',')) {
                return refuse(format!("the {name} header must name exactly one host"));
            }
        }
        Ok(())
    }

    /// Every `Accept` header's value, in order.
    pub(crate) fn accept_values(&self) -> impl Iterator<Item = &'a HeaderValue> {
        self.map.get_all(ACCEPT).iter()
    }

    /// A header's value as text, if it is visible ASCII.
    pub(crate) fn text(value: Option<&'a HeaderValue>) -> Option<&'a str> {
        value.and_then(|v| v.to_str().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_value_of_each_name_in_any_case() {
        let mut map = HeaderMap::new();
        map.append("Host", HeaderValue::from_static("localhost"));
        map.append(
            "MCP-Protocol-Version",
            HeaderValue::from_static("2025-06-18"),
        );
        map.append(
            "mcp-protocol-version",
            HeaderValue::from_static("2026-07-28"),
        );
        map.append("Accept", HeaderValue::from_static("application/json"));
        map.append("X-Other", HeaderValue::from_static("x"));
        map.append("x-other", HeaderValue::from_static("y"));
        let h = RequestHeaders::read(&map);
        assert_eq!(h.host.unwrap(), "localhost");
        assert_eq!(h.protocol_version.unwrap(), "2025-06-18");
        let refused = h.check_singletons().unwrap_err();
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(
            refused.message.contains("mcp-protocol-version"),
            "{}",
            refused.message
        );
        assert!(!h.accept_repeated);
        assert!(h.origin.is_none() && h.session_id.is_none());
        map.append("accept", HeaderValue::from_static("text/event-stream"));
        let h = RequestHeaders::read(&map);
        assert!(h.accept_repeated);
        assert_eq!(h.accept_values().count(), 2);
    }

    #[test]
    fn singletons_may_appear_once() {
        let read = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (k, v) in pairs {
                map.append(*k, HeaderValue::from_static(v));
            }
            let headers = RequestHeaders::read(&map);
            headers
                .check_singletons()
                .map_err(|e| e.message.into_owned())
        };
        assert!(read(&[
            ("host", "a"),
            ("accept", "x"),
            ("accept", "y"),
            ("x-y", "1"),
            ("x-y", "2")
        ])
        .is_ok());
        for name in [
            "host",
            "content-type",
            "content-length",
            "origin",
            "mcp-protocol-version",
            "mcp-method",
            "mcp-name",
            "mcp-session-id",
            "last-event-id",
            "x-forwarded-host",
        ] {
            let error = read(&[(name, "1"), (name, "1")]).unwrap_err();
            assert!(error.contains(name), "{name}: {error}");
        }
        assert!(read(&[("host", "localhost, evil.com")]).is_err());
        assert!(read(&[("x-forwarded-host", "a.example, b.example")]).is_err());
    }
}
