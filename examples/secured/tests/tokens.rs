//! The example with `--dev`: its tokens work, each seeing only the tools its scopes allow, and a
//! request without one is told where the metadata is.

use std::process::Stdio;
use std::time::Duration;

use mcp_tests::Running;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

#[tokio::test]
async fn dev_tokens_see_and_call_what_their_scopes_allow() {
    let port = Running::free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_secured"))
        .arg("--dev")
        .env("MCP_BIND", format!("127.0.0.1:{port}"))
        .env("MCP_DEV_ISSUER_BIND", "127.0.0.1:0")
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the example");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    // The two tokens (full, then read-only), then the line saying the server listens.
    let (mut tokens, mut listening) = (Vec::new(), false);
    tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.expect("read stderr") {
            let line = line.trim();
            if line.starts_with("ey") {
                tokens.push(line.to_owned());
            }
            if line.starts_with("secured: serving MCP at") {
                listening = true;
            }
            if listening && tokens.len() == 2 {
                return;
            }
        }
        panic!("the example exited early");
    })
    .await
    .expect("the example starts within 30 s");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let running = Running::at(format!("127.0.0.1:{port}").parse().unwrap());
    let as_ = |token: &str| format!("Bearer {token}");

    let r = running.modern("tools/list", json!({})).await;
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("resource_metadata="));

    let (full, read_only) = (as_(&tokens[0]), as_(&tokens[1]));
    let list = |header: String| {
        let running = &running;
        async move {
            let r = running
                .modern_as(
                    &[("Authorization", &header)],
                    "tools/list",
                    json!({}),
                    json!({}),
                )
                .await;
            let mut names: Vec<String> = r.result()["tools"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_owned())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(list(read_only.clone()).await, ["list_notes", "whoami"]);
    assert_eq!(
        list(full.clone()).await,
        ["add_note", "list_notes", "whoami"]
    );

    let call = |header: &str, name: &str, arguments: serde_json::Value| {
        let headers = [("Authorization", header.to_owned())];
        let running = &running;
        let params = json!({"name": name, "arguments": arguments});
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            running
                .modern_as(&headers, "tools/call", params, json!({}))
                .await
        }
    };
    let r = call(&read_only, "add_note", json!({"text": "hello"})).await;
    assert_eq!(r.status, 403);
    let r = call(&full, "add_note", json!({"text": "hello"})).await;
    assert_eq!(
        r.result()["content"][0]["text"],
        "added note 1",
        "{}",
        r.json()
    );
    let r = call(&read_only, "list_notes", json!({})).await;
    assert_eq!(r.result()["content"][0]["text"], "1: hello");
    let r = call(&read_only, "whoami", json!({})).await;
    assert_eq!(
        r.result()["content"][0]["text"],
        "dev-user (client dev-client), scopes: notes:read"
    );

    // Every tool schema (the full token sees them all) compiles in a strict validator.
    if let Some(home) = mcp_tests::peers::interop_home() {
        let url = format!("http://127.0.0.1:{port}/mcp");
        mcp_tests::peers::assert_strict_schemas(&home, &url, Some(&tokens[0])).await;
    }
}
