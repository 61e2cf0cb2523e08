//! Connects to a Streamable HTTP server with the official Rust SDK's client (rmcp), lists its
//! tools and calls one, printing one JSON object per line (as the other peer drivers do):
//! `{"protocolVersion", "server"}`, `{"tools": [names]}`, `{"call": name, "result": {...}}`.
//! Usage: rust_client URL TOOL [ARGUMENTS_JSON]; exits 1 if the call is an error result.

use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::ServiceExt as _;
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: rust_client URL TOOL [ARGUMENTS_JSON]")?;
    let tool = args.next().ok_or("usage: rust_client URL TOOL [ARGUMENTS_JSON]")?;
    let arguments: Value = serde_json::from_str(&args.next().unwrap_or_else(|| "{}".into()))?;

    let client = ().serve(StreamableHttpClientTransport::from_uri(url)).await?;
    // What the client settled with the server (the handshake's, or discovery's, result).
    let peer = match client.peer_info() {
        Some(info) => serde_json::to_value(&*info)?,
        None => Value::Null,
    };
    println!(
        "{}",
        json!({"protocolVersion": peer["protocolVersion"], "server": peer["serverInfo"]["name"]})
    );

    let tools = client.list_all_tools().await?;
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    println!("{}", json!({ "tools": names }));

    let mut params = CallToolRequestParams::new(tool.clone());
    if let Value::Object(arguments) = arguments {
        params = params.with_arguments(arguments);
    }
    let result = client.call_tool(params).await?;
    let failed = result.is_error == Some(true);
    println!("{}", json!({"call": tool, "result": result}));
    client.cancel().await?;
    std::process::exit(i32::from(failed));
}
