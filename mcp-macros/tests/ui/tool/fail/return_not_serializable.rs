use mcp_runtime::prelude::*;

struct Report {
    lines: usize,
}

/// Reports.
#[tool]
async fn report() -> Report {
    Report { lines: 1 }
}

fn main() {}
