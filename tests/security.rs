//! What one anonymous client must not be able to do, over a real socket: each test is a finding
//! of the second security review, and each checks the whole class it belongs to.

use mcp_runtime::prelude::*;
use mcp_runtime::resource::PathSegment;
use mcp_tests::{modern_meta, request, Running};
use serde_json::{json, Value};

/// Adds two integers.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// A file name, echoed.
#[resource("files://{name}", mime_type = "text/plain")]
fn file(name: PathSegment) -> String {
    format!("file {name}")
}

/// Any text, echoed.
#[resource("echo://{text}", mime_type = "text/plain")]
fn echo(text: String) -> String {
    text
}

/// Fails with a secret in its panic message.
#[resource("secret://panic", mime_type = "text/plain")]
fn secret_resource() -> String {
    panic!("password=hunter2")
}

/// Greets someone.
#[prompt]
fn greeting(name: String) -> String {
    format!("Greet {name}.")
}

/// Suggests names.
#[complete(prompt = "greeting", argument = "name")]
fn names(partial: String) -> Vec<String> {
    vec![format!("{partial}a")]
}

/// Fails with a secret in its panic message.
#[prompt]
fn secret_prompt() -> String {
    panic!("password=hunter2")
}

/// Fails with a secret in its panic message, after an await.
#[tool]
async fn secret_tool() -> String {
    tokio::task::yield_now().await;
    panic!("password=hunter2")
}

/// Counts the items.
#[tool]
fn count_items(items: Vec<String>) -> usize {
    items.len()
}

async fn server() -> Running {
    Running::start(Server::from_registry().name("security")).await
}

fn call_body(params: &str) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{params}}}"#)
}

#[tokio::test]
async fn positional_arrays_are_refused_wherever_an_object_belongs() {
    let s = server().await;
    // The review's example: a gateway reading `params.name` sees nothing.
    let r = s
        .post(&[], &call_body(r#"[null,"add",null,{"a":40,"b":2}]"#))
        .await;
    assert_eq!((r.status, r.error_code()), (400, -32600), "{}", r.json());
    // The whole envelope as an array.
    let r = s
        .post(&[], r#"["2.0",1,"tools/call",{"name":"add"}]"#)
        .await;
    assert_eq!((r.status, r.error_code()), (400, -32600));
    // Nested members, in both eras.
    for params in [
        json!({"name": "add", "arguments": [40, 2]}),
        json!({"ref": ["ref/prompt", "x"], "argument": {"name": "a", "value": ""}}),
    ] {
        let method = if params.get("ref").is_some() {
            "completion/complete"
        } else {
            "tools/call"
        };
        let r = s.legacy(method, params.clone()).await;
        assert_eq!(r.error_code(), -32602, "{method} {params}: {}", r.json());
    }
    let mut params = json!({"name": "add", "arguments": {"a": 1, "b": 2}});
    params["_meta"] = json!(["2026-07-28", {}]);
    let r = s
        .post(
            &[("MCP-Protocol-Version", "2026-07-28")],
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})
                .to_string(),
        )
        .await;
    assert_eq!(r.error_code(), -32602, "{}", r.json());
}

#[tokio::test]
async fn repeated_singleton_headers_are_refused() {
    let s = server().await;
    let body = call_body(r#"{"name":"add","arguments":{"a":1,"b":2}}"#);
    let base = [
        ("Host", "127.0.0.1"),
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
    ];
    let send = |extra: Vec<(&'static str, &'static str)>| {
        let mut headers = base.to_vec();
        headers.extend(extra);
        request("POST", &headers, body.as_bytes())
    };
    assert_eq!(s.send(&send(vec![])).await.status, 200);
    for (name, value) in [
        ("Host", "evil.example"),
        ("Host", "127.0.0.1"),
        ("Content-Type", "application/json"),
        ("Origin", "http://localhost"),
        ("MCP-Protocol-Version", "2025-11-25"),
        ("Mcp-Method", "tools/call"),
        ("Mcp-Name", "add"),
        ("Mcp-Session-Id", "x"),
        ("Last-Event-ID", "1-1"),
    ] {
        let mut extra = vec![(name, value)];
        if !base.iter().any(|(n, _)| *n == name) {
            extra.push((name, value));
        }
        let r = s.send(&send(extra)).await;
        assert_eq!(
            (r.status, r.error_code()),
            (400, -32600),
            "{name}: {}",
            r.json()
        );
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&name.to_ascii_lowercase()),
            "{name}"
        );
    }
    let mut headers = base.to_vec();
    headers[0] = ("Host", "localhost, evil.example");
    let r = s.send(&request("POST", &headers, body.as_bytes())).await;
    assert_eq!(r.status, 400);
    // GET and DELETE are screened the same way (a stateless server answers 405 after).
    for method in ["GET", "DELETE"] {
        let headers = [("Host", "127.0.0.1"), ("Host", "127.0.0.1")];
        let r = s.send(&request(method, &headers, b"")).await;
        assert_eq!(
            r.status, 405,
            "{method}: a stateless server has no GET or DELETE"
        );
    }
}

#[tokio::test]
async fn with_any_host_allowed_only_listed_origins_pass() {
    for server in [
        Server::from_registry().allow_any_host(),
        Server::from_registry()
            .allow_any_host()
            .allowed_origins(["https://app.example.org"]),
    ] {
        let s = Running::start(server).await;
        let body = call_body(r#"{"name":"add","arguments":{"a":1,"b":2}}"#);
        // DNS rebinding: the page's origin and the Host agree on the attacker's name.
        for (host, origin) in [
            ("evil.example", "http://evil.example"),
            ("evil.example:8080", "https://evil.example:8080"),
            ("127.0.0.1", "http://127.0.0.1"),
        ] {
            let r = s.post(&[("Host", host), ("Origin", origin)], &body).await;
            assert_eq!(r.status, 403, "{host} {origin}");
        }
        // Programs send no Origin.
        let r = s.post(&[("Host", "mcp.example.com")], &body).await;
        assert_eq!(r.status, 200);
    }
    let s = Running::start(
        Server::from_registry()
            .allow_any_host()
            .allowed_origins(["https://app.example.org"]),
    )
    .await;
    let r = s
        .post(
            &[
                ("Host", "mcp.example.com"),
                ("Origin", "https://app.example.org"),
            ],
            &call_body(r#"{"name":"add","arguments":{"a":1,"b":2}}"#),
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn template_values_cannot_walk_out_or_carry_nul() {
    let s = server().await;
    let read = |uri: &'static str| {
        let s = &s;
        async move { s.legacy("resources/read", json!({ "uri": uri })).await }
    };
    let ok = read("files://notes.md").await.result();
    assert_eq!(ok["contents"][0]["text"], "file notes.md");
    for uri in [
        "files://..%2F..%2Fetc%2Fpasswd",
        "files://..",
        "files://a%5Cb",
        "files://a%00b",
    ] {
        let r = read(uri).await;
        assert!(
            [-32602, -32002].contains(&r.error_code()),
            "{uri}: {}",
            r.json()
        );
    }
    // A plain `String` variable gets the decoded text, but never a NUL.
    assert_eq!(
        read("echo://..%2Fx").await.result()["contents"][0]["text"],
        "../x"
    );
    assert_eq!(read("echo://a%00b").await.error_code(), -32002);
}

#[tokio::test]
async fn panic_messages_stay_in_the_log() {
    let s = server().await;
    let answers = [
        s.legacy(
            "tools/call",
            json!({"name": "secret_tool", "arguments": {}}),
        )
        .await
        .json(),
        s.modern(
            "tools/call",
            json!({"name": "secret_tool", "arguments": {}}),
        )
        .await
        .json(),
        s.legacy("resources/read", json!({"uri": "secret://panic"}))
            .await
            .json(),
        s.legacy("prompts/get", json!({"name": "secret_prompt"}))
            .await
            .json(),
    ];
    for answer in answers {
        let text = answer.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("failed unexpectedly"), "{text}");
    }
}

/// The `_meta` of a modern request, for tests that write their own bodies.
#[allow(dead_code)]
fn meta() -> Value {
    modern_meta()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_large_request_does_not_hold_the_others_back() {
    // One worker thread serves: without moving its other tasks away while it parses, a 4 MB
    // request keeps every other request waiting until it is done. The clients run on a thread
    // of their own.
    let s = server().await;
    let addr = s.addr;
    let clients = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let items: Vec<String> = (0..350_000).map(|i| format!("{i:08}")).collect();
            let body = call_body(
                &json!({"name": "count_items", "arguments": {"items": items}}).to_string(),
            );
            assert!(body.len() > 3_500_000 && body.len() < 4 * 1024 * 1024);
            let big = tokio::spawn(async move {
                let started = std::time::Instant::now();
                let r = Running::at(addr).post(&[], &body).await;
                (r.result()["content"][0]["text"].clone(), started.elapsed())
            });
            let mut slowest = std::time::Duration::ZERO;
            while !big.is_finished() {
                let started = std::time::Instant::now();
                let r = Running::at(addr)
                    .post(
                        &[],
                        &call_body(r#"{"name":"add","arguments":{"a":1,"b":2}}"#),
                    )
                    .await;
                assert_eq!(r.status, 200);
                slowest = slowest.max(started.elapsed());
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            let (count, took) = big.await.unwrap();
            (count, took, slowest)
        })
    });
    let (count, took, slowest) = tokio::task::spawn_blocking(move || clients.join().unwrap())
        .await
        .unwrap();
    assert_eq!(count, "350000");
    assert!(
        slowest < took / 3,
        "a small request waited {slowest:?} while the large one took {took:?}"
    );
}
