//! The Streamable HTTP endpoint: one POST route serving both eras, with its guards.

mod accept;
pub(crate) mod connections;
mod era;
pub(crate) mod feed;
pub(crate) mod guard;
mod headers;
pub(crate) mod reader;
mod relayed;
pub(crate) mod resumable;
pub(crate) mod socket;
mod sse;

use std::future::{ready, Future};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{BoxError, Router};
use bytes::Bytes;
use futures_util::future::Either;
use http::header::{ALLOW, CACHE_CONTROL, CONNECTION, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::dispatch::listen::{Audience, ChangeFeed};
use crate::dispatch::{Call, CallStream, Outcome, ResponseMode};
use crate::endpoint::Endpoint;
use crate::protocol::{error_body, Challenge, Era, ErrorCode, Message, RequestId, RpcError};
use crate::quota::ClientKey;
use crate::session::{Handshake, Principal, SessionRefusal};
use accept::Accepted;
use headers::{RequestHeaders, SESSION_ID};

/// What only the HTTP transport reads of the endpoint's configuration.
#[derive(Debug)]
pub(crate) struct Settings {
    /// Which hosts and origins may reach the endpoint.
    pub(crate) guard: guard::HostGuard,
    /// How long a request body may take to arrive.
    pub(crate) body_read_timeout: std::time::Duration,
    /// Whether calls answer with JSON or an event stream.
    pub(crate) response_mode: ResponseMode,
    /// How long a session call waiting for the client's answer waits for a client to come back
    /// to its stream once none is attached.
    pub(crate) resume_grace: std::time::Duration,
    /// Bearer tokens checked on every request, when the server is an OAuth resource server.
    pub(crate) auth: Option<crate::auth::ResourceServer>,
}

/// The axum router serving `endpoint` at `path` (for mounting in an application).
pub(crate) fn router(endpoint: Arc<Endpoint>, path: &str) -> Router {
    let mut router = Router::new().route(
        path,
        any(|State(endpoint), request| by_method::<Body>(endpoint, request, None)),
    );
    let metadata_paths = endpoint.http.auth.iter().flat_map(|a| a.metadata_paths());
    for metadata_path in metadata_paths {
        router = router.route(
            metadata_path,
            any(
                |State(endpoint): State<Arc<Endpoint>>, request: Request<Body>| {
                    ready(metadata(&endpoint, request.method()))
                },
            ),
        );
    }
    router.with_state(endpoint)
}

/// The protected resource metadata (RFC 9728), for `GET`, and what a browser's preflight
/// needs to read it from another origin.
fn metadata(endpoint: &Endpoint, method: &Method) -> Response {
    let Some(auth) = &endpoint.http.auth else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match *method {
        Method::GET | Method::HEAD => {
            auth.metadata(&endpoint.registry.load().scopes(), &endpoint.info.name)
        }
        Method::OPTIONS => {
            let mut response = StatusCode::NO_CONTENT.into_response();
            let headers = response.headers_mut();
            let any = HeaderValue::from_static("*");
            headers.insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, any.clone());
            headers.insert(http::header::ACCESS_CONTROL_ALLOW_HEADERS, any);
            let methods = HeaderValue::from_static("GET, HEAD, OPTIONS");
            headers.insert(http::header::ACCESS_CONTROL_ALLOW_METHODS, methods);
            response
        }
        _ => {
            let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
            let allowed = HeaderValue::from_static("GET, HEAD, OPTIONS");
            response.headers_mut().insert(ALLOW, allowed);
            response
        }
    }
}

/// A request body the endpoint can read: hyper's own (what [`Server::bind`] serves) or axum's
/// (when mounted in a router).
///
/// [`Server::bind`]: crate::Server::bind
pub(crate) trait RequestBody:
    hyper::body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static
{
}

impl<B> RequestBody for B where
    B: hyper::body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static
{
}

/// Serves one request at `path` without a router: what [`Server::bind`] serves. (axum's router
/// boxes every request's future twice and records the matched route; one path needs neither.)
///
/// [`Server::bind`]: crate::Server::bind
pub(crate) fn route<B: RequestBody>(
    endpoint: Arc<Endpoint>,
    path: &str,
    request: Request<B>,
    socket: Arc<connections::Socket>,
) -> impl Future<Output = Response> + Send {
    if request.uri().path() != path {
        let found = endpoint.http.auth.as_ref();
        let response = match found.filter(|a| a.serves_metadata(request.uri().path())) {
            Some(_) => metadata(&endpoint, request.method()),
            None => StatusCode::NOT_FOUND.into_response(),
        };
        return Either::Left(ready(response));
    }
    Either::Right(by_method(endpoint, request, Some(socket)))
}

/// The endpoint's one method table, behind both [`router`] and [`route`]. Only a POST needs a
/// future of its own; the others are answered at once.
fn by_method<B: RequestBody>(
    endpoint: Arc<Endpoint>,
    request: Request<B>,
    socket: Option<Arc<connections::Socket>>,
) -> impl Future<Output = Response> + Send {
    match *request.method() {
        Method::POST => Either::Left(handle_post(endpoint, request, socket)),
        // Rare, and they may wait for a shared session store: boxed.
        Method::GET => {
            let (mut parts, _) = request.into_parts();
            let get: Rare =
                Box::pin(async move { handle_get(&endpoint, &mut parts, socket.as_deref()).await });
            Either::Right(Either::Left(get))
        }
        Method::DELETE => {
            let (mut parts, _) = request.into_parts();
            let delete: Rare = Box::pin(async move { handle_delete(&endpoint, &mut parts).await });
            Either::Right(Either::Left(delete))
        }
        _ => Either::Right(Either::Right(ready(method_not_allowed()))),
    }
}

/// The future of a `GET` or `DELETE`.
type Rare = std::pin::Pin<Box<dyn Future<Output = Response> + Send>>;

async fn handle_post<B: RequestBody>(
    endpoint: Arc<Endpoint>,
    request: Request<B>,
    socket: Option<Arc<connections::Socket>>,
) -> Response {
    let socket = socket.as_deref();
    let (mut parts, body) = request.into_parts();
    let headers = RequestHeaders::read(&parts.headers);
    if let Err(refusal) = screen(&endpoint, &headers, &parts.uri, socket) {
        return error_response(None, &refusal);
    }
    if let Err(refusal) = authenticate(&endpoint, &parts.headers, &mut parts.extensions).await {
        return error_response(None, &refusal);
    }
    if let Err(e) = check_content_type(headers.content_type) {
        return error_response(None, &e);
    }
    let accepted = Accepted::from_headers(&headers);
    if !accepted.json {
        return error_response(
            None,
            &refused(
                StatusCode::NOT_ACCEPTABLE,
                "the Accept header must allow application/json (and text/event-stream)".into(),
            ),
        );
    }
    let body = match read_body(headers.content_length, body, &endpoint).await {
        Ok(body) => body,
        Err(e) => {
            // Part of the body may still be on its way: the connection cannot carry another
            // request.
            let mut response = error_response(None, &e);
            let close = HeaderValue::from_static("close");
            response.headers_mut().insert(CONNECTION, close);
            return response;
        }
    };
    let size = body.len();
    let message = match crate::offload::cpu_bound(size, || Message::parse(&body)) {
        Ok(m) => m,
        Err(e) => return error_response(e.id_for(&body).as_ref(), &e),
    };
    let session_id = RequestHeaders::text(headers.session_id);
    let principal = parts.extensions.get::<Principal>();
    let peer = peer(&parts.extensions, socket);
    let Some(method) = message.method.as_deref() else {
        // A response to a server-to-client request: it completes the call waiting for it.
        if let (Some(sessions), Some(id)) = (&endpoint.sessions, &message.id) {
            let session = match sessions.find_shared(session_id, principal).await {
                Ok(s) => s,
                Err(refusal) => return session_refused(refusal),
            };
            session.mark_used();
            if let Err(refusal) = session.answer(id.as_json(), &message).await {
                return session_refused(refusal);
            }
        }
        return StatusCode::ACCEPTED.into_response();
    };
    let id = message.id.as_ref();
    let params = match &message.params {
        Ok(p) => p,
        Err(e) => return error_response(id, e),
    };
    let version = match era::classify(&headers, method, params) {
        Ok(v) => v,
        Err(e) => return error_response(id, &e),
    };
    let (session, opened) = match (&endpoint.sessions, version.era()) {
        (Some(sessions), Era::Legacy) => {
            let found = if method == "initialize" && session_id.is_some() {
                Err(SessionRefusal::AlreadyInitialized)
            } else if method == "initialize" && message.id.is_some() {
                let handshake = match Handshake::read(params, size) {
                    Ok(handshake) => handshake,
                    Err(e) => return error_response(message.id.as_ref(), &e),
                };
                sessions
                    .open_shared(
                        principal,
                        ClientKey::of(principal.map(|p| p.subject()), peer),
                        handshake,
                    )
                    .await
                    .map(|s| (Some(s.clone()), Some(s)))
            } else {
                sessions.find_shared(session_id, principal).await.map(|s| {
                    if method != "notifications/initialized" {
                        s.mark_used();
                    }
                    (Some(s), None)
                })
            };
            match found {
                Ok(found) => found,
                Err(refusal) => return session_refused(refusal),
            }
        }
        _ => (None, None),
    };
    let call = Call {
        id: message.id.as_ref(),
        method,
        params,
        version,
        framing: match accepted.stream {
            true => endpoint.http.response_mode,
            false => ResponseMode::Json,
        },
        session,
        principal: principal.map(|p| p.subject().to_owned()),
        peer,
        size,
        request: crate::extract::RequestParts::new().with_http(&parts.headers, &parts.extensions),
    };
    let span = crate::trace::request_span(
        match socket {
            Some(s) if s.peer.is_none() => crate::trace::Transport::Unix,
            _ => crate::trace::Transport::Tcp,
        },
        method,
        version,
        id,
        session_id,
        params,
    );
    let outcome = if span.is_disabled() {
        endpoint.dispatch(call).await
    } else {
        crate::trace::traced(span, endpoint.dispatch(call)).await
    };
    let mut response = match outcome {
        Outcome::Reply(body) => json_response(StatusCode::OK, body),
        Outcome::Error(e) => error_response(message.id.as_ref(), &challenged(&endpoint, e)),
        Outcome::Accepted => StatusCode::ACCEPTED.into_response(),
        Outcome::Stream(stream) => call_stream(&endpoint, stream),
        Outcome::Feed(feed) => feed_response(socket, parts.version, feed),
    };
    if let Some(session) = opened {
        let id = HeaderValue::from_str(&session.id).expect("session ids are visible ASCII");
        response.headers_mut().insert(SESSION_ID, id);
    }
    response
}

/// The caller a request's bearer token establishes, put into its extensions, when the server
/// is an OAuth resource server: the error to answer with otherwise.
async fn authenticate(
    endpoint: &Endpoint,
    headers: &http::HeaderMap,
    extensions: &mut http::Extensions,
) -> Result<(), RpcError> {
    if let Some(auth) = &endpoint.http.auth {
        extensions.insert(auth.authenticate(headers).await?);
    }
    Ok(())
}

/// A dispatch error whose challenge asks for scopes, as a header (pointing at this server's
/// metadata when it is an OAuth resource server).
fn challenged(endpoint: &Endpoint, error: RpcError) -> RpcError {
    match error.challenge() {
        Some(Challenge::Scope(scopes)) => {
            let challenge = crate::auth::scope_challenge(scopes, endpoint.http.auth.as_ref());
            error.with_challenge(challenge)
        }
        _ => error,
    }
}

/// `GET` resumes a session's stream from `Last-Event-ID` (stateful servers).
async fn handle_get(
    endpoint: &Endpoint,
    request: &mut http::request::Parts,
    socket: Option<&connections::Socket>,
) -> Response {
    let Some(sessions) = &endpoint.sessions else {
        return method_not_allowed();
    };
    let headers = RequestHeaders::read(&request.headers);
    if let Err(refusal) = screen(endpoint, &headers, &request.uri, socket) {
        return error_response(None, &refusal);
    }
    if let Err(refusal) = authenticate(endpoint, &request.headers, &mut request.extensions).await {
        return error_response(None, &refusal);
    }
    if !Accepted::from_headers(&headers).stream {
        return error_response(
            None,
            &refused(
                StatusCode::NOT_ACCEPTABLE,
                "a GET stream needs Accept: text/event-stream".into(),
            ),
        );
    }
    let principal = request.extensions.get::<Principal>();
    let id = RequestHeaders::text(headers.session_id);
    let session = match sessions.find_shared(id, principal).await {
        Ok(session) => session,
        Err(refusal) => return session_refused(refusal),
    };
    session.mark_used();
    if let Some(last) = RequestHeaders::text(headers.last_event_id) {
        if let Some(events) = resumable::resume(&session, last) {
            return event_stream(events);
        }
        // A stream of a call another process runs, when the processes share sessions.
        #[cfg(feature = "redis")]
        if let Some((stream, after)) = resumable::parse_event_id(last) {
            match relayed::resume(&session, stream, after).await {
                Ok(Some(events)) => return event_stream(events),
                Ok(None) => {}
                Err(refusal) => return session_refused(refusal),
            }
        }
        // An id of another session, or of no stream, replays nothing.
        return error_response(
            None,
            &RpcError::new(
                ErrorCode::INVALID_REQUEST,
                "no stream of this session has that event id",
            )
            .with_status(StatusCode::NOT_FOUND),
        );
    }
    if !endpoint.changes {
        return method_not_allowed();
    }
    // The session's one stream of notifications not tied to a request.
    let Some(guard) = session.open_standalone() else {
        return error_response(
            None,
            &RpcError::new(
                ErrorCode::INVALID_REQUEST,
                "this session's GET stream is already open",
            )
            .with_status(StatusCode::CONFLICT),
        );
    };
    let client = ClientKey::of(
        principal.map(|p| p.subject()),
        peer(&request.extensions, socket),
    );
    let permit = match endpoint.streams.take(client) {
        Ok(permit) => permit,
        Err(exhausted) => {
            return error_response(None, &crate::dispatch::stream_refused(exhausted));
        }
    };
    // The stream ends with its session, and does not keep it alive.
    let feed = ChangeFeed::new(
        &endpoint.notifier,
        Audience::Session(Arc::downgrade(&session)),
        None,
        endpoint.shutdown.clone(),
        None,
        (guard, permit),
    );
    feed_response(socket, request.version, feed)
}

/// The peer's address: from this server's own listener, or axum's `ConnectInfo` where the
/// application serves the router (quotas count against it when no principal is known).
fn peer(
    extensions: &http::Extensions,
    socket: Option<&connections::Socket>,
) -> Option<std::net::IpAddr> {
    socket.and_then(|s| s.peer).map(|p| p.ip()).or_else(|| {
        extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
    })
}

/// The response carrying a long-lived notification stream: handed to the connection once its
/// head is out (this server's own listener), or an event-stream body (a mounted router).
fn feed_response(
    socket: Option<&connections::Socket>,
    version: http::Version,
    feed: ChangeFeed,
) -> Response {
    // A handed-off stream goes on in chunks, which HTTP/1.0 does not have.
    let handoff = socket
        .map(|s| &s.handoff)
        .filter(|_| version == http::Version::HTTP_11);
    let Some(handoff) = handoff else {
        return event_stream(feed::events(feed));
    };
    handoff.hand(feed);
    let mut response = event_response(Body::new(handoff.placeholder()));
    // The stream has the connection to itself until it ends; then the connection closes.
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// `DELETE` ends a legacy session on a stateful server; a stateless server has none.
async fn handle_delete(endpoint: &Endpoint, request: &mut http::request::Parts) -> Response {
    let Some(sessions) = &endpoint.sessions else {
        return method_not_allowed();
    };
    let headers = RequestHeaders::read(&request.headers);
    if let Err(refusal) = screen(endpoint, &headers, &request.uri, None) {
        return error_response(None, &refusal);
    }
    if let Err(refusal) = authenticate(endpoint, &request.headers, &mut request.extensions).await {
        return error_response(None, &refusal);
    }
    let id = RequestHeaders::text(headers.session_id);
    let principal = request.extensions.get::<Principal>();
    let session = match sessions.find_shared(id, principal).await {
        Ok(session) => session,
        Err(refusal) => return session_refused(refusal),
    };
    match sessions.delete(&session).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(refusal) => session_refused(refusal),
    }
}

/// The checks every request passes before anything else is read: headers that may appear once
/// appear once, and the `Host` and `Origin` are allowed.
fn screen(
    endpoint: &Endpoint,
    headers: &RequestHeaders<'_>,
    uri: &http::Uri,
    socket: Option<&connections::Socket>,
) -> Result<(), RpcError> {
    headers.check_singletons()?;
    endpoint
        .http
        .guard
        .check(headers, uri, socket.map(|s| &s.allowed_host))
        .map_err(|refusal| refused(StatusCode::FORBIDDEN, refusal.to_string()))
}

fn session_refused(refusal: SessionRefusal) -> Response {
    error_response(None, &refusal.error())
}

fn method_not_allowed() -> Response {
    let error = RpcError::new(
        ErrorCode::METHOD_NOT_FOUND,
        "this endpoint serves POST (and, for sessions, DELETE and GET with Last-Event-ID)",
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

fn check_content_type(value: Option<&HeaderValue>) -> Result<(), RpcError> {
    let is_json = value.is_some_and(|v| {
        // What every client sends, compared before the general parse.
        v.as_bytes() == b"application/json"
            || v.to_str().is_ok_and(|v| {
                let essence = v.split_once(';').map_or(v, |(essence, _)| essence).trim();
                essence.eq_ignore_ascii_case("application/json")
            })
    });
    if is_json {
        Ok(())
    } else {
        Err(refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the request body must have Content-Type: application/json".into(),
        ))
    }
}

async fn read_body<B: RequestBody>(
    content_length: Option<&HeaderValue>,
    body: B,
    endpoint: &Endpoint,
) -> Result<Bytes, RpcError> {
    let limit = endpoint.message_limit;
    let too_large = || {
        refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {limit} bytes"),
        )
    };
    let declared = RequestHeaders::text(content_length).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut collect = std::pin::pin!(gather(Limited::new(body, limit)));
    // A small body usually came with the head: it is read without arming a timer.
    let first = std::future::poll_fn(|cx| std::task::Poll::Ready(collect.as_mut().poll(cx)));
    let read = match first.await {
        std::task::Poll::Ready(read) => read,
        std::task::Poll::Pending => {
            match tokio::time::timeout(endpoint.http.body_read_timeout, collect).await {
                Ok(read) => read,
                Err(_) => {
                    return Err(refused(
                        StatusCode::REQUEST_TIMEOUT,
                        format!(
                            "the request body did not arrive within {} ms",
                            endpoint.http.body_read_timeout.as_millis()
                        ),
                    ))
                }
            }
        }
    };
    match read {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(e) => Err(refused(
            StatusCode::BAD_REQUEST,
            format!("the request body could not be read: {e}"),
        )),
    }
}

/// A body's bytes. A body that came in one frame (what a small request does) is taken as it
/// is; frames after the first are gathered into one buffer. Trailers are ignored.
async fn gather<B: hyper::body::Body<Data = Bytes>>(body: B) -> Result<Bytes, B::Error> {
    let mut body = std::pin::pin!(body);
    let mut first = Bytes::new();
    let mut more: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        if first.is_empty() && more.is_empty() {
            first = data;
        } else {
            if more.is_empty() {
                more.extend_from_slice(&first);
            }
            more.extend_from_slice(&data);
        }
    }
    Ok(if more.is_empty() { first } else { more.into() })
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    // Room for the one header, not the default table of 32.
    let mut headers = http::HeaderMap::with_capacity(1);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    *response.headers_mut() = headers;
    response
}

/// A call's messages as server-sent events: a session call's resumable, any other's live only.
fn call_stream(endpoint: &Endpoint, stream: CallStream) -> Response {
    event_stream(match stream.session_call {
        Some(call) => resumable::serve(call, stream.messages, endpoint.http.resume_grace),
        None => sse::call_events(stream.messages),
    })
}

fn event_stream(events: sse::EventStream) -> Response {
    event_response(Body::from_stream(events))
}

/// A `text/event-stream` response, kept out of caches and proxy buffers.
fn event_response(body: Body) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

fn error_response(id: Option<&RequestId>, error: &RpcError) -> Response {
    let mut response = json_response(error.status, error_body(id, error));
    if let Some(after) = error.retry_after() {
        // Whole seconds, rounded up: a client told 0 would come straight back.
        let seconds = after.as_millis().div_ceil(1000).max(1);
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, HeaderValue::from(seconds as u64));
    }
    // A scope challenge was made a header by `challenged`.
    if let Some(Challenge::Header(challenge)) = error.challenge() {
        response
            .headers_mut()
            .insert(http::header::WWW_AUTHENTICATE, challenge.clone());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::StreamBody;
    use hyper::body::Frame;

    /// A body of these frames.
    fn body(frames: Vec<Frame<Bytes>>) -> impl hyper::body::Body<Data = Bytes, Error = BoxError> {
        StreamBody::new(futures_util::stream::iter(frames.into_iter().map(Ok)))
    }

    #[tokio::test]
    async fn a_body_is_gathered_from_its_data_frames_whatever_their_number() {
        let data = |text: &'static str| Frame::data(Bytes::from_static(text.as_bytes()));
        let trailers = || Frame::trailers(http::HeaderMap::new());
        for (frames, text) in [
            (vec![], ""),
            (vec![data("{}")], "{}"),
            (vec![data(""), data("{"), data("}")], "{}"),
            (
                vec![data("{"), trailers(), data("\"a\""), data(":1}")],
                "{\"a\":1}",
            ),
            (vec![data("{}"), trailers()], "{}"),
        ] {
            assert_eq!(gather(body(frames)).await.unwrap(), text);
        }
        // A single frame is passed on as it is, not copied.
        let one = Bytes::from_static(b"{\"jsonrpc\":\"2.0\"}");
        let read = gather(body(vec![Frame::data(one.clone())])).await.unwrap();
        assert_eq!(read.as_ptr(), one.as_ptr());
    }
}
