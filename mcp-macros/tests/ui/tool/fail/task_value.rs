use mcp_runtime::prelude::*;

/// Runs for a long time.
#[tool(task = "sometimes")]
async fn crawl() -> String {
    String::new()
}

/// Runs for a long time too.
#[tool(task = true)]
async fn build() -> String {
    String::new()
}

fn main() {}
