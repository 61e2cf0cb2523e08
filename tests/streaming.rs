//! Request-scoped streaming: progress and log notifications on the response stream, the JSON
//! fallback, time limits and cancellation.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mcp_runtime::extract::{Cancellation, Log, Progress};
use mcp_runtime::prelude::*;
use mcp_runtime::ResponseMode;
use mcp_tests::Running;
use serde_json::json;

/// Works in three steps, reporting progress.
#[tool]
async fn steps(progress: Progress) -> &'static str {
    for step in [0.0, 50.0, 100.0] {
        progress.report(step, Some(100.0), Some("working"));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    "done"
}

/// Logs at every level it knows.
#[tool]
async fn chatty(log: Log) -> &'static str {
    log.debug("debug detail");
    log.info("started");
    log.warning("careful");
    "said it all"
}

/// Takes a parameter that could stream but sends nothing.
#[tool]
async fn quiet(_progress: Progress) -> &'static str {
    "nothing to report"
}

/// Sleeps far longer than its limit.
#[tool(timeout_ms = 50)]
async fn sleepy() -> &'static str {
    tokio::time::sleep(Duration::from_secs(30)).await;
    "woke up"
}

static CLEANED_UP: AtomicBool = AtomicBool::new(false);

/// Never finishes; cleans up when cancelled.
#[tool]
async fn endless(progress: Progress, cancel: Cancellation) -> &'static str {
    tokio::spawn(async move {
        cancel.cancelled().await;
        CLEANED_UP.store(true, Ordering::SeqCst);
    });
    progress.report(1.0, None, None);
    std::future::pending::<()>().await;
    "unreachable"
}

async fn server(mode: ResponseMode) -> Running {
    Running::start(Server::from_registry().response_mode(mode)).await
}

#[tokio::test]
async fn progress_streams_before_the_result_in_both_eras() {
    let s = server(ResponseMode::Auto).await;
    let modern = s
        .modern_with(
            "tools/call",
            json!({"name": "steps", "arguments": {}}),
            json!({"progressToken": "p-1"}),
        )
        .await;
    assert_eq!(modern.header("x-accel-buffering"), Some("no"));
    let events = modern.events();
    assert_eq!(events.len(), 4, "{events:?}");
    let progress: Vec<f64> = events[..3]
        .iter()
        .map(|e| e["params"]["progress"].as_f64().unwrap())
        .collect();
    assert_eq!(progress, [0.0, 50.0, 100.0]);
    assert!(events[..3]
        .iter()
        .all(|e| e["method"] == "notifications/progress"
            && e["params"]["progressToken"] == "p-1"
            && e["params"]["total"] == 100.0));
    assert_eq!(events[3]["result"]["content"][0]["text"], "done");
    assert_eq!(events[3]["id"], 1);

    let body = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "steps", "arguments": {}, "_meta": {"progressToken": 7}}});
    let legacy = s
        .post(&[("MCP-Protocol-Version", "2025-06-18")], &body.to_string())
        .await;
    let events = legacy.events();
    assert_eq!(events.len(), 4);
    assert_eq!(events[0]["params"]["progressToken"], 7);
}

#[tokio::test]
async fn without_a_token_or_notifications_the_answer_is_plain_json() {
    let s = server(ResponseMode::Auto).await;
    let r = s
        .modern("tools/call", json!({"name": "steps", "arguments": {}}))
        .await;
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.result()["content"][0]["text"], "done");
    let quiet = s
        .modern_with(
            "tools/call",
            json!({"name": "quiet", "arguments": {}}),
            json!({"progressToken": "q"}),
        )
        .await;
    assert_eq!(quiet.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn logs_follow_the_requested_level() {
    let s = server(ResponseMode::Auto).await;
    // 2026-07-28: nothing without a logLevel in _meta.
    let silent = s
        .modern("tools/call", json!({"name": "chatty", "arguments": {}}))
        .await;
    assert_eq!(silent.header("content-type"), Some("application/json"));
    let warned = s
        .modern_with(
            "tools/call",
            json!({"name": "chatty", "arguments": {}}),
            json!({"io.modelcontextprotocol/logLevel": "warning"}),
        )
        .await
        .events();
    assert_eq!(warned.len(), 2);
    assert_eq!(
        (
            warned[0]["params"]["level"].as_str(),
            warned[0]["params"]["data"].as_str()
        ),
        (Some("warning"), Some("careful"))
    );
    // 2025 era: info and above.
    let legacy = s
        .legacy("tools/call", json!({"name": "chatty", "arguments": {}}))
        .await
        .events();
    let levels: Vec<&str> = legacy[..2]
        .iter()
        .map(|e| e["params"]["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["info", "warning"]);
    assert_eq!(
        s.legacy("logging/setLevel", json!({"level": "debug"}))
            .await
            .result(),
        json!({})
    );
}

#[tokio::test]
async fn forced_modes() {
    let json_only = server(ResponseMode::Json).await;
    let r = json_only
        .modern_with(
            "tools/call",
            json!({"name": "steps", "arguments": {}}),
            json!({"progressToken": "p"}),
        )
        .await;
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.result()["content"][0]["text"], "done");
    let stream_only = server(ResponseMode::Stream).await;
    let r = stream_only
        .modern("tools/call", json!({"name": "quiet", "arguments": {}}))
        .await;
    assert_eq!(
        r.events()[0]["result"]["content"][0]["text"],
        "nothing to report"
    );
    // A client that does not accept event streams gets JSON regardless.
    let r = stream_only.post(&[("Accept", "application/json")], r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"steps","arguments":{},"_meta":{"progressToken":1}}}"#).await;
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn time_limits_stop_the_tool() {
    let s = server(ResponseMode::Auto).await;
    let r = s
        .legacy("tools/call", json!({"name": "sleepy", "arguments": {}}))
        .await
        .result();
    assert_eq!(r["isError"], true);
    assert!(r["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("did not finish within 50ms"));
    let limited =
        Running::start(Server::from_registry().handler_timeout(Duration::from_millis(30))).await;
    let r = limited
        .modern("tools/call", json!({"name": "endless", "arguments": {}}))
        .await
        .result();
    assert_eq!(r["isError"], true);
}

#[tokio::test]
async fn closing_the_stream_cancels_a_modern_call() {
    let s = server(ResponseMode::Auto).await;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "endless", "arguments": {}, "_meta": mcp_tests::modern_meta()}}).to_string();
    let headers = [
        ("Host", "localhost"),
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "tools/call"),
        ("Mcp-Name", "endless"),
    ];
    let meta = body.replace(r#""_meta":{"#, r#""_meta":{"progressToken":"c","#);
    let raw = mcp_tests::request("POST", &headers, meta.as_bytes());
    let mut stream = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stream, &raw)
        .await
        .unwrap();
    let mut first = vec![0u8; 512];
    let n = tokio::io::AsyncReadExt::read(&mut stream, &mut first)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).contains("notifications/progress"));
    drop(stream);
    for _ in 0..100 {
        if CLEANED_UP.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        CLEANED_UP.load(Ordering::SeqCst),
        "the handler was not cancelled"
    );
}
