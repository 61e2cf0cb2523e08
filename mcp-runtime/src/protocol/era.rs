//! The era a request belongs to, as its body tells it: what every transport reads the same way
//! (HTTP adds its header checks on top).

use http::StatusCode;
use serde_json::json;

use super::{Era, ErrorCode, Params, ProtocolVersion, RpcError};

/// The revision a request's `_meta` names, checked: one this server speaks, and for the
/// 2026-07-28 era with the client's capabilities beside it. `None` when the body names none
/// (a 2025-era request).
pub(crate) fn requested(params: &Params<'_>) -> Result<Option<ProtocolVersion>, RpcError> {
    let Some(requested) = params.meta_version() else {
        return Ok(None);
    };
    let version = supported(requested)?;
    let capabilities = params.meta.as_ref().and_then(|m| m.client_capabilities);
    if version.era() == Era::Modern && capabilities.is_none() {
        return Err(missing_meta("io.modelcontextprotocol/clientCapabilities"));
    }
    Ok(Some(version))
}

/// The revision named `requested`, or the error listing those the server speaks.
pub(crate) fn supported(requested: &str) -> Result<ProtocolVersion, RpcError> {
    ProtocolVersion::from_wire(requested).ok_or_else(|| {
        RpcError::new(
            ErrorCode::UNSUPPORTED_VERSION,
            "Unsupported protocol version",
        )
        .with_status(StatusCode::BAD_REQUEST)
        .with_data(json!({
            "supported": ProtocolVersion::supported(None).collect::<Vec<_>>(),
            "requested": requested,
        }))
    })
}

/// The error for a 2026-07-28 request whose `_meta` lacks `key`.
pub(crate) fn missing_meta(key: &str) -> RpcError {
    RpcError::invalid_params(format!("the request's `_meta` must contain `{key}`"))
        .with_status(StatusCode::BAD_REQUEST)
}
