use mcp_runtime::prelude::*;

/// Pokes.
#[tool]
async unsafe fn poke() -> String {
    String::new()
}

fn main() {}
