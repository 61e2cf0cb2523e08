use mcp_runtime::prelude::*;

/// Shows.
#[tool]
async fn show(value: impl std::fmt::Display) -> String {
    value.to_string()
}

fn main() {}
