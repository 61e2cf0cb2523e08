//! Resource fixtures: two static resources, a template, and the resource clients watch.

use mcp_runtime::prelude::*;

use crate::tools::PNG_BASE64;

/// A static text resource.
#[resource(
    "test://static-text",
    name = "static-text",
    mime_type = "text/plain",
    icons = [crate::tools::ICON]
)]
fn static_text() -> &'static str {
    "This is the content of the static text resource."
}

/// A static binary resource (a 1x1 PNG).
#[resource(
    "test://static-binary",
    name = "static-binary",
    mime_type = "image/png"
)]
fn static_binary() -> ResourceContents {
    ResourceContents {
        uri: "test://static-binary".into(),
        mime_type: Some("image/png".into()),
        text: None,
        blob: Some(PNG_BASE64.into()),
    }
}

/// The data of one item, by id.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemData {
    id: String,
    template_test: bool,
    data: String,
}

/// A resource template with one variable.
#[resource(
    "test://template/{id}/data",
    name = "template-data",
    mime_type = "application/json"
)]
fn template_data(
    /// The item's id
    id: String,
) -> Json<ItemData> {
    Json(ItemData {
        data: format!("Data for ID: {id}"),
        id,
        template_test: true,
    })
}

/// A resource clients subscribe to.
#[resource(
    "test://watched-resource",
    name = "watched-resource",
    mime_type = "text/plain"
)]
fn watched_resource() -> &'static str {
    "Watched resource content"
}
