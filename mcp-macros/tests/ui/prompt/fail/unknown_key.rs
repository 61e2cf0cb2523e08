use mcp_runtime::prelude::*;

/// Reviews code.
#[prompt(title = "Review", read_only)]
async fn review(code: String) -> String {
    code
}

fn main() {}
