//! The skills over stdio, as a desktop client starts the server: the MCP Inspector's CLI reads a
//! skill's file and verifies every skill (its SEP-2640 checks and every digest), and a
//! 2026-07-28 `skills/list` on the pipe gets the same entries as over HTTP.

use std::process::Stdio;

use mcp_tests::peers::{interop_home, node};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Runs the Inspector CLI against `skills --stdio` with `args`; what it printed, once it
/// exited 0 (`None`: the peers are not installed, and the test says it skips).
async fn inspector(args: &[&str]) -> Option<String> {
    let home = interop_home()?;
    let output = tokio::process::Command::new(node(&home))
        .arg(home.join("inspector/node_modules/.bin/mcp-inspector"))
        .args(["--cli", env!("CARGO_BIN_EXE_skills"), "--stdio"])
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .expect("run the Inspector CLI");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{}: {stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    Some(stdout)
}

#[tokio::test]
async fn the_inspector_verifies_every_skill_over_stdio() {
    let args = ["--method", "skills/list", "--verify", "--require-digests"];
    let Some(stdout) = inspector(&args).await else {
        return;
    };
    let reports: Vec<Value> = stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 3, "{stdout}");
    for report in &reports {
        assert_eq!(report["ok"], true, "{report}");
        assert_eq!(report["outcome"], "verified", "{report}");
        assert_eq!(report["conformance"], json!([]), "{report}");
    }
    let files = reports[0]["files"].as_array().unwrap();
    assert_eq!(files.len(), 4, "{}", reports[0]);
}

#[tokio::test]
async fn the_inspector_reads_a_skill_file_over_stdio() {
    let args = [
        "--method",
        "resources/read",
        "--uri",
        "skill://git-workflow/SKILL.md",
    ];
    let Some(stdout) = inspector(&args).await else {
        return;
    };
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
