use mcp_runtime::prelude::*;

struct Database;

#[tool]
fn lookup(db: Database, key: String) -> String {
    let _ = db;
    key
}

fn main() {}
