//! The official Rust SDK, rmcp, serving one tool `add(a, b)` over Streamable HTTP at
//! `http://127.0.0.1:PORT/mcp`, written the way rmcp's documentation shows.
//!
//! Usage: `rmcp_anchor [stateless|stateful] [PORT]` (defaults: stateless, 8001)
//! - `stateless`: no sessions, every reply plain `application/json`;
//! - `stateful`: 2025-era sessions (`Mcp-Session-Id`), replies as SSE streams.
//!
//! Environment: `NODELAY=1` sets TCP_NODELAY on accepted connections (axum leaves Nagle on);
//! `RMCP_FACTORY=clone` makes the per-session factory clone one prebuilt handler instead of
//! building a new one (and its tool router) each time.

use axum::serve::ListenerExt;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{schemars, tool, tool_handler, tool_router, ServerHandler};

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct AddRequest {
    a: i64,
    b: i64,
}

#[derive(Debug, Clone)]
struct Calculator {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Calculator {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Add two integers")]
    fn add(&self, Parameters(AddRequest { a, b }): Parameters<AddRequest>) -> String {
        (a + b).to_string()
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Calculator {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "stateless".to_owned());
    let stateful = match mode.as_str() {
        "stateless" => false,
        "stateful" => true,
        other => {
            eprintln!("rmcp_anchor: unknown mode {other:?} (stateless | stateful)");
            std::process::exit(2);
        }
    };
    let port = match args.next() {
        Some(arg) => arg.parse::<u16>().map_err(std::io::Error::other)?,
        None => 8001,
    };
    let env_is = |name: &str, value: &str| std::env::var(name).is_ok_and(|v| v == value);
    let nodelay = env_is("NODELAY", "1");
    let clone = env_is("RMCP_FACTORY", "clone");

    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(stateful)
        .with_json_response(!stateful)
        .with_sse_keep_alive(None);
    let service: StreamableHttpService<Calculator, LocalSessionManager> = if clone {
        let prebuilt = Calculator::new();
        StreamableHttpService::new(move || Ok(prebuilt.clone()), Default::default(), config)
    } else {
        StreamableHttpService::new(|| Ok(Calculator::new()), Default::default(), config)
    };
    let app = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    eprintln!(
        "rmcp_anchor {mode} on http://127.0.0.1:{port}/mcp (factory={}, nodelay={nodelay})",
        if clone { "clone" } else { "new" }
    );
    if nodelay {
        let listener = listener.tap_io(|stream| {
            let _ = stream.set_nodelay(true);
        });
        axum::serve(listener, app).await
    } else {
        axum::serve(listener, app).await
    }
}
