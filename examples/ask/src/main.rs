//! Run with: cargo run -p ask
//!
//! Tools that ask the client for input with one `await`: `translate` asks the client's model,
//! `rename_file` asks the user to confirm. 2026-07-28 clients answer through multi round-trip
//! requests, without any session; because these tools ask for input, the server runs
//! stateful, and 2025-era clients get a session and answer real requests on the response
//! stream. Served at http://127.0.0.1:8080/mcp (`MCP_BIND` to change).
//!
//! A handler that asks for input runs again from the start when the client retries with the
//! answers, so it must make the same input calls in the same order for the same arguments.

use mcp_runtime::extract::{CreateMessage, Elicitation, Elicitor, InputError, Log, Sampler};
use mcp_runtime::prelude::*;

/// Translates a text with the client's model.
#[tool(read_only)]
async fn translate(
    /// The text to translate
    text: String,
    /// The target language, such as "French"
    language: String,
    sampler: Sampler,
    log: Log,
) -> Result<String, InputError> {
    log.info(format!(
        "asking the client's model for a {language} translation"
    ));
    let request = CreateMessage::ask(
        format!("Translate into {language}, answer with the translation only:\n{text}"),
        500,
    );
    let answer = sampler.create_message(request).await?;
    Ok(format!(
        "{language}: {}",
        answer.text().unwrap_or("(the model sent no text)")
    ))
}

/// What the user confirms before a file is renamed.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Confirmation {
    /// Type the new name again to confirm
    new_name: String,
}

/// Renames a file after the user confirms the new name.
#[tool(destructive)]
async fn rename_file(
    /// The file's current name
    from: String,
    /// The new name
    to: String,
    elicitor: Elicitor,
) -> Result<String, String> {
    let question = format!("Rename {from} to {to}? Type the new name to confirm.");
    let answer = elicitor
        .form::<Confirmation>(&question)
        .await
        .map_err(|e| e.to_string())?;
    match answer {
        Elicitation::Accept(c) if c.new_name == to => Ok(format!("renamed {from} to {to}")),
        Elicitation::Accept(c) => Err(format!(
            "the confirmation `{}` does not match `{to}`",
            c.new_name
        )),
        Elicitation::Decline | Elicitation::Cancel => Err("the user did not confirm".into()),
    }
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    let addr = std::env::var("MCP_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let server = Server::from_registry()
        .name("ask")
        .version(env!("CARGO_PKG_VERSION"))
        .bind(addr)
        .await?;
    eprintln!("ask: serving MCP at {}", server.url());
    server.run().await
}

#[cfg(test)]
mod tests {
    use mcp_runtime::testing::TestClient;
    use serde_json::json;

    use super::*;

    #[tokio::test]
    async fn translate_asks_the_model_then_answers() {
        let client = TestClient::new(Server::from_registry())
            .unwrap()
            .with_capabilities(json!({"sampling": {}}));
        let first = client
            .request(
                "tools/call",
                json!({"name": "translate", "arguments": {"text": "hello", "language": "French"}}),
            )
            .await
            .unwrap();
        assert_eq!(first["resultType"], "input_required");
        let retry = json!({
            "name": "translate", "arguments": {"text": "hello", "language": "French"},
            "requestState": first["requestState"],
            "inputResponses": {"sampling-1": {"role": "assistant", "content": {"type": "text", "text": "bonjour"}, "model": "m"}},
        });
        let done = client.request("tools/call", retry).await.unwrap();
        assert_eq!(done["content"][0]["text"], "French: bonjour");
    }
}
