//! The skills over stdio, as a desktop client starts the server: the MCP Inspector's CLI reads a
//! skill's file, and a 2026-07-28 `skills/list` on the pipe gets the same entries as over HTTP.

use std::process::Stdio;

use mcp_tests::peers::{interop_home, node};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[tokio::test]
async fn the_inspector_reads_a_skill_file_over_stdio() {
    let Some(home) = interop_home() else { return };
    let output = tokio::process::Command::new(node(&home))
        .arg(home.join("inspector/node_modules/.bin/mcp-inspector"))
        .args(["--cli", env!("CARGO_BIN_EXE_skills"), "--stdio"])
        .args([
            "--method",
            "resources/read",
            "--uri",
            "skill://git-workflow/SKILL.md",
        ])
        .kill_on_drop(true)
        .output()
        .await
        .expect("run the Inspector CLI");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: Value = serde_json::from_str(&stdout[stdout.find("\n{").map_or(0, |i| i + 1)..])
        .unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let on_disk = include_str!("../skills/git-workflow/SKILL.md");
    assert_eq!(answer["contents"][0]["text"], on_disk, "{answer}");
    assert_eq!(answer["contents"][0]["mimeType"], "text/markdown");
}

#[tokio::test]
async fn skills_list_over_the_pipe() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_skills"))
        .arg("--stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let request = json!({
        "jsonrpc": "2.0", "id": 1, "method": "skills/list",
        "params": {"_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
        }},
    });
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{request}\n").as_bytes())
        .await
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(std::time::Duration::from_secs(10), lines.next_line())
        .await
        .expect("an answer within 10 s")
        .unwrap()
        .expect("a line");
    let answer: Value = serde_json::from_str(&line).unwrap();
    let skills = answer["result"]["skills"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"));
    assert_eq!(skills.len(), 3, "{answer}");
    assert_eq!(skills[1]["frontmatter"]["name"], "git-workflow");
    drop(stdin);
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("exits when stdin ends")
        .unwrap();
    assert!(status.success(), "{status}");
}
