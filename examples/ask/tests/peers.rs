//! The official Python client (2026-07-28) and TypeScript v2 client (auto) answer sampling and
//! elicitation through multi round-trip requests and get results built from their answers.

use mcp_tests::peers::{interop_home, python, typescript, ExampleServer};

const CANNED: &str = "This is a test response from the client";

#[tokio::test]
async fn python_client_answers_sampling_and_elicitation() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_ask")).await;
    let run = python(
        &home,
        &server.url,
        "2026-07-28",
        "translate",
        r#"{"text":"hi","language":"French"}"#,
    )
    .await;
    assert!(run.success, "{run:#?}");
    assert_eq!(
        run.find("call")["result"]["content"][0]["text"],
        format!("French: {CANNED}")
    );
    assert!(
        run.find("sampling_requests_seen")["sampling_requests_seen"][0]
            .as_str()
            .unwrap()
            .contains("Translate into French")
    );
    // The Python client fills every string field with "x": a confirmation that does not match.
    let run = python(
        &home,
        &server.url,
        "2026-07-28",
        "rename_file",
        r#"{"from":"a","to":"x"}"#,
    )
    .await;
    assert!(run.success, "{run:#?}");
    assert_eq!(
        run.find("call")["result"]["content"][0]["text"],
        "renamed a to x"
    );
}

#[tokio::test]
async fn typescript_v2_client_answers_sampling_and_elicitation() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_ask")).await;
    let run = typescript(
        &home,
        "v2",
        &server.url,
        "translate",
        r#"{"text":"hi","language":"German"}"#,
    )
    .await;
    assert!(run.success, "{run:#?}");
    assert_eq!(
        run.find("call")["result"]["content"][0]["text"],
        format!("German: {CANNED}")
    );
    let run = typescript(
        &home,
        "v2",
        &server.url,
        "rename_file",
        r#"{"from":"a","to":"x"}"#,
    )
    .await;
    assert!(run.success, "{run:#?}");
    assert_eq!(
        run.find("call")["result"]["content"][0]["text"],
        "renamed a to x"
    );
}

#[tokio::test]
async fn legacy_clients_answer_sampling_through_a_session() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_ask")).await;
    let v1 = typescript(
        &home,
        "v1",
        &server.url,
        "translate",
        r#"{"text":"hi","language":"French"}"#,
    )
    .await;
    assert!(v1.success, "{v1:#?}");
    let connected = v1.find("sessionId");
    assert!(
        connected["sessionId"]
            .as_str()
            .is_some_and(|id| id.len() >= 22),
        "{connected}"
    );
    assert_eq!(
        v1.find("call")["result"]["content"][0]["text"],
        format!("French: {CANNED}")
    );
    assert!(v1.find("sampled")["sampled"][0]
        .as_str()
        .unwrap()
        .contains("Translate into French"));

    let py = python(
        &home,
        &server.url,
        "legacy",
        "translate",
        r#"{"text":"hi","language":"Italian"}"#,
    )
    .await;
    assert!(py.success, "{py:#?}");
    assert_eq!(
        py.find("protocol_version")["protocol_version"],
        "2025-11-25"
    );
    assert_eq!(
        py.find("call")["result"]["content"][0]["text"],
        format!("Italian: {CANNED}")
    );
}

/// Every tool schema compiles in a strict validator without a warning.
#[tokio::test]
async fn schemas_compile_in_a_strict_validator() {
    let Some(home) = interop_home() else { return };
    let server = ExampleServer::start(env!("CARGO_BIN_EXE_ask")).await;
    mcp_tests::peers::assert_strict_schemas(&home, &server.url, None).await;
}
