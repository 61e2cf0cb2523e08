use mcp_runtime::prelude::*;

#[prompt(name = "code review")]
fn review(code: String) -> String {
    code
}

fn main() {}
