use mcp_runtime::prelude::*;

/// Names that are not header names, and one name twice.
#[tool]
fn route(
    #[header("My Region")] region: String,
    #[header("")] zone: String,
    #[header("Région")] area: String,
    #[header(Region)] site: String,
    #[header("Tier")] tier: String,
    #[header("tier")] level: String,
) -> String {
    format!("{region}{zone}{area}{site}{tier}{level}")
}

/// A prompt argument cannot be mirrored.
#[prompt]
fn ask(#[header("Topic")] topic: String) -> String {
    topic
}

/// Nor can a template variable.
#[resource("notes://{id}")]
fn note(#[header("Id")] id: String) -> String {
    id
}

fn main() {}
