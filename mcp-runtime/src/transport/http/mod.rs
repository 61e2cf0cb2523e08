//! The Streamable HTTP endpoint: one POST route serving both eras, with its guards.

mod era;
pub(crate) mod guard;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use http::header::{ACCEPT, ALLOW, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::dispatch::{Call, Outcome};
use crate::endpoint::Endpoint;
use crate::protocol::{error_body, ErrorCode, Message, Params, RequestId, RpcError};

/// The axum router serving `endpoint` at `path`.
pub(crate) fn router(endpoint: Arc<Endpoint>, path: &str) -> Router {
    Router::new()
        .route(
            path,
            post(handle_post)
                .get(method_not_allowed)
                .delete(method_not_allowed),
        )
        .with_state(endpoint)
}

async fn handle_post(State(endpoint): State<Arc<Endpoint>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Err(refusal) = endpoint.guard.check(&parts.headers, &parts.uri) {
        return error_response(None, &refused(StatusCode::FORBIDDEN, refusal.to_string()));
    }
    if let Err(e) = check_content_type(&parts.headers) {
        return error_response(None, &e);
    }
    if let Err(e) = check_accept(&parts.headers) {
        return error_response(None, &e);
    }
    let body = match read_body(&parts.headers, body, endpoint.body_limit).await {
        Ok(body) => body,
        Err(e) => return error_response(None, &e),
    };
    let message = match Message::parse(&body) {
        Ok(m) => m,
        Err(e) => return error_response(None, &e),
    };
    let Some(method) = message.method.as_deref() else {
        // A response to a server-to-client request; a stateless server has none outstanding.
        return StatusCode::ACCEPTED.into_response();
    };
    let id = message.id.as_ref();
    let params = match Params::parse(message.params) {
        Ok(p) => p,
        Err(e) => return error_response(id, &e),
    };
    let version = match era::classify(&parts.headers, method, &params) {
        Ok(v) => v,
        Err(e) => return error_response(id, &e),
    };
    let call = Call {
        id: message.id.clone(),
        method,
        params,
        version,
        accepts_stream: accepts(&parts.headers, "text/event-stream"),
    };
    match endpoint.dispatch(call).await {
        Outcome::Reply(body) => json_response(StatusCode::OK, body),
        Outcome::Error(e) => error_response(message.id.as_ref(), &e),
        Outcome::Accepted => StatusCode::ACCEPTED.into_response(),
        Outcome::Stream(events) => event_stream(events),
    }
}

async fn method_not_allowed() -> Response {
    let error = RpcError::new(
        ErrorCode::METHOD_NOT_FOUND,
        "this server is stateless: only POST is served on the MCP endpoint",
    )
    .with_status(StatusCode::METHOD_NOT_ALLOWED);
    let mut response = error_response(None, &error);
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("POST"));
    response
}

fn refused(status: StatusCode, message: String) -> RpcError {
    RpcError::new(ErrorCode::INVALID_REQUEST, message).with_status(status)
}

fn check_content_type(headers: &HeaderMap) -> Result<(), RpcError> {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim())
        .is_some_and(|essence| essence.eq_ignore_ascii_case("application/json"));
    if is_json {
        Ok(())
    } else {
        Err(refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the request body must have Content-Type: application/json".into(),
        ))
    }
}

/// Whether the `Accept` header allows `media_type` (an absent header allows anything).
fn accepts(headers: &HeaderMap, media_type: &str) -> bool {
    let mut values = headers.get_all(ACCEPT).iter().peekable();
    if values.peek().is_none() {
        return true;
    }
    let family = media_type.split('/').next().unwrap_or_default();
    values
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter(|range| !range.contains("q=0") || range.contains("q=0."))
        .map(|range| range.split(';').next().unwrap_or("").trim())
        .any(|range| {
            range.eq_ignore_ascii_case(media_type)
                || range == "*/*"
                || range
                    .strip_suffix("/*")
                    .is_some_and(|f| f.eq_ignore_ascii_case(family))
        })
}

/// The client must accept a JSON response.
fn check_accept(headers: &HeaderMap) -> Result<(), RpcError> {
    if accepts(headers, "application/json") {
        Ok(())
    } else {
        Err(refused(
            StatusCode::NOT_ACCEPTABLE,
            "the Accept header must allow application/json (and text/event-stream)".into(),
        ))
    }
}

async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, RpcError> {
    let too_large = || {
        refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {limit} bytes"),
        )
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(e) => Err(refused(
            StatusCode::BAD_REQUEST,
            format!("the request body could not be read: {e}"),
        )),
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn event_stream(events: crate::dispatch::EventStream) -> Response {
    let mut response = Response::new(Body::from_stream(events));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

fn error_response(id: Option<&RequestId>, error: &RpcError) -> Response {
    json_response(error.status, error_body(id, error))
}
