//! The scopes handlers declare (`#[tool(scopes = [...])]`), checked against the caller.

use super::Principal;
use crate::protocol::{ErrorCode, RpcError};

/// Who a call is made by, as the scope checks see it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Caller<'a> {
    /// A caller the token (or the application) identified, with its scopes.
    Known(&'a Principal),
    /// The user who started the process, over a local transport (stdio): credentials there
    /// come from the environment, not from the protocol.
    Local,
    /// Nobody identified the caller.
    Anonymous,
}

impl<'a> Caller<'a> {
    /// The caller of a request.
    pub(crate) fn of(request: &crate::extract::RequestParts<'a>) -> Self {
        match request.principal() {
            Some(principal) => Self::Known(principal),
            None if request.is_local() => Self::Local,
            None => Self::Anonymous,
        }
    }

    /// Whether the caller may use a handler needing `required`: `Err` names the first scope
    /// it lacks. An anonymous caller lacks every scope; a local one has them all.
    pub(crate) fn permit(&self, required: &'static [&'static str]) -> Result<(), &'static str> {
        let missing = match self {
            _ if required.is_empty() => None,
            Self::Known(principal) => principal.missing(required),
            Self::Local => None,
            Self::Anonymous => required.first().copied(),
        };
        missing.map_or(Ok(()), Err)
    }
}

/// What a handler the caller lacks a scope for answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Unpermitted {
    /// HTTP 403 with `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` (and
    /// JSON-RPC code -32003), naming the scopes the handler needs, so a client can ask the
    /// authorization server for them and try again (step-up authorization). The default: the
    /// scopes a server uses are public in its protected resource metadata anyway.
    #[default]
    InsufficientScope,
    /// The same error as a name (or URI) that does not exist, so a caller cannot learn what
    /// it may not use.
    NotFound,
}

/// The error for a handler needing `required`, which the caller lacks: a 403 whose challenge
/// names every scope the handler needs.
pub(crate) fn insufficient_scope(kind: &str, name: &str, required: &[&str]) -> RpcError {
    let scopes = required.join(" ");
    RpcError::new(
        ErrorCode::INSUFFICIENT_SCOPE,
        format!(
            "the {kind} `{name}` needs the scope(s) `{scopes}`, which the caller was not granted"
        ),
    )
    .with_status(http::StatusCode::FORBIDDEN)
    .with_data(serde_json::json!({ "requiredScopes": required }))
    .with_scope_challenge(scopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRITE: &[&str] = &["notes:read", "notes:write"];

    #[test]
    fn a_caller_needs_every_scope_a_handler_declares() {
        let reader = Principal::new("alice").with_scopes(["notes:read"]);
        let writer = reader.clone().with_scopes(["notes:read", "notes:write"]);
        assert_eq!(Caller::Known(&reader).permit(WRITE), Err("notes:write"));
        assert_eq!(Caller::Known(&writer).permit(WRITE), Ok(()));
        assert_eq!(Caller::Known(&reader).permit(&[]), Ok(()));
    }

    #[test]
    fn nobody_lacks_nothing_and_the_local_user_has_everything() {
        assert_eq!(Caller::Anonymous.permit(WRITE), Err("notes:read"));
        assert_eq!(Caller::Anonymous.permit(&[]), Ok(()));
        assert_eq!(Caller::Local.permit(WRITE), Ok(()));
    }

    #[test]
    fn the_refusal_names_every_scope_and_challenges_for_them() {
        let error = insufficient_scope("tool", "write", WRITE);
        assert_eq!(error.status, http::StatusCode::FORBIDDEN);
        assert_eq!(error.code, ErrorCode::INSUFFICIENT_SCOPE);
        assert_eq!(
            error.challenge(),
            Some(&crate::protocol::Challenge::Scope(
                "notes:read notes:write".into()
            ))
        );
    }
}
