use mcp_runtime::prelude::*;

#[resource("config://app", audience = ["robot"], priority = 2.0, cache_scope = "shared")]
fn config() -> &'static str {
    "{}"
}

fn main() {}
