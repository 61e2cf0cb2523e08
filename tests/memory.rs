//! What a few requests can make the server hold, measured by counting the live heap of this
//! test process (the server runs in it). Tests here run one at a time: each measures the whole
//! heap.

use std::time::Duration;

use mcp_runtime::extract::{CreateMessage, Sampler};
use mcp_runtime::prelude::*;
use mcp_runtime::Notifier;
use mcp_tests::{legacy_request, modern_request, Running};
use serde_json::json;

#[global_allocator]
static HEAP: mcp_heap::Counting = mcp_heap::Counting;

/// One measurement at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Live heap bytes once the server has settled.
async fn settled() -> usize {
    tokio::time::sleep(Duration::from_millis(200)).await;
    mcp_heap::live_bytes()
}

/// Asks the client's model (makes the server keep sessions).
#[tool]
async fn ask(sampler: Sampler) -> String {
    match sampler.create_message(CreateMessage::ask("q", 1)).await {
        Ok(answer) => answer.text().unwrap_or_default().to_owned(),
        Err(e) => e.to_string(),
    }
}

/// Announces a change (makes the server serve listen streams).
#[tool]
fn touch(notifier: Notifier) -> &'static str {
    notifier.tools_changed();
    "touched"
}

/// A document.
#[resource("docs://{name}", mime_type = "text/plain")]
fn doc(name: String) -> String {
    name
}

/// A 1.8 MB JSON array of tiny numbers: about 29 MB as a parsed tree.
fn zeros() -> String {
    format!("[{}0]", "0,".repeat(900_000))
}

#[tokio::test]
async fn what_initialize_declares_is_kept_as_a_few_flags() {
    let _one = SERIAL.lock().await;
    let s = Running::start(Server::from_registry()).await;
    let body = format!(
        r#"{{"jsonrpc":"2.0","id":0,"method":"initialize","params":{{"protocolVersion":"2025-11-25","capabilities":{{"sampling":{{}},"experimental":{{"x":{zeros}}}}},"clientInfo":{{"name":"m","version":"1","icons":{zeros}}}}}}}"#,
        zeros = zeros()
    );
    assert!(body.len() < 4 * 1024 * 1024);
    let before = settled().await;
    let mut sessions = Vec::new();
    for _ in 0..4 {
        let r = s.post(&[], &body).await;
        assert_eq!(r.status, 200, "{}", r.json());
        sessions.push(r.header("mcp-session-id").unwrap().to_owned());
    }
    let held = settled().await.saturating_sub(before);
    // Four sessions once held about 270 MB; each now holds well under 10 KB.
    assert!(held < 4 * 10_000, "four sessions hold {held} bytes");
}

#[tokio::test]
async fn subscriptions_never_hold_megabytes() {
    let _one = SERIAL.lock().await;
    let s = Running::start(Server::from_registry()).await;
    let session = s.initialize().await;
    let before = settled().await;
    // 200 subscriptions to 1 MB URIs once added 200 MB.
    {
        let uri = format!("docs://{}", "a".repeat(1024 * 1024));
        for i in 0..200 {
            let body = json!({"jsonrpc": "2.0", "id": i, "method": "resources/subscribe", "params": {"uri": format!("{uri}{i}")}});
            let r = s
                .send(&legacy_request(&body.to_string(), Some(&session)))
                .await;
            assert_eq!(r.error_code(), -32602);
        }
    }
    {
        // A listen stream asking for 4 MB of URIs once held 119 MB for its whole life.
        let uris: Vec<String> = (0..50_000).map(|i| format!("docs://{i:060}")).collect();
        let r = s
            .modern(
                "subscriptions/listen",
                json!({"notifications": {"resourceSubscriptions": uris}}),
            )
            .await;
        assert_eq!(r.error_code(), -32602);
    }
    let held = settled().await.saturating_sub(before);
    assert!(held < 64 * 1024, "subscriptions hold {held} bytes");
}

#[tokio::test]
async fn an_idle_listen_stream_costs_a_few_kilobytes() {
    let _one = SERIAL.lock().await;
    let s = Running::start(Server::from_registry().streams_per_client(1000)).await;
    let listen = modern_request(
        "subscriptions/listen",
        json!({"notifications": {"toolsListChanged": true}}),
    );
    // Warm up what every connection shares.
    let mut warm = s.open(&listen).await;
    warm.next().await.unwrap();
    let before = settled().await;
    let mut streams = Vec::new();
    for _ in 0..200 {
        let mut stream = s.open(&listen).await;
        stream.next().await.expect("acknowledged");
        streams.push(stream);
    }
    let per_stream = settled().await.saturating_sub(before) / 200;
    // The server's side of each stream (the client's sockets and readers are counted too, so
    // this is an upper bound): 20 KB before streams were taken over from hyper.
    assert!(per_stream < 8 * 1024, "{per_stream} bytes per idle stream");
    drop(streams);
}
