//! Client input through multi round-trip requests (2026-07-28), and what 2025-era clients of a
//! stateless server get instead.

use mcp_runtime::extract::{CreateMessage, Elicitation, Elicitor, InputError, Roots, Sampler};
use mcp_runtime::prelude::*;
use mcp_tests::Running;
use serde_json::{json, Value};

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Name {
    name: String,
}

/// Asks the user's name, then greets them.
#[tool]
async fn greet(elicitor: Elicitor) -> Result<String, InputError> {
    Ok(
        match elicitor
            .form_keyed::<Name>(Some("user_name"), "What is your name?")
            .await?
        {
            Elicitation::Accept(n) => format!("Hello, {}!", n.name),
            Elicitation::Decline => "declined".into(),
            Elicitation::Cancel => "cancelled".into(),
        },
    )
}

/// Asks the model two questions at once, then one more.
#[tool]
async fn quiz(sampler: Sampler) -> Result<String, InputError> {
    let (a, b) = tokio::join!(
        sampler.create_message(CreateMessage::ask("first?", 10)),
        sampler.create_message(CreateMessage::ask("second?", 10)),
    );
    let c = sampler
        .create_message(CreateMessage::ask("third?", 10))
        .await?;
    Ok([a?, b?, c]
        .iter()
        .map(|m| m.text().unwrap_or("?").to_owned())
        .collect::<Vec<_>>()
        .join(","))
}

/// Lists the client's roots.
#[tool]
async fn where_am_i(roots: Roots) -> Result<String, InputError> {
    Ok(roots
        .list()
        .await?
        .into_iter()
        .map(|r| r.uri)
        .collect::<Vec<_>>()
        .join(" "))
}

/// A prompt that asks the model first.
#[prompt]
async fn capital(sampler: Sampler) -> Result<String, InputError> {
    let answer = sampler
        .create_message_keyed(
            Some("capital"),
            CreateMessage::ask("What is the capital of France?", 20),
        )
        .await?;
    Ok(format!(
        "The capital is {}.",
        answer.text().unwrap_or("unknown")
    ))
}

fn sampled(text: &str) -> Value {
    json!({"role": "assistant", "content": {"type": "text", "text": text}, "model": "m", "stopReason": "endTurn"})
}

fn all_capabilities() -> Value {
    json!({"io.modelcontextprotocol/clientCapabilities": {"sampling": {}, "elicitation": {}, "roots": {}}})
}

async fn server() -> Running {
    Running::start(Server::from_registry()).await
}

#[tokio::test]
async fn elicitation_round_trip() {
    let s = server().await;
    let first = s
        .modern_with(
            "tools/call",
            json!({"name": "greet", "arguments": {}}),
            all_capabilities(),
        )
        .await
        .result();
    assert_eq!(first["resultType"], "input_required");
    let request = &first["inputRequests"]["user_name"];
    assert_eq!(request["method"], "elicitation/create");
    assert_eq!(request["params"]["message"], "What is your name?");
    assert_eq!(
        request["params"]["requestedSchema"],
        json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]})
    );
    let state = first["requestState"].as_str().unwrap();

    let retry = json!({
        "name": "greet", "arguments": {}, "requestState": state,
        "inputResponses": {"user_name": {"action": "accept", "content": {"name": "Ada"}}},
    });
    let done = s
        .modern_with("tools/call", retry, all_capabilities())
        .await
        .result();
    assert_eq!(done["resultType"], "complete");
    assert_eq!(done["content"][0]["text"], "Hello, Ada!");

    let declined = json!({"name": "greet", "arguments": {}, "requestState": state, "inputResponses": {"user_name": {"action": "decline"}}});
    assert_eq!(
        s.modern_with("tools/call", declined, all_capabilities())
            .await
            .result()["content"][0]["text"],
        "declined"
    );

    // A first round may carry its own answers (SEP-2322): they answer that run's questions.
    let answered = json!({"name": "greet", "arguments": {}, "inputResponses": {"user_name": {"action": "decline"}, "extra": {}}});
    assert_eq!(
        s.modern_with("tools/call", answered, all_capabilities())
            .await
            .result()["content"][0]["text"],
        "declined"
    );
    // An answer to a question the round did not ask never reaches the handler: it asks again.
    let smuggled = json!({
        "name": "greet", "arguments": {}, "requestState": state,
        "inputResponses": {"other": {"action": "accept", "content": {"name": "Eve"}}},
    });
    let again = s
        .modern_with("tools/call", smuggled, all_capabilities())
        .await
        .result();
    assert_eq!(again["resultType"], "input_required", "{again}");
}

#[tokio::test]
async fn concurrent_inputs_come_in_one_round_and_later_ones_in_the_next() {
    let s = server().await;
    let call = |extra: Value| {
        let mut params = json!({"name": "quiz", "arguments": {}});
        params
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        params
    };
    let round1 = s
        .modern_with("tools/call", call(json!({})), all_capabilities())
        .await
        .result();
    let keys: Vec<&String> = round1["inputRequests"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["sampling-1", "sampling-2"]);
    assert_eq!(
        round1["inputRequests"]["sampling-2"]["params"]["messages"][0]["content"]["text"],
        "second?"
    );

    let round2 = s
        .modern_with(
            "tools/call",
            call(json!({"requestState": round1["requestState"], "inputResponses": {"sampling-1": sampled("a"), "sampling-2": sampled("b")}})),
            all_capabilities(),
        )
        .await
        .result();
    let keys: Vec<&String> = round2["inputRequests"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        keys,
        ["sampling-3"],
        "earlier answers are kept in the state"
    );

    let round3 = s
        .modern_with(
            "tools/call",
            call(json!({"requestState": round2["requestState"], "inputResponses": {"sampling-3": sampled("c")}})),
            all_capabilities(),
        )
        .await
        .result();
    assert_eq!(round3["content"][0]["text"], "a,b,c");
}

#[tokio::test]
async fn missing_or_malformed_answers_ask_again() {
    let s = server().await;
    let first = s
        .modern_with(
            "tools/call",
            json!({"name": "where_am_i", "arguments": {}}),
            all_capabilities(),
        )
        .await
        .result();
    assert_eq!(first["inputRequests"]["roots-1"]["method"], "roots/list");
    let wrong = json!({"name": "where_am_i", "arguments": {}, "requestState": first["requestState"], "inputResponses": {"roots-1": {"nope": 1}, "extra": true}});
    let again = s
        .modern_with("tools/call", wrong, all_capabilities())
        .await
        .result();
    assert_eq!(again["resultType"], "input_required");
    assert!(again["inputRequests"]["roots-1"].is_object());
    let right = json!({"name": "where_am_i", "arguments": {}, "requestState": again["requestState"], "inputResponses": {"roots-1": {"roots": [{"uri": "file:///w"}]}}});
    assert_eq!(
        s.modern_with("tools/call", right, all_capabilities())
            .await
            .result()["content"][0]["text"],
        "file:///w"
    );
}

#[tokio::test]
async fn tampered_foreign_and_expired_states_are_refused() {
    let s = server().await;
    let first = s
        .modern_with(
            "tools/call",
            json!({"name": "greet", "arguments": {}}),
            all_capabilities(),
        )
        .await
        .result();
    let state = first["requestState"].as_str().unwrap().to_owned();
    let mut tampered = state.clone().into_bytes();
    let i = tampered.len() / 2;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [tampered.as_str(), "garbage"] {
        let r = s
            .modern_with(
                "tools/call",
                json!({"name": "greet", "arguments": {}, "requestState": bad}),
                all_capabilities(),
            )
            .await;
        assert_eq!(r.error_code(), -32602, "{bad}");
    }
    // A state is bound to its tool and arguments.
    let other = s
        .modern_with(
            "tools/call",
            json!({"name": "quiz", "arguments": {}, "requestState": state}),
            all_capabilities(),
        )
        .await;
    assert_eq!(other.error_code(), -32602);
    let other_server = Running::start(Server::from_registry()).await;
    let foreign = other_server
        .modern_with(
            "tools/call",
            json!({"name": "greet", "arguments": {}, "requestState": state}),
            all_capabilities(),
        )
        .await;
    assert_eq!(foreign.error_code(), -32602);
}

#[tokio::test]
async fn a_state_is_bound_to_arguments_no_parser_can_read() {
    // Arguments a JSON value parser refuses once all digested alike, so a state sealed for one
    // such set was accepted with any other.
    let s = server().await;
    let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    let sets = [
        r#"{"pad":1e400}"#.to_owned(),
        r#"{"pad":"\ud800"}"#.to_owned(),
        format!(r#"{{"pad":{deep}}}"#),
    ];
    let mut meta = mcp_tests::modern_meta();
    meta.as_object_mut()
        .unwrap()
        .extend(all_capabilities().as_object().unwrap().clone());
    let call = |arguments: &str, state: Option<&str>| {
        let state = state.map_or(String::new(), |s| format!(r#","requestState":"{s}""#));
        format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"greet","arguments":{arguments}{state},"_meta":{meta}}}}}"#
        )
    };
    let headers = [
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "tools/call"),
        ("Mcp-Name", "greet"),
    ];
    for sealed_for in &sets {
        let first = s.post(&headers, &call(sealed_for, None)).await.result();
        assert_eq!(first["resultType"], "input_required", "{sealed_for}");
        let state = first["requestState"].as_str().unwrap().to_owned();
        for other in sets.iter().filter(|o| *o != sealed_for) {
            let reused = s.post(&headers, &call(other, Some(&state))).await;
            assert_eq!(
                reused.error_code(),
                -32602,
                "sealed for {sealed_for}, used with {other}"
            );
        }
        // The same arguments, sent again, still open it.
        let again = s
            .post(&headers, &call(sealed_for, Some(&state)))
            .await
            .result();
        assert_eq!(again["resultType"], "input_required");
    }
}

#[tokio::test]
async fn undeclared_capabilities_are_refused() {
    let s = server().await;
    let r = s
        .modern("tools/call", json!({"name": "quiz", "arguments": {}}))
        .await;
    assert_eq!((r.status, r.error_code()), (400, -32021));
    assert_eq!(
        r.json()["error"]["data"]["requiredCapabilities"],
        json!({"sampling": {}})
    );
}

#[tokio::test]
async fn prompts_ask_too() {
    let s = server().await;
    let first = s
        .modern_with(
            "prompts/get",
            json!({"name": "capital"}),
            all_capabilities(),
        )
        .await
        .result();
    assert_eq!(first["inputRequests"]["capital"]["params"]["maxTokens"], 20);
    let retry = json!({"name": "capital", "requestState": first["requestState"], "inputResponses": {"capital": sampled("Paris")}});
    let done = s
        .modern_with("prompts/get", retry, all_capabilities())
        .await
        .result();
    assert_eq!(
        done["messages"][0]["content"]["text"],
        "The capital is Paris."
    );
}

#[tokio::test]
async fn legacy_clients_without_the_capability_get_a_clear_error_not_a_hang() {
    // Input handlers make the server stateful: 2025-era clients need a session...
    let s = server().await;
    let r = s
        .legacy("tools/call", json!({"name": "greet", "arguments": {}}))
        .await;
    assert_eq!((r.status, r.error_code()), (400, -32600));
    // ...and one that did not declare elicitation gets a tool error at once.
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let session = s
        .post(&[], &init.to_string())
        .await
        .header("mcp-session-id")
        .unwrap()
        .to_owned();
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "greet", "arguments": {}}});
    let tool = s
        .post(&[("Mcp-Session-Id", &session)], &call.to_string())
        .await
        .result();
    assert_eq!(tool["isError"], true);
    assert_eq!(
        tool["content"][0]["text"],
        "the client did not declare the `elicitation` capability"
    );
}

/// A report whose title the user chooses when it is read.
#[resource("reports://{year}", mime_type = "text/plain")]
async fn report(year: u16, elicitor: Elicitor) -> Result<String, InputError> {
    let title = match elicitor
        .form_keyed::<Name>(Some("title"), "Title the report")
        .await?
    {
        Elicitation::Accept(n) => n.name,
        _ => "untitled".into(),
    };
    Ok(format!("{title} ({year})"))
}

#[tokio::test]
async fn resource_reads_ask_too() {
    let s = server().await;
    let first = s
        .modern_with(
            "resources/read",
            json!({"uri": "reports://2026"}),
            all_capabilities(),
        )
        .await
        .result();
    assert_eq!(first["resultType"], "input_required");
    assert!(
        first.get("ttlMs").is_none(),
        "input_required results are not cacheable"
    );
    let retry = json!({"uri": "reports://2026", "requestState": first["requestState"], "inputResponses": {"title": {"action": "accept", "content": {"name": "Q3"}}}});
    let done = s
        .modern_with("resources/read", retry, all_capabilities())
        .await
        .result();
    assert_eq!(done["contents"][0]["text"], "Q3 (2026)");
    // The state is bound to the URI.
    let other = json!({"uri": "reports://2025", "requestState": first["requestState"], "inputResponses": {}});
    assert_eq!(
        s.modern_with("resources/read", other, all_capabilities())
            .await
            .error_code(),
        -32602
    );
}
