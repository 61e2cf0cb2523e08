//! Connections under stress: clients that send too slowly or not at all are disconnected, and
//! clients that send at once, even with the same request id, each get their own answer.

use std::time::{Duration, Instant};

use mcp_runtime::prelude::*;
use mcp_tests::{modern_meta, request, Response, Running};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Echoes its text after a pause, so that concurrent calls overlap.
#[tool]
async fn echo_later(text: String) -> String {
    tokio::time::sleep(Duration::from_millis(50)).await;
    text
}

/// Streams progress for longer than a request head may take, then answers.
#[tool]
async fn long_stream(progress: mcp_runtime::extract::Progress) -> &'static str {
    for i in 0..4 {
        progress.report(f64::from(i), Some(4.0), None);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    "streamed"
}

const LIMIT: Duration = Duration::from_millis(300);

async fn server() -> Running {
    Running::start(
        Server::from_registry()
            .header_read_timeout(LIMIT)
            .body_read_timeout(LIMIT),
    )
    .await
}

/// Reads until the server closes the connection (a reset counts as closed).
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut seen));
    let _closed_or_reset = read
        .await
        .expect("the server closes the connection within 5 s");
    seen
}

async fn still_serves(s: &Running) {
    let ok = s.legacy("ping", json!({})).await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn headers_trickled_slowly_close_the_connection() {
    let s = server().await;
    let mut slow = TcpStream::connect(s.addr).await.unwrap();
    let started = Instant::now();
    slow.write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    // A header line every 50 ms, never the blank line that ends them: each write is progress,
    // but the limit is on the whole head.
    let mut closed = false;
    for n in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let line = format!("X-Slow-{n}: 1\r\n");
        if slow.write_all(line.as_bytes()).await.is_err() {
            closed = true;
            break;
        }
        let mut byte = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(1), slow.read(&mut byte)).await
        {
            closed = true;
            break;
        }
    }
    assert!(closed, "a slowloris client was kept for 5 s");
    let held = started.elapsed();
    assert!(held >= LIMIT, "closed after {held:?}, before the limit");
    still_serves(&s).await;
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let s = server().await;
    let mut idle = TcpStream::connect(s.addr).await.unwrap();
    assert!(read_until_closed(&mut idle).await.is_empty());
    still_serves(&s).await;
}

#[tokio::test]
async fn a_body_sent_too_slowly_is_answered_408_and_the_connection_closed() {
    let s = server().await;
    let mut slow = TcpStream::connect(s.addr).await.unwrap();
    slow.write_all(
        b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
          Accept: application/json, text/event-stream\r\nContent-Length: 200\r\n\r\n{\"jsonrpc\":",
    )
    .await
    .unwrap();
    let raw = read_until_closed(&mut slow).await;
    let r = Response::parse(&raw);
    assert_eq!((r.status, r.error_code()), (408, -32600));
    assert_eq!(r.header("connection"), Some("close"));
    still_serves(&s).await;
}

#[tokio::test]
async fn clients_reusing_a_request_id_each_get_their_own_result() {
    let s = server().await;
    let calls = (0..32).map(|n| {
        let body = json!({
            "jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "echo_later", "arguments": {"text": format!("client {n}")}, "_meta": modern_meta()},
        });
        let raw = request(
            "POST",
            &[
                ("Host", "127.0.0.1"),
                ("Content-Type", "application/json"),
                ("Accept", "application/json, text/event-stream"),
                ("MCP-Protocol-Version", "2026-07-28"),
                ("Mcp-Method", "tools/call"),
                ("Mcp-Name", "echo_later"),
            ],
            body.to_string().as_bytes(),
        );
        let s = &s;
        async move { (n, s.send(&raw).await) }
    });
    // All are in flight together (each handler pauses 50 ms).
    for (n, r) in futures_util::future::join_all(calls).await {
        assert_eq!(r.json()["id"], 1);
        assert_eq!(r.result()["content"][0]["text"], format!("client {n}"));
    }
}

#[tokio::test]
async fn the_head_timeout_spares_a_long_response_and_closes_the_idle_connection_after_it() {
    let s = server().await;
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "long_stream", "arguments": {}, "_meta": {"progressToken": "p"}}})
    .to_string();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The response streams for over three times the head limit and still ends with its result.
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("streamed") {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("the response goes on")
            .unwrap();
        assert!(
            n > 0,
            "closed mid-response: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    // Then the connection idles: it is closed once the next head is late.
    let idle = Instant::now();
    read_until_closed(&mut stream).await;
    let waited = idle.elapsed();
    assert!(
        waited >= LIMIT / 2 && waited < LIMIT * 4,
        "closed after {waited:?} idle"
    );
}
