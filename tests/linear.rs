//! Every request costs time linear in its size, whatever its shape: for each adversarial shape
//! (many keys, deep arrays, long strings, long URIs...), a request eight times larger takes at
//! most about eight times as long. A quadratic path (one once held a worker for four minutes on
//! a 4 MiB request) takes sixty-four times as long and fails.

use std::time::{Duration, Instant};

use mcp_runtime::prelude::*;
use mcp_tests::Running;
use serde_json::{json, Value};

/// Takes anything.
#[tool]
fn take(#[allow(unused_variables)] anything: Option<serde_json::Value>) -> &'static str {
    "ok"
}

/// Greets someone.
#[prompt]
fn greet(name: String) -> String {
    format!("Hello {name}")
}

/// Suggests names.
#[complete(prompt = "greet", argument = "name")]
fn names(partial: String) -> Vec<String> {
    vec![partial]
}

/// A file.
#[resource("files://{+path}/end", mime_type = "text/plain")]
fn file(path: String) -> String {
    path
}

/// The smallest of three timings of `send`.
async fn timed(
    send: impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        send().await;
        best = best.min(started.elapsed());
    }
    best
}

/// A request whose size grows with `n`, of one shape.
type Shape = fn(usize) -> (&'static str, Value);

fn shapes() -> Vec<(&'static str, Shape)> {
    vec![
        ("many argument keys", |n| {
            let args: serde_json::Map<String, Value> =
                (0..n).map(|i| (format!("k{i}"), json!(i))).collect();
            ("tools/call", json!({"name": "take", "arguments": args}))
        }),
        ("many prompt argument keys", |n| {
            let mut args: serde_json::Map<String, Value> =
                (0..n).map(|i| (format!("k{i}"), json!("v"))).collect();
            args.insert("name".into(), json!("Ada"));
            ("prompts/get", json!({"name": "greet", "arguments": args}))
        }),
        ("deep arrays side by side", |n| {
            let deep: Value = (0..100).fold(json!(1), |v, _| json!([v]));
            let many: Vec<Value> = (0..n / 50).map(|_| deep.clone()).collect();
            (
                "tools/call",
                json!({"name": "take", "arguments": {"anything": many}}),
            )
        }),
        ("one long string of escapes", |n| {
            let text = "\u{1}".repeat(n * 4);
            (
                "tools/call",
                json!({"name": "take", "arguments": {"anything": text}}),
            )
        }),
        ("many completion context keys", |n| {
            let context: serde_json::Map<String, Value> =
                (0..n).map(|i| (format!("k{i}"), json!("v"))).collect();
            (
                "completion/complete",
                json!({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "name", "value": "A"}, "context": {"arguments": context}}),
            )
        }),
        ("a long URI of many segments", |n| {
            let path = "a/".repeat(n * 2);
            (
                "resources/read",
                json!({"uri": format!("files://{path}x/end")}),
            )
        }),
        ("a long URI that almost matches", |n| {
            let path = "%41".repeat(n * 2);
            (
                "resources/read",
                json!({"uri": format!("files://{path}/nope")}),
            )
        }),
        ("many unknown members in params", |n| {
            let mut params: serde_json::Map<String, Value> =
                (0..n).map(|i| (format!("x{i}"), json!([i]))).collect();
            params.insert("name".into(), json!("take"));
            ("tools/call", Value::Object(params))
        }),
    ]
}

#[tokio::test]
async fn time_grows_linearly_with_size_for_every_shape() {
    let s = Running::start(Server::from_registry()).await;
    let small = 8_000;
    for (name, shape) in shapes() {
        let body = |n: usize| {
            let (method, params) = shape(n);
            json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()
        };
        let (small_body, large_body) = (body(small), body(small * 8));
        assert!(
            large_body.len() < 4 * 1024 * 1024,
            "{name}: {} bytes",
            large_body.len()
        );
        let send = |body: String| {
            let s = Running::at(s.addr);
            move || {
                let (s, body) = (Running::at(s.addr), body.clone());
                Box::pin(async move {
                    let r = s
                        .post(&[("MCP-Protocol-Version", "2025-11-25")], &body)
                        .await;
                    assert!(r.status < 500, "{}", r.status);
                })
                    as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
            }
        };
        let t_small = timed(send(small_body.clone())).await;
        let t_large = timed(send(large_body.clone())).await;
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-4);
        eprintln!(
            "{name}: {} B in {t_small:?}, {} B in {t_large:?} ({ratio:.1}x)",
            small_body.len(),
            large_body.len()
        );
        // Linear is 8x; a quadratic path is 64x. Small timings carry fixed costs, which only
        // lower the ratio.
        assert!(
            ratio < 20.0,
            "{name}: 8x the size took {ratio:.1}x the time"
        );
    }
}
