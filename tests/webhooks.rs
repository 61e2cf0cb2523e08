//! Tasks pushing their status changes to the client's webhook: signed deliveries a receiver
//! verifies (replays refused), retried while the receiver is down with one id per event (so it
//! deduplicates), a delivery that fails for good recorded on the task, and URLs the policy
//! refuses before anything runs.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use mcp_runtime::prelude::*;
use mcp_runtime::webhook::{verify, RetrySchedule, VerifyError, WebhookPolicy, DEFAULT_TOLERANCE};
use mcp_tests::{Response, Running};
use serde_json::{json, Value};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Works for `ms` milliseconds.
#[tool(task = "optional")]
async fn work(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    format!("worked {ms} ms")
}

/// A receiver as an application would write one: it verifies each delivery, answers 503 to the
/// first `down` attempts (it is "down"), and keeps each event once.
#[derive(Default)]
struct Receiver {
    down: usize,
    attempts: usize,
    /// Every verified delivery: its headers and body.
    deliveries: Vec<(HeaderMap, Bytes)>,
    /// Events kept, once each (deduplicated on `webhook-id`).
    events: Vec<Value>,
    seen: HashSet<String>,
    refused: usize,
}

type Shared = Arc<Mutex<Receiver>>;

async fn receive(State(receiver): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let mut r = receiver.lock().unwrap();
    r.attempts += 1;
    if r.attempts <= r.down {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    if verify(
        SECRET,
        &headers,
        &body,
        SystemTime::now(),
        DEFAULT_TOLERANCE,
    )
    .is_err()
    {
        r.refused += 1;
        return StatusCode::UNAUTHORIZED;
    }
    let id = headers["webhook-id"].to_str().unwrap().to_owned();
    r.deliveries.push((headers.clone(), body.clone()));
    if r.seen.insert(id) {
        r.events.push(serde_json::from_slice(&body).unwrap());
    }
    StatusCode::NO_CONTENT
}

async fn receiver(down: usize) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(Receiver {
        down,
        ..Receiver::default()
    }));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, shared)
}

/// A server whose webhooks may be on this machine, retried quickly.
fn server() -> Server {
    let policy = WebhookPolicy {
        allow_http: true,
        allow_private: true,
        retry: RetrySchedule {
            max_attempts: 4,
            initial_delay: Duration::from_millis(20),
            ..RetrySchedule::default()
        },
        ..WebhookPolicy::default()
    };
    Server::new().tool(work::tool()).webhook_policy(policy)
}

async fn call(s: &Running, ms: u64, delivery: Value) -> Response {
    let params = json!({"name": "work", "arguments": {"ms": ms}, "delivery": delivery});
    let meta = json!({"io.modelcontextprotocol/clientCapabilities": {
        "extensions": {"io.modelcontextprotocol/tasks": {}}}});
    s.modern_with("tools/call", params, meta).await
}

fn hook(url: &str) -> Value {
    json!({"mode": "webhook", "url": url, "secret": SECRET})
}

async fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) {
    let start = tokio::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn status_changes_reach_the_webhook_signed_retried_and_once_each() {
    let (url, received) = receiver(2).await;
    let s = Running::start(server()).await;
    let created = call(&s, 300, hook(&url)).await.result();
    assert_eq!(created["resultType"], "task");
    let id = created["taskId"].as_str().unwrap().to_owned();
    wait_for(Duration::from_secs(10), || {
        let r = received.lock().unwrap();
        r.events.iter().any(|e| e["status"] == "completed")
    })
    .await;
    let r = std::mem::take(&mut *received.lock().unwrap());
    assert_eq!(r.refused, 0, "every delivery verified");
    let statuses: Vec<&str> = r
        .events
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["working", "completed"]);
    let done = &r.events[1];
    assert_eq!(done["taskId"], id.as_str());
    assert_eq!(done["result"]["content"][0]["text"], "worked 300 ms");
    // The first event was tried while the receiver was down, and delivered with the same id.
    assert!(r.attempts >= 4, "{} attempts", r.attempts);
    let ids: Vec<&str> = r
        .deliveries
        .iter()
        .map(|(h, _)| h["webhook-id"].to_str().unwrap())
        .collect();
    assert_eq!(ids[0], format!("{id}_1"));
    assert!(ids.contains(&format!("{id}_2").as_str()));
    for (headers, _) in &r.deliveries {
        assert_eq!(headers["x-mcp-subscription-id"], id.as_str());
        assert_eq!(headers["content-type"], "application/json");
    }
    // A delivery replayed later is refused (its timestamp is too old), and so is a tampered one.
    let (headers, body) = &r.deliveries[0];
    let later = SystemTime::now() + Duration::from_secs(600);
    assert!(matches!(
        verify(SECRET, headers, body, later, DEFAULT_TOLERANCE),
        Err(VerifyError::TooOld { .. })
    ));
    let mut tampered = body.to_vec();
    tampered[0] = b' ';
    assert!(matches!(
        verify(
            SECRET,
            headers,
            &tampered,
            SystemTime::now(),
            DEFAULT_TOLERANCE
        ),
        Err(VerifyError::NoMatch)
    ));
    let other = "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3";
    assert!(verify(other, headers, body, SystemTime::now(), DEFAULT_TOLERANCE).is_err());
    // The task itself shows no delivery trouble.
    let task = s
        .modern_with(
            "tasks/get",
            json!({"taskId": id}),
            json!({"io.modelcontextprotocol/clientCapabilities": {
                "extensions": {"io.modelcontextprotocol/tasks": {}}}}),
        )
        .await
        .result();
    assert!(task.get("delivery").is_none(), "{task}");
}

#[tokio::test]
async fn a_delivery_failing_when_its_retries_end_is_recorded_on_the_task() {
    // A port nothing listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let s = Running::start(server()).await;
    let created = call(&s, 10, hook(&format!("http://{closed}/hook")))
        .await
        .result();
    let id = created["taskId"].as_str().unwrap().to_owned();
    let meta = json!({"io.modelcontextprotocol/clientCapabilities": {
        "extensions": {"io.modelcontextprotocol/tasks": {}}}});
    let mut task = Value::Null;
    for _ in 0..200 {
        task = s
            .modern_with("tasks/get", json!({"taskId": id}), meta.clone())
            .await
            .result();
        if task["status"] == "completed" && task.get("delivery").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(task["status"], "completed", "the task itself is unaffected");
    let delivery = &task["delivery"];
    assert_eq!(delivery["status"], "failed", "{task}");
    assert_eq!(delivery["lastError"], "connection_refused");
    assert_eq!(delivery["attempts"], 4);
    assert!(delivery["eventId"].as_str().unwrap().starts_with(&id));
    assert!(
        !delivery.to_string().contains("/hook"),
        "the URL stays out of it"
    );
}

#[tokio::test]
async fn webhooks_the_policy_refuses_are_refused_before_the_tool_runs() {
    // The default policy: https only, public addresses only.
    let s = Running::start(Server::new().tool(work::tool())).await;
    let refused = [
        json!({"mode": "webhook", "url": "http://example.com/hook", "secret": SECRET}),
        json!({"mode": "webhook", "url": "https://127.0.0.1/hook", "secret": SECRET}),
        json!({"mode": "webhook", "url": "https://localhost/hook", "secret": SECRET}),
        json!({"mode": "webhook", "url": "https://10.1.2.3/hook", "secret": SECRET}),
        json!({"mode": "webhook", "url": "https://169.254.169.254/latest", "secret": SECRET}),
        json!({"mode": "webhook", "url": "https://[::1]/hook", "secret": SECRET}),
        json!({"mode": "webhook", "url": "https://[::ffff:127.0.0.1]/hook", "secret": SECRET}),
        json!({"mode": "webhook", "url": "https://example.com/hook"}),
        json!({"mode": "webhook", "url": "https://example.com/hook", "secret": "not-a-secret"}),
        json!({"mode": "poll", "url": "https://example.com/hook", "secret": SECRET}),
        json!("https://example.com/hook"),
    ];
    for delivery in refused {
        let response = call(&s, 10, delivery.clone()).await;
        assert_eq!(response.error_code(), -32602, "{delivery}");
        let message = response.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.starts_with("`delivery`"), "{message}");
    }
}
