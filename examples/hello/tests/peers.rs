//! The official Python and TypeScript clients list and call the hello tools, in every era
//! they speak.

use mcp_tests::peers::{interop_home, python, typescript, ExampleServer};

const ADD: &str = r#"{"a":20,"b":22}"#;

fn assert_called(run: &mcp_tests::peers::PeerRun) {
    assert!(run.success, "the peer failed: {run:#?}");
    let tools = run.find("tools")["tools"].as_array().unwrap();
    assert!(
        tools.iter().any(|t| t == "add") && tools.iter().any(|t| t == "text_stats"),
        "{tools:?}"
    );
    let result = &run.find("call")["result"];
    assert_eq!(result["content"][0]["text"], "42", "{result}");
}

#[tokio::test]
async fn python_client_in_both_eras() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_hello")).await;
    for (mode, version) in [("2026-07-28", "2026-07-28"), ("legacy", "2025-11-25")] {
        let run = python(&home, &server.url, mode, "add", ADD).await;
        assert_called(&run);
        assert_eq!(
            run.find("protocol_version")["protocol_version"],
            version,
            "{run:#?}"
        );
    }
}

#[tokio::test]
async fn typescript_clients_v1_and_v2() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_hello")).await;
    let v1 = typescript(&home, "v1", &server.url, "add", ADD).await;
    assert_called(&v1);
    let connected = v1.find("protocolVersion");
    assert_eq!(connected["protocolVersion"], "2025-11-25", "{v1:#?}");
    assert!(
        connected.get("sessionId").is_none(),
        "a stateless server issues no session: {connected}"
    );
    let v2 = typescript(&home, "v2", &server.url, "add", ADD).await;
    assert_called(&v2);
    assert_eq!(
        v2.find("protocolVersion")["protocolVersion"],
        "2026-07-28",
        "{v2:#?}"
    );
}

#[tokio::test]
async fn structured_output_reaches_the_python_client() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_hello")).await;
    let run = python(
        &home,
        &server.url,
        "2026-07-28",
        "text_stats",
        r#"{"text":"a b c"}"#,
    )
    .await;
    assert!(run.success, "{run:#?}");
    let result = &run.find("call")["result"];
    assert_eq!(result["structured_content"]["words"], 3, "{result}");
}

/// Every tool schema compiles in a strict validator without a warning (no `int64`, `double`...
/// formats a client's validator does not know).
#[tokio::test]
async fn schemas_compile_in_a_strict_validator() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_hello")).await;
    mcp_tests::peers::assert_strict_schemas(&home, &server.url, None).await;
}

/// A structured list: a 2026-07-28 client receives the list itself, a 2025-era client (whose
/// structured output must be an object) `{"result": [...]}`, and each validates it against the
/// output schema it was shown (the TypeScript v1 and Python clients check it).
#[tokio::test]
async fn a_structured_list_reaches_clients_of_both_eras() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_hello")).await;
    let primes = serde_json::json!([2, 3, 5, 7]);
    let modern = python(
        &home,
        &server.url,
        "2026-07-28",
        "primes",
        r#"{"limit":10}"#,
    )
    .await;
    assert!(modern.success, "{modern:#?}");
    let result = &modern.find("call")["result"];
    assert_eq!(result["structured_content"], primes, "{result}");
    let legacy = python(&home, &server.url, "legacy", "primes", r#"{"limit":10}"#).await;
    assert!(legacy.success, "{legacy:#?}");
    let result = &legacy.find("call")["result"];
    assert_eq!(result["structured_content"]["result"], primes, "{result}");
    let v1 = typescript(&home, "v1", &server.url, "primes", r#"{"limit":10}"#).await;
    assert!(v1.success, "{v1:#?}");
    let result = &v1.find("call")["result"];
    assert_eq!(result["structuredContent"]["result"], primes, "{result}");
    assert_eq!(result["content"][0]["text"], "[2,3,5,7]");
}

/// The official Rust SDK's client (rmcp) lists the tools and calls `add`, and gets the
/// wrapped structured list of `primes` (it speaks the 2025 revisions).
#[tokio::test]
async fn rust_client_lists_and_calls() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_hello")).await;
    let run = mcp_tests::peers::rust(&home, &server.url, "add", ADD).await;
    assert_called(&run);
    assert_eq!(run.find("server")["server"], "hello");
    let run = mcp_tests::peers::rust(&home, &server.url, "primes", r#"{"limit":10}"#).await;
    assert!(run.success, "{run:#?}");
    let result = &run.find("call")["result"];
    assert_eq!(
        result["structuredContent"],
        serde_json::json!({"result": [2, 3, 5, 7]}),
        "{result}"
    );
}
