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

#[tokio::test]
async fn the_endpoint_is_served_on_an_owner_only_socket() {
    let path = socket_path("serve");
    let listening = Server::new()
        .tool(add::tool())
        .bind_unix(&path)
        .await
        .unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    // Nothing but the socket is left beside it.
    let entries = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
    assert_eq!(entries, 1);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(listening.run_until(async {
        let _ = stopped.await;
    }));

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
    let listening = Server::new()
        .tool(add::tool())
        .bind_unix(&path)
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(listening.run_until(async {
        let _ = stopped.await;
    }));
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}});
    assert!(call(&path, &body.to_string()).await.contains("\"add\""));
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
