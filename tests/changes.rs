//! Change notifications: `subscriptions/listen` (2026-07-28) and the session GET stream (2025).

use mcp_runtime::prelude::*;
use mcp_runtime::session::Session;
use mcp_runtime::Notifier;
use mcp_tests::{listen_request, request, Running};
use serde_json::json;

/// A tool that needs a session, so the server is stateful.
#[tool]
fn whoami(session: Session) -> String {
    session.id().to_owned()
}

/// The settings.
#[resource("config://app")]
fn config() -> &'static str {
    "{}"
}

/// Another resource.
#[resource("config://other")]
fn other() -> &'static str {
    "{}"
}

/// Announces a tool list change.
#[tool]
fn change_tools(notifier: Notifier) -> &'static str {
    notifier.tools_changed();
    "ok"
}

#[tokio::test]
async fn listen_acknowledges_then_delivers_what_was_asked_for() {
    let mut server = Server::from_registry();
    let notifier = server.notifier();
    let s = Running::start(server).await;
    let discover = s.modern("server/discover", json!({})).await.result();
    assert_eq!(discover["capabilities"]["tools"]["listChanged"], true);
    assert_eq!(discover["capabilities"]["resources"]["subscribe"], true);

    let mut tools = s
        .open(&listen_request(
            41,
            json!({"toolsListChanged": true, "promptsListChanged": true}),
        ))
        .await;
    let ack = tools.next().await.unwrap();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(
        ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        41
    );
    assert_eq!(
        ack["params"]["notifications"],
        json!({"toolsListChanged": true}),
        "no prompts here"
    );

    let mut config = s
        .open(&listen_request(
            42,
            json!({"resourceSubscriptions": ["config://app"]}),
        ))
        .await;
    assert_eq!(
        config.next().await.unwrap()["method"],
        "notifications/subscriptions/acknowledged"
    );

    notifier.resource_updated("config://other");
    notifier.resource_updated("config://app");
    s.modern(
        "tools/call",
        json!({"name": "change_tools", "arguments": {}}),
    )
    .await;

    let changed = tools.next().await.unwrap();
    assert_eq!(changed["method"], "notifications/tools/list_changed");
    assert_eq!(
        changed["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        41
    );
    let updated = config.next().await.unwrap();
    assert_eq!(updated["method"], "notifications/resources/updated");
    assert_eq!(
        updated["params"]["uri"], "config://app",
        "only the subscribed resource"
    );
}

#[tokio::test]
async fn sessions_hear_changes_on_their_get_stream() {
    let mut server = Server::from_registry();
    let notifier = server.notifier();
    let s = Running::start(server).await;
    let init = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let r = s.post(&[], init).await;
    assert_eq!(
        r.result()["capabilities"]["resources"],
        json!({"listChanged": true, "subscribe": true})
    );
    let session = r.header("mcp-session-id").unwrap().to_owned();
    let subscribe = json!({"jsonrpc": "2.0", "id": 1, "method": "resources/subscribe", "params": {"uri": "config://app"}});
    assert_eq!(
        s.post(&[("Mcp-Session-Id", &session)], &subscribe.to_string())
            .await
            .result(),
        json!({})
    );

    let get = [
        ("Host", "localhost"),
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", session.as_str()),
    ];
    let mut stream = s.open(&request("GET", &get, b"")).await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let second = s.send(&request("GET", &get, b"")).await;
    assert_eq!(second.status, 409, "one GET stream per session");

    notifier.resource_updated("config://other");
    notifier.resource_updated("config://app");
    notifier.prompts_changed();
    let first = stream.next().await.unwrap();
    assert_eq!(
        (first["method"].as_str(), first["params"]["uri"].as_str()),
        (
            Some("notifications/resources/updated"),
            Some("config://app")
        )
    );
    assert!(first["params"].get("_meta").is_none());
    assert_eq!(
        stream.next().await.unwrap()["method"],
        "notifications/prompts/list_changed"
    );
}

#[tokio::test]
async fn a_server_that_announces_nothing_has_no_listen() {
    // Only tools without a notifier: no listChanged, no listen, no GET stream.
    let s = Running::start(
        Server::new().tool(
            mcp_runtime::registry::collected_tools()
                .find(|t| t.name() == "whoami")
                .unwrap(),
        ),
    )
    .await;
    let r = s
        .modern(
            "subscriptions/listen",
            json!({"notifications": {"toolsListChanged": true}}),
        )
        .await;
    assert_eq!((r.status, r.error_code()), (404, -32601));
}

/// A tool added at runtime.
static LATE: mcp_runtime::tool::ToolDef = mcp_runtime::tool::ToolDef::new("late", |_| {
    mcp_runtime::invocation::Invocation::Ready(mcp_runtime::ToolResult::text("late"))
})
.description("Arrives while the server runs.");

/// Another tool named `late`.
static LATE_TWIN: mcp_runtime::tool::ToolDef = mcp_runtime::tool::ToolDef::new("late", |_| {
    mcp_runtime::invocation::Invocation::Ready(mcp_runtime::ToolResult::text("twin"))
});

#[tokio::test]
async fn tools_change_at_runtime_and_listeners_hear_it() {
    let mut server = Server::from_registry();
    let tools = server.tool_set();
    let s = Running::start(server).await;
    let listed = |r: mcp_tests::Response| -> Vec<String> {
        r.result()["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut listener = s
        .open(&listen_request(1, json!({"toolsListChanged": true})))
        .await;
    assert_eq!(
        listener.next().await.unwrap()["method"],
        "notifications/subscriptions/acknowledged"
    );

    tools.disable("change_tools").unwrap();
    assert!(!listed(s.modern("tools/list", json!({})).await).contains(&"change_tools".to_owned()));
    let gone = s
        .modern(
            "tools/call",
            json!({"name": "change_tools", "arguments": {}}),
        )
        .await;
    assert_eq!(gone.error_code(), -32602);
    assert_eq!(
        listener.next().await.unwrap()["method"],
        "notifications/tools/list_changed"
    );

    tools.add(&LATE).unwrap();
    assert_eq!(
        s.modern("tools/call", json!({"name": "late", "arguments": {}}))
            .await
            .result()["content"][0]["text"],
        "late"
    );
    // The same definition again changes nothing; another tool of that name is refused.
    tools.add(&LATE).unwrap();
    assert!(
        tools
            .add(&LATE_TWIN)
            .unwrap_err()
            .to_string()
            .contains("duplicate name `late`"),
        "an invalid change is refused"
    );
    tools.enable("change_tools").unwrap();
    tools.remove("late").unwrap();
    assert_eq!(tools.names(), ["change_tools", "whoami"]);
    assert!(tools.disable("nope").is_err());
}

#[tokio::test]
async fn shutdown_ends_long_lived_streams_instead_of_hanging() {
    let mut server = Server::from_registry();
    let _notifier = server.notifier();
    let listening = server.bind("127.0.0.1:0").await.unwrap();
    let addr = listening.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(listening.run_until(async {
        let _ = stopped.await;
    }));
    // A harness around the bound address, to open the streams.
    let s = mcp_tests::Running::at(addr);
    let mut listen = s
        .open(&listen_request(9, json!({"toolsListChanged": true})))
        .await;
    assert_eq!(
        listen.next().await.unwrap()["method"],
        "notifications/subscriptions/acknowledged"
    );
    let init = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let session = s
        .post(&[], init)
        .await
        .header("mcp-session-id")
        .unwrap()
        .to_owned();
    let get = [
        ("Host", "localhost"),
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", session.as_str()),
    ];
    let mut standalone = s.open(&request("GET", &get, b"")).await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;

    stop.send(()).unwrap();
    let result = tokio::time::timeout(std::time::Duration::from_secs(5), served).await;
    assert!(
        result.is_ok(),
        "the server stopped instead of waiting on its open streams"
    );
    let closing = listen
        .next()
        .await
        .expect("the listen stream's closing result");
    assert_eq!(closing["id"], 9);
    assert_eq!(
        closing["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        9
    );
    assert!(listen.next().await.is_none());
    while standalone.next().await.is_some() {}
    assert!(
        standalone.received().contains("retry: 1000"),
        "{}",
        standalone.received()
    );
}
