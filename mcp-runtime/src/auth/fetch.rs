//! Requests to the authorization server (its metadata, its keys, its introspection endpoint):
//! JSON answers of at most 1 MiB within 5 s, redirects not followed.

use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method, StatusCode};
use http_body_util::Full;
use serde::de::DeserializeOwned;

use crate::outbound::{self, Destination, Failure};

/// The longest one request may take, from name resolution to the end of the body.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The largest answer read.
const MAX_BODY: usize = 1024 * 1024;

/// Why the authorization server gave no usable answer. For logs: it names no token.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    /// No answer: resolution, connection, TLS, timeout, or an oversized body.
    #[error("{0}")]
    Outbound(#[from] Failure),
    /// An answer other than 200 (a redirect among them: none is followed).
    #[error("it answered {0}")]
    Status(StatusCode),
    /// A 200 whose body is not the JSON expected.
    #[error("its answer is not the JSON expected: {0}")]
    Json(#[from] serde_json::Error),
}

/// GETs the JSON document at `destination`.
pub(crate) async fn get_json<T: DeserializeOwned>(
    destination: &Destination,
) -> Result<T, FetchError> {
    let request = outbound::request(Method::GET, destination)
        .header(ACCEPT, "application/json")
        .body(Full::new(Bytes::new()))
        .expect("a request from a checked URL and fixed headers is valid");
    json(destination, request).await
}

/// POSTs the `application/x-www-form-urlencoded` `form` to `destination` with the
/// `authorization` header, and reads the JSON answer.
pub(crate) async fn post_form<T: DeserializeOwned>(
    destination: &Destination,
    authorization: &HeaderValue,
    form: String,
) -> Result<T, FetchError> {
    let request = outbound::request(Method::POST, destination)
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(AUTHORIZATION, authorization)
        .body(Full::new(Bytes::from(form)))
        .expect("a request from a checked URL and fixed headers is valid");
    json(destination, request).await
}

async fn json<T: DeserializeOwned>(
    destination: &Destination,
    request: http::Request<Full<Bytes>>,
) -> Result<T, FetchError> {
    let response = outbound::send(destination, request, MAX_BODY, TIMEOUT).await?;
    if response.status != StatusCode::OK {
        return Err(FetchError::Status(response.status));
    }
    Ok(serde_json::from_slice(&response.body)?)
}
