//! Streamable HTTP on a Unix domain socket.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::Duration;

use mcp_runtime::prelude::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Adds two integers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn socket_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-unix-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("server.sock")
}

async fn call(path: &std::path::Path, body: &str) -> String {
    let mut stream = tokio::net::UnixStream::connect(path).await.unwrap();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(
        Duration::from_secs(10),
        stream.read_to_string(&mut response),
    )
    .await
    .unwrap()
    .unwrap();
    response
}

/// Binds `server` at `path` and runs it until the returned sender is used (or dropped).
async fn serve(
    server: Server,
    path: &std::path::Path,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), mcp_runtime::Error>>,
) {
    let listening = server.bind_unix(path).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(listening.run_until(async {
        let _ = stopped.await;
    }));
    (stop, server)
}

#[tokio::test]
async fn the_endpoint_is_served_on_an_owner_only_socket() {
    let path = socket_path("serve");
    let (stop, server) = serve(Server::new().tool(add::tool()), &path).await;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    // Nothing but the socket is left beside it.
    let entries = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
    assert_eq!(entries, 1);

    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "add", "arguments": {"a": 2, "b": 3}}});
    let response = call(&path, &body.to_string()).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(r#""text":"5""#), "{response}");

    // A second server on a live socket is refused.
    let err = Server::new()
        .tool(add::tool())
        .bind_unix(&path)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already listens"), "{err}");

    let _ = stop.send(());
    server.await.unwrap().unwrap();
    assert!(
        !path.exists(),
        "the socket file is removed when the server stops"
    );
}

#[tokio::test]
async fn a_stale_socket_file_is_replaced() {
    let path = socket_path("stale");
    // A socket whose server is gone.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let (stop, server) = serve(Server::new().tool(add::tool()), &path).await;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}});
    assert!(call(&path, &body.to_string()).await.contains("\"add\""));
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_unix_socket_has_the_tcp_listeners_limits() {
    let path = socket_path("limits");
    let (stop, server) = serve(
        Server::new()
            .tool(add::tool())
            .max_connections(1)
            .header_read_timeout(Duration::from_millis(300)),
        &path,
    )
    .await;
    // One silent client holds the only place: the next is refused with 503, not queued.
    let mut silent = tokio::net::UnixStream::connect(&path).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}});
    let refused = call(&path, &body.to_string()).await;
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    // The silent client is closed once its request head is late, and its place is free again.
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(3), silent.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "a client that sends nothing is not held forever"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(call(&path, &body.to_string()).await.contains("\"add\""));
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

/// Reads from `stream` into `seen` until it holds `text`.
async fn read_until(stream: &mut tokio::net::UnixStream, seen: &mut String, text: &str) {
    let mut buf = [0u8; 4096];
    while !seen.contains(text) {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed before {text}: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}

/// Tells listeners that the tools changed.
#[tool]
async fn touch(notifier: mcp_runtime::Notifier) -> &'static str {
    notifier.tools_changed();
    "touched"
}

#[tokio::test]
async fn a_listen_stream_is_served_on_a_unix_socket() {
    let path = socket_path("listen");
    let (stop, server) = serve(Server::new().tool(touch::tool()), &path).await;
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": "subscriptions/listen",
        "params": {"notifications": {"toolsListChanged": true}, "_meta": meta}})
    .to_string();
    let mut stream = tokio::net::UnixStream::connect(&path).await.unwrap();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n\
         Mcp-Method: subscriptions/listen\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut seen = String::new();
    // The acknowledgement, then a change raised by a call on another connection.
    read_until(&mut stream, &mut seen, "subscriptions/acknowledged").await;
    let call_body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "touch", "arguments": {}}});
    assert!(call(&path, &call_body.to_string())
        .await
        .contains("touched"));
    read_until(&mut stream, &mut seen, "notifications/tools/list_changed").await;
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
