use mcp_runtime::prelude::*;

#[complete(prompt = "review", argument = "language")]
fn languages(partial: String, context: CompletionContext, extra: u8) -> Vec<String> {
    let _ = (context, extra);
    vec![partial]
}

fn main() {}
