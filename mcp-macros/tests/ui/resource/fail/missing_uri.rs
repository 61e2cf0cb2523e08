use mcp_runtime::prelude::*;

#[resource(name = "config")]
fn config() -> &'static str {
    "{}"
}

fn main() {}
