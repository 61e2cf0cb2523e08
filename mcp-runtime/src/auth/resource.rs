//! The HTTP side of an OAuth 2.1 resource server: bearer tokens read from requests, the
//! protected resource metadata (RFC 9728), and the `WWW-Authenticate` challenges that lead a
//! client to it.

use http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, AUTHORIZATION, CACHE_CONTROL};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::Serialize;

use super::authenticator::{Authenticator, Rejection};
use super::{OAuth, Principal};
use crate::protocol::{ErrorCode, RpcError};

/// The well-known path prefix of protected resource metadata (RFC 9728, section 3).
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// An endpoint protected by OAuth: who its tokens must come from and be for, and where its
/// metadata is.
#[derive(Debug)]
pub(crate) struct ResourceServer {
    authenticator: Authenticator,
    /// The metadata's paths on this server: with the resource's path inserted (RFC 9728), and
    /// at the root (which clients of the 2025-06-18 revision try).
    metadata_paths: [String; 2],
    /// `resource_metadata="..."`, the parameter every challenge carries.
    metadata_parameter: String,
}

/// Protected resource metadata (RFC 9728, section 2).
#[derive(Serialize)]
struct Metadata<'a> {
    resource: &'a str,
    authorization_servers: [&'a str; 1],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    scopes_supported: &'a [&'a str],
    bearer_methods_supported: [&'a str; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_name: Option<&'a str>,
}

impl ResourceServer {
    /// The resource server `oauth` describes.
    pub(crate) fn new(oauth: OAuth) -> Result<Self, crate::Error> {
        let authenticator =
            Authenticator::new(oauth).map_err(|e| crate::Error::Config(e.to_string()))?;
        let resource: http::Uri =
            authenticator.oauth().resource().parse().map_err(|e| {
                crate::Error::Config(format!("the OAuth resource is not a URI: {e}"))
            })?;
        let (Some(scheme), Some(authority)) = (resource.scheme_str(), resource.authority()) else {
            return Err(crate::Error::Config(
                "the OAuth resource must be an absolute URI, such as https://mcp.example.com/mcp"
                    .into(),
            ));
        };
        let path = resource.path().trim_end_matches('/');
        let inserted = format!("{WELL_KNOWN}{path}");
        let metadata_parameter = format!("resource_metadata=\"{scheme}://{authority}{inserted}\"");
        HeaderValue::from_str(&metadata_parameter)
            .map_err(|_| crate::Error::Config("the OAuth resource is not a valid URI".into()))?;
        Ok(Self {
            authenticator,
            metadata_paths: [inserted, WELL_KNOWN.to_owned()],
            metadata_parameter,
        })
    }

    /// Whether `path` is where this server's metadata is served.
    pub(crate) fn serves_metadata(&self, path: &str) -> bool {
        self.metadata_paths.iter().any(|p| p == path)
    }

    /// The metadata paths, for mounting in a router.
    pub(crate) fn metadata_paths(&self) -> &[String] {
        &self.metadata_paths
    }

    /// The metadata document, naming `scopes` (every scope a handler needs) and `name` (the
    /// server's).
    pub(crate) fn metadata(&self, scopes: &[&str], name: &str) -> axum::response::Response {
        let oauth = self.authenticator.oauth();
        let metadata = Metadata {
            resource: oauth.resource(),
            authorization_servers: [oauth.issuer()],
            scopes_supported: scopes,
            bearer_methods_supported: ["header"],
            resource_name: (!name.is_empty()).then_some(name),
        };
        let body = serde_json::to_vec(&metadata).expect("metadata serializes");
        let mut response = axum::response::Response::new(axum::body::Body::from(body));
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        // Public, and read by clients running in browsers on other origins.
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("max-age=300"));
        response
    }

    /// The caller a request's bearer token establishes, or the error to answer with (401 with
    /// a challenge, 400 for a malformed header, 503 when the authorization server cannot be
    /// reached).
    pub(crate) async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, RpcError> {
        let token = bearer(headers).map_err(|reason| {
            let message =
                reason.unwrap_or("this server needs a bearer token (Authorization: Bearer ...)");
            // RFC 6750, section 3.1: a request that sent no token gets no error code.
            let error = reason.map(|r| ("invalid_token", "error_description", r));
            unauthorized(message, challenge(error, Some(self)))
        })?;
        if let Some(principal) = self.authenticator.remembered(token) {
            return Ok(principal);
        }
        // Boxed: checking a new token may fetch keys or introspect (TLS, HTTP), a future far
        // larger than the request's own, which every request's future would otherwise carry
        // (and move) whether the server checks tokens or not.
        Box::pin(self.authenticator.authenticate(token))
            .await
            .map_err(|rejection| self.rejected(&rejection))
    }

    fn rejected(&self, rejection: &Rejection) -> RpcError {
        let description = rejection.description();
        if rejection.is_unavailable() {
            return RpcError::new(
                ErrorCode::INTERNAL_ERROR,
                format!("the token cannot be checked now: {description}"),
            )
            .with_status(StatusCode::SERVICE_UNAVAILABLE)
            .with_retry_after(std::time::Duration::from_secs(5));
        }
        let error = ("invalid_token", "error_description", description);
        unauthorized(description, challenge(Some(error), Some(self)))
    }
}

/// The challenge of a 403: the caller needs `scopes` (space-separated). With `server`, it
/// points at the metadata; without (a principal the application's own middleware set), there
/// is none to point at.
pub(crate) fn insufficient_scope(scopes: &str, server: Option<&ResourceServer>) -> HeaderValue {
    challenge(Some(("insufficient_scope", "scope", scopes)), server)
}

/// `WWW-Authenticate: Bearer` with `error` (its code, and the name and text of the parameter
/// that goes with it) and, with `server`, where its metadata is.
fn challenge(error: Option<(&str, &str, &str)>, server: Option<&ResourceServer>) -> HeaderValue {
    let mut parameters = Vec::with_capacity(3);
    if let Some((code, name, text)) = error {
        parameters.push(format!("error=\"{code}\""));
        parameters.push(format!("{name}=\"{}\"", quotable(text)));
    }
    if let Some(server) = server {
        parameters.push(server.metadata_parameter.clone());
    }
    let value = format!("Bearer {}", parameters.join(", "));
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
}

/// A 401 (-32004) with `challenge`.
fn unauthorized(message: &str, challenge: HeaderValue) -> RpcError {
    RpcError::new(ErrorCode::UNAUTHORIZED, message.to_owned())
        .with_status(StatusCode::UNAUTHORIZED)
        .with_challenge(challenge)
}

/// A quoted-string's content: `"` and `\` (which descriptions and scopes never hold) and
/// control characters left out.
fn quotable(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '"' | '\\') && !c.is_control())
        .collect()
}

/// The bearer token of `Authorization: Bearer <token>` (RFC 6750, section 2.1): `Err(None)`
/// when the request has none, `Err(Some(reason))` when the header is malformed. (The token's
/// own length and syntax are the authenticator's to judge.)
fn bearer(headers: &HeaderMap) -> Result<&str, Option<&'static str>> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(None)?;
    if values.next().is_some() {
        return Err(Some("the request has more than one Authorization header"));
    }
    let value = value.as_bytes();
    let (scheme, token) = value
        .iter()
        .position(|&b| b == b' ')
        .map(|i| value.split_at(i))
        .ok_or(Some("the Authorization header must be `Bearer <token>`"))?;
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return Err(Some("the Authorization header must use the Bearer scheme"));
    }
    let token = token.trim_ascii();
    match std::str::from_utf8(token) {
        Ok(token) if !token.is_empty() => Ok(token),
        _ => Err(Some("the bearer token is malformed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn bearer_tokens_are_read_strictly() {
        assert_eq!(bearer(&headers(&["Bearer abc.def-ghi"])), Ok("abc.def-ghi"));
        assert_eq!(bearer(&headers(&["bearer abc=="])), Ok("abc=="));
        assert_eq!(bearer(&headers(&[])), Err(None));
        for bad in ["Basic abc", "Bearer", "Bearer  "] {
            assert!(
                matches!(bearer(&headers(&[bad])), Err(Some(_))),
                "{bad} was accepted"
            );
        }
        assert!(matches!(
            bearer(&headers(&["Bearer a", "Bearer b"])),
            Err(Some(_))
        ));
    }

    #[test]
    fn challenges_never_carry_quotes_from_their_text() {
        assert_eq!(quotable("a \"b\" \\c\n"), "a b c");
    }
}
