use mcp_runtime::prelude::*;

/// A document.
#[resource("docs://readme", cache_scope = "private")]
async fn readme() -> String {
    String::new()
}

fn main() {}
