use mcp_runtime::prelude::*;

/// Reviews code.
#[prompt]
async fn review(code: &String) -> String {
    code.clone()
}

fn main() {}
