use mcp_runtime::prelude::*;

#[resource("users://{id}/posts/{post}")]
fn post(id: u64) -> String {
    id.to_string()
}

fn main() {}
