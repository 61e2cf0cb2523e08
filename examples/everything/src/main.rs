//! Run with: cargo run -p everything
//!
//! The fixture server of the official MCP conformance suite: every tool, resource and prompt
//! the suite's scenarios call, served at http://127.0.0.1:8080/mcp (`MCP_BIND` to change).
//! CI runs the suite against it on the `stable`, `2025-11-25` and `2026-07-28` lines.

mod tools;

use mcp_runtime::Server;

/// The server with every fixture registered.
fn server() -> Server {
    Server::from_registry()
        .name("everything")
        .version(env!("CARGO_PKG_VERSION"))
        .instructions("The MCP conformance fixtures: every tool answers as the suite expects.")
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    let addr = std::env::var("MCP_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let server = server().bind(addr).await?;
    eprintln!("everything: serving MCP at {}", server.url());
    server.run().await
}

#[cfg(test)]
mod tests {
    use mcp_runtime::testing::TestClient;

    #[tokio::test]
    async fn registers_exactly_the_fixtures() {
        let client = TestClient::new(super::server()).unwrap();
        let names: Vec<String> = client
            .list_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(
            names,
            [
                "json_schema_2020_12_tool",
                "test_audio_content",
                "test_embedded_resource",
                "test_error_handling",
                "test_image_content",
                "test_multiple_content_types",
                "test_simple_text",
            ]
        );
    }
}
