use mcp_runtime::prelude::*;

struct Failure;

/// Fails.
#[tool]
async fn fail() -> Result<String, Failure> {
    Err(Failure)
}

fn main() {}
