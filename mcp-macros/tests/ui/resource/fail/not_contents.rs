use mcp_runtime::prelude::*;

struct Opaque;

#[resource("opaque://thing")]
fn thing() -> Opaque {
    Opaque
}

fn main() {}
