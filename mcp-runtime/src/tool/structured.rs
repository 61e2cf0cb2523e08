//! Structured output across the eras.
//!
//! A 2026-07-28 tool's `outputSchema` may be any JSON Schema and its `structuredContent` any
//! JSON value (a list, a number...). The 2025 revisions allow objects only. For a 2025-era
//! client, a tool whose output is not an object is wrapped the way the official SDKs do it: the
//! schema becomes `{"type": "object", "properties": {"result": <schema>}, "required":
//! ["result"]}` and the value `{"result": <value>}`, so the client still gets the structured
//! value, and it still matches the schema it was given. The text content is the same in both.

use serde_json::{json, Map, Value};

/// The property a non-object output is wrapped in for 2025-era clients.
pub(crate) const WRAPPED: &str = "result";

/// The output schema a 2025-era client is shown: `None` when the schema's root is an object
/// already (the same schema serves both eras), else the wrapped schema, its `$defs` moved to the
/// new root so that `#/$defs/...` references still resolve.
pub(crate) fn legacy_schema(schema: &Value) -> Option<Value> {
    if is_object_schema(schema) {
        return None;
    }
    let mut inner = schema.clone();
    let mut root = Map::new();
    if let Some(object) = inner.as_object_mut() {
        for keyword in ["$schema", "$defs"] {
            if let Some(value) = object.remove(keyword) {
                root.insert(keyword.into(), value);
            }
        }
    }
    root.insert("type".into(), "object".into());
    root.insert("properties".into(), json!({ WRAPPED: inner }));
    root.insert("required".into(), json!([WRAPPED]));
    Some(Value::Object(root))
}

/// Wraps a structured value that is not an object as `{"result": value}` (for a 2025-era
/// client).
pub(crate) fn wrap_for_legacy(content: &mut Value) {
    if !content.is_object() {
        *content = json!({ WRAPPED: content.take() });
    }
}

/// Whether a schema only admits objects (`"type": "object"` at its root).
fn is_object_schema(schema: &Value) -> bool {
    schema.get("type").is_some_and(|t| t == "object")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_stay_and_everything_else_is_wrapped() {
        let object = json!({"type": "object", "properties": {"a": {"type": "integer"}}});
        assert_eq!(legacy_schema(&object), None);
        let list = json!({
            "type": "array",
            "items": {"$ref": "#/$defs/Point"},
            "$defs": {"Point": {"type": "object"}}
        });
        assert_eq!(
            legacy_schema(&list).unwrap(),
            json!({
                "type": "object",
                "properties": {"result": {"type": "array", "items": {"$ref": "#/$defs/Point"}}},
                "required": ["result"],
                "$defs": {"Point": {"type": "object"}}
            })
        );
        // A root that admits more than objects (`["object", "null"]`) is wrapped too.
        assert!(legacy_schema(&json!({"type": ["object", "null"]})).is_some());

        let mut value = json!([1, 2]);
        wrap_for_legacy(&mut value);
        assert_eq!(value, json!({"result": [1, 2]}));
        let mut value = json!(null);
        wrap_for_legacy(&mut value);
        assert_eq!(value, json!({"result": null}));
        let mut value = json!({"a": 1});
        wrap_for_legacy(&mut value);
        assert_eq!(value, json!({"a": 1}));
    }
}
