//! Two processes of the `everything` example that share one Redis serve one 2025-era session
//! behind a proxy that sends each request to the next process in turn: the official Python and
//! TypeScript v1 clients run a tool that asks them for sampling (`test_sampling`: the answer
//! may reach the process that did not ask) and a tool whose response stream the server closes
//! early (`test_reconnection`: the client resumes it with `Last-Event-ID`, perhaps on the
//! process that did not start it).
//!
//! Needs the peers (`shared/interop/setup.sh`) and a Redis (`MCP_REDIS_URL`, default
//! `redis://127.0.0.1:6379`); skips without them, fails without them under CI.

use std::path::PathBuf;
use std::time::Duration;

use mcp_tests::peers::{interop_home, script, ExampleServer, PeerRun};
use mcp_tests::proxy::RoundRobin;

/// What the peers' sampling handlers answer; `test_sampling` returns it after this prefix.
const SAMPLED: &str = "LLM response: sampled by the replica client";

/// What `test_reconnection` returns once the client has resumed its stream.
const RECONNECTED: &str = "Reconnection test completed";

/// The key ring every process seals request state and handles with (a test key).
const STATE_KEYS: &str = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

/// How long a client may take: its three calls take a second or two.
const CLIENT_TIME: Duration = Duration::from_secs(40);

/// One peer at a time: they share their script copies, and the machine is small.
static PEERS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The Redis to share: `MCP_REDIS_URL`, else `redis://127.0.0.1:6379`, if it accepts
/// connections. Without one the test is skipped, unless `CI` or `MCP_REQUIRE_REDIS` is set:
/// then it fails.
fn redis_url() -> Option<String> {
    let url = std::env::var("MCP_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    // host:port, after any credentials and before any database number.
    let authority = url.trim_start_matches("redis://");
    let authority = authority.split('/').next().unwrap_or_default();
    let address = authority.rsplit('@').next().unwrap_or(authority);
    let reachable = std::net::ToSocketAddrs::to_socket_addrs(address)
        .ok()
        .and_then(|mut addresses| addresses.next())
        .is_some_and(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(1)).is_ok());
    if reachable {
        return Some(url);
    }
    assert!(
        std::env::var_os("CI").is_none() && std::env::var_os("MCP_REQUIRE_REDIS").is_none(),
        "no Redis at {url}, and CI or MCP_REQUIRE_REDIS is set: start one (redis-server)"
    );
    eprintln!("skipping: no Redis at {url} (set MCP_REDIS_URL, or start redis-server)");
    None
}

/// The `everything` example binary, built (or found up to date) by cargo for this test's
/// profile: another package's binary has no `CARGO_BIN_EXE_` here.
fn everything() -> &'static str {
    static BINARY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BINARY.get_or_init(|| {
        // target/<profile>/deps/replicas-<hash> -> target/<profile>
        let exe = std::env::current_exe().expect("the test's path");
        let dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("the test runs from target/<profile>/deps");
        let profile = match dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev",
            Some(other) => other,
        };
        let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let built = std::process::Command::new(env!("CARGO"))
            .args([
                "build",
                "-p",
                "everything",
                "--profile",
                profile,
                "--manifest-path",
            ])
            .arg(&workspace)
            .output()
            .expect("run cargo build -p everything");
        assert!(
            built.status.success(),
            "cargo build -p everything failed:\n{}",
            String::from_utf8_lossy(&built.stderr)
        );
        let binary = dir.join(format!("everything{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.exists(), "no {}", binary.display());
        binary.to_str().expect("a UTF-8 path").to_owned()
    })
}

/// An `everything` process that shares sessions and state through the Redis at `redis`.
async fn replica(redis: &str) -> ExampleServer {
    ExampleServer::start_with(
        everything(),
        &[("MCP_REDIS_URL", redis), ("MCP_STATE_KEYS", STATE_KEYS)],
    )
    .await
}

/// Runs the replica client of `sdk` (`py` or `ts-v1`) in legacy (2025) mode through `proxy`.
async fn run_client(home: &std::path::Path, sdk: &str, proxy: &RoundRobin) -> PeerRun {
    let _turn = PEERS.lock().await;
    let args: &[&str] = if sdk == "py" {
        &["--mode", "legacy"]
    } else {
        &[]
    };
    let url = proxy.url("/mcp");
    // Shorter than the peer's own limit, to say which requests were left hanging.
    match tokio::time::timeout(CLIENT_TIME, script(home, sdk, "replica_client", &url, args)).await {
        Ok(run) => run,
        Err(_) => panic!(
            "{sdk}: the client did not finish within {CLIENT_TIME:?}; the proxy forwarded:\n{}",
            proxy.log()
        ),
    }
}

/// Asserts that the client of `sdk` got the sampled text and the resumed result, and that its
/// one session was served by both backend slots of `proxy`, including a resumed stream.
fn assert_served(sdk: &str, run: &PeerRun, proxy: &RoundRobin) {
    let record = proxy.record();
    let context = format!("{sdk}: {run:#?}\nthe proxy forwarded:\n{}", proxy.log());
    assert!(run.success, "the client failed: {context}");
    assert_eq!(
        run.find("sampling")["sampling"],
        SAMPLED,
        "sampling: {context}"
    );
    assert_eq!(
        run.find("reconnection")["reconnection"],
        RECONNECTED,
        "reconnection: {context}"
    );
    assert!(
        run.find("tools")["tools"]
            .as_array()
            .is_some_and(|tools| tools.iter().any(|t| t == "test_reconnection")),
        "tools: {context}"
    );
    let mut sessions: Vec<&str> = record
        .iter()
        .filter_map(|f| f.session_id.as_deref())
        .collect();
    sessions.sort_unstable();
    sessions.dedup();
    assert_eq!(sessions.len(), 1, "one session: {context}");
    assert_eq!(
        proxy.backends_of(sessions[0]),
        [0, 1],
        "both backends served the session: {context}"
    );
    assert!(
        record.iter().any(|f| f.last_event_id.is_some()),
        "the client resumed a stream with Last-Event-ID: {context}"
    );
    // Clients retry some failures (a resumption refused with 404 is tried again, and may reach
    // the process that holds the stream): none is expected of a session served anywhere.
    assert!(
        record
            .iter()
            .all(|f| f.status.is_some_and(|status| status < 400)),
        "every request succeeded on the backend it reached: {context}"
    );
}

/// The harness itself: both proxy slots lead to one process, which holds the whole session.
#[tokio::test]
async fn one_process_behind_the_proxy_serves_the_clients() {
    let Some(home) = interop_home() else { return };
    let Some(redis) = redis_url() else { return };
    let server = replica(&redis).await;
    for sdk in ["py", "ts-v1"] {
        let proxy = RoundRobin::start(&[&server.url, &server.url]).await;
        let run = run_client(&home, sdk, &proxy).await;
        assert_served(sdk, &run, &proxy);
    }
}

/// The Python client's session alternates between two processes on every request.
#[tokio::test]
async fn python_client_session_spans_two_processes() {
    let Some(home) = interop_home() else { return };
    let Some(redis) = redis_url() else { return };
    let (first, second) = (replica(&redis).await, replica(&redis).await);
    let proxy = RoundRobin::start(&[&first.url, &second.url]).await;
    let run = run_client(&home, "py", &proxy).await;
    assert_served("py", &run, &proxy);
}

/// The TypeScript v1 client's session alternates between two processes on every request.
#[tokio::test]
async fn typescript_v1_client_session_spans_two_processes() {
    let Some(home) = interop_home() else { return };
    let Some(redis) = redis_url() else { return };
    let (first, second) = (replica(&redis).await, replica(&redis).await);
    let proxy = RoundRobin::start(&[&first.url, &second.url]).await;
    let run = run_client(&home, "ts-v1", &proxy).await;
    assert_served("ts-v1", &run, &proxy);
}
