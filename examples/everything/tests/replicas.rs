//! Two processes of the `everything` example that share one Redis serve one 2025-era session
//! behind a proxy that sends each request to the next process in turn: the official Python and
//! TypeScript v1 clients run a tool that asks them for sampling (`test_sampling`) and a tool
//! whose response stream the server closes early (`test_reconnection`: the client resumes it
//! with `Last-Event-ID`). The two-process tests insist that the sampling answer and the resumed
//! stream each reach the process that did not start the call.
//!
//! Needs the peers (`shared/interop/setup.sh`) and a Redis (`MCP_REDIS_URL`, default
//! `redis://127.0.0.1:6379`); skips without them, fails without them under CI.

use std::time::Duration;

use mcp_tests::peers::{interop_home, script, ExampleServer, PeerRun};
use mcp_tests::proxy::RoundRobin;

/// What the peers' sampling handlers answer.
const ANSWER: &str = "sampled by the replica client";

/// What `test_sampling` returns with the peers' answer.
const SAMPLED: &str = "LLM response: sampled by the replica client";

/// What `test_reconnection` returns once the client has resumed its stream.
const RECONNECTED: &str = "Reconnection test completed";

/// The key ring every process seals request state and handles with (a test key).
const STATE_KEYS: &str = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

/// How long a client may take: its three calls take a second or two.
const CLIENT_TIME: Duration = Duration::from_secs(40);

/// One peer at a time: they share their script copies, and the machine is small.
static PEERS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// An `everything` process that shares sessions and state through the Redis at `redis`.
async fn replica(redis: &str) -> ExampleServer {
    ExampleServer::start_with(
        env!("CARGO_BIN_EXE_everything"),
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
/// one session was served by both backend slots of `proxy`, including a resumed stream, with
/// no request refused or failed on the way.
fn assert_served(sdk: &str, run: &PeerRun, proxy: &RoundRobin) {
    let record = proxy.record();
    let log = proxy.log();
    // Shown with --nocapture: which process served what.
    eprintln!("{sdk}: the proxy forwarded:\n{log}");
    let context = format!("{sdk}: {run:#?}\nthe proxy forwarded:\n{log}");
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
    let Some(redis) = mcp_tests::redis::url() else {
        return;
    };
    let server = replica(&redis).await;
    for sdk in ["py", "ts-v1"] {
        let proxy = RoundRobin::start(&[&server.url, &server.url]).await;
        let run = run_client(&home, sdk, &proxy).await;
        assert_served(sdk, &run, &proxy);
    }
}

/// Which backend served the first POST whose body (its start) holds `needle`.
fn post_with(proxy: &RoundRobin, needle: &str) -> Option<usize> {
    proxy
        .record()
        .into_iter()
        .find(|f| f.method.as_str() == "POST" && f.body.contains(needle))
        .map(|f| f.backend)
}

/// Whether the sampling answer reached the process that did not run `test_sampling`, and the
/// resumed stream the process that did not run `test_reconnection`.
fn crossed(proxy: &RoundRobin) -> (bool, bool) {
    let asked = post_with(proxy, "\"test_sampling\"");
    let answered = post_with(proxy, ANSWER);
    let started = post_with(proxy, "\"test_reconnection\"");
    let resumed = proxy
        .record()
        .into_iter()
        .rfind(|f| f.last_event_id.is_some() && f.status == Some(200))
        .map(|f| f.backend);
    (
        asked.is_some() && answered.is_some() && asked != answered,
        started.is_some() && resumed.is_some() && started != resumed,
    )
}

/// Runs the client of `sdk` through a proxy over two processes until its sampling answer and
/// its resumed stream have each reached the process that did not start them. Every run must
/// succeed; which process a request reaches hangs on the order in which the client's
/// concurrent requests (its GET stream, its calls) arrive, hence a few tries.
async fn spans_two_processes(sdk: &str) {
    let Some(home) = interop_home() else { return };
    let Some(redis) = mcp_tests::redis::url() else {
        return;
    };
    let (first, second) = (replica(&redis).await, replica(&redis).await);
    let mut tries = Vec::new();
    for _ in 0..3 {
        let proxy = RoundRobin::start(&[&first.url, &second.url]).await;
        let run = run_client(&home, sdk, &proxy).await;
        assert_served(sdk, &run, &proxy);
        if crossed(&proxy) == (true, true) {
            return;
        }
        eprintln!("{sdk}: the requests did not cross processes as wanted; again");
        tries.push(proxy.log());
    }
    panic!(
        "{sdk}: in no run did both the sampling answer and the resumed stream reach the other \
         process:\n{}",
        tries.join("\n")
    );
}

/// The Python client's session alternates between two processes on every request.
#[tokio::test]
async fn python_client_session_spans_two_processes() {
    spans_two_processes("py").await;
}

/// The TypeScript v1 client's session alternates between two processes on every request.
#[tokio::test]
async fn typescript_v1_client_session_spans_two_processes() {
    spans_two_processes("ts-v1").await;
}
