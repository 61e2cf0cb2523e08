//! Structured output that is not an object: as it is for 2026-07-28 clients, wrapped in
//! `{"result": ...}` (schema and value alike) for 2025-era clients, whose revision allows
//! objects only.

use mcp_runtime::prelude::*;
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
#[tool]
fn origin() -> Json<Point> {
    Json(Point { x: 0, y: 0 })
}

async fn server() -> Running {
    Running::start(
        Server::new()
            .tool(evens::tool())
            .tool(diagonal::tool())
            .tool(origin::tool()),
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
