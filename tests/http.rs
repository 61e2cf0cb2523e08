//! The Streamable HTTP endpoint over a real socket: both eras, every guard, every error answer.

use mcp_runtime::prelude::*;
use mcp_tests::{modern_meta, request, Running};
use serde_json::{json, Value};

/// Adds two integers.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Greets someone, politely if asked.
#[tool]
async fn greet(name: String, polite: Option<bool>) -> String {
    if polite.unwrap_or(false) {
        format!("Good day, {name}.")
    } else {
        format!("Hi {name}")
    }
}

/// Always panics.
#[tool]
fn explode() -> String {
    panic!("kaboom")
}

/// Panics after an await.
#[tool]
async fn explode_later() -> String {
    tokio::task::yield_now().await;
    panic!("kaboom later")
}

/// Why a lookup failed, as data (no `Display`).
#[derive(serde::Serialize)]
struct LookupError {
    code: u32,
    reason: &'static str,
}

/// Looks a number up; fails with a structured error.
#[tool]
fn lookup(n: u32) -> Result<u32, LookupError> {
    if n == 0 {
        Err(LookupError {
            code: 404,
            reason: "no zero",
        })
    } else {
        Ok(n * 10)
    }
}

async fn server() -> Running {
    Running::start(Server::from_registry().name("http-tests").page_size(2)).await
}

#[tokio::test]
async fn legacy_initialize_negotiates_and_stays_stateless() {
    let s = server().await;
    let r = s
        .legacy(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.header("mcp-session-id").is_none());
    let result = r.result();
    assert_eq!(result["protocolVersion"], "2025-06-18");
    assert_eq!(result["serverInfo"]["name"], "http-tests");
    assert_eq!(result["capabilities"], json!({"tools": {}}));
    assert!(result.get("resultType").is_none());

    let r = s
        .legacy("initialize", json!({"protocolVersion": "2024-01-01", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}))
        .await;
    assert_eq!(r.result()["protocolVersion"], "2025-11-25");

    let note = s
        .post(
            &[],
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        )
        .await;
    assert_eq!((note.status, note.body.len()), (202, 0));
    assert_eq!(s.legacy("ping", json!({})).await.result(), json!({}));
}

#[tokio::test]
async fn legacy_requests_need_no_handshake() {
    let s = server().await;
    let r = s
        .post(&[], r#"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"#)
        .await;
    assert_eq!(
        r.json(),
        json!({"jsonrpc":"2.0","id":"x","result":{"content":[{"type":"text","text":"3"}],"isError":false}})
    );
}

#[tokio::test]
async fn modern_results_carry_result_type_server_info_and_cache_fields() {
    let s = server().await;
    let discover = s.modern("server/discover", json!({})).await.result();
    assert_eq!(discover["resultType"], "complete");
    assert_eq!(discover["supportedVersions"][0], "2026-07-28");
    assert!(discover["supportedVersions"]
        .as_array()
        .unwrap()
        .contains(&json!("2025-03-26")));
    assert_eq!(
        discover["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "http-tests"
    );
    assert_eq!(
        (discover["ttlMs"].as_u64(), discover["cacheScope"].as_str()),
        (Some(0), Some("public"))
    );

    let call = s
        .modern(
            "tools/call",
            json!({"name": "add", "arguments": {"a": 20, "b": 22}}),
        )
        .await
        .result();
    assert_eq!(call["content"][0]["text"], "42");
    assert_eq!(call["resultType"], "complete");
    assert!(call.get("ttlMs").is_none());
}

#[tokio::test]
async fn tools_list_paginates_in_name_order() {
    let s = server().await;
    for modern in [true, false] {
        let mut names = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let params = cursor.as_ref().map_or(json!({}), |c| json!({"cursor": c}));
            let page = if modern {
                s.modern("tools/list", params).await
            } else {
                s.legacy("tools/list", params).await
            }
            .result();
            assert_eq!(page.get("resultType").is_some(), modern);
            names.extend(
                page["tools"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t["name"].as_str().unwrap().to_owned()),
            );
            match page["nextCursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(
            names,
            ["add", "explode", "explode_later", "greet", "lookup"]
        );
    }
    let bad = s.legacy("tools/list", json!({"cursor": "zzz"})).await;
    assert_eq!((bad.status, bad.error_code()), (200, -32602));
}

#[tokio::test]
async fn schemas_follow_the_signature() {
    let s = server().await;
    let tools = s
        .legacy("tools/list", json!({"cursor": "1"}))
        .await
        .result();
    let greet = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "greet")
        .unwrap()
        .clone();
    assert_eq!(greet["description"], "Greets someone, politely if asked.");
    assert_eq!(greet["inputSchema"]["type"], "object");
    assert_eq!(greet["inputSchema"]["required"], json!(["name"]));
    assert_eq!(greet["inputSchema"]["properties"]["name"]["type"], "string");
}

#[tokio::test]
async fn tool_errors_the_model_can_fix_are_results() {
    let s = server().await;
    let wrong_type = s
        .legacy(
            "tools/call",
            json!({"name": "add", "arguments": {"a": "one", "b": 2}}),
        )
        .await
        .result();
    assert_eq!(wrong_type["isError"], true);
    assert!(
        wrong_type["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("invalid argument `a`"),
        "{wrong_type}"
    );
    let missing = s
        .legacy("tools/call", json!({"name": "add", "arguments": {"a": 1}}))
        .await
        .result();
    assert_eq!(missing["isError"], true);
    assert_eq!(
        missing["content"][0]["text"],
        "missing required argument `b`"
    );
    let optional = s
        .legacy(
            "tools/call",
            json!({"name": "greet", "arguments": {"name": "Ada"}}),
        )
        .await
        .result();
    assert_eq!(optional["content"][0]["text"], "Hi Ada");
}

#[tokio::test]
async fn protocol_errors_are_json_rpc_errors() {
    let s = server().await;
    let unknown = s
        .legacy("tools/call", json!({"name": "nope", "arguments": {}}))
        .await;
    assert_eq!((unknown.status, unknown.error_code()), (200, -32602));
    let dup = s.post(&[], r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"a":2,"b":3}}}"#).await;
    assert_eq!(dup.error_code(), -32602);
    let not_object = s
        .legacy("tools/call", json!({"name": "add", "arguments": [1, 2]}))
        .await;
    assert_eq!(not_object.error_code(), -32602);
    for (modern, status) in [(true, 404), (false, 404)] {
        let r = if modern {
            s.modern("nope/nothing", json!({})).await
        } else {
            s.legacy("nope/nothing", json!({})).await
        };
        assert_eq!((r.status, r.error_code()), (status, -32601));
    }
}

#[tokio::test]
async fn panics_become_error_results_and_the_server_lives_on() {
    let s = server().await;
    for tool in ["explode", "explode_later"] {
        let r = s
            .legacy("tools/call", json!({"name": tool, "arguments": {}}))
            .await
            .result();
        assert_eq!(r["isError"], true);
        // What the panic said stays in the server's log.
        let text = r["content"][0]["text"].as_str().unwrap();
        assert!(text.contains("failed unexpectedly"), "{text}");
        assert!(!text.contains("kaboom"), "{text}");
    }
    let ok = s
        .legacy(
            "tools/call",
            json!({"name": "add", "arguments": {"a": 1, "b": 1}}),
        )
        .await
        .result();
    assert_eq!(ok["content"][0]["text"], "2");
}

#[tokio::test]
async fn modern_header_rules() {
    let s = server().await;
    let body = |meta: Value| {
        json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2},"_meta":meta}}).to_string()
    };
    let good = [
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "tools/call"),
        ("Mcp-Name", "add"),
    ];
    assert_eq!(
        s.post(&good, &body(modern_meta())).await.result()["content"][0]["text"],
        "3"
    );

    let cases: [(&[(&str, &str)], i64); 4] = [
        (&good[..2], -32020),
        (&[good[0], good[1], ("Mcp-Name", "greet")], -32020),
        (&[good[0], ("Mcp-Method", "tools/list"), good[2]], -32020),
        (
            &[("MCP-Protocol-Version", "2025-11-25"), good[1], good[2]],
            -32020,
        ),
    ];
    for (headers, code) in cases {
        let r = s.post(headers, &body(modern_meta())).await;
        assert_eq!((r.status, r.error_code()), (400, code), "{headers:?}");
    }
    let mut future = modern_meta();
    future["io.modelcontextprotocol/protocolVersion"] = json!("2099-01-01");
    let r = s
        .post(
            &[("MCP-Protocol-Version", "2099-01-01"), good[1], good[2]],
            &body(future),
        )
        .await;
    assert_eq!((r.status, r.error_code()), (400, -32022));
    assert_eq!(r.json()["error"]["data"]["requested"], "2099-01-01");
    assert!(r.json()["error"]["data"]["supported"]
        .as_array()
        .unwrap()
        .contains(&json!("2026-07-28")));

    let mut no_caps = modern_meta();
    no_caps
        .as_object_mut()
        .unwrap()
        .remove("io.modelcontextprotocol/clientCapabilities");
    let r = s.post(&good, &body(no_caps)).await;
    assert_eq!((r.status, r.error_code()), (400, -32602));
}

#[tokio::test]
async fn get_and_delete_are_not_allowed() {
    let s = server().await;
    for method in ["GET", "DELETE", "PUT", "PATCH"] {
        let r = s
            .send(&request(
                method,
                &[("Host", "localhost"), ("Accept", "text/event-stream")],
                b"",
            ))
            .await;
        assert_eq!((r.status, r.error_code()), (405, -32601), "{method}");
        assert_eq!(r.header("allow"), Some("POST"));
    }
    // Only the endpoint's path is served.
    let body = br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    for path in ["/", "/mcp/", "/mcpx", "/other"] {
        let raw = request(
            "POST",
            &[("Host", "localhost"), ("Content-Type", "application/json")],
            body,
        );
        let raw = String::from_utf8(raw).unwrap().replacen("/mcp", path, 1);
        assert_eq!(s.send(raw.as_bytes()).await.status, 404, "{path}");
    }
}

#[tokio::test]
async fn host_and_origin_guard_against_dns_rebinding() {
    let s = server().await;
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    for host in [
        "evil.example.com",
        "localhost.evil.com",
        "127.0.0.1.evil.com:80",
    ] {
        assert_eq!(s.post(&[("Host", host)], ping).await.status, 403, "{host}");
    }
    for host in ["localhost", "localhost:9", "[::1]:8080", "127.0.0.1"] {
        assert_eq!(s.post(&[("Host", host)], ping).await.status, 200, "{host}");
    }
    assert_eq!(
        s.post(&[("Origin", "http://evil.example.com")], ping)
            .await
            .status,
        403
    );
    assert_eq!(
        s.post(&[("Origin", "http://localhost:5173")], ping)
            .await
            .status,
        200
    );

    let open = Running::start(Server::from_registry().allowed_hosts(["mcp.example.com"])).await;
    assert_eq!(
        open.post(&[("Host", "mcp.example.com")], ping).await.status,
        200
    );
    assert_eq!(open.post(&[("Host", "localhost")], ping).await.status, 403);
}

#[tokio::test]
async fn media_types_are_checked() {
    let s = server().await;
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/jsonx",
    ] {
        assert_eq!(
            s.post(&[("Content-Type", ct)], ping).await.status,
            415,
            "{ct}"
        );
    }
    let no_ct = s
        .send(&request("POST", &[("Host", "localhost")], ping.as_bytes()))
        .await;
    assert_eq!(no_ct.status, 415);
    assert_eq!(
        s.post(&[("Content-Type", "application/json; charset=utf-8")], ping)
            .await
            .status,
        200
    );
    assert_eq!(s.post(&[("Accept", "text/html")], ping).await.status, 406);
    assert_eq!(s.post(&[("Accept", "*/*")], ping).await.status, 200);
}

#[tokio::test]
async fn malformed_messages() {
    let s = server().await;
    let cases = [
        ("{", 400, -32700),
        (
            "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
            400,
            -32600,
        ),
        ("\"ping\"", 400, -32600),
        (
            r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            400,
            -32600,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}}"#,
            200,
            -32602,
        ),
        // Not an object, wrong or missing `jsonrpc`, no method.
        ("42", 400, -32600),
        ("null", 400, -32600),
        (r#"{"id":1,"method":"ping"}"#, 400, -32600),
        (r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#, 400, -32600),
        (r#"{"jsonrpc":2.0,"id":1,"method":"ping"}"#, 400, -32600),
        (r#"{"jsonrpc":"2.0","id":1}"#, 400, -32600),
        (r#"{"jsonrpc":"2.0","id":1,"method":7}"#, 400, -32600),
        // Ids are strings or integers.
        (r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#, 400, -32600),
        (r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#, 400, -32600),
        (r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, 400, -32600),
        (
            r#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#,
            400,
            -32600,
        ),
        // `params` must be an object.
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}"#,
            400,
            -32600,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}"#,
            400,
            -32600,
        ),
        // A duplicated key could route one way and run another: refused wherever it is.
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call"}"#,
            400,
            -32600,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#,
            400,
            -32600,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","name":"explode","arguments":{}}}"#,
            200,
            -32602,
        ),
    ];
    for (body, status, code) in cases {
        let r = s.post(&[], body).await;
        assert_eq!((r.status, r.error_code()), (status, code), "{body}");
    }
    // An invalid request is answered with its id when the id can be read, else with null.
    for (body, id) in [
        (r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#, json!(1)),
        (
            r#"{"jsonrpc":"2.0","id":"a","method":"ping","params":[1]}"#,
            json!("a"),
        ),
        (r#"{"jsonrpc":"2.0","id":7}"#, json!(7)),
        (r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, Value::Null),
        (
            r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#,
            Value::Null,
        ),
        (r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, Value::Null),
        ("{", Value::Null),
    ] {
        let r = s.post(&[], body).await;
        assert_eq!(r.json()["id"], id, "{body}");
    }
}

#[tokio::test]
async fn keys_differing_in_case_or_by_a_nul_are_other_keys_for_router_and_handler_alike() {
    let s = server().await;
    // `Method`, `method\u0000` and `Name` are not the members the router reads: the request is
    // `ping`, and the tool is `add`, for the router and for the handler.
    let r = s
        .post(
            &[],
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","Method":"tools/call","method\u0000":"tools/call"}"#,
        )
        .await;
    assert_eq!(r.result(), json!({}));
    let r = s
        .post(
            &[],
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","Name":"explode","name\u0000":"explode","arguments":{"a":1,"b":2}}}"#,
        )
        .await;
    assert_eq!(r.result()["content"][0]["text"], "3");
    // In `arguments` too: `A` and `a\u0000` are not `a`, and the handler sees `a` = 1.
    let r = s
        .post(
            &[],
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2,"A":100,"a\u0000":100}}}"#,
        )
        .await;
    assert_eq!(r.result()["content"][0]["text"], "3");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_while_reading() {
    let s = Running::start(Server::from_registry().body_limit(1024)).await;
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"pad":"{}"}}}}"#,
        "x".repeat(2048)
    );
    assert_eq!(s.post(&[], &big).await.status, 413);

    // Chunked: no Content-Length to check up front.
    let mut raw = b"POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for chunk in big.as_bytes().chunks(500) {
        raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        raw.extend_from_slice(chunk);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let r = s.send(&raw).await;
    assert_eq!((r.status, r.error_code()), (413, -32600));
}

#[tokio::test]
async fn deeply_nested_json_is_refused_without_overflowing_the_stack() {
    let s = server().await;
    let deep = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"add","arguments":{{"a":{}1{},"b":1}}}}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    // The envelope skips over the raw argument; only the parameter's own type parses it, and
    // it refuses the array at the first bracket.
    let r = s.post(&[], &deep).await.result();
    assert_eq!(r["isError"], true);
    assert!(
        r["content"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("invalid argument `a`"),
        "{r}"
    );
    let deep_envelope = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"x":{}}}}}"#,
        "[".repeat(100_000)
    );
    let r = s.post(&[], &deep_envelope).await;
    assert_eq!((r.status, r.error_code()), (400, -32700));
    let ok = s
        .legacy(
            "tools/call",
            json!({"name": "add", "arguments": {"a": 1, "b": 1}}),
        )
        .await;
    assert_eq!(ok.result()["content"][0]["text"], "2");
}

#[tokio::test]
async fn mounts_inside_an_existing_axum_app() {
    let mcp = Server::from_registry().path("/api/mcp").router().unwrap();
    let app = axum::Router::new()
        .route("/health", axum::routing::get(|| async { "ok" }))
        .merge(mcp);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":2}}}"#;
    let raw = format!(
        "POST /api/mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stream, raw.as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut out)
        .await
        .unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out.contains(r#""text":"4""#), "{out}");
}

#[tokio::test]
async fn an_error_that_is_only_serialize_is_an_error_result() {
    let s = server().await;
    let ok = s
        .legacy(
            "tools/call",
            json!({"name": "lookup", "arguments": {"n": 2}}),
        )
        .await
        .result();
    assert_eq!(
        (ok["isError"].clone(), ok["content"][0]["text"].clone()),
        (json!(false), json!("20"))
    );
    // Once sent as a success reading {"Err":{...}}.
    let failed = s
        .legacy(
            "tools/call",
            json!({"name": "lookup", "arguments": {"n": 0}}),
        )
        .await
        .result();
    assert_eq!(failed["isError"], true, "{failed}");
    let text: Value = serde_json::from_str(failed["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(text, json!({"code": 404, "reason": "no zero"}));
}
