//! The ask example over stdio: started with `--stdio` as a desktop client starts it, by the
//! official Python and TypeScript clients in both eras (answering sampling), and by hand to check that it
//! answers at once and exits cleanly.

use std::process::Stdio;
use std::time::{Duration, Instant};

use mcp_tests::peers::{interop_home, script};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_ask");

/// Runs a peer's stdio client (`sdk`: `py` or `ts-v2`) that starts the example and calls
/// `translate` in `mode`, answering the sampling request with "bonjour"; checks the answer.
async fn translate(home: &std::path::Path, sdk: &str, mode: &str) -> mcp_tests::peers::PeerRun {
    let args = [
        "--mode",
        mode,
        "--tool",
        "translate",
        "--args",
        r#"{"text":"hello","language":"French"}"#,
    ];
    let run = script(home, sdk, "stdio_client", BIN, &args).await;
    assert!(run.success, "{sdk} {mode}: {run:#?}");
    let text = &run.find("call")["result"]["content"][0]["text"];
    assert_eq!(text, "French: bonjour", "{run:#?}");
    run
}

#[tokio::test]
async fn the_python_client_samples_over_stdio_in_both_eras() {
    let Some(home) = interop_home() else { return };
    for (mode, version) in [("auto", "2026-07-28"), ("legacy", "2025-11-25")] {
        let run = translate(&home, "py", mode).await;
        assert_eq!(
            run.find("protocol_version")["protocol_version"],
            version,
            "{run:#?}"
        );
        let tools = run.find("tools")["tools"].as_array().unwrap().clone();
        assert!(tools.iter().any(|t| t == "translate"), "{tools:?}");
    }
}

#[tokio::test]
async fn the_typescript_client_samples_over_stdio_in_both_eras() {
    let Some(home) = interop_home() else { return };
    for mode in ["auto", "legacy"] {
        translate(&home, "ts-v2", mode).await;
    }
}

fn spawn() -> tokio::process::Child {
    tokio::process::Command::new(BIN)
        .arg("--stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the example")
}

const DISCOVER: &str = r#"{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"}}}}"#;

#[tokio::test]
async fn discover_is_answered_at_once_and_the_end_of_input_ends_the_process() {
    let started = Instant::now();
    let mut child = spawn();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    stdin.write_all(DISCOVER.as_bytes()).await.unwrap();
    stdin.write_all(b"\n").await.unwrap();
    let line = stdout.next_line().await.unwrap().unwrap();
    let answered = started.elapsed();
    let answer: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(answer["id"], 1);
    // Generous for a debug build on a busy machine; a release build answers in a few ms.
    assert!(
        answered < Duration::from_millis(500),
        "discover answered after {answered:?}"
    );
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(1), child.wait())
        .await
        .expect("an idle server exits within a second of the end of its input")
        .unwrap();
    assert!(status.success(), "{status}");
    // Nothing but protocol messages on stdout.
    assert!(stdout.next_line().await.unwrap().is_none());
}

#[tokio::test]
async fn sigterm_ends_the_process_while_the_pipe_stays_open() {
    let mut child = spawn();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    stdin.write_all(DISCOVER.as_bytes()).await.unwrap();
    stdin.write_all(b"\n").await.unwrap();
    stdout.next_line().await.unwrap().unwrap();
    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(2), child.wait())
        .await
        .expect("the server exits on SIGTERM though its input is still open")
        .unwrap();
    assert!(status.success(), "{status}");
    drop(stdin);
}
