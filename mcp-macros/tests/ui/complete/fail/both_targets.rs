use mcp_runtime::prelude::*;

#[complete(prompt = "review", resource = "docs://{name}", argument = "name")]
async fn names(partial: String) -> Vec<String> {
    vec![partial]
}

fn main() {}
