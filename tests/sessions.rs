//! Stateful mode: legacy sessions, server-to-client requests on the response stream, and the
//! mode the handlers' signatures select.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use mcp_runtime::extract::{CreateMessage, InputError, Progress, ResponseStream, Sampler};
use mcp_runtime::prelude::*;
use mcp_runtime::session::Session;
use mcp_runtime::{Mode, ResponseMode};
use mcp_tests::{request, Running};
use serde_json::{json, Value};

#[derive(Default)]
struct Counter(AtomicU32);

/// Counts calls in this session.
#[tool]
fn count(session: Session) -> String {
    let n = session.state::<Counter>().0.fetch_add(1, Ordering::Relaxed) + 1;
    format!(
        "{} call {n}",
        session.client_info().map_or("?", |c| c.name.as_str())
    )
}

/// Says whether there is a session.
#[tool]
fn has_session(session: Option<Session>) -> bool {
    session.is_some()
}

/// Asks the client's model.
#[tool]
async fn ask(question: String, sampler: Sampler) -> Result<String, String> {
    match sampler
        .create_message(CreateMessage::ask(question, 10))
        .await
    {
        Ok(answer) => Ok(format!("model: {}", answer.text().unwrap_or_default())),
        Err(InputError::Rejected { message, .. }) => Err(format!("refused: {message}")),
        Err(other) => Err(other.to_string()),
    }
}

/// Waits until cancelled.
#[tool]
async fn wait(cancel: mcp_runtime::extract::Cancellation) -> &'static str {
    cancel.cancelled().await;
    "cancelled"
}

const INIT: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"sampling":{}},"clientInfo":{"name":"tester","version":"1"}}}"#;

struct Client<'a> {
    server: &'a Running,
    session: String,
}

impl<'a> Client<'a> {
    async fn connect(server: &'a Running) -> Client<'a> {
        let r = server.post(&[], INIT).await;
        assert_eq!(r.status, 200);
        let session = r.header("mcp-session-id").expect("a session id").to_owned();
        let ok = server
            .post(
                &[("Mcp-Session-Id", &session)],
                r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            )
            .await;
        assert_eq!(ok.status, 202);
        Client { server, session }
    }

    fn headers(&self) -> Vec<(&str, &str)> {
        vec![
            ("Mcp-Session-Id", self.session.as_str()),
            ("MCP-Protocol-Version", "2025-11-25"),
        ]
    }

    async fn call(&self, tool: &str, arguments: Value) -> mcp_tests::Response {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}});
        self.server.post(&self.headers(), &body.to_string()).await
    }
}

fn stateful() -> Server {
    Server::from_registry().max_sessions(3)
}

#[tokio::test]
async fn the_signatures_select_the_mode() {
    assert_eq!(Server::from_registry().mode(), Mode::Stateful);
    let err = Server::from_registry()
        .force_mode(Mode::Stateless)
        .router()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("tool `ask`: parameter `sampler` needs client input"),
        "{err}"
    );
    assert!(
        err.contains("tool `count`: parameter `session` needs a session"),
        "{err}"
    );
    assert_eq!(Server::new().mode(), Mode::Stateless);
}

#[tokio::test]
async fn sessions_are_issued_required_and_ended() {
    let s = Running::start(stateful()).await;
    let c = Client::connect(&s).await;
    assert!(c.session.len() >= 22 && c.session.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    assert_eq!(
        c.call("count", json!({})).await.result()["content"][0]["text"],
        "tester call 1"
    );
    assert_eq!(
        c.call("count", json!({})).await.result()["content"][0]["text"],
        "tester call 2"
    );
    // Another session has its own state.
    let other = Client::connect(&s).await;
    assert_ne!(other.session, c.session);
    assert_eq!(
        other.call("count", json!({})).await.result()["content"][0]["text"],
        "tester call 1"
    );

    let missing = s
        .post(
            &[("MCP-Protocol-Version", "2025-11-25")],
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
        )
        .await;
    assert_eq!((missing.status, missing.error_code()), (400, -32600));
    let unknown = s
        .post(
            &[("Mcp-Session-Id", "nope")],
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
        )
        .await;
    assert_eq!((unknown.status, unknown.error_code()), (404, -32001));

    let delete = s
        .send(&request(
            "DELETE",
            &[("Host", "localhost"), ("Mcp-Session-Id", &c.session)],
            b"",
        ))
        .await;
    assert_eq!(delete.status, 200);
    assert_eq!(c.call("count", json!({})).await.status, 404);
    let again = s
        .send(&request(
            "DELETE",
            &[("Host", "localhost"), ("Mcp-Session-Id", &c.session)],
            b"",
        ))
        .await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn the_session_cap_answers_503_and_idle_sessions_expire() {
    let s = Running::start(stateful().session_idle_timeout(Duration::from_millis(300))).await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(Client::connect(&s).await.session);
    }
    let full = s.post(&[], INIT).await;
    assert_eq!(full.status, 503);
    // The sessions end within 300 ms unless used: that, rounded up to a second.
    assert_eq!(full.header("retry-after"), Some("1"));
    tokio::time::sleep(Duration::from_millis(700)).await;
    let expired = s
        .post(
            &[("Mcp-Session-Id", &clients[0])],
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
        )
        .await;
    assert_eq!(expired.status, 404);
    assert_eq!(
        s.post(&[], INIT).await.status,
        200,
        "expired sessions free their places"
    );
}

#[tokio::test]
async fn modern_clients_have_no_session() {
    let s = Running::start(stateful()).await;
    let maybe = s
        .modern(
            "tools/call",
            json!({"name": "has_session", "arguments": {}}),
        )
        .await
        .result();
    assert_eq!(maybe["content"][0]["text"], "false");
    let bare = s
        .modern("tools/call", json!({"name": "count", "arguments": {}}))
        .await
        .result();
    assert_eq!(bare["isError"], true);
    assert!(bare["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("2026-07-28 clients are served statelessly"));
    let c = Client::connect(&s).await;
    assert_eq!(
        c.call("has_session", json!({})).await.result()["content"][0]["text"],
        "true"
    );
}

fn call_bytes(c: &Client<'_>, id: u32, tool: &str, arguments: Value) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": arguments}});
    let mut headers = vec![
        ("Host", "localhost"),
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
    ];
    headers.extend(c.headers());
    request("POST", &headers, body.to_string().as_bytes())
}

#[tokio::test]
async fn sampling_goes_out_on_the_stream_and_the_answer_comes_back_by_post() {
    let s = Running::start(stateful()).await;
    let c = Client::connect(&s).await;
    let mut events = s
        .open(&call_bytes(&c, 7, "ask", json!({"question": "2+2?"})))
        .await;
    let outbound = events.next().await.expect("the sampling request");
    assert_eq!(outbound["method"], "sampling/createMessage");
    assert_eq!(outbound["params"]["messages"][0]["content"]["text"], "2+2?");
    let answer = json!({"jsonrpc": "2.0", "id": outbound["id"], "result": {"role": "assistant", "content": {"type": "text", "text": "4"}, "model": "m"}});
    let posted = s.post(&c.headers(), &answer.to_string()).await;
    assert_eq!(posted.status, 202);
    let result = events.next().await.expect("the result");
    assert_eq!(result["id"], 7);
    assert_eq!(result["result"]["content"][0]["text"], "model: 4");

    // A refusal reaches the handler as a typed error.
    let mut events = s
        .open(&call_bytes(&c, 8, "ask", json!({"question": "no?"})))
        .await;
    let outbound = events.next().await.unwrap();
    let refusal = json!({"jsonrpc": "2.0", "id": outbound["id"], "error": {"code": -1, "message": "user declined"}});
    assert_eq!(s.post(&c.headers(), &refusal.to_string()).await.status, 202);
    let result = events.next().await.unwrap();
    assert_eq!(result["result"]["isError"], true);
    assert_eq!(
        result["result"]["content"][0]["text"],
        "refused: user declined"
    );
}

#[tokio::test]
async fn clients_reusing_a_request_id_each_get_their_own_answers() {
    let s = Running::start(stateful()).await;
    let (a, b) = (Client::connect(&s).await, Client::connect(&s).await);
    // Both calls use request id 7, at the same moment, and each asks its client's model.
    let (call_a, call_b) = (
        call_bytes(&a, 7, "ask", json!({"question": "a?"})),
        call_bytes(&b, 7, "ask", json!({"question": "b?"})),
    );
    let (mut events_a, mut events_b) = tokio::join!(s.open(&call_a), s.open(&call_b));
    let (out_a, out_b) = tokio::join!(events_a.next(), events_b.next());
    let (out_a, out_b) = (out_a.unwrap(), out_b.unwrap());
    assert_eq!(out_a["params"]["messages"][0]["content"]["text"], "a?");
    assert_eq!(out_b["params"]["messages"][0]["content"]["text"], "b?");
    // The server-to-client ids may coincide too; each answer is routed by its session.
    let answer = |id: &Value, text: &str| {
        json!({"jsonrpc": "2.0", "id": id, "result": {"role": "assistant", "content": {"type": "text", "text": text}, "model": "m"}}).to_string()
    };
    let (answer_a, answer_b) = (
        answer(&out_a["id"], "from a"),
        answer(&out_b["id"], "from b"),
    );
    let (headers_a, headers_b) = (a.headers(), b.headers());
    let (posted_b, posted_a) =
        tokio::join!(s.post(&headers_b, &answer_b), s.post(&headers_a, &answer_a),);
    assert_eq!((posted_a.status, posted_b.status), (202, 202));
    let (result_a, result_b) = tokio::join!(events_a.next(), events_b.next());
    let (result_a, result_b) = (result_a.unwrap(), result_b.unwrap());
    assert_eq!(
        (result_a["id"].clone(), result_b["id"].clone()),
        (json!(7), json!(7))
    );
    assert_eq!(result_a["result"]["content"][0]["text"], "model: from a");
    assert_eq!(result_b["result"]["content"][0]["text"], "model: from b");
}

#[tokio::test]
async fn a_session_is_initialized_once() {
    let s = Running::start(stateful()).await;
    let c = Client::connect(&s).await;
    let again = s.post(&[("Mcp-Session-Id", &c.session)], INIT).await;
    assert_eq!((again.status, again.error_code()), (400, -32600));
    assert!(again.header("mcp-session-id").is_none());
    // The session lives on, and a client that starts over gets a new one.
    assert_eq!(
        c.call("count", json!({})).await.result()["content"][0]["text"],
        "tester call 1"
    );
    let fresh = Client::connect(&s).await;
    assert_ne!(fresh.session, c.session);
}

#[tokio::test]
async fn unanswered_requests_time_out_and_undeclared_capabilities_are_errors() {
    let s = Running::start(stateful().input_timeout(Duration::from_millis(100))).await;
    let c = Client::connect(&s).await;
    let mut events = s
        .open(&call_bytes(&c, 3, "ask", json!({"question": "?"})))
        .await;
    assert_eq!(
        events.next().await.unwrap()["method"],
        "sampling/createMessage"
    );
    let result = events.next().await.unwrap();
    assert!(result["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("did not answer within"));

    let init = INIT.replace(r#""capabilities":{"sampling":{}}"#, r#""capabilities":{}"#);
    let r = s.post(&[], &init).await;
    let bare = Client {
        server: &s,
        session: r.header("mcp-session-id").unwrap().to_owned(),
    };
    let result = bare.call("ask", json!({"question": "?"})).await.result();
    assert_eq!(
        result["content"][0]["text"],
        "the client did not declare the `sampling` capability"
    );
}

#[tokio::test]
async fn notifications_cancelled_stops_the_request() {
    let s = Running::start(stateful().response_mode(ResponseMode::Json)).await;
    let c = Client::connect(&s).await;
    let mut pending = s.open(&call_bytes(&c, 11, "wait", json!({}))).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let cancel =
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 11}});
    assert_eq!(s.post(&c.headers(), &cancel.to_string()).await.status, 202);
    // The handler is stopped: the response ends (with an error) instead of hanging.
    while pending.next().await.is_some() {}
    assert!(
        pending.received().contains("cancelled"),
        "{}",
        pending.received()
    );
}

/// Frees its connection, then reports and answers while the client is away.
#[tool]
async fn long_call(stream: ResponseStream, progress: Progress) -> &'static str {
    progress.report(1.0, Some(3.0), None);
    stream.detach(Duration::from_millis(50));
    tokio::time::sleep(Duration::from_millis(50)).await;
    progress.report(2.0, Some(3.0), None);
    tokio::time::sleep(Duration::from_millis(50)).await;
    "finished while you were away"
}

#[tokio::test]
async fn a_client_that_drops_mid_call_resumes_without_loss() {
    let s = Running::start(stateful()).await;
    let c = Client::connect(&s).await;
    let body = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "long_call", "arguments": {}, "_meta": {"progressToken": "t"}}});
    let mut headers = vec![
        ("Host", "localhost"),
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
    ];
    headers.extend(c.headers());
    let mut first = s
        .open(&request("POST", &headers, body.to_string().as_bytes()))
        .await;
    assert_eq!(first.next().await.unwrap()["params"]["progress"], 1.0);
    assert!(
        first.next().await.is_none(),
        "the server ends the connection"
    );
    let seen = first.received().to_owned();
    assert!(seen.contains("retry: 50"), "{seen}");
    let last_id = seen
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .next_back()
        .unwrap()
        .to_owned();
    assert!(last_id.ends_with("-1"), "{last_id}");

    // Another session cannot replay this stream.
    let other = Client::connect(&s).await;
    let foreign = s
        .send(&request(
            "GET",
            &[
                ("Host", "localhost"),
                ("Accept", "text/event-stream"),
                ("Mcp-Session-Id", &other.session),
                ("Last-Event-ID", &last_id),
            ],
            b"",
        ))
        .await;
    assert_eq!(foreign.status, 404);

    tokio::time::sleep(Duration::from_millis(20)).await;
    let get = [
        ("Host", "localhost"),
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", c.session.as_str()),
        ("Last-Event-ID", last_id.as_str()),
    ];
    let mut resumed = s.open(&request("GET", &get, b"")).await;
    let mut messages = Vec::new();
    while let Some(message) = resumed.next().await {
        messages.push(message);
    }
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0]["params"]["progress"], 2.0);
    assert_eq!(messages[1]["id"], 5);
    assert_eq!(
        messages[1]["result"]["content"][0]["text"],
        "finished while you were away"
    );
}

#[tokio::test]
async fn sessions_and_request_state_are_bound_to_their_principal() {
    let router = stateful()
        .router()
        .unwrap()
        .layer(axum::middleware::from_fn(mcp_tests::authenticate));
    let s = Running::start_router(router).await;
    let r = s.post(&[("x-user", "alice")], INIT).await;
    let session = r.header("mcp-session-id").unwrap().to_owned();
    let list = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
    assert_eq!(
        s.post(&[("x-user", "alice"), ("Mcp-Session-Id", &session)], list)
            .await
            .status,
        200
    );
    let stolen = s
        .post(&[("x-user", "bob"), ("Mcp-Session-Id", &session)], list)
        .await;
    assert_eq!(
        (stolen.status, stolen.error_code()),
        (404, -32001),
        "as if the session did not exist"
    );
    let anonymous = s.post(&[("Mcp-Session-Id", &session)], list).await;
    assert_eq!(anonymous.status, 404);

    // A request state sealed for alice does not open for bob.
    let caps = json!({"io.modelcontextprotocol/clientCapabilities": {"sampling": {}}});
    let call = |user: &'static str, extra: Value| {
        let mut params = json!({"name": "ask", "arguments": {"question": "?"}});
        params
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let mut meta = mcp_tests::modern_meta();
        meta.as_object_mut()
            .unwrap()
            .extend(caps.as_object().unwrap().clone());
        params["_meta"] = meta;
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params});
        (user, body.to_string())
    };
    let headers = |user: &'static str| {
        vec![
            ("x-user", user),
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "tools/call"),
            ("Mcp-Name", "ask"),
        ]
    };
    let (user, body) = call("alice", json!({}));
    let first = s.post(&headers(user), &body).await.result();
    let answer = json!({"requestState": first["requestState"], "inputResponses": {"sampling-1": {"role": "assistant", "content": {"type": "text", "text": "42"}, "model": "m"}}});
    let (user, body) = call("bob", answer.clone());
    assert_eq!(s.post(&headers(user), &body).await.error_code(), -32602);
    let (user, body) = call("alice", answer);
    assert_eq!(
        s.post(&headers(user), &body).await.result()["content"][0]["text"],
        "model: 42"
    );
}
