use mcp_runtime::prelude::*;

/// Runs a query in a region.
#[tool]
fn route(
    /// Where the query runs
    #[header("Region")]
    region: String,
    #[header("Priority")] priority: Option<u32>,
    #[header("Dry-Run")] dry_run: bool,
    query: String,
) -> String {
    format!("{region} {priority:?} {dry_run} {query}")
}

fn main() {}
