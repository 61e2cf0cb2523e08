use mcp_runtime::prelude::*;

#[complete(prompt = "review", argument = "language")]
fn languages() -> Vec<String> {
    vec![]
}

fn main() {}
