//! Tool arguments mirrored into `Mcp-Param-*` headers (`#[header]`, `x-mcp-header`): what the
//! schema says, and every way a 2026-07-28 call's headers can disagree with its body.

use std::sync::atomic::{AtomicUsize, Ordering};

use mcp_runtime::extract::Param;
use mcp_runtime::invocation::Invocation;
use mcp_runtime::prelude::*;
use mcp_runtime::schema::InputSchema;
use mcp_runtime::tool::ToolDef;
use mcp_tests::{request, Running};
use serde_json::{json, Value};

/// How many calls with the query `probe` reached the handler.
static PROBES: AtomicUsize = AtomicUsize::new(0);

/// Runs a query in a region.
#[tool]
fn route(
    /// Where
    #[header("Region")]
    region: String,
    #[header("Priority")] priority: Option<i64>,
    #[header("Dry-Run")] dry_run: Option<bool>,
    query: String,
) -> String {
    if query == "probe" {
        PROBES.fetch_add(1, Ordering::SeqCst);
    }
    format!("{query} in {region} at {priority:?}, dry run {dry_run:?}")
}

/// Extra request headers.
type Headers<'a> = &'a [(&'a str, &'a str)];

async fn server() -> Running {
    Running::start(Server::new().tool(route::tool())).await
}

/// Calls `route` with `arguments` and the given `Mcp-Param-*` headers (the standard ones are
/// added by the helper).
async fn call(running: &Running, headers: &[(&str, &str)], arguments: Value) -> (u16, Value) {
    let response = running
        .modern_as(
            headers,
            "tools/call",
            json!({"name": "route", "arguments": arguments}),
            json!({}),
        )
        .await;
    (response.status, response.json())
}

#[tokio::test]
async fn the_schema_marks_mirrored_arguments() {
    let running = server().await;
    let listed = running.modern("tools/list", json!({})).await.json();
    let schema = &listed["result"]["tools"][0]["inputSchema"];
    assert_eq!(schema["properties"]["region"]["x-mcp-header"], "Region");
    assert_eq!(schema["properties"]["region"]["description"], "Where");
    assert_eq!(schema["properties"]["priority"]["x-mcp-header"], "Priority");
    // An optional argument's type is the primitive alone: its absence is the "no value".
    assert_eq!(schema["properties"]["priority"]["type"], "integer");
    assert_eq!(schema["properties"]["dry_run"]["type"], "boolean");
    // A header carries an integer up to 2^53 - 1 either side of zero: an `i64`'s range says so.
    assert_eq!(
        schema["properties"]["priority"]["minimum"],
        -9_007_199_254_740_991_i64
    );
    assert_eq!(
        schema["properties"]["priority"]["maximum"],
        9_007_199_254_740_991_i64
    );
    assert!(schema["properties"]["query"].get("x-mcp-header").is_none());
    assert_eq!(schema["required"], json!(["region", "query"]));
}

#[tokio::test]
async fn matching_headers_are_accepted() {
    let running = server().await;
    let accepted: [(Headers, Value); 6] = [
        (
            &[("Mcp-Param-Region", "us-west1")],
            json!({"region": "us-west1", "query": "q"}),
        ),
        // Names in any case, whitespace around the value.
        (
            &[("mcp-param-region", "  us-west1 ")],
            json!({"region": "us-west1", "query": "q"}),
        ),
        // Base64 for what a plain header cannot carry.
        (
            &[("Mcp-Param-Region", "=?base64?5LiW55WM?=")],
            json!({"region": "世界", "query": "q"}),
        ),
        (
            &[("Mcp-Param-Region", "=?base64?IHBhZGRlZCA=?=")],
            json!({"region": " padded ", "query": "q"}),
        ),
        // Numbers compared as numbers; booleans in lowercase; null needs no header.
        (
            &[
                ("Mcp-Param-Region", "eu"),
                ("Mcp-Param-Priority", "42.0"),
                ("Mcp-Param-Dry-Run", "true"),
            ],
            json!({"region": "eu", "priority": 42, "dry_run": true, "query": "q"}),
        ),
        (
            &[("Mcp-Param-Region", "eu")],
            json!({"region": "eu", "priority": null, "query": "q"}),
        ),
    ];
    for (headers, arguments) in accepted {
        let (status, body) = call(&running, headers, arguments.clone()).await;
        assert_eq!(status, 200, "{headers:?} {arguments}: {body}");
        let text = body["result"]["content"][0]["text"].as_str().unwrap();
        assert!(text.starts_with("q in "), "{text}");
    }
}

#[tokio::test]
async fn disagreeing_headers_are_refused_before_the_handler_runs() {
    let running = server().await;
    let body = |region: &str| json!({"region": region, "query": "probe"});
    let refused: [(Headers, Value, &str); 9] = [
        (&[], body("us-west1"), "Mcp-Param-Region header is required"),
        (
            &[("Mcp-Param-Region", "us-east1")],
            body("us-west1"),
            "does not match",
        ),
        (
            &[("Mcp-Param-Region", "US-WEST1")],
            body("us-west1"),
            "does not match",
        ),
        (
            &[("Mcp-Param-Region", "=?base64?SGVsbG8?=")],
            body("Hello"),
            "base64",
        ),
        (
            &[("Mcp-Param-Region", "=?base64?SGVs!!!bG8=?=")],
            body("Hello"),
            "base64",
        ),
        (
            &[("Mcp-Param-Region", "=?base64?SGVsbG8=?=")],
            body("Bye"),
            "does not match",
        ),
        (
            &[("Mcp-Param-Region", "eu"), ("Mcp-Param-Priority", "1")],
            body("eu"),
            "not in the body",
        ),
        (
            &[("Mcp-Param-Region", "eu"), ("Mcp-Param-Priority", "2")],
            json!({"region": "eu", "priority": 1, "query": "probe"}),
            "does not match",
        ),
        (
            &[("Mcp-Param-Region", "eu"), ("Mcp-Param-Dry-Run", "TRUE")],
            json!({"region": "eu", "dry_run": true, "query": "probe"}),
            "does not match",
        ),
    ];
    for (headers, arguments, reason) in refused {
        let (status, body) = call(&running, headers, arguments.clone()).await;
        assert_eq!(status, 400, "{headers:?} {arguments}: {body}");
        assert_eq!(body["error"]["code"], -32020, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{headers:?}: {message}");
    }
    // An integer no header can carry, even when the header repeats it: invalid params.
    for priority in ["9007199254740992", "-9223372036854775808"] {
        let arguments = json!({"region": "eu", "priority": priority.parse::<i64>().unwrap(),
                               "query": "probe"});
        let headers = [("Mcp-Param-Region", "eu"), ("Mcp-Param-Priority", priority)];
        let (_, body) = call(&running, &headers, arguments).await;
        assert_eq!(body["error"]["code"], -32602, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2^53 - 1"));
    }
    assert_eq!(
        PROBES.load(Ordering::SeqCst),
        0,
        "a refused call reached the handler"
    );
}

/// Sends a `route` call with exactly these `Mcp-Param-Region` headers (raw, repeated or not).
async fn raw_call(running: &Running, regions: &[&str], region: &str) -> (u16, Value) {
    let body = json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"_meta": mcp_tests::modern_meta(), "name": "route",
                   "arguments": {"region": region, "query": "q"}}
    });
    let mut headers = vec![
        ("Host", "127.0.0.1"),
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "tools/call"),
        ("Mcp-Name", "route"),
    ];
    headers.extend(regions.iter().map(|r| ("Mcp-Param-Region", *r)));
    let response = running
        .send(&request("POST", &headers, body.to_string().as_bytes()))
        .await;
    (response.status, response.json())
}

#[tokio::test]
async fn raw_non_ascii_and_repeated_headers_are_refused() {
    let running = server().await;
    for (regions, region, reason) in [
        (&["Région"][..], "Région", "visible ASCII"),
        (&["eu", "eu"][..], "eu", "only once"),
        (&["eu", "us"][..], "eu", "only once"),
    ] {
        let (status, body) = raw_call(&running, regions, region).await;
        assert_eq!(status, 400, "{regions:?}: {body}");
        assert_eq!(body["error"]["code"], -32020);
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{message}");
    }
    // The same request with one plain header goes through.
    assert_eq!(raw_call(&running, &["eu"], "eu").await.0, 200);
}

#[tokio::test]
async fn legacy_clients_send_no_parameter_headers() {
    let running = server().await;
    let response = running
        .call_as(
            "2025-11-25",
            &[],
            json!({"name": "route", "arguments": {"region": "eu", "query": "q"}}),
        )
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json()["result"]["content"][0]["text"],
        "q in eu at None, dry run None"
    );
}

fn leak(def: ToolDef) -> &'static ToolDef {
    Box::leak(Box::new(def))
}

/// A hand-built tool's schema is checked as the specification asks of clients, so a tool that
/// clients would drop never starts.
#[test]
fn invalid_annotations_stop_the_server_from_starting() {
    fn call(_: &mut mcp_runtime::extract::CallContext<'_>) -> Invocation {
        Invocation::Ready(ToolResult::text("ok"))
    }
    const LIST: &[Param] = &[Param::argument::<Vec<String>>("tags").header("Tags")];
    const TWICE: &[Param] = &[
        Param::argument::<String>("a").header("Zone"),
        Param::argument::<String>("b").header("ZONE"),
    ];
    const BAD_NAME: &[Param] = &[Param::argument::<String>("a").header("A:B")];
    const FLOAT: &[Param] = &[Param::argument::<f64>("a").header("Score")];
    for (params, describe, reason) in [
        (
            LIST,
            (|s: &mut InputSchema<'_>| s.property::<Vec<String>>(&LIST[0]))
                as fn(&mut InputSchema<'_>),
            "`type` is not",
        ),
        (
            TWICE,
            |s: &mut InputSchema<'_>| {
                s.property::<String>(&TWICE[0]);
                s.property::<String>(&TWICE[1]);
            },
            "used twice",
        ),
        (
            BAD_NAME,
            |s: &mut InputSchema<'_>| s.property::<String>(&BAD_NAME[0]),
            "not an HTTP token",
        ),
        (
            FLOAT,
            |s: &mut InputSchema<'_>| s.property::<f64>(&FLOAT[0]),
            "`type` is not",
        ),
    ] {
        let def = ToolDef::new("bad", call)
            .params(params)
            .input_schema(describe);
        let error = Server::new()
            .tool(leak(def))
            .router()
            .unwrap_err()
            .to_string();
        assert!(error.contains(reason), "{error}");
        assert!(error.contains("x-mcp-header"), "{error}");
    }
}
