use mcp_runtime::prelude::*;

#[resource("users://{id}")]
fn user(id: u64, verbose: bool) -> String {
    format!("{id} {verbose}")
}

fn main() {}
