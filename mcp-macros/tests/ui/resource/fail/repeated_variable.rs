use mcp_runtime::prelude::*;

#[resource("users://{id}/mirror/{id}")]
fn user(id: u64) -> String {
    id.to_string()
}

fn main() {}
