//! 2025-era sessions served by several processes on one Redis: settings, values, a client's
//! answers and cancellations, resumed streams, a process that dies mid-call, the session cap,
//! and what is left in Redis once sessions end. (Two servers in one test process stand for two
//! processes, sharing nothing but Redis; the process that dies is a real child process.)
//!
//! Needs a Redis, as `tests/redis.rs` says.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mcp_runtime::extract::{CreateMessage, InputError, Log, Progress, ResponseStream, Sampler};
use mcp_runtime::prelude::*;
use mcp_runtime::session::{Session, SessionError};
use mcp_runtime::store::RedisStore;
use mcp_runtime::Notifier;
use mcp_tests::{request, EventReader, Running};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Logs at `debug` and at `info`.
#[tool]
fn chatty(log: Log) -> &'static str {
    log.debug("a debug line");
    log.info("an info line");
    "logged"
}

/// Announces that `test://watched` changed.
#[tool]
fn touch(notifier: Notifier) -> &'static str {
    notifier.resource_updated("test://watched");
    "touched"
}

/// A resource to subscribe to.
#[resource("test://watched")]
fn watched() -> String {
    "watched".into()
}

#[derive(Default, Serialize, Deserialize)]
struct Notes(Vec<String>);

/// Adds a note to the session's notes.
#[tool]
async fn remember(session: Session, text: String) -> Result<usize, SessionError> {
    let mut notes: Notes = session.get().await?.unwrap_or_default();
    notes.0.push(text);
    session.set(&notes).await?;
    Ok(notes.0.len())
}

/// The session's notes.
#[tool]
async fn recall(session: Session) -> Result<String, SessionError> {
    let notes: Notes = session.get().await?.unwrap_or_default();
    Ok(notes.0.join(","))
}

/// Asks the client's model.
#[tool]
async fn ask(sampler: Sampler) -> Result<String, InputError> {
    let answer = sampler
        .create_message(CreateMessage::ask("say hi", 10))
        .await?;
    Ok(format!("sampled: {}", answer.text().unwrap_or_default()))
}

static STALL_STOPPED: AtomicBool = AtomicBool::new(false);

/// Set when the stalled call's future is dropped (cancelled).
struct Stopped;

impl Drop for Stopped {
    fn drop(&mut self) {
        STALL_STOPPED.store(true, Ordering::SeqCst);
    }
}

/// Runs until cancelled.
#[tool]
async fn stall(_session: Session, progress: Progress) -> &'static str {
    let _stopped = Stopped;
    progress.report(1.0, None, None);
    std::future::pending::<()>().await;
    "never"
}

/// Frees its connection, then reports and answers while the client is away.
#[tool]
async fn long_call(stream: ResponseStream, progress: Progress) -> &'static str {
    progress.report(1.0, Some(3.0), None);
    stream.detach(Duration::from_millis(50));
    tokio::time::sleep(Duration::from_millis(100)).await;
    progress.report(2.0, Some(3.0), None);
    tokio::time::sleep(Duration::from_millis(100)).await;
    "finished while you were away"
}

/// Frees its connection, reports once more, then never answers (its process is killed).
#[tool]
async fn long_stall(stream: ResponseStream, progress: Progress) -> &'static str {
    progress.report(1.0, None, None);
    stream.detach(Duration::from_millis(50));
    tokio::time::sleep(Duration::from_millis(100)).await;
    progress.report(2.0, None, None);
    std::future::pending::<()>().await;
    "never"
}

fn server(url: &str, prefix: &str, settings: impl FnOnce(Server) -> Server) -> Server {
    let server = Server::new()
        .tool(chatty::tool())
        .tool(touch::tool())
        .resource(watched::resource())
        .tool(remember::tool())
        .tool(recall::tool())
        .tool(ask::tool())
        .tool(stall::tool())
        .tool(long_call::tool())
        .tool(long_stall::tool());
    settings(server).store(RedisStore::connect(url).unwrap().prefix(prefix))
}

async fn process(url: &str, prefix: &str) -> Running {
    Running::start(server(url, prefix, |s| s)).await
}

/// A session opened on `s`.
async fn open(s: &Running) -> String {
    let opened = s.post(&[], mcp_tests::INITIALIZE).await;
    assert_eq!(opened.status, 200, "{}", opened.json());
    opened.header("mcp-session-id").unwrap().to_owned()
}

fn headers(session: &str) -> Vec<(&str, &str)> {
    mcp_tests::legacy_headers(Some(session))
}

/// Sends `body` in `session` to `s` and reads the whole response.
async fn send(s: &Running, session: &str, body: Value) -> mcp_tests::Response {
    s.send(&request(
        "POST",
        &headers(session),
        body.to_string().as_bytes(),
    ))
    .await
}

/// Opens a streamed response to `body` in `session`.
async fn stream(s: &Running, session: &str, body: Value) -> EventReader {
    s.open(&request(
        "POST",
        &headers(session),
        body.to_string().as_bytes(),
    ))
    .await
}

fn call(id: u32, name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": name, "arguments": arguments, "_meta": {"progressToken": "p"}}})
}

/// Every message of a streamed response.
async fn all(mut reader: EventReader) -> Vec<Value> {
    let mut messages = Vec::new();
    while let Some(message) = reader.next().await {
        messages.push(message);
    }
    messages
}

/// The last event id a response carried.
fn last_event_id(reader: &EventReader) -> String {
    reader
        .received()
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .next_back()
        .expect("an event id")
        .to_owned()
}

/// A GET resuming a stream of `session` after `last`.
fn resume(session: &str, last: &str) -> Vec<u8> {
    request(
        "GET",
        &[
            ("Host", "127.0.0.1"),
            ("Accept", "text/event-stream"),
            ("Mcp-Session-Id", session),
            ("Last-Event-ID", last),
        ],
        b"",
    )
}

/// What other processes hear of a session travels by pub/sub: give it a moment.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn log_level_subscriptions_and_values_follow_the_session_to_every_process() {
    let Some(url) = mcp_tests::redis::url() else {
        return;
    };
    let prefix = mcp_tests::redis::prefix("settings");
    let (a, b) = (process(&url, &prefix).await, process(&url, &prefix).await);
    let session = open(&a).await;

    // Without a level set, debug lines are not sent.
    let messages = all(stream(&a, &session, call(1, "chatty", json!({}))).await).await;
    assert!(
        !format!("{messages:?}").contains("a debug line"),
        "{messages:?}"
    );
    // The level set on B holds on A, for a session A adopted before and for one it adopts now.
    let level = json!({"jsonrpc": "2.0", "id": 2, "method": "logging/setLevel", "params": {"level": "debug"}});
    assert_eq!(send(&b, &session, level).await.status, 200);
    settle().await;
    let messages = all(stream(&a, &session, call(3, "chatty", json!({}))).await).await;
    assert!(
        format!("{messages:?}").contains("a debug line"),
        "{messages:?}"
    );
    let c = process(&url, &prefix).await;
    let messages = all(stream(&c, &session, call(4, "chatty", json!({}))).await).await;
    assert!(
        format!("{messages:?}").contains("a debug line"),
        "{messages:?}"
    );

    // Subscribed on A, notified on B's GET stream, the change raised on C.
    let subscribe = json!({"jsonrpc": "2.0", "id": 5, "method": "resources/subscribe", "params": {"uri": "test://watched"}});
    assert_eq!(send(&a, &session, subscribe).await.status, 200);
    let get = request(
        "GET",
        &[
            ("Host", "127.0.0.1"),
            ("Accept", "text/event-stream"),
            ("Mcp-Session-Id", session.as_str()),
        ],
        b"",
    );
    let mut updates = b.open(&get).await;
    settle().await;
    assert_eq!(
        send(&c, &session, call(6, "touch", json!({}))).await.status,
        200
    );
    let update = updates.next().await.expect("an update on B");
    assert_eq!(update["method"], "notifications/resources/updated");
    assert_eq!(update["params"]["uri"], "test://watched");

    // Unsubscribed on C: B hears of it.
    let unsubscribe = json!({"jsonrpc": "2.0", "id": 7, "method": "resources/unsubscribe", "params": {"uri": "test://watched"}});
    assert_eq!(send(&c, &session, unsubscribe).await.status, 200);
    settle().await;
    assert_eq!(
        send(&a, &session, call(8, "touch", json!({}))).await.status,
        200
    );
    updates.ends_within(Duration::from_millis(300)).await;
    assert_eq!(
        updates.received().matches("resources/updated").count(),
        1,
        "no update after unsubscribing"
    );

    // A value set in a call on A is read in the next call on B, and added to on C.
    let added = send(&a, &session, call(9, "remember", json!({"text": "milk"}))).await;
    assert_eq!(
        added.last_message()["result"]["content"][0]["text"],
        "1",
        "{}",
        added.json()
    );
    send(&c, &session, call(10, "remember", json!({"text": "eggs"}))).await;
    let recalled = send(&b, &session, call(11, "recall", json!({}))).await;
    assert_eq!(
        recalled.last_message()["result"]["content"][0]["text"],
        "milk,eggs"
    );
    // Another session has values of its own.
    let other = open(&b).await;
    let recalled = send(&a, &other, call(12, "recall", json!({}))).await;
    assert_eq!(recalled.last_message()["result"]["content"][0]["text"], "");
}

#[tokio::test]
async fn a_clients_answer_sent_to_another_process_reaches_the_waiting_call() {
    let Some(url) = mcp_tests::redis::url() else {
        return;
    };
    let prefix = mcp_tests::redis::prefix("answers");
    let (a, b) = (process(&url, &prefix).await, process(&url, &prefix).await);
    let session = open(&a).await;
    let mut asking = stream(&a, &session, call(1, "ask", json!({}))).await;
    let question = asking.next().await.expect("the sampling request");
    assert_eq!(question["method"], "sampling/createMessage");
    let answer = json!({"jsonrpc": "2.0", "id": question["id"], "result": {
        "role": "assistant", "content": {"type": "text", "text": "hi from B"}, "model": "m"}});
    let posted = send(&b, &session, answer).await;
    assert_eq!(posted.status, 202);
    let result = asking.next().await.expect("the call's result");
    assert_eq!(result["id"], 1);
    assert_eq!(result["result"]["content"][0]["text"], "sampled: hi from B");

    // An error answer travels too.
    let mut asking = stream(&a, &session, call(2, "ask", json!({}))).await;
    let question = asking.next().await.expect("the sampling request");
    let refusal = json!({"jsonrpc": "2.0", "id": question["id"],
        "error": {"code": -1, "message": "user rejected sampling"}});
    assert_eq!(send(&b, &session, refusal).await.status, 202);
    let result = asking.next().await.expect("the call's result");
    assert_eq!(result["result"]["isError"], true, "{result}");
    assert!(
        result.to_string().contains("user rejected sampling"),
        "{result}"
    );
}

#[tokio::test]
async fn a_cancellation_sent_to_another_process_stops_the_call() {
    let Some(url) = mcp_tests::redis::url() else {
        return;
    };
    let prefix = mcp_tests::redis::prefix("cancel");
    let (a, b) = (process(&url, &prefix).await, process(&url, &prefix).await);
    let session = open(&a).await;
    let mut stalled = stream(&a, &session, call(41, "stall", json!({}))).await;
    assert_eq!(stalled.next().await.unwrap()["params"]["progress"], 1.0);
    assert!(!STALL_STOPPED.load(Ordering::SeqCst));
    let cancel =
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 41}});
    assert_eq!(send(&b, &session, cancel).await.status, 202);
    for _ in 0..50 {
        if STALL_STOPPED.load(Ordering::SeqCst) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the call on A was not cancelled by the notification sent to B");
}

#[tokio::test]
async fn a_stream_dropped_on_one_process_resumes_on_another_without_loss() {
    let Some(url) = mcp_tests::redis::url() else {
        return;
    };
    let prefix = mcp_tests::redis::prefix("resume");
    let (a, b) = (process(&url, &prefix).await, process(&url, &prefix).await);
    let session = open(&a).await;
    let mut first = stream(&a, &session, call(5, "long_call", json!({}))).await;
    assert_eq!(first.next().await.unwrap()["params"]["progress"], 1.0);
    assert!(
        first.next().await.is_none(),
        "the server ends the connection"
    );
    let last = last_event_id(&first);

    // Another session cannot replay it, on any process.
    let other = open(&b).await;
    assert_eq!(b.send(&resume(&other, &last)).await.status, 404);

    let messages = all(b.open(&resume(&session, &last)).await).await;
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0]["params"]["progress"], 2.0);
    assert_eq!(messages[1]["id"], 5);
    assert_eq!(
        messages[1]["result"]["content"][0]["text"],
        "finished while you were away"
    );
    // Once finished, the whole stream replays from its start on any process.
    let first_id = last.replace("-1", "-0");
    let again = all(b.open(&resume(&session, &first_id)).await).await;
    assert_eq!(again.len(), 3, "{again:?}");
}

/// Run by the next test as a process of its own, which it kills mid-call.
#[tokio::test]
#[ignore = "a child process of a_call_whose_process_died_ends_with_an_error_on_resume"]
async fn child_process() {
    let (Ok(url), Ok(prefix)) = (
        std::env::var("CHILD_REDIS_URL"),
        std::env::var("CHILD_PREFIX"),
    ) else {
        return;
    };
    let s = process(&url, &prefix).await;
    println!("listening on {}", s.addr);
    std::future::pending::<()>().await;
}

#[tokio::test]
async fn a_call_whose_process_died_ends_with_an_error_on_resume() {
    use tokio::io::AsyncBufReadExt;

    let Some(url) = mcp_tests::redis::url() else {
        return;
    };
    let prefix = mcp_tests::redis::prefix("killed");
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_process", "--ignored", "--nocapture"])
        .env("CHILD_REDIS_URL", &url)
        .env("CHILD_PREFIX", &prefix)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the child process");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the child starts")
            .unwrap()
            .expect("the child prints its address");
        if let Some(addr) = line.strip_prefix("listening on ") {
            break addr.parse().unwrap();
        }
    };
    let a = Running::at(addr);
    let b = process(&url, &prefix).await;
    let session = open(&a).await;
    let mut first = stream(&a, &session, call(9, "long_stall", json!({}))).await;
    assert_eq!(first.next().await.unwrap()["params"]["progress"], 1.0);
    assert!(
        first.next().await.is_none(),
        "the server ends the connection"
    );
    let last = last_event_id(&first);
    // Progress 2 is logged; then A dies with the call unfinished.
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().await.unwrap();

    // The session goes on through B, and the call ends with an error the client receives.
    let started = std::time::Instant::now();
    let messages = all(b.open(&resume(&session, &last)).await).await;
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0]["params"]["progress"], 2.0);
    assert_eq!(messages[1]["id"], 9);
    assert_eq!(messages[1]["error"]["code"], -32603, "{messages:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let served = send(&b, &session, call(10, "recall", json!({}))).await;
    assert_eq!(served.status, 200);
}

#[tokio::test]
async fn the_session_cap_counts_the_sessions_of_every_process() {
    let Some(url) = mcp_tests::redis::url() else {
        return;
    };
    let prefix = mcp_tests::redis::prefix("cap");
    let capped = |s: Server| s.max_sessions(2);
    let a = Running::start(server(&url, &prefix, capped)).await;
    let b = Running::start(server(&url, &prefix, capped)).await;
    let first = open(&a).await;
    open(&b).await;
    for s in [&a, &b] {
        let refused = s.post(&[], mcp_tests::INITIALIZE).await;
        assert_eq!(refused.status, 503, "{}", refused.json());
        assert!(refused.header("retry-after").is_some());
    }
    // Ending one on B makes room on A.
    let delete = [("Host", "127.0.0.1"), ("Mcp-Session-Id", first.as_str())];
    assert_eq!(b.send(&request("DELETE", &delete, b"")).await.status, 200);
    open(&a).await;
}

#[tokio::test]
async fn the_per_client_quota_counts_the_clients_sessions_on_every_process() {
    let Some(url) = mcp_tests::redis::url() else {
        return;
    };
    let prefix = mcp_tests::redis::prefix("quota");
    // Every test client is 127.0.0.1: one client.
    let quota = |s: Server| s.sessions_per_client(2);
    let a = Running::start(server(&url, &prefix, quota)).await;
    let b = Running::start(server(&url, &prefix, quota)).await;
    let first = open(&a).await;
    open(&b).await;
    // Each process holds one of its sessions, under its own quota: Redis counts both.
    for s in [&a, &b] {
        let refused = s.post(&[], mcp_tests::INITIALIZE).await;
        assert_eq!(refused.status, 429, "{}", refused.json());
        assert!(refused.header("retry-after").is_some());
    }
    // A session ended on B (opened on A) gives its place back everywhere.
    let delete = [("Host", "127.0.0.1"), ("Mcp-Session-Id", first.as_str())];
    assert_eq!(b.send(&request("DELETE", &delete, b"")).await.status, 200);
    open(&b).await;
}

#[tokio::test]
async fn nothing_is_left_in_redis_once_sessions_end() {
    let Some(url) = mcp_tests::redis::url() else {
        return;
    };
    let prefix = mcp_tests::redis::prefix("soak");
    let short = |s: Server| {
        s.session_idle_timeout(Duration::from_millis(600))
            .unused_session_timeout(Duration::from_millis(600))
    };
    let a = Running::start(server(&url, &prefix, short)).await;
    let b = Running::start(server(&url, &prefix, short)).await;
    let mut sessions = Vec::new();
    for i in 0..40 {
        let (here, there) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let session = open(here).await;
        if i % 4 < 2 {
            // Used elsewhere: values, settings and a logged stream.
            send(there, &session, call(1, "remember", json!({"text": "x"}))).await;
            let level = json!({"jsonrpc": "2.0", "id": 2, "method": "logging/setLevel", "params": {"level": "debug"}});
            send(there, &session, level).await;
            all(stream(here, &session, call(3, "chatty", json!({}))).await).await;
        }
        sessions.push(session);
    }
    let held = mcp_tests::redis::keys(&url, &prefix);
    assert!(held.len() > 40, "{held:?}");
    // Half are deleted; the rest expire.
    for session in sessions.iter().step_by(2) {
        let delete = [("Host", "127.0.0.1"), ("Mcp-Session-Id", session.as_str())];
        assert_eq!(a.send(&request("DELETE", &delete, b"")).await.status, 200);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let left: Vec<String> = mcp_tests::redis::keys(&url, &prefix)
        .into_iter()
        .filter(|k| !k.contains(":alive:"))
        .collect();
    assert!(left.is_empty(), "left in Redis: {left:?}");
}
