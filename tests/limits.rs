//! Every per-client, per-session and per-connection bound, over a real socket: what one client
//! can hold, for how long, and the clear refusal past each bound.

use std::net::IpAddr;
use std::time::Duration;

use mcp_runtime::extract::{CreateMessage, Sampler};
use mcp_runtime::prelude::*;
use mcp_runtime::Notifier;
use mcp_tests::{
    kept_alive, legacy_headers, legacy_request, modern_request, request, Running,
    INITIALIZE as INIT,
};
use serde_json::{json, Value};

/// Adds two integers.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Asks the client's model.
#[tool]
async fn ask(question: String, sampler: Sampler) -> String {
    match sampler
        .create_message(CreateMessage::ask(question, 10))
        .await
    {
        Ok(answer) => format!("model: {}", answer.text().unwrap_or_default()),
        Err(e) => format!("no answer: {e}"),
    }
}

/// Announces a change.
#[tool]
fn touch(notifier: Notifier) -> &'static str {
    notifier.tools_changed();
    "touched"
}

/// A document.
#[resource("docs://{name}", mime_type = "text/plain")]
fn doc(name: String) -> String {
    name
}

/// A long text, for responses nobody reads.
#[tool]
fn long_text(bytes: usize) -> String {
    "x".repeat(bytes)
}

fn second_client() -> IpAddr {
    "127.0.0.2".parse().unwrap()
}

fn call(id: u32, name: &str, arguments: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": arguments}}).to_string()
}

fn in_session(session: &str, body: &str) -> Vec<u8> {
    legacy_request(body, Some(session))
}

fn listen_request() -> Vec<u8> {
    modern_request(
        "subscriptions/listen",
        json!({"notifications": {"toolsListChanged": true}}),
    )
}

/// A 2026-07-28 `tools/call`, on a connection kept open or closed after it.
fn modern_call(name: &str, arguments: Value, close: bool) -> Vec<u8> {
    let r = modern_request("tools/call", json!({"name": name, "arguments": arguments}));
    if close {
        r
    } else {
        kept_alive(r)
    }
}

/// `add(1, 2)` as a 2026-07-28 request.
fn add_call() -> Vec<u8> {
    modern_call("add", json!({"a": 1, "b": 2}), true)
}

/// `n` connections that send nothing, once the server has accepted them.
async fn idle_connections(s: &Running, n: usize) -> Vec<tokio::net::TcpStream> {
    let mut idle = Vec::new();
    for _ in 0..n {
        idle.push(tokio::net::TcpStream::connect(s.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    idle
}

fn retry_after(r: &mcp_tests::Response) -> u64 {
    r.header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a Retry-After header: {:?}", r.headers))
}

#[tokio::test]
async fn one_client_cannot_take_every_session() {
    let s = Running::start(
        Server::from_registry()
            .sessions_per_client(3)
            .max_sessions(100),
    )
    .await;
    let mut mine = Vec::new();
    for _ in 0..3 {
        mine.push(s.initialize().await);
    }
    let refused = s.post(&[], INIT).await;
    assert_eq!(refused.status, 429, "{}", refused.json());
    // Its own sessions stay until idle (30 minutes) or unused (60 s): the truth, not a guess.
    let after = retry_after(&refused);
    assert!((50..=60).contains(&after), "Retry-After {after}");
    // Another client is served.
    let other = s
        .send_from(second_client(), &legacy_request(INIT, None))
        .await;
    assert_eq!(other.status, 200);
    // Ending one of its own sessions gives the client its place back.
    let delete = s
        .send(&request("DELETE", &legacy_headers(Some(&mine[0])), b""))
        .await;
    assert_eq!(delete.status, 200);
    assert_eq!(s.post(&[], INIT).await.status, 200);
}

#[tokio::test]
async fn unused_sessions_are_reclaimed_early_and_retry_after_is_true() {
    let s = Running::start(
        Server::from_registry()
            .max_sessions(2)
            .session_idle_timeout(Duration::from_secs(30))
            .unused_session_timeout(Duration::from_secs(600)),
    )
    .await;
    let a = s.initialize().await;
    let b = s.initialize().await;
    for session in [&a, &b] {
        let used = s
            .send(&in_session(
                session,
                &call(1, "add", json!({"a": 1, "b": 2})),
            ))
            .await;
        assert_eq!(used.status, 200);
    }
    let full = s.post(&[], INIT).await;
    assert_eq!(full.status, 503);
    // Both sessions were used just now: the first place frees when one has been idle 30 s.
    let after = retry_after(&full);
    assert!((28..=30).contains(&after), "Retry-After {after}");

    // A full server of sessions nobody uses frees their places for new clients.
    let s = Running::start(
        Server::from_registry()
            .max_sessions(2)
            .unused_session_timeout(Duration::from_millis(400)),
    )
    .await;
    s.initialize().await;
    s.initialize().await;
    let full = s.post(&[], INIT).await;
    assert_eq!((full.status, retry_after(&full)), (503, 1));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        s.post(&[], INIT).await.status,
        200,
        "unused sessions reclaimed"
    );
}

#[tokio::test]
async fn a_session_has_only_so_many_calls_in_flight() {
    let s = Running::start(Server::from_registry().calls_per_session(2)).await;
    let session = s.initialize().await;
    // Two calls wait for the client's model; the third is refused, not queued.
    let mut waiting = Vec::new();
    for id in 1..=2 {
        let mut stream = s
            .open(&in_session(
                &session,
                &call(id, "ask", json!({"question": "q"})),
            ))
            .await;
        let question = stream.next().await.expect("the sampling request");
        assert_eq!(question["method"], "sampling/createMessage");
        waiting.push(stream);
    }
    let third = s
        .send(&in_session(
            &session,
            &call(3, "ask", json!({"question": "q"})),
        ))
        .await;
    assert_eq!(third.status, 429, "{}", third.json());
    assert_eq!(retry_after(&third), 1);
    // A call that ends gives its place back.
    let cancel =
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}});
    s.send(&in_session(&session, &cancel.to_string())).await;
    let mut done = false;
    for _ in 0..50 {
        let r = s
            .send(&in_session(
                &session,
                &call(4, "add", json!({"a": 1, "b": 1})),
            ))
            .await;
        if r.status == 200 {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(done, "the cancelled call's place was given back");
}

#[tokio::test]
async fn a_call_whose_client_left_without_seeing_its_question_is_abandoned() {
    let s = Running::start(
        Server::from_registry()
            .calls_per_session(1)
            .resume_grace(Duration::from_millis(300))
            .input_timeout(Duration::from_secs(60)),
    )
    .await;
    let session = s.initialize().await;
    let mut stream = s
        .open(&in_session(
            &session,
            &call(1, "ask", json!({"question": "q"})),
        ))
        .await;
    assert_eq!(
        stream.next().await.unwrap()["method"],
        "sampling/createMessage"
    );
    drop(stream);
    // Without the grace the call would hold its place for the whole input timeout (60 s).
    let started = std::time::Instant::now();
    loop {
        let r = s
            .send(&in_session(
                &session,
                &call(2, "add", json!({"a": 1, "b": 1})),
            ))
            .await;
        if r.status == 200 {
            break;
        }
        assert_eq!(r.status, 429);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the abandoned call still holds its place"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_session_stream_ends_with_its_session() {
    let s =
        Running::start(Server::from_registry().session_idle_timeout(Duration::from_millis(500)))
            .await;
    // Ended by DELETE.
    let session = s.initialize().await;
    let mut get = s
        .open(&request("GET", &legacy_headers(Some(&session)), b""))
        .await;
    let delete = s
        .send(&request("DELETE", &legacy_headers(Some(&session)), b""))
        .await;
    assert_eq!(delete.status, 200);
    assert!(
        get.ends_within(Duration::from_secs(2)).await,
        "{}",
        get.received()
    );
    // Ended by idle expiry.
    let session = s.initialize().await;
    let mut get = s
        .open(&request("GET", &legacy_headers(Some(&session)), b""))
        .await;
    assert!(get.received().is_empty() || get.received().starts_with("HTTP/1.1 200"));
    assert!(
        get.ends_within(Duration::from_secs(3)).await,
        "{}",
        get.received()
    );
    // And it heard nothing after its session ended.
    s.send(&legacy_request("", None)).await;
}

#[tokio::test]
async fn resource_subscriptions_are_bounded() {
    let s = Running::start(Server::from_registry().subscriptions_per_session(3)).await;
    let session = s.initialize().await;
    let subscribe = |uri: String| {
        json!({"jsonrpc": "2.0", "id": 1, "method": "resources/subscribe", "params": {"uri": uri}})
            .to_string()
    };
    let long = format!("docs://{}", "a".repeat(1024 * 1024));
    let r = s.send(&in_session(&session, &subscribe(long))).await;
    assert_eq!(r.error_code(), -32602, "{}", r.json());
    for i in 0..3 {
        let r = s
            .send(&in_session(&session, &subscribe(format!("docs://{i}"))))
            .await;
        assert_eq!(r.status, 200, "{}", r.json());
    }
    // Subscribing again to the same URI takes no place.
    let again = s
        .send(&in_session(&session, &subscribe("docs://0".into())))
        .await;
    assert_eq!(again.status, 200);
    let fourth = s
        .send(&in_session(&session, &subscribe("docs://3".into())))
        .await;
    assert_eq!(fourth.error_code(), -32602, "{}", fourth.json());

    // A listen stream's subscriptions too: too many, or too long, is refused before it opens.
    let uris: Vec<String> = (0..300).map(|i| format!("docs://{i}")).collect();
    for subscriptions in [uris, vec![format!("docs://{}", "b".repeat(5000))]] {
        let r = s
            .modern(
                "subscriptions/listen",
                json!({"notifications": {"resourceSubscriptions": subscriptions}}),
            )
            .await;
        assert_eq!(r.error_code(), -32602, "{}", r.json());
    }
}

#[tokio::test]
async fn listen_streams_are_capped_per_client_and_in_all_and_end_in_time() {
    let s = Running::start(
        Server::from_registry()
            .max_streams(3)
            .streams_per_client(2)
            .stream_lifetime(Duration::from_millis(800)),
    )
    .await;
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut stream = s.open(&listen_request()).await;
        assert_eq!(
            stream.next().await.unwrap()["method"],
            "notifications/subscriptions/acknowledged"
        );
        open.push(stream);
    }
    let over_quota = s.send(&listen_request()).await;
    assert_eq!(over_quota.status, 429);
    retry_after(&over_quota);
    // Another client takes the last place, then the server is full for everyone.
    let mut other = s.connect_from(second_client()).await;
    tokio::io::AsyncWriteExt::write_all(&mut other, &listen_request())
        .await
        .unwrap();
    let full = s.send_from(second_client(), &listen_request()).await;
    assert_eq!(full.status, 503);
    retry_after(&full);
    // Ordinary requests still get through.
    assert_eq!(
        s.modern(
            "tools/call",
            json!({"name": "add", "arguments": {"a": 1, "b": 2}})
        )
        .await
        .result()["content"][0]["text"],
        "3"
    );
    // Each stream closes with its result when its lifetime is over.
    for mut stream in open {
        let last = tokio::time::timeout(Duration::from_secs(3), async {
            let mut last = None;
            while let Some(message) = stream.next().await {
                last = Some(message);
            }
            last
        })
        .await
        .expect("the stream ends");
        let last = last.expect("a closing result");
        assert_eq!(last["id"], 1);
        assert_eq!(last["result"]["resultType"], "complete");
    }
    // Their places are free again.
    let mut again = s.open(&listen_request()).await;
    assert_eq!(
        again.next().await.unwrap()["method"],
        "notifications/subscriptions/acknowledged"
    );
}

#[tokio::test]
async fn connections_are_capped_with_a_clear_refusal_and_accepting_goes_on() {
    let s = Running::start(
        Server::from_registry()
            .max_connections(4)
            .connections_per_client(4),
    )
    .await;
    let mut idle = idle_connections(&s, 4).await;
    let refused = s.send(&add_call()).await;
    assert_eq!(refused.status, 503);
    assert_eq!(refused.error_code(), -32603);
    assert_eq!(retry_after(&refused), 1);
    drop(idle.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let served = s.send(&add_call()).await;
    assert_eq!(served.status, 200);
}

#[tokio::test]
async fn one_client_address_cannot_take_every_connection() {
    let s = Running::start(
        Server::from_registry()
            .max_connections(100)
            .connections_per_client(3),
    )
    .await;
    let mut idle = idle_connections(&s, 3).await;
    let refused = s.send(&add_call()).await;
    assert_eq!(refused.status, 429, "{}", refused.json());
    assert_eq!(retry_after(&refused), 1);
    // Another client is served meanwhile, and this one again once it lets a connection go.
    let other = s.send_from(second_client(), &add_call()).await;
    assert_eq!(other.status, 200);
    drop(idle.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let served = s.send(&add_call()).await;
    assert_eq!(served.status, 200);
}

#[tokio::test]
async fn a_client_that_reads_nothing_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = Running::start(Server::from_registry().write_timeout(Duration::from_millis(500))).await;
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    // Many requests for large answers, none of which is read.
    let one = modern_call("long_text", json!({"bytes": 1_000_000}), false);
    let writer = tokio::spawn(async move {
        for _ in 0..64 {
            if tcp.write_all(&one).await.is_err() {
                break;
            }
        }
        tcp
    });
    let mut tcp = tokio::time::timeout(Duration::from_secs(10), writer)
        .await
        .expect("the server stops reading once it cannot write")
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // The server gave up on the connection: reading what it sent ends well before 64 MB.
    let mut received = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received += n,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the connection was closed");
    assert!(received < 40_000_000, "received {received} bytes");
}

#[tokio::test]
async fn notification_streams_reach_http_1_0_clients_too() {
    // HTTP/1.0 has no chunked framing: its stream is written to the end of the connection.
    let s = Running::start(Server::from_registry()).await;
    let old = String::from_utf8(listen_request())
        .unwrap()
        .replacen("HTTP/1.1", "HTTP/1.0", 1);
    let mut stream = s.open(old.as_bytes()).await;
    assert_eq!(
        stream.next().await.unwrap()["method"],
        "notifications/subscriptions/acknowledged"
    );
    assert!(!stream
        .received()
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked"));
    let touched = s.send(&modern_call("touch", json!({}), true)).await;
    assert_eq!(touched.status, 200);
    assert_eq!(
        stream.next().await.unwrap()["method"],
        "notifications/tools/list_changed"
    );
    // And an HTTP/1.1 client's stream is chunked, taken over from hyper after its head.
    let mut chunked = s.open(&listen_request()).await;
    chunked.next().await.unwrap();
    assert!(chunked
        .received()
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked"));
    s.send(&modern_call("touch", json!({}), true)).await;
    assert_eq!(
        chunked.next().await.unwrap()["method"],
        "notifications/tools/list_changed"
    );
    // Every byte after the head is a well-formed chunk.
    let received = chunked.received();
    let mut rest = &received[received.find("\r\n\r\n").unwrap() + 4..];
    let mut data = String::new();
    while let Some(line_end) = rest.find("\r\n") {
        let size = usize::from_str_radix(&rest[..line_end], 16).expect("a chunk size");
        let chunk = &rest[line_end + 2..];
        assert!(chunk.len() >= size + 2, "a whole chunk");
        assert_eq!(&chunk[size..size + 2], "\r\n");
        data.push_str(&chunk[..size]);
        rest = &chunk[size + 2..];
    }
    assert!(rest.is_empty(), "left over: {rest:?}");
    assert!(data.contains("notifications/subscriptions/acknowledged"));
    assert!(data.contains("notifications/tools/list_changed"));
}

#[tokio::test]
async fn a_stateful_server_screens_get_and_delete_for_repeated_headers() {
    let s = Running::start(Server::from_registry()).await;
    let session = s.initialize().await;
    let other = s.initialize().await;
    for method in ["GET", "DELETE"] {
        let headers = [
            ("Host", "127.0.0.1"),
            ("Accept", "text/event-stream"),
            ("Mcp-Session-Id", session.as_str()),
            ("Mcp-Session-Id", other.as_str()),
        ];
        let r = s.send(&request(method, &headers, b"")).await;
        assert_eq!((r.status, r.error_code()), (400, -32600), "{method}");
    }
    // Neither session was touched.
    let r = s
        .send(&legacy_request(
            &call(1, "add", json!({"a": 1, "b": 1})),
            Some(&other),
        ))
        .await;
    assert_eq!(r.status, 200);
}
