use mcp_runtime::prelude::*;

#[prompt]
fn count(code: String) -> usize {
    code.len()
}

fn main() {}
