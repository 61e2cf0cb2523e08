//! What clients of each era are shown about tools, resources, prompts and the server:
//! structured output that is not an object (as it is for 2026-07-28 clients, wrapped in
//! `{"result": ...}`, schema and value alike, for 2025-era clients, whose revision allows
//! objects only), and icons.

use mcp_runtime::prelude::*;
use mcp_runtime::{Icon, IconTheme};
use mcp_tests::Running;
use serde_json::{json, Value};

/// The first even numbers, as a structured list.
#[tool]
fn evens(count: u8) -> Json<Vec<u32>> {
    Json((0..u32::from(count)).map(|n| n * 2).collect())
}

/// A point.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct Point {
    x: i32,
    y: i32,
}

/// Points on the diagonal: a list of a named type (its schema in `$defs`).
#[tool]
fn diagonal(count: u8) -> Json<Vec<Point>> {
    Json(
        (0..i32::from(count))
            .map(|n| Point { x: n, y: n })
            .collect(),
    )
}

/// An object, the same in both eras.
#[tool(icons = [DARK, "https://example.com/origin.png"])]
fn origin() -> Json<Point> {
    Json(Point { x: 0, y: 0 })
}

/// An icon for dark backgrounds.
const DARK: Icon = Icon::new("https://example.com/dark.svg")
    .sizes(&["any"])
    .theme(IconTheme::Dark);

/// A note.
#[resource("notes://{id}", icons = ["data:image/png;base64,iVBORw0KGgo="])]
fn note(id: u32) -> String {
    format!("note {id}")
}

/// Asks for a summary.
#[prompt(icons = [DARK])]
fn summarize() -> &'static str {
    "Summarize."
}

async fn server() -> Running {
    Running::start(
        Server::new()
            .icon(DARK)
            .tool(evens::tool())
            .tool(diagonal::tool())
            .tool(origin::tool())
            .resource(note::resource())
            .prompt(summarize::prompt()),
    )
    .await
}

fn tool<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("{name} not listed: {list}"))
}

#[tokio::test]
async fn listings_wrap_non_object_schemas_for_legacy_clients() {
    let running = server().await;
    let modern = running.modern("tools/list", json!({})).await.json();
    let legacy = running.legacy("tools/list", json!({})).await.json();
    for name in ["evens", "diagonal"] {
        let raw = &tool(&modern, name)["outputSchema"];
        assert_eq!(raw["type"], "array", "{raw}");
        let wrapped = &tool(&legacy, name)["outputSchema"];
        assert_eq!(wrapped["type"], "object");
        assert_eq!(wrapped["required"], json!(["result"]));
        let mut inner = raw.clone();
        let defs = inner.as_object_mut().unwrap().remove("$defs");
        assert_eq!(wrapped["properties"]["result"], inner);
        // Definitions move to the new root, where `#/$defs/...` still points.
        assert_eq!(wrapped.get("$defs"), defs.as_ref());
    }
    assert!(tool(&legacy, "diagonal")["outputSchema"]["$defs"]["Point"].is_object());
    assert_eq!(
        tool(&modern, "origin")["outputSchema"],
        tool(&legacy, "origin")["outputSchema"]
    );
}

#[tokio::test]
async fn calls_wrap_non_object_values_for_legacy_clients() {
    let running = server().await;
    let call = |name: &str, arguments: Value| json!({"name": name, "arguments": arguments});
    for (name, arguments, value) in [
        ("evens", json!({"count": 3}), json!([0, 2, 4])),
        ("diagonal", json!({"count": 1}), json!([{"x": 0, "y": 0}])),
    ] {
        let modern = running
            .call_as("2026-07-28", &[], call(name, arguments.clone()))
            .await
            .json();
        assert_eq!(modern["result"]["structuredContent"], value);
        let legacy = running
            .call_as("2025-11-25", &[], call(name, arguments))
            .await
            .json();
        assert_eq!(
            legacy["result"]["structuredContent"],
            json!({"result": value})
        );
        // The text is the value itself in both eras.
        assert_eq!(
            legacy["result"]["content"][0]["text"],
            modern["result"]["content"][0]["text"]
        );
    }
    let legacy = running
        .call_as("2025-11-25", &[], call("origin", json!({})))
        .await
        .json();
    assert_eq!(
        legacy["result"]["structuredContent"],
        json!({"x": 0, "y": 0})
    );
}

#[tokio::test]
async fn icons_are_listed_for_handlers_and_the_server() {
    let running = server().await;
    let dark = json!({"src": "https://example.com/dark.svg", "sizes": ["any"], "theme": "dark"});
    let tools = running.modern("tools/list", json!({})).await.json();
    assert_eq!(
        tool(&tools, "origin")["icons"],
        json!([dark, {"src": "https://example.com/origin.png", "mimeType": "image/png"}])
    );
    assert!(tool(&tools, "evens").get("icons").is_none());
    let templates = running
        .modern("resources/templates/list", json!({}))
        .await
        .json();
    assert_eq!(
        templates["result"]["resourceTemplates"][0]["icons"],
        json!([{"src": "data:image/png;base64,iVBORw0KGgo="}])
    );
    let prompts = running.legacy("prompts/list", json!({})).await.json();
    assert_eq!(prompts["result"]["prompts"][0]["icons"], json!([dark]));
    let discovered = running.modern("server/discover", json!({})).await.json();
    let info = &discovered["result"]["_meta"]["io.modelcontextprotocol/serverInfo"];
    assert_eq!(info["icons"], json!([dark]), "{discovered}");
    let initialized = running
        .legacy(
            "initialize",
            json!({"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "t", "version": "1"}}),
        )
        .await
        .json();
    assert_eq!(initialized["result"]["serverInfo"]["icons"], json!([dark]));
}

/// A hand-built definition's icons, and the server's, are checked before it starts.
#[test]
fn invalid_icons_stop_the_server_from_starting() {
    use mcp_runtime::invocation::Invocation;
    use mcp_runtime::tool::ToolDef;
    static BAD: [Icon; 1] = [Icon::new("javascript:alert(1)")];
    let def = ToolDef::new("bad", |_| Invocation::Ready(ToolResult::text("ok"))).icons(&BAD);
    let error = Server::new()
        .tool(Box::leak(Box::new(def)))
        .router()
        .unwrap_err()
        .to_string();
    assert!(error.contains("javascript:alert(1)"), "{error}");
    let error = Server::new()
        .icon(Icon::new("https://e.com/i.png").sizes(&["big"]))
        .router()
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("server's icons") && error.contains("`big`"),
        "{error}"
    );
}
