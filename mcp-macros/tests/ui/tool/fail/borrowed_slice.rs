use mcp_runtime::prelude::*;

/// Sums.
#[tool]
async fn sum(values: &[i64]) -> i64 {
    values.iter().sum()
}

fn main() {}
