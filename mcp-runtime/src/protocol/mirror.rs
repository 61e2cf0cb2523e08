//! How values in the request body are mirrored into HTTP headers (2026-07-28): the `Mcp-Name`
//! and `Mcp-Param-{Name}` values, plain or as `=?base64?…?=`, and the error a header that
//! disagrees with the body gets.

use std::borrow::Cow;

use base64::Engine as _;
use http::StatusCode;

use super::{ErrorCode, RpcError};

/// The `HeaderMismatch` error (-32020, HTTP 400).
pub(crate) fn mismatch(message: String) -> RpcError {
    RpcError::new(ErrorCode::HEADER_MISMATCH, message).with_status(StatusCode::BAD_REQUEST)
}

/// A header value with the optional whitespace around it removed (RFC 9110, section 5.5).
pub(crate) fn trim(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}

/// Decodes a header value written as `=?base64?…?=` (how a client sends a value that is not
/// plain ASCII, has whitespace at either end, or looks like an encoded value). The base64 must
/// be canonical (standard alphabet, padded) and decode to UTF-8. Any other value is literal.
pub(crate) fn decode(value: &str) -> Result<Cow<'_, str>, RpcError> {
    let Some(encoded) = value
        .strip_prefix("=?base64?")
        .and_then(|v| v.strip_suffix("?="))
    else {
        return Ok(Cow::Borrowed(value));
    };
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(Cow::Owned)
        .ok_or_else(|| {
            mismatch(format!(
                "Header mismatch: the header value `{value}` is not valid base64 UTF-8"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_unless_wrapped_and_canonical() {
        assert_eq!(decode("us-west1").unwrap(), "us-west1");
        assert_eq!(decode("=?base64?SGVsbG8=?=").unwrap(), "Hello");
        assert_eq!(decode("=?base64?5LiW55WM?=").unwrap(), "世界");
        // Half a wrapper is a literal value.
        assert_eq!(decode("=?base64?SGVsbG8=").unwrap(), "=?base64?SGVsbG8=");
        assert_eq!(decode("SGVsbG8=?=").unwrap(), "SGVsbG8=?=");
        // Missing padding, characters outside the alphabet, bytes that are not UTF-8.
        for bad in [
            "=?base64?SGVsbG8?=",
            "=?base64?SGVs!!!bG8=?=",
            "=?base64?/w==?=",
        ] {
            let error = decode(bad).unwrap_err();
            assert_eq!(error.code, ErrorCode::HEADER_MISMATCH, "{bad}");
            assert_eq!(error.status, StatusCode::BAD_REQUEST);
        }
        assert_eq!(trim(" \tRegion \t"), "Region");
    }
}
