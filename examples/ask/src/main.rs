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
//! Work before a question would then happen once per round: `draft_post` saves its draft in a
//! `Steps::once` step, which runs in the first round only.

use std::sync::Mutex;

use mcp_runtime::extract::{CreateMessage, Elicitation, Elicitor, InputError, Log, Sampler, Steps};
use mcp_runtime::prelude::*;

/// The drafts `draft_post` saved (a real server would use a database), given to the server as
/// state.
#[derive(Debug, Default)]
struct Drafts(Mutex<Vec<String>>);

impl Drafts {
    /// Saves a draft; its number.
    fn save(&self, text: String) -> usize {
        let mut drafts = self.0.lock().expect("the drafts lock");
        drafts.push(text);
        drafts.len()
    }
}

/// Whether to publish.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Publish {
    /// Publish the draft now
    publish: bool,
}

/// Saves a post as a draft, then asks the user whether to publish it.
#[tool]
async fn draft_post(
    /// The post's text
    text: String,
    drafts: State<Drafts>,
    steps: Steps,
    elicitor: Elicitor,
) -> Result<String, InputError> {
    // Saved in the first round only: a 2026-07-28 client's retry finds the number in the
    // request state instead of saving a second draft.
    let draft = steps.once("save", || async { drafts.save(text) }).await;
    let answer = elicitor
        .form::<Publish>(&format!("Publish draft {draft}?"))
        .await?;
    Ok(match answer {
        Elicitation::Accept(p) if p.publish => format!("published draft {draft}"),
        _ => format!("kept draft {draft}"),
    })
}

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
    // Logs (the startup summary, warnings) go to standard error; `RUST_LOG` filters them.
    mcp_runtime::logging::init();
    let server = Server::from_registry()
        .state(Drafts::default())
        .name("ask")
        .version(env!("CARGO_PKG_VERSION"));
    if std::env::args().any(|a| a == "--stdio") {
        return server.serve_stdio().await;
    }
    let addr = std::env::var("MCP_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let server = server.bind(addr).await?;
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
        let client = TestClient::new(Server::from_registry().state(Drafts::default()))
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

    #[tokio::test]
    async fn a_draft_is_saved_once_across_rounds() {
        let drafts = std::sync::Arc::new(Drafts::default());
        let client = TestClient::new(Server::from_registry().shared_state(drafts.clone()))
            .unwrap()
            .with_capabilities(json!({"elicitation": {"form": {}}}));
        let call = json!({"name": "draft_post", "arguments": {"text": "hello"}});
        let first = client.request("tools/call", call.clone()).await.unwrap();
        assert_eq!(first["resultType"], "input_required");
        let mut retry = call;
        retry["requestState"] = first["requestState"].clone();
        retry["inputResponses"] =
            json!({"elicitation-1": {"action": "accept", "content": {"publish": true}}});
        let done = client.request("tools/call", retry).await.unwrap();
        assert_eq!(done["content"][0]["text"], "published draft 1");
        assert_eq!(drafts.0.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_2025_client_drafts_once_too() {
        let drafts = std::sync::Arc::new(Drafts::default());
        let client = TestClient::new(Server::from_registry().shared_state(drafts.clone()))
            .unwrap()
            .on_elicitation(|_| Ok(json!({"action": "accept", "content": {"publish": false}})))
            .legacy();
        let done = client
            .call_tool("draft_post", json!({"text": "hello"}))
            .await
            .unwrap();
        assert_eq!(done.all_text(), "kept draft 1");
        assert_eq!(drafts.0.lock().unwrap().len(), 1);
    }
}
