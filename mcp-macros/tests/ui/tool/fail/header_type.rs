use mcp_runtime::prelude::*;

/// A list cannot be carried in a header.
#[tool]
fn tag(#[header("Tags")] tags: Vec<String>) -> usize {
    tags.len()
}

/// Nor a float (the specification allows integers only).
#[tool]
fn score(#[header("Score")] score: f64) -> f64 {
    score
}

fn main() {}
