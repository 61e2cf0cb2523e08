use mcp_runtime::prelude::*;

/// Deriving schemars 0.8's `JsonSchema`, not the SDK's.
#[derive(serde::Deserialize, schemars08::JsonSchema)]
#[schemars(crate = "schemars08")]
struct Query {
    text: String,
}

/// Searches.
#[tool]
async fn search(query: Query) -> String {
    query.text
}

fn main() {}
