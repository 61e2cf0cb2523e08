use mcp_runtime::prelude::*;

/// Waits.
#[tool(timeout_ms = "5s", read_only = 1, title = 3)]
async fn wait() -> String {
    String::new()
}

fn main() {}
