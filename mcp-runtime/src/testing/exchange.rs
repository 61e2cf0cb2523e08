//! One exchange with the server: a message POSTed with the headers of the client's era, and the
//! response read to its end, as JSON or as an event stream (answering the server's requests on
//! the way, and resuming a stream the server detached).

use axum::body::Body;
use base64::Engine as _;
use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{Reply, TestClient};
use crate::protocol::{Era, RpcError};
use crate::transport::http::reader::EventReader;

/// The most times one response stream is resumed after the server ended the connection.
const MAX_RESUMPTIONS: usize = 16;

/// The answers to the server's requests still being posted.
type Answers<'a> = FuturesUnordered<BoxFuture<'a, Result<(), RpcError>>>;

/// A response stream being read: the events, and what came before the response.
struct StreamRead<'a> {
    /// The id of the request whose response ends the stream.
    id: Value,
    session: Option<&'a str>,
    events: EventReader,
    notifications: Vec<Value>,
    answers: Answers<'a>,
    resumed: usize,
}

impl TestClient {
    /// Sends one request in `session` and reads its response.
    pub(super) async fn exchange(
        &self,
        method: &str,
        params: &Value,
        session: Option<&str>,
    ) -> Result<Reply<Value>, RpcError> {
        let id = json!(self.next_id());
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let request = self.request_to(method, params, session, &body)?;
        let response = self.send(request).await;
        if !is_event_stream(response.headers()) {
            let result = read_json(response).await?;
            return Ok(Reply {
                result,
                notifications: Vec::new(),
            });
        }
        let read = StreamRead {
            id,
            session,
            events: EventReader::default(),
            notifications: Vec::new(),
            answers: FuturesUnordered::new(),
            resumed: 0,
        };
        self.read_stream(response.into_body(), read).await
    }

    /// Opens a 2025-era session as a real client does: `initialize`, then
    /// `notifications/initialized`, then the log level the test asked for. `None`: the server
    /// is stateless.
    pub(super) async fn initialize(&self) -> Result<Option<String>, RpcError> {
        let params = json!({
            "protocolVersion": self.version.as_str(),
            "capabilities": self.declared(),
            "clientInfo": {"name": "test-client", "version": "0"},
        });
        let body = json!({"jsonrpc": "2.0", "id": self.next_id(), "method": "initialize", "params": params});
        let response = self
            .send(self.request_to("initialize", &params, None, &body)?)
            .await;
        let session = response
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let result = read_json(response).await?;
        let session = session.as_deref();
        self.post_notification("notifications/initialized", json!({}), session)
            .await?;
        if let Some(level) = self.log_level {
            if result["capabilities"].get("logging").is_some() {
                let params = json!({"level": level});
                self.exchange("logging/setLevel", &params, session).await?;
            }
        }
        Ok(session.map(str::to_owned))
    }

    /// POSTs a notification (`params` already prepared); `Ok` once accepted.
    pub(super) async fn post_notification(
        &self,
        method: &str,
        params: Value,
        session: Option<&str>,
    ) -> Result<(), RpcError> {
        let body = json!({"jsonrpc": "2.0", "method": method, "params": params});
        let response = self
            .send(self.request_to(method, &params, session, &body)?)
            .await;
        accepted(response).await
    }

    /// Runs one HTTP request through the server.
    pub(super) async fn send(&self, request: Request<Body>) -> Response<Body> {
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible")
    }

    /// The HTTP request carrying `body`, a message of `method` (`params` name its target).
    fn request_to(
        &self,
        method: &str,
        params: &Value,
        session: Option<&str>,
        body: &Value,
    ) -> Result<Request<Body>, RpcError> {
        let mut builder = self.post(session, method != "initialize");
        if self.version.era() == Era::Modern {
            builder = builder.header("mcp-method", method);
            if let Some(name) = routed_name(method, params) {
                builder = builder.header("mcp-name", header_text(name));
            }
        }
        builder
            .body(Body::from(body.to_string()))
            .map_err(|e| RpcError::invalid_request(format!("the request cannot be sent: {e}")))
    }

    /// A POST to the endpoint with the headers every message carries.
    fn post(&self, session: Option<&str>, versioned: bool) -> http::request::Builder {
        let mut builder = Request::post(&*self.path)
            .header("host", "localhost")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        if versioned {
            builder = builder.header("mcp-protocol-version", self.version.as_str());
        }
        if let Some(session) = session {
            builder = builder.header("mcp-session-id", session);
        }
        builder
    }

    /// Reads a response stream until the response to `read.id`, answering the server's
    /// requests while it goes on, and resuming it when the server ends the connection early.
    async fn read_stream<'a>(
        &'a self,
        mut body: Body,
        mut read: StreamRead<'a>,
    ) -> Result<Reply<Value>, RpcError> {
        loop {
            let frame = tokio::select! {
                frame = body.frame() => frame,
                Some(answered) = read.answers.next(), if !read.answers.is_empty() => {
                    answered?;
                    continue;
                }
            };
            let Some(frame) = frame else {
                body = self.resume(&mut read).await?;
                continue;
            };
            let frame = frame
                .map_err(|e| RpcError::internal(format!("the response stream failed: {e}")))?;
            let Ok(chunk) = frame.into_data() else {
                continue;
            };
            for data in read.events.feed(&chunk) {
                if let Some(outcome) = self.on_event(&data, &mut read) {
                    while let Some(answered) = read.answers.next().await {
                        answered?;
                    }
                    let result = outcome?;
                    return Ok(Reply {
                        result,
                        notifications: read.notifications,
                    });
                }
            }
        }
    }

    /// Takes one event of a response stream; its outcome if it ends the stream.
    fn on_event<'a>(
        &'a self,
        data: &str,
        read: &mut StreamRead<'a>,
    ) -> Option<Result<Value, RpcError>> {
        // A priming event (an id for resuming, no message).
        if data.trim().is_empty() {
            return None;
        }
        let message: Value = match serde_json::from_str(data) {
            Ok(message) => message,
            Err(e) => {
                let e = format!("an event of the response stream is not JSON ({e}): {data}");
                return Some(Err(RpcError::internal(e)));
            }
        };
        match (message.get("method").is_some(), message.get("id")) {
            (true, Some(_)) => read
                .answers
                .push(Box::pin(self.answer(message, read.session))),
            (true, None) => read.notifications.push(message),
            (false, Some(id)) if *id == read.id => return Some(outcome(message, StatusCode::OK)),
            // A response to another request: not this stream's.
            (false, _) => {}
        }
        None
    }

    /// Answers a server-to-client request through the callbacks, by a POST in the session.
    async fn answer(&self, request: Value, session: Option<&str>) -> Result<(), RpcError> {
        let method = request["method"].as_str().unwrap_or_default();
        let answer = match self.callbacks.answer(method, request["params"].clone()) {
            Ok(result) => json!({"jsonrpc": "2.0", "id": request["id"], "result": result}),
            Err(error) => json!({"jsonrpc": "2.0", "id": request["id"], "error": error}),
        };
        let request = self
            .post(session, true)
            .body(Body::from(answer.to_string()))
            .expect("a valid request");
        accepted(self.send(request).await).await
    }

    /// Reconnects to a stream the server ended before the response, after the delay it asked
    /// for (`GET` with `Last-Event-ID`, as a 2025-era client resumes).
    async fn resume(&self, read: &mut StreamRead<'_>) -> Result<Body, RpcError> {
        let (Some(session), Some(last)) = (read.session, read.events.last_event_id()) else {
            return Err(RpcError::internal(
                "the response stream ended before the response",
            ));
        };
        if read.resumed == MAX_RESUMPTIONS {
            return Err(RpcError::internal(format!(
                "the response stream ended before the response {MAX_RESUMPTIONS} times"
            )));
        }
        read.resumed += 1;
        tokio::time::sleep(read.events.retry().unwrap_or_default()).await;
        let request = Request::get(&*self.path)
            .header("host", "localhost")
            .header("accept", "text/event-stream")
            .header("mcp-protocol-version", self.version.as_str())
            .header("mcp-session-id", session)
            .header("last-event-id", last)
            .body(Body::empty())
            .expect("a valid request");
        let response = self.send(request).await;
        if !is_event_stream(response.headers()) {
            let status = response.status();
            return Err(read_json(response).await.err().unwrap_or_else(|| {
                RpcError::internal(format!("resuming the stream was answered {status}"))
            }));
        }
        read.events.reconnect();
        Ok(response.into_body())
    }
}

/// What a 2026-07-28 request names in `Mcp-Name`: a tool or prompt name, or a resource URI.
fn routed_name<'p>(method: &str, params: &'p Value) -> Option<&'p str> {
    let field = match method {
        "tools/call" | "prompts/get" => "name",
        "resources/read" => "uri",
        _ => return None,
    };
    params[field].as_str()
}

/// A header value carrying `text`: as it is if it is plain visible ASCII, else in the
/// `=?base64?…?=` form the 2026-07-28 revision defines.
fn header_text(text: &str) -> String {
    let plain = text.bytes().all(|b| (0x20..0x7f).contains(&b)) && text.trim() == text;
    if plain {
        return text.to_owned();
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("=?base64?{encoded}?=")
}

fn is_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

/// The result (or error) of a JSON response.
async fn read_json(response: Response<Body>) -> Result<Value, RpcError> {
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .map_err(|e| RpcError::internal(format!("the response body failed: {e}")))?;
    let message: Value = serde_json::from_slice(&bytes).map_err(|_| {
        let text = String::from_utf8_lossy(&bytes);
        RpcError::internal(format!("the server answered {} `{text}`", parts.status))
            .with_status(parts.status)
    })?;
    outcome(message, parts.status).map_err(|mut error| {
        let retry_after = parts.headers.get(http::header::RETRY_AFTER);
        let seconds = retry_after.and_then(|v| v.to_str().ok()?.parse().ok());
        if let Some(seconds) = seconds {
            error = error.with_retry_after(std::time::Duration::from_secs(seconds));
        }
        error
    })
}

/// The `result` of a JSON-RPC response, or its `error` (with the HTTP status that carried it).
fn outcome(mut message: Value, status: StatusCode) -> Result<Value, RpcError> {
    if let Some(error) = message.get("error") {
        return Err(RpcError::from_json(error).with_status(status));
    }
    match message.get_mut("result") {
        Some(result) => Ok(result.take()),
        None => Err(RpcError::internal(format!(
            "the server answered {status} with neither a result nor an error: {message}"
        ))
        .with_status(status)),
    }
}

/// `Ok` if the server accepted a message that has no response (`202 Accepted`).
async fn accepted(response: Response<Body>) -> Result<(), RpcError> {
    let status = response.status();
    if status == StatusCode::ACCEPTED {
        return Ok(());
    }
    Err(read_json(response).await.err().unwrap_or_else(|| {
        RpcError::internal(format!("the server answered {status}, not 202 Accepted"))
            .with_status(status)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_plain_ascii_are_encoded() {
        assert_eq!(header_text("add"), "add");
        assert_eq!(header_text("café"), "=?base64?Y2Fmw6k=?=");
        assert_eq!(header_text(" padded"), "=?base64?IHBhZGRlZA==?=");
    }
}
