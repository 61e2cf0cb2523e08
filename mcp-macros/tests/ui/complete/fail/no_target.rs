use mcp_runtime::prelude::*;

#[complete(argument = "language")]
fn languages(partial: String) -> Vec<String> {
    vec![partial]
}

fn main() {}
