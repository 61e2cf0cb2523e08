//! Run with: cargo run -p secured -- --dev
//!
//! A notes server that only serves callers holding a token from its authorization server: an
//! OAuth 2.1 resource server. Reading needs the scope `notes:read`, writing `notes:write`; a
//! caller sees only the tools its token's scopes allow.
//!
//! - `MCP_OAUTH_ISSUER`: the authorization server's issuer (its JWKS is found from its metadata);
//! - `MCP_OAUTH_RESOURCE`: this server's URL, which tokens must name as their audience (default
//!   `http://127.0.0.1:8080/mcp`);
//! - `--dev` instead starts a development authorization server on 127.0.0.1:8090
//!   (`MCP_DEV_ISSUER_BIND` to change) and prints tokens to try the server with (never use it
//!   for anything else).
//! - `--stdio` serves a client that starts the server as a child process. A pipe carries no
//!   token: as the specification says, a stdio server takes its credentials from its
//!   environment, and the caller is the user who started it, with every scope.

mod dev;

use std::collections::BTreeMap;
use std::sync::Mutex;

use mcp_runtime::auth::OAuth;
use mcp_runtime::prelude::*;

/// The notes, by id.
#[derive(Default)]
struct Notes(Mutex<BTreeMap<u64, String>>);

/// Lists the notes' ids and first lines.
#[tool(read_only, scopes = ["notes:read"])]
async fn list_notes(notes: State<Notes>) -> String {
    let notes = notes.0.lock().expect("not poisoned");
    let lines: Vec<String> = notes
        .iter()
        .map(|(id, text)| format!("{id}: {}", text.lines().next().unwrap_or_default()))
        .collect();
    lines.join("\n")
}

/// Who signs a note when no token named the caller: over stdio, the user who started the
/// server.
const LOCAL_USER: &str = "the local user";

/// Adds a note, signed by the caller.
#[tool(scopes = ["notes:write"])]
async fn add_note(
    notes: State<Notes>,
    caller: Option<Principal>,
    /// The note's text
    text: String,
) -> String {
    let mut notes = notes.0.lock().expect("not poisoned");
    let id = notes.keys().next_back().map_or(1, |last| last + 1);
    let signed = caller.as_ref().map_or(LOCAL_USER, Principal::subject);
    notes.insert(id, format!("{text}\n-- {signed}"));
    format!("added note {id}")
}

/// Says who is calling and what the token granted.
#[tool(read_only)]
async fn whoami(caller: Option<Principal>) -> String {
    let Some(caller) = caller else {
        return format!("{LOCAL_USER} (over stdio), every scope");
    };
    let scopes: Vec<&str> = caller.scopes().collect();
    format!(
        "{} (client {}), scopes: {}",
        caller.subject(),
        caller.client_id().unwrap_or("unknown"),
        scopes.join(" ")
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Logs (the startup summary, warnings) go to standard error; `RUST_LOG` filters them.
    mcp_runtime::logging::init();
    if std::env::args().any(|a| a == "--stdio") {
        let server = Server::from_registry()
            .name("secured-notes")
            .state(Notes::default());
        return Ok(server.serve_stdio().await?);
    }
    let bind = std::env::var("MCP_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let resource =
        std::env::var("MCP_OAUTH_RESOURCE").unwrap_or_else(|_| format!("http://{bind}/mcp"));
    let issuer = if std::env::args().any(|a| a == "--dev") {
        let at = std::env::var("MCP_DEV_ISSUER_BIND").unwrap_or_else(|_| "127.0.0.1:8090".into());
        dev::start(&at, &resource).await?
    } else {
        std::env::var("MCP_OAUTH_ISSUER")
            .map_err(|_| "set MCP_OAUTH_ISSUER (or pass --dev for a local authorization server)")?
    };
    let server = Server::from_registry()
        .name("secured-notes")
        .state(Notes::default())
        .oauth(OAuth::new(issuer, resource))
        .bind(bind.as_str())
        .await?;
    eprintln!("secured: serving MCP at {}", server.url());
    server.run().await?;
    Ok(())
}
