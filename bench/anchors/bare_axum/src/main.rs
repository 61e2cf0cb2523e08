//! The ceiling of `bench/run.sh`: one axum route, `POST /mcp`, that reads a JSON-RPC
//! `tools/call` of `add(a, b)` with serde_json and writes the result an MCP server would send
//! (one text content holding the sum). No MCP library: no header checks, no sessions, no
//! protocol negotiation. Anything else gets a JSON-RPC error.
//!
//! Usage: `bare_axum [PORT]` (default 8000, on 127.0.0.1). `NODELAY=1` sets TCP_NODELAY on every
//! accepted connection.

use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::serve::ListenerExt;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The request, borrowed from the body: the id is echoed back untouched.
#[derive(Deserialize)]
struct Request<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    method: &'a str,
    #[serde(default)]
    params: Option<Call<'a>>,
}

#[derive(Deserialize)]
struct Call<'a> {
    #[serde(borrow)]
    name: &'a str,
    #[serde(default)]
    arguments: Option<Operands>,
}

#[derive(Deserialize)]
struct Operands {
    a: i64,
    b: i64,
}

#[derive(Serialize)]
struct Reply<'a> {
    jsonrpc: &'static str,
    id: &'a RawValue,
    result: ToolResult,
}

#[derive(Serialize)]
struct ToolResult {
    content: [Text; 1],
    #[serde(rename = "isError")]
    is_error: bool,
}

#[derive(Serialize)]
struct Text {
    #[serde(rename = "type")]
    kind: &'static str,
    text: String,
}

const JSON: [(header::HeaderName, &str); 1] = [(header::CONTENT_TYPE, "application/json")];

async fn mcp(body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Request<'_>>(&body) else {
        let error =
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#;
        return (StatusCode::BAD_REQUEST, JSON, error).into_response();
    };
    let id = request.id.unwrap_or_else(|| null());
    match request.params {
        Some(Call {
            name: "add",
            arguments: Some(Operands { a, b }),
        }) if request.method == "tools/call" => {
            let reply = Reply {
                jsonrpc: "2.0",
                id,
                result: ToolResult {
                    content: [Text {
                        kind: "text",
                        text: (a + b).to_string(),
                    }],
                    is_error: false,
                },
            };
            let bytes = serde_json::to_vec(&reply).expect("a reply always serializes");
            (JSON, bytes).into_response()
        }
        _ => {
            let error = format!(
                r#"{{"jsonrpc":"2.0","id":{},"error":{{"code":-32601,"message":"Method not found"}}}}"#,
                id.get()
            );
            (JSON, error).into_response()
        }
    }
}

/// The JSON `null`, for a request without an id.
fn null() -> &'static RawValue {
    static NULL: std::sync::OnceLock<Box<RawValue>> = std::sync::OnceLock::new();
    NULL.get_or_init(|| RawValue::from_string("null".to_owned()).expect("null is JSON"))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = match std::env::args().nth(1) {
        Some(arg) => arg.parse::<u16>().map_err(std::io::Error::other)?,
        None => 8000,
    };
    let nodelay = std::env::var("NODELAY").is_ok_and(|v| v == "1");
    let app = Router::new().route("/mcp", post(mcp));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    eprintln!("bare_axum on http://127.0.0.1:{port}/mcp (nodelay={nodelay})");
    if nodelay {
        let listener = listener.tap_io(|stream| {
            let _ = stream.set_nodelay(true);
        });
        axum::serve(listener, app).await
    } else {
        axum::serve(listener, app).await
    }
}
