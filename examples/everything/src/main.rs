//! Run with: cargo run -p everything
//!
//! The fixture server of the official MCP conformance suite: every tool, resource, prompt and
//! completion the suite's scenarios call, served at http://127.0.0.1:8080/mcp (`MCP_BIND` to change).
//! CI runs the suite against it on the `stable`, `2025-11-25` and `2026-07-28` lines.

mod input;
mod prompts;
mod resources;
mod streaming;
mod tasks;
mod tools;

use mcp_runtime::Server;

/// The server with every fixture registered.
fn server() -> Server {
    Server::from_registry()
        .name("everything")
        .version(env!("CARGO_PKG_VERSION"))
        .icon(tools::ICON)
        .instructions("The MCP conformance fixtures: every tool answers as the suite expects.")
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    // Logs (the startup summary, warnings) go to standard error; `RUST_LOG` filters them.
    mcp_runtime::logging::init();
    if std::env::args().any(|a| a == "--stdio") {
        return server().serve_stdio().await;
    }
    let addr = std::env::var("MCP_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let mut server = server();
    // Processes that serve one endpoint seal request state and handles with one key ring.
    if let Ok(keys) = std::env::var("MCP_STATE_KEYS") {
        server = server.request_state_keys(mcp_runtime::mrtr::StateKeys::from_base64(&keys)?);
    }
    // Several processes of this server share change notifications through this Redis.
    if let Ok(url) = std::env::var("MCP_REDIS_URL") {
        let store = mcp_runtime::store::RedisStore::connect(&url)?.prefix("everything");
        server = server.store(store);
    }
    let server = server.bind(addr).await?;
    eprintln!("everything: serving MCP at {}", server.url());
    server.run().await
}

#[cfg(test)]
mod tests {
    use mcp_runtime::testing::TestClient;
    use serde_json::json;

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
                "confirm_delete",
                "failing_job",
                "greet",
                "json_schema_2020_12_tool",
                "multi_input",
                "protocol_error_job",
                "route_query",
                "slow_compute",
                "test_audio_content",
                "test_elicitation",
                "test_elicitation_sep1034_defaults",
                "test_elicitation_sep1330_enums",
                "test_embedded_resource",
                "test_error_handling",
                "test_image_content",
                "test_input_required_result_capabilities",
                "test_input_required_result_elicitation",
                "test_input_required_result_list_roots",
                "test_input_required_result_multi_round",
                "test_input_required_result_multiple_inputs",
                "test_input_required_result_request_state",
                "test_input_required_result_sampling",
                "test_input_required_result_tampered_state",
                "test_logging_tool",
                "test_missing_capability",
                "test_multiple_content_types",
                "test_reconnection",
                "test_sampling",
                "test_simple_text",
                "test_streaming_elicitation",
                "test_tool_with_logging",
                "test_tool_with_progress",
                "test_tool_with_task",
                "test_trigger_prompt_change",
                "test_trigger_resource_update",
                "test_trigger_tool_change",
            ]
        );
    }

    #[tokio::test]
    async fn registers_the_resource_and_prompt_fixtures() {
        let client = TestClient::new(super::server()).unwrap();
        let resources = client.request("resources/list", json!({})).await.unwrap();
        let uris: Vec<&str> = resources["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["uri"].as_str().unwrap())
            .collect();
        assert_eq!(
            uris,
            [
                "test://static-binary",
                "test://static-text",
                "test://watched-resource"
            ]
        );
        let templates = client
            .request("resources/templates/list", json!({}))
            .await
            .unwrap();
        assert_eq!(
            templates["resourceTemplates"][0]["uriTemplate"],
            "test://template/{id}/data"
        );
        let prompts = client.request("prompts/list", json!({})).await.unwrap();
        let names: Vec<&str> = prompts["prompts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "test_input_required_result_prompt",
                "test_prompt_with_arguments",
                "test_prompt_with_embedded_resource",
                "test_prompt_with_image",
                "test_simple_prompt"
            ]
        );
    }
}
