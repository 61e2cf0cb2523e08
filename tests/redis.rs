//! Several processes of one server on one Redis: change notifications raised on any process
//! reach the listeners of every process. (Two servers in one test process stand for two
//! processes: they share nothing but Redis.)
//!
//! Needs a Redis at `MCP_REDIS_URL` (default `redis://127.0.0.1:6379`). Outside CI a missing
//! Redis skips these tests, saying so; with `MCP_REQUIRE_REDIS=1` (set by `.ci/run`) it fails
//! them.

use std::time::Duration;

use mcp_runtime::prelude::*;
use mcp_runtime::session::Session;
use mcp_runtime::store::RedisStore;
use mcp_runtime::Notifier;
use mcp_tests::{request, EventReader, Running};
use serde_json::json;

/// Announces a tool list change.
#[tool]
fn change_tools(notifier: Notifier) -> &'static str {
    notifier.tools_changed();
    "ok"
}

/// Needs a session, so that the server is stateful and keeps `GET` streams.
#[tool]
fn whoami(session: Session) -> String {
    let client = session
        .client_info()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let sampling = session.client_capabilities().sampling;
    format!("{} {client} {sampling}", session.id())
}

/// One process of a stateful server behind the authentication layer.
async fn stateful_process(url: &str, prefix: &str) -> Running {
    stateful_process_with(url, prefix, |s| s).await
}

/// [`stateful_process`], with settings of its own.
async fn stateful_process_with(
    url: &str,
    prefix: &str,
    settings: impl FnOnce(Server) -> Server,
) -> Running {
    let server = settings(Server::new().tool(whoami::tool()))
        .store(RedisStore::connect(url).unwrap().prefix(prefix));
    Running::start_router(
        server
            .router()
            .unwrap()
            .layer(axum::middleware::from_fn(mcp_tests::authenticate)),
    )
    .await
}

/// Calls `whoami` in `session` as `user`.
async fn whoami_in(s: &Running, session: &str, user: &str) -> mcp_tests::Response {
    let body = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "whoami", "arguments": {}}});
    let headers = [
        ("MCP-Protocol-Version", "2025-11-25"),
        ("Mcp-Session-Id", session),
        ("x-user", user),
    ];
    s.post(&headers, &body.to_string()).await
}

async fn process(server: Server, url: &str, prefix: &str) -> Running {
    Running::start(server.store(RedisStore::connect(url).unwrap().prefix(prefix))).await
}

async fn listening(s: &Running, id: u32) -> EventReader {
    let filter = json!({"toolsListChanged": true});
    let mut stream = s.open(&mcp_tests::listen_request(id, filter)).await;
    let ack = stream.next().await.unwrap();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    stream
}

/// Raises a tool list change through a call on `s`, which must answer at once whatever Redis
/// is doing.
async fn change_tools_on(s: &Running) {
    let started = std::time::Instant::now();
    let called = s
        .modern(
            "tools/call",
            json!({"name": "change_tools", "arguments": {}}),
        )
        .await;
    assert_eq!(called.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a call does not wait for Redis"
    );
}

/// How many tool list changes `stream` receives within `limit`.
async fn tool_changes_within(stream: &mut EventReader, limit: Duration) -> usize {
    stream.ends_within(limit).await;
    stream
        .received()
        .matches("notifications/tools/list_changed")
        .count()
}

#[tokio::test]
async fn a_change_on_one_process_reaches_listeners_on_every_process_once() {
    let Some(url) = mcp_tests::redis::url() else {
        return;
    };
    let prefix = mcp_tests::redis::prefix("listen");
    let a = process(Server::new().tool(change_tools::tool()), &url, &prefix).await;
    let b = process(Server::new().tool(change_tools::tool()), &url, &prefix).await;
    let other = process(
        Server::new().tool(change_tools::tool()),
        &url,
        &format!("{prefix}-other"),
    )
    .await;
    // Subscriptions to Redis are made as the servers start: give them a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut on_a = listening(&a, 1).await;
    let mut on_b = listening(&b, 2).await;
    let mut on_other = listening(&other, 3).await;

    change_tools_on(&a).await;
    let change = on_b.next().await.unwrap();
    assert_eq!(change["method"], "notifications/tools/list_changed");
    assert_eq!(
        change["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        2
    );
    // The process that raised it heard it once (not again through Redis); a server with
    // another prefix heard nothing.
    assert_eq!(
        tool_changes_within(&mut on_a, Duration::from_millis(500)).await,
        1
    );
    assert_eq!(
        tool_changes_within(&mut on_other, Duration::from_millis(100)).await,
        0
    );
}

#[tokio::test]
async fn a_change_reaches_a_session_get_stream_on_another_process() {
    let Some(url) = mcp_tests::redis::url() else {
        return;
    };
    let prefix = mcp_tests::redis::prefix("sessions");
    let stateful = || {
        Server::new()
            .tool(whoami::tool())
            .tool(change_tools::tool())
    };
    let a = process(stateful(), &url, &prefix).await;
    let mut server_b = stateful();
    let notifier_b = server_b.notifier();
    let b = process(server_b, &url, &prefix).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let session = a.initialize().await;
    let get = [
        ("Host", "localhost"),
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", session.as_str()),
    ];
    let mut stream = a.open(&request("GET", &get, b"")).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Raised by the application on process B, outside any request.
    notifier_b.tools_changed();
    let change = stream.next().await.unwrap();
    assert_eq!(change["method"], "notifications/tools/list_changed");
    drop(b);
}

#[tokio::test]
async fn without_redis_a_server_starts_and_its_own_listeners_still_hear_it() {
    // Nothing listens on port 1.
    let s = Running::start(
        Server::new()
            .tool(change_tools::tool())
            .store(RedisStore::connect("redis://127.0.0.1:1").unwrap()),
    )
    .await;
    let mut on_it = listening(&s, 1).await;
    change_tools_on(&s).await;
    let change = on_it.next().await.unwrap();
    assert_eq!(change["method"], "notifications/tools/list_changed");
    assert!(RedisStore::connect("http://not-redis").is_err());
}

/// A Redis server of the test's own, on a free port, that the test can stop and start again.
struct OwnRedis {
    port: u16,
    child: Option<std::process::Child>,
}

impl OwnRedis {
    /// `None` (after saying why) when `redis-server` is not installed and Redis is not required.
    fn start() -> Option<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut own = Self { port, child: None };
        if !own.run() {
            if std::env::var_os("MCP_REQUIRE_REDIS").is_some() {
                panic!("redis-server could not be started, and MCP_REQUIRE_REDIS is set");
            }
            eprintln!("skipping: redis-server is not installed");
            return None;
        }
        Some(own)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    fn run(&mut self) -> bool {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn();
        let Ok(child) = child else { return false };
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn after_redis_restarts_changes_flow_again_and_listeners_re_read_their_lists() {
    let Some(mut redis) = OwnRedis::start() else {
        return;
    };
    let url = redis.url();
    let a = process(Server::new().tool(change_tools::tool()), &url, "restart").await;
    let b = process(Server::new().tool(change_tools::tool()), &url, "restart").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut on_b = listening(&b, 1).await;

    redis.stop();
    // Redis is down: a call still answers at once.
    change_tools_on(&a).await;

    assert!(redis.run(), "redis-server restarts");
    // B resubscribes by itself, and tells its listeners that every list may have changed
    // (it may have missed changes meanwhile).
    let missed = on_b.next().await.unwrap();
    assert_eq!(missed["method"], "notifications/tools/list_changed");
    // A publishes again once it has reconnected: changes flow between processes again.
    let mut reached = false;
    for _ in 0..30 {
        a.modern(
            "tools/call",
            json!({"name": "change_tools", "arguments": {}}),
        )
        .await;
        if tool_changes_within(&mut on_b, Duration::from_millis(200)).await >= 2 {
            reached = true;
            break;
        }
    }
    assert!(reached, "a change on A reached B after Redis came back");
}

#[tokio::test]
async fn a_session_opened_on_one_process_is_served_by_another_and_ended_on_both() {
    let Some(url) = mcp_tests::redis::url() else {
        return;
    };
    let prefix = mcp_tests::redis::prefix("session-records");
    let (a, b) = (
        stateful_process(&url, &prefix).await,
        stateful_process(&url, &prefix).await,
    );
    let opened = a.post(&[("x-user", "ada")], mcp_tests::INITIALIZE).await;
    assert_eq!(opened.status, 200);
    let session = opened.header("mcp-session-id").unwrap().to_owned();
    // Process B serves it, with what initialize settled on A.
    let served = whoami_in(&b, &session, "ada").await;
    assert_eq!(served.status, 200);
    assert_eq!(
        served.result()["content"][0]["text"],
        format!("{session} tests true")
    );
    // It stays bound to whoever opened it, on every process.
    assert_eq!(whoami_in(&b, &session, "bo").await.status, 404);
    assert_eq!(whoami_in(&a, &session, "bo").await.status, 404);
    // An id no process issued is unknown everywhere.
    assert_eq!(whoami_in(&b, "no-such-session", "ada").await.status, 404);
    // DELETE on B ends it on A too.
    let delete = [
        ("Host", "localhost"),
        ("Mcp-Session-Id", session.as_str()),
        ("x-user", "ada"),
    ];
    let deleted = b.send(&request("DELETE", &delete, b"")).await;
    assert_eq!(deleted.status, 200);
    let mut ended = false;
    for _ in 0..50 {
        if whoami_in(&a, &session, "ada").await.status == 404 {
            ended = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ended, "a session deleted on B is unknown on A");
}

#[tokio::test]
async fn without_redis_a_session_is_refused_with_503_and_retry_after() {
    // Nothing listens on port 1.
    let s = stateful_process("redis://127.0.0.1:1", "down").await;
    let refused = s.post(&[], mcp_tests::INITIALIZE).await;
    assert_eq!(refused.status, 503, "{}", refused.json());
    assert!(refused.header("retry-after").is_some());
    assert_eq!(refused.json()["error"]["code"], -32603);
    // A 2026-07-28 client needs no session: it is served all the same.
    let discovered = s.modern("server/discover", json!({})).await;
    assert_eq!(discovered.status, 200);
}

#[tokio::test]
async fn a_session_used_on_another_process_outlives_the_unused_timeout_everywhere() {
    let Some(url) = mcp_tests::redis::url() else {
        return;
    };
    let prefix = mcp_tests::redis::prefix("session-expiry");
    let short = |s: Server| {
        s.unused_session_timeout(Duration::from_millis(400))
            .session_idle_timeout(Duration::from_secs(30))
    };
    let a = stateful_process_with(&url, &prefix, short).await;
    let b = stateful_process_with(&url, &prefix, short).await;
    let opened = a.post(&[("x-user", "ada")], mcp_tests::INITIALIZE).await;
    let session = opened.header("mcp-session-id").unwrap().to_owned();
    assert_eq!(whoami_in(&b, &session, "ada").await.status, 200);
    // Past the unused timeout: A never saw it used, but B did, so it lives on everywhere.
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(whoami_in(&a, &session, "ada").await.status, 200);
    // A session nobody used ends everywhere after the unused timeout.
    let unused = a.post(&[("x-user", "ada")], mcp_tests::INITIALIZE).await;
    let unused = unused.header("mcp-session-id").unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(whoami_in(&b, &unused, "ada").await.status, 404);
}
