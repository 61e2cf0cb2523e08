//! The bench server with a heap counter, for `bench/soak.sh`: `soak-server PORT [MODE]` (MODE
//! `stateless`, the default, or `stateful`).
//!
//! Resident memory alone cannot tell a leak from memory the allocator keeps for reuse, so this
//! server counts the bytes its heap holds and reports them through the `heap_bytes` tool.

use mcp_runtime::prelude::*;

#[global_allocator]
static HEAP: mcp_heap::Counting = mcp_heap::Counting;

/// The bytes the server's heap holds right now.
#[tool]
async fn heap_bytes() -> String {
    mcp_heap::live_bytes().to_string()
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    let port = std::env::args().nth(1).unwrap_or_else(|| "18950".into());
    let mode = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "stateless".into());
    mcp_bench::run(&mode, &port, &[heap_bytes::tool()]).await
}
