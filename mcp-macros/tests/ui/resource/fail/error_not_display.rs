use mcp_runtime::prelude::*;

struct Missing;

/// A document.
#[resource("docs://{name}")]
async fn doc(name: String) -> Result<String, Missing> {
    let _ = name;
    Err(Missing)
}

fn main() {}
