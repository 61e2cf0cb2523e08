//! Run with: cargo run -p notes
//!
//! A small notes server: a tool writes notes, resources read them (`notes://index` and the
//! template `notes://{id}`), a prompt asks the model to summarise one, and a completer suggests
//! note ids. Served at http://127.0.0.1:8080/mcp (`MCP_BIND` to listen elsewhere).

use std::collections::BTreeMap;
use std::sync::{LazyLock, RwLock};

use mcp_runtime::prelude::*;

/// The notes, by id. A real server would keep them in a database.
static NOTES: LazyLock<RwLock<BTreeMap<u32, Note>>> = LazyLock::new(Default::default);

/// The most notes the server keeps: anything a client can add, a client can add without end.
const MAX_NOTES: usize = 1_000;
/// The longest title and body, in characters.
const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 20_000;

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
struct Note {
    id: u32,
    title: String,
    body: String,
}

/// Saves a note and returns it with its id.
#[tool(idempotent = false)]
fn add_note(
    /// A short title (at most 200 characters)
    title: String,
    /// The text of the note (at most 20,000 characters)
    body: String,
) -> Result<Json<Note>, String> {
    if title.chars().count() > MAX_TITLE || body.chars().count() > MAX_BODY {
        return Err(format!(
            "a note's title may be {MAX_TITLE} characters long and its body {MAX_BODY}"
        ));
    }
    let mut notes = NOTES.write().expect("the notes lock");
    if notes.len() >= MAX_NOTES {
        return Err(format!(
            "the server keeps at most {MAX_NOTES} notes; delete one first"
        ));
    }
    let id = notes.keys().next_back().map_or(1, |last| last + 1);
    let note = Note { id, title, body };
    notes.insert(id, note.clone());
    Ok(Json(note))
}

/// Deletes a note.
#[tool(destructive, idempotent)]
fn delete_note(
    /// The note's id
    id: u32,
) -> Result<String, String> {
    let mut notes = NOTES.write().expect("the notes lock");
    notes
        .remove(&id)
        .map(|note| format!("deleted note {id}: {}", note.title))
        .ok_or(format!("there is no note {id}"))
}

/// Every note's id and title, one per line.
#[resource("notes://index", mime_type = "text/plain")]
fn index() -> String {
    let notes = NOTES.read().expect("the notes lock");
    notes
        .values()
        .map(|n| format!("{}: {}", n.id, n.title))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One note, as Markdown.
#[resource("notes://{id}", name = "note", mime_type = "text/markdown")]
fn note(
    /// The note's id
    id: u32,
) -> Result<String, String> {
    let notes = NOTES.read().expect("the notes lock");
    let note = notes.get(&id).ok_or(format!("there is no note {id}"))?;
    Ok(format!("# {}\n\n{}", note.title, note.body))
}

/// Asks the model to summarise a note.
#[prompt(title = "Summarise a note")]
fn summarize(
    /// The note's id
    id: u32,
    /// The summary's style, such as "bullet points"
    style: Option<String>,
) -> Result<Vec<PromptMessage>, String> {
    let text = note(id)?;
    Ok(vec![
        PromptMessage::user(Content::embedded_text(
            format!("notes://{id}"),
            "text/markdown",
            text,
        )),
        PromptMessage::user(format!(
            "Summarise the note above as {}.",
            style.as_deref().unwrap_or("one short paragraph")
        )),
    ])
}

/// Suggests the ids of existing notes.
#[complete(prompt = "summarize", argument = "id")]
fn note_ids(partial: String) -> Vec<String> {
    let notes = NOTES.read().expect("the notes lock");
    notes
        .keys()
        .map(u32::to_string)
        .filter(|id| id.starts_with(&partial))
        .collect()
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    let addr = std::env::var("MCP_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let server = Server::from_registry()
        .name("notes")
        .version(env!("CARGO_PKG_VERSION"))
        .bind(addr)
        .await?;
    eprintln!("notes: serving MCP at {}", server.url());
    server.run().await
}

#[cfg(test)]
mod tests {
    use mcp_runtime::testing::TestClient;
    use serde_json::json;

    use super::*;

    /// The notes are one store: a test that fills it runs alone.
    static STORE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    #[tokio::test]
    async fn write_read_summarise_and_complete() {
        let _store = STORE.lock().await;
        let client = TestClient::new(Server::from_registry()).unwrap();
        let added = client
            .call_tool(
                "add_note",
                json!({"title": "Groceries", "body": "milk, eggs"}),
            )
            .await
            .unwrap();
        let id = added.structured_content.unwrap()["id"].as_u64().unwrap();

        let read = client
            .request("resources/read", json!({"uri": format!("notes://{id}")}))
            .await
            .unwrap();
        assert_eq!(read["contents"][0]["text"], "# Groceries\n\nmilk, eggs");
        let index = client
            .request("resources/read", json!({"uri": "notes://index"}))
            .await
            .unwrap();
        assert!(index["contents"][0]["text"]
            .as_str()
            .unwrap()
            .contains(&format!("{id}: Groceries")));

        let prompt = client
            .legacy()
            .request("prompts/get", json!({"name": "summarize", "arguments": {"id": id.to_string(), "style": "a haiku"}}))
            .await
            .unwrap();
        assert_eq!(
            prompt["messages"][0]["content"]["resource"]["uri"],
            format!("notes://{id}")
        );
        assert_eq!(
            prompt["messages"][1]["content"]["text"],
            "Summarise the note above as a haiku."
        );

        let missing = client
            .request(
                "prompts/get",
                json!({"name": "summarize", "arguments": {"id": "999"}}),
            )
            .await;
        assert_eq!(missing.unwrap_err().message, "there is no note 999");

        let ids = client
            .request("completion/complete", json!({"ref": {"type": "ref/prompt", "name": "summarize"}, "argument": {"name": "id", "value": ""}}))
            .await
            .unwrap();
        assert!(ids["completion"]["values"]
            .as_array()
            .unwrap()
            .contains(&json!(id.to_string())));
    }

    #[tokio::test]
    async fn the_store_is_bounded() {
        let _store = STORE.lock().await;
        let client = TestClient::new(Server::from_registry()).unwrap();
        let long = client
            .call_tool(
                "add_note",
                json!({"title": "t", "body": "x".repeat(MAX_BODY + 1)}),
            )
            .await
            .unwrap();
        assert!(long.is_error);
        // Fill the store (other tests share it), then one more is refused and a delete makes
        // room.
        let mut last = None;
        while NOTES.read().unwrap().len() < MAX_NOTES {
            let added = client
                .call_tool("add_note", json!({"title": "t", "body": "b"}))
                .await
                .unwrap();
            last = Some(added.structured_content.unwrap()["id"].as_u64().unwrap());
        }
        let full = client
            .call_tool("add_note", json!({"title": "t", "body": "b"}))
            .await
            .unwrap();
        assert!(full.is_error, "{}", full.all_text());
        let id = last.unwrap();
        let deleted = client
            .call_tool("delete_note", json!({"id": id}))
            .await
            .unwrap();
        assert!(!deleted.is_error);
        let again = client
            .call_tool("add_note", json!({"title": "t", "body": "b"}))
            .await
            .unwrap();
        assert!(!again.is_error);
        NOTES.write().unwrap().clear();
    }
}
