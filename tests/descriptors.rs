//! The review's finding, as it was found: a server with 256 descriptors, and 300 idle listen
//! streams from several clients. The streams past the server's share are refused with 503, and
//! every other client is still served.
//!
//! The server runs in a child process (this test binary again, under `ulimit -n 256`), so that
//! the client's own sockets do not count against its descriptors.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::process::{Command, Stdio};
use std::time::Duration;

use mcp_runtime::prelude::*;
use mcp_runtime::Notifier;
use mcp_tests::{modern_request, Running};
use serde_json::json;
use tokio::io::AsyncWriteExt;

/// Adds two integers.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Announces a change.
#[tool]
fn touch(notifier: Notifier) -> &'static str {
    notifier.tools_changed();
    "touched"
}

const CHILD: &str = "MCP_DESCRIPTORS_CHILD";

/// In the child: serves until killed, after printing its address.
#[test]
fn child_server() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let listening = Server::from_registry().bind("127.0.0.1:0").await.unwrap();
        println!("LISTENING {}", listening.local_addr());
        listening.run().await.unwrap();
    });
}

#[tokio::test]
async fn three_hundred_idle_streams_do_not_lock_out_a_256_descriptor_server() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(r#"ulimit -n 256 && exec "$0" child_server --exact --nocapture"#)
        .arg(exe)
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let addr: SocketAddr = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("LISTENING ").map(|a| a.parse().unwrap()))
        .expect("the child server's address");
    let s = Running::at(addr);

    // 300 listen streams from 10 clients (30 each: within one client's quota).
    let listen = modern_request(
        "subscriptions/listen",
        json!({"notifications": {"toolsListChanged": true}}),
    );
    let mut open = Vec::new();
    let mut refused = 0;
    for i in 0..300 {
        let source: IpAddr = format!("127.0.0.{}", 2 + i % 10).parse().unwrap();
        let mut tcp = s.connect_from(source).await;
        tcp.write_all(&listen).await.unwrap();
        let mut head = vec![0u8; 64];
        let n = tokio::time::timeout(
            Duration::from_secs(5),
            tokio::io::AsyncReadExt::read(&mut tcp, &mut head),
        )
        .await
        .expect("an answer")
        .unwrap();
        let head = String::from_utf8_lossy(&head[..n]).to_string();
        if head.starts_with("HTTP/1.1 200") {
            open.push(tcp);
        } else {
            assert!(head.starts_with("HTTP/1.1 503"), "{head}");
            refused += 1;
        }
    }
    assert!(refused > 0, "the server took every stream");
    assert!(open.len() >= 100, "only {} streams were served", open.len());
    // Everyone else is still served, again and again.
    for _ in 0..20 {
        let r = s
            .send(&modern_request(
                "tools/call",
                json!({"name": "add", "arguments": {"a": 1, "b": 2}}),
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.json());
    }
    // The streams that were served still hear changes.
    let r = s
        .send(&modern_request(
            "tools/call",
            json!({"name": "touch", "arguments": {}}),
        ))
        .await;
    assert_eq!(r.status, 200);
    child.kill().unwrap();
    child.wait().unwrap();
}
