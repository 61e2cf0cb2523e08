//! The example with `--stdio`: no token travels on a pipe, so the caller is the user who
//! started the server, with every scope; each tool works.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

#[tokio::test]
async fn over_stdio_the_local_user_calls_every_tool() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_secured"))
        .arg("--stdio")
        .env_remove("MCP_OAUTH_ISSUER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the example");
    let mut input = child.stdin.take().expect("stdin");
    let mut output = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "stdio-test", "version": "1"},
    });
    let call = |id: u32, name: &str, arguments: Value| {
        let line = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": name, "arguments": arguments, "_meta": meta}});
        format!("{line}\n")
    };
    let requests = [
        call(1, "whoami", json!({})),
        call(2, "add_note", json!({"text": "from a pipe"})),
    ];
    let mut answers = Vec::new();
    for request in requests {
        input.write_all(request.as_bytes()).await.unwrap();
        let line = tokio::time::timeout(Duration::from_secs(30), output.next_line())
            .await
            .expect("an answer")
            .unwrap()
            .expect("a line");
        let answer: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(answer["result"]["isError"], false, "{answer}");
        answers.push(answer["result"]["content"][0]["text"].clone());
    }
    assert_eq!(answers[0], "the local user (over stdio), every scope");
    assert_eq!(answers[1], "added note 1");
    let list = call(3, "list_notes", json!({}));
    input.write_all(list.as_bytes()).await.unwrap();
    let line = output.next_line().await.unwrap().expect("a line");
    let answer: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(answer["result"]["content"][0]["text"], "1: from a pipe");
    drop(input);
    let status = tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .expect("the server exits at the end of its input")
        .unwrap();
    assert!(status.success(), "{status}");
}
