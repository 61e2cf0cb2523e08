//! The benchmarked servers: `bench-server MODE [PORT]` (modes in the `mcp_bench` docs).

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "stateless".into());
    let port = args.next().unwrap_or_else(|| "8090".into());
    mcp_bench::run(&mode, &port, &[]).await
}
