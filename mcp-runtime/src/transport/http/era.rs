//! Decides each request's era from its envelope, and checks the 2026-07-28 header rules.

use http::HeaderValue;

use crate::protocol::mirror::{self, mismatch};
use crate::protocol::{era, Params, ProtocolVersion, RpcError};

use super::headers::{RequestHeaders, METHOD, NAME, PROTOCOL_VERSION};

/// The revision a request is served under.
///
/// A request whose `_meta` names a revision is a 2026-07-28-era request, and its headers must
/// agree with its body. Anything else is a legacy request, at the revision of its
/// `MCP-Protocol-Version` header (`2025-03-26` without one).
pub(crate) fn classify(
    headers: &RequestHeaders<'_>,
    method: &str,
    params: &Params<'_>,
) -> Result<ProtocolVersion, RpcError> {
    if let Some(requested) = params.meta_version() {
        // The header must repeat the body's version before the version itself is judged.
        agree(
            "MCP-Protocol-Version",
            headers.protocol_version,
            &PROTOCOL_VERSION,
            requested,
        )?;
        let version = era::requested(params)?.expect("the body names a version");
        if version.era() == crate::protocol::Era::Modern {
            check_modern(headers, method, params)?;
        }
        return Ok(version);
    }
    let header = header(headers.protocol_version, &PROTOCOL_VERSION)?;
    if method == "initialize" {
        return Ok(ProtocolVersion::DEFAULT_LEGACY);
    }
    match header {
        None => Ok(ProtocolVersion::DEFAULT_LEGACY),
        Some(h) => {
            let version = era::supported(h)?;
            if version.era() == crate::protocol::Era::Modern {
                return Err(era::missing_meta("io.modelcontextprotocol/protocolVersion"));
            }
            Ok(version)
        }
    }
}

fn check_modern(
    headers: &RequestHeaders<'_>,
    method: &str,
    params: &Params<'_>,
) -> Result<(), RpcError> {
    agree("Mcp-Method", headers.method, &METHOD, method)?;
    let name = match method {
        "tools/call" | "prompts/get" => params.name.as_deref(),
        "resources/read" => params.uri.as_deref(),
        "tasks/get" | "tasks/update" | "tasks/cancel" => params.task_id.as_deref(),
        _ => return Ok(()),
    };
    if let Some(name) = name {
        if repeats(headers.name, name) {
            return Ok(());
        }
        let sent = header(headers.name, &NAME)?
            .map(mirror::decode)
            .transpose()?;
        match_header("Mcp-Name", sent.as_deref(), name)?;
    }
    Ok(())
}

/// Checks that the header `name` repeats the body's `body`.
fn agree(
    label: &str,
    value: Option<&HeaderValue>,
    name: &http::HeaderName,
    body: &str,
) -> Result<(), RpcError> {
    if repeats(value, body) {
        return Ok(());
    }
    match_header(label, header(value, name)?, body)
}

/// Whether a header is the body's value byte for byte (what clients send): plain ASCII, and not
/// an encoded `=?base64?` value, so that decoding it could change nothing.
fn repeats(value: Option<&HeaderValue>, body: &str) -> bool {
    value.is_some_and(|v| v.as_bytes() == body.as_bytes())
        && body.is_ascii()
        && !body.starts_with("=?base64?")
}

fn header<'h>(
    value: Option<&'h HeaderValue>,
    name: &http::HeaderName,
) -> Result<Option<&'h str>, RpcError> {
    value
        .map(|v| {
            v.to_str()
                .map_err(|_| mismatch(format!("the {name} header is not valid ASCII")))
        })
        .transpose()
}

fn match_header(name: &str, sent: Option<&str>, body: &str) -> Result<(), RpcError> {
    match sent {
        None => Err(mismatch(format!(
            "Header mismatch: the {name} header is required"
        ))),
        Some(sent) if sent != body => Err(mismatch(format!(
            "Header mismatch: {name} header value '{sent}' does not match body value '{body}'"
        ))),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ErrorCode;
    use http::{HeaderMap, StatusCode};
    use serde_json::value::RawValue;

    fn classify_with(
        headers: &[(&'static str, &str)],
        method: &str,
        params: &str,
    ) -> Result<ProtocolVersion, RpcError> {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        let raw: Box<RawValue> = RawValue::from_string(params.into()).unwrap();
        let params = Params::parse(Some(&raw)).unwrap();
        classify(&RequestHeaders::read(&map), method, &params)
    }

    const META: &str = r#""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#;

    #[test]
    fn modern_requests_need_matching_headers() {
        let call = format!(r#"{{{META},"name":"add"}}"#);
        let ok = [
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
            ("mcp-name", "add"),
        ];
        assert_eq!(
            classify_with(&ok, "tools/call", &call).unwrap(),
            ProtocolVersion::V2026_07_28
        );
        let code =
            |h: &[(&'static str, &str)]| classify_with(h, "tools/call", &call).unwrap_err().code;
        assert_eq!(code(&ok[..2]), ErrorCode::HEADER_MISMATCH);
        assert_eq!(
            code(&[ok[0], ok[1], ("mcp-name", "sub")]),
            ErrorCode::HEADER_MISMATCH
        );
        assert_eq!(
            code(&[ok[0], ("mcp-method", "tools/list"), ok[2]]),
            ErrorCode::HEADER_MISMATCH
        );
        assert_eq!(
            code(&[("mcp-protocol-version", "2025-06-18"), ok[1], ok[2]]),
            ErrorCode::HEADER_MISMATCH
        );
        let encoded = [ok[0], ok[1], ("mcp-name", "=?base64?YWRk?=")];
        assert!(classify_with(&encoded, "tools/call", &call).is_ok());
        // A body value that looks encoded is compared with the header decoded, never taken
        // as repeated byte for byte.
        let read = format!(r#"{{{META},"uri":"=?base64?YWRk?="}}"#);
        let literal = [
            ok[0],
            ("mcp-method", "resources/read"),
            ("mcp-name", "=?base64?YWRk?="),
        ];
        assert_eq!(
            classify_with(&literal, "resources/read", &read)
                .unwrap_err()
                .code,
            ErrorCode::HEADER_MISMATCH
        );
    }

    #[test]
    fn a_header_that_disagrees_with_meta_is_a_mismatch_before_an_unsupported_version() {
        let e = classify_with(&[("mcp-protocol-version", "2026-07-28")], "server/discover", r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"v999.0.0","io.modelcontextprotocol/clientCapabilities":{}}}"#).unwrap_err();
        assert_eq!(
            (e.code, e.status),
            (ErrorCode::HEADER_MISMATCH, StatusCode::BAD_REQUEST)
        );
    }

    #[test]
    fn version_and_meta_errors() {
        let e = classify_with(
            &[("mcp-protocol-version", "1900-01-01")],
            "tools/list",
            r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"1900-01-01"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::UNSUPPORTED_VERSION);
        assert_eq!(e.data.unwrap()["requested"], "1900-01-01");
        let e = classify_with(
            &[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/list"),
            ],
            "tools/list",
            r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.status),
            (ErrorCode::INVALID_PARAMS, StatusCode::BAD_REQUEST)
        );
        let e = classify_with(
            &[("mcp-protocol-version", "2026-07-28")],
            "tools/list",
            "{}",
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::INVALID_PARAMS);
    }

    #[test]
    fn legacy_requests_follow_the_header() {
        assert_eq!(
            classify_with(&[], "tools/list", "{}").unwrap(),
            ProtocolVersion::V2025_03_26
        );
        assert_eq!(
            classify_with(
                &[("mcp-protocol-version", "2025-06-18")],
                "tools/list",
                "{}"
            )
            .unwrap(),
            ProtocolVersion::V2025_06_18
        );
        assert_eq!(
            classify_with(
                &[("mcp-protocol-version", "2024-01-01")],
                "tools/list",
                "{}"
            )
            .unwrap_err()
            .status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            classify_with(
                &[("mcp-protocol-version", "2026-07-28")],
                "initialize",
                "{}"
            )
            .unwrap(),
            ProtocolVersion::V2025_03_26
        );
    }
}
