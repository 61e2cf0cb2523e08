//! Pipelined `tools/call add` over stdio: starts a server command, says hello in the 2025 era
//! (`initialize`, as every stdio client of that era does) or not at all (2026-07-28), then keeps
//! `WINDOW` calls in flight until `CALLS` are answered, and prints one `RESULT` line.
//!
//! Usage: `stdio-load LABEL legacy|modern CALLS WINDOW -- COMMAND [ARGS...]`

use std::process::Stdio;
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"stdio-load","version":"1"}}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
const META: &str = r#""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"stdio-load","version":"1"}}"#;

fn call(id: usize, modern: bool) -> String {
    let meta = if modern {
        format!(",{META}")
    } else {
        String::new()
    };
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"add","arguments":{{"a":{id},"b":1}}{meta}}}}}"#
    ) + "\n"
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, label, era, calls, window, dashes, command, rest @ ..] = args.as_slice() else {
        panic!("usage: stdio-load LABEL legacy|modern CALLS WINDOW -- COMMAND [ARGS...]");
    };
    assert_eq!(dashes, "--");
    let modern = era == "modern";
    let calls: usize = calls.parse().expect("CALLS");
    let window: usize = window.parse().expect("WINDOW");
    let mut child = tokio::process::Command::new(command)
        .args(rest)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the server");
    let mut input = child.stdin.take().expect("stdin");
    let mut output = BufReader::new(child.stdout.take().expect("stdout")).lines();
    if !modern {
        input
            .write_all(format!("{INITIALIZE}\n").as_bytes())
            .await
            .unwrap();
        output
            .next_line()
            .await
            .unwrap()
            .expect("the initialize answer");
        input
            .write_all(format!("{INITIALIZED}\n").as_bytes())
            .await
            .unwrap();
    }
    let started = Instant::now();
    let (mut sent, mut answered, mut bad) = (0usize, 0usize, 0usize);
    while answered < calls {
        let mut batch = String::new();
        while sent < calls && sent - answered < window {
            sent += 1;
            batch.push_str(&call(sent, modern));
        }
        if !batch.is_empty() {
            input.write_all(batch.as_bytes()).await.unwrap();
        }
        let line = output.next_line().await.unwrap().expect("an answer");
        if !line.contains(r#""result""#) {
            bad += 1;
        }
        answered += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "RESULT {label} stdio-{era} window={window} calls={calls} secs={secs:.3} calls_per_s={:.0} bad={bad}",
        calls as f64 / secs
    );
    drop(input);
    let _ = child.wait().await;
}
