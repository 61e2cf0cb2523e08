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
use mcp_tests::{modern_meta, request, EventReader, Running};
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
    session.id().to_owned()
}

/// The Redis to use, or `None` (after saying why) when there is none and none is required.
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
    if std::env::var_os("MCP_REQUIRE_REDIS").is_some() {
        panic!("no Redis at {url}, and MCP_REQUIRE_REDIS is set: start one (redis-server)");
    }
    eprintln!("skipping: no Redis at {url} (set MCP_REDIS_URL, or start redis-server)");
    None
}

/// A prefix of its own for each test: tests run at once on one Redis.
fn prefix(test: &str) -> String {
    format!("mcp-test-{}-{test}", std::process::id())
}

async fn process(server: Server, url: &str, prefix: &str) -> Running {
    Running::start(server.store(RedisStore::connect(url).unwrap().prefix(prefix))).await
}

fn listen_request(id: u32) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": "subscriptions/listen", "params": {
        "_meta": modern_meta(), "notifications": {"toolsListChanged": true}}});
    let headers = [
        ("Host", "localhost"),
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "subscriptions/listen"),
    ];
    request("POST", &headers, body.to_string().as_bytes())
}

async fn listening(s: &Running, id: u32) -> EventReader {
    let mut stream = s.open(&listen_request(id)).await;
    let ack = stream.next().await.unwrap();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    stream
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
    let Some(url) = redis_url() else { return };
    let prefix = prefix("listen");
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

    let called = a
        .modern(
            "tools/call",
            json!({"name": "change_tools", "arguments": {}}),
        )
        .await;
    assert_eq!(called.status, 200);
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
    let Some(url) = redis_url() else { return };
    let prefix = prefix("sessions");
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
    // Redis is down: a call still answers at once, and its own process still hears it.
    let started = std::time::Instant::now();
    let called = a
        .modern(
            "tools/call",
            json!({"name": "change_tools", "arguments": {}}),
        )
        .await;
    assert_eq!(called.status, 200);
    assert!(started.elapsed() < Duration::from_secs(1));

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
