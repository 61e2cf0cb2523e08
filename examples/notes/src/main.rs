//! Run with: cargo run -p notes
//!
//! A small notes server: tools write and delete notes, resources read them (`notes://index` and
//! the template `notes://{id}`), a prompt asks the model to summarise one, and a completer
//! suggests note ids. Served at http://127.0.0.1:8080/mcp (`MCP_BIND` to listen elsewhere).
//!
//! The notes are kept in an SQLite database: the file `notes.db` in the current directory, or
//! the file `MCP_NOTES_DB` names. It is created on first run and outlives the server. The
//! handlers reach it through a [`State<Notes>`](State) parameter: `main` gives the server the
//! database, and each test gives its own server a database in memory.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use mcp_runtime::prelude::*;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

/// The most notes the server keeps: anything a client can add, a client can add without end.
const MAX_NOTES: u32 = 1_000;
/// The longest title, in characters.
const MAX_TITLE: usize = 200;
/// The longest body, in characters.
const MAX_BODY: usize = 20_000;

/// The table the notes live in, created when the database is opened.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL
)";

/// A note, as the tools return it.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
struct Note {
    id: u32,
    title: String,
    body: String,
}

impl Note {
    /// The note as a Markdown document: its title as a heading, then its body.
    fn markdown(&self) -> String {
        format!("# {}\n\n{}", self.title, self.body)
    }
}

/// The notes database: one SQLite connection the handlers share.
///
/// Every method blocks while SQLite works, so the handlers that call them are plain `fn`s,
/// which the runtime runs on tokio's blocking pool, never on the async workers.
#[derive(Debug)]
struct Notes(Mutex<Connection>);

impl Notes {
    /// Opens the database file at `path`, creating it and its table if need be.
    fn open(path: impl AsRef<Path>) -> rusqlite::Result<Self> {
        Self::with_schema(Connection::open(path)?)
    }

    /// A new, empty database in memory, for tests: each one is a database of its own.
    #[cfg(test)]
    fn in_memory() -> Self {
        let connection = Connection::open_in_memory().expect("SQLite opens a database in memory");
        Self::with_schema(connection).expect("the schema applies to an empty database")
    }

    /// Wraps `connection`, creating the notes table if it has none.
    fn with_schema(connection: Connection) -> rusqlite::Result<Self> {
        connection.execute_batch(SCHEMA)?;
        Ok(Self(Mutex::new(connection)))
    }

    /// The connection, for one call at a time. A handler that panicked while holding it left
    /// no half-done work behind (an unfinished transaction rolls back when dropped), so a
    /// poisoned lock is taken as it is.
    fn connection(&self) -> MutexGuard<'_, Connection> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Saves a note with an id one past the highest, or `None` if the database holds [`MAX_NOTES`]
    /// already. The count and the insert are one transaction, so processes sharing the file
    /// cannot pass the cap together.
    fn add(&self, title: String, body: String) -> rusqlite::Result<Option<Note>> {
        let mut connection = self.connection();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let count: u32 =
            transaction.query_row("SELECT COUNT(*) FROM notes", [], |row| row.get(0))?;
        if count >= MAX_NOTES {
            return Ok(None);
        }
        let id = transaction.query_row(
            "INSERT INTO notes (title, body) VALUES (?1, ?2) RETURNING id",
            (&title, &body),
            |row| row.get(0),
        )?;
        transaction.commit()?;
        Ok(Some(Note { id, title, body }))
    }

    /// Deletes a note and returns its title, or `None` if there is no such note.
    fn delete(&self, id: u32) -> rusqlite::Result<Option<String>> {
        self.connection()
            .query_row(
                "DELETE FROM notes WHERE id = ?1 RETURNING title",
                [id],
                |row| row.get(0),
            )
            .optional()
    }

    /// The note `id`, if there is one.
    fn get(&self, id: u32) -> rusqlite::Result<Option<Note>> {
        self.connection()
            .query_row(
                "SELECT id, title, body FROM notes WHERE id = ?1",
                [id],
                |row| {
                    Ok(Note {
                        id: row.get(0)?,
                        title: row.get(1)?,
                        body: row.get(2)?,
                    })
                },
            )
            .optional()
    }

    /// Every note's id and title, by id.
    fn titles(&self) -> rusqlite::Result<Vec<(u32, String)>> {
        let connection = self.connection();
        let mut statement = connection.prepare("SELECT id, title FROM notes ORDER BY id")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect()
    }

    /// Every note's id, in order.
    fn ids(&self) -> rusqlite::Result<Vec<u32>> {
        let connection = self.connection();
        let mut statement = connection.prepare("SELECT id FROM notes ORDER BY id")?;
        let rows = statement.query_map([], |row| row.get(0))?;
        rows.collect()
    }
}

// Every handler below that queries the database is a plain `fn`: it blocks while SQLite works,
// so the runtime runs it on tokio's blocking pool and the async workers stay free.

/// Saves a note and returns it with its id.
#[tool(idempotent = false)]
fn add_note(
    notes: State<Notes>,
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
    match notes.add(title, body).map_err(|e| e.to_string())? {
        Some(note) => Ok(Json(note)),
        None => Err(format!(
            "the server keeps at most {MAX_NOTES} notes; delete one first"
        )),
    }
}

/// Deletes a note.
#[tool(destructive, idempotent)]
fn delete_note(
    notes: State<Notes>,
    /// The note's id
    id: u32,
) -> Result<String, String> {
    match notes.delete(id).map_err(|e| e.to_string())? {
        Some(title) => Ok(format!("deleted note {id}: {title}")),
        None => Err(format!("there is no note {id}")),
    }
}

/// Every note's id and title, one per line.
#[resource("notes://index", mime_type = "text/plain")]
fn index(notes: State<Notes>) -> Result<String, ProtocolError> {
    let lines: Vec<String> = notes
        .titles()?
        .into_iter()
        .map(|(id, title)| format!("{id}: {title}"))
        .collect();
    Ok(lines.join("\n"))
}

/// One note, as Markdown.
#[resource("notes://{id}", name = "note", mime_type = "text/markdown")]
fn note(
    notes: State<Notes>,
    /// The note's id
    id: u32,
) -> Result<String, ProtocolError> {
    let note = notes.get(id)?.ok_or_else(ProtocolError::not_found)?;
    Ok(note.markdown())
}

/// Asks the model to summarise a note.
#[prompt(title = "Summarise a note")]
fn summarize(
    notes: State<Notes>,
    /// The note's id
    id: u32,
    /// The summary's style, such as "bullet points"
    style: Option<String>,
) -> Result<Vec<PromptMessage>, ProtocolError> {
    // The prompt exists; its argument names no note. So this is invalid params, not
    // `ProtocolError::not_found()`, which a client reads as "no such prompt".
    let note = notes
        .get(id)?
        .ok_or_else(|| ProtocolError::invalid_params(format!("there is no note {id}")))?;
    Ok(vec![
        PromptMessage::user(Content::embedded_text(
            format!("notes://{id}"),
            "text/markdown",
            note.markdown(),
        )),
        PromptMessage::user(format!(
            "Summarise the note above as {}.",
            style.as_deref().unwrap_or("one short paragraph")
        )),
    ])
}

/// Suggests the ids of existing notes.
#[complete(prompt = "summarize", argument = "id")]
fn note_ids(partial: String, notes: State<Notes>) -> Result<Vec<String>, ProtocolError> {
    Ok(notes
        .ids()?
        .into_iter()
        .map(|id| id.to_string())
        .filter(|id| id.starts_with(&partial))
        .collect())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Logs (the startup summary, warnings) go to standard error; `RUST_LOG` filters them.
    mcp_runtime::logging::init();
    let path = std::env::var("MCP_NOTES_DB").unwrap_or_else(|_| "notes.db".into());
    let notes = Notes::open(&path)?;
    let server = Server::from_registry()
        .name("notes")
        .version(env!("CARGO_PKG_VERSION"))
        .state(notes);
    if std::env::args().any(|a| a == "--stdio") {
        return Ok(server.serve_stdio().await?);
    }
    let addr = std::env::var("MCP_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let server = server.bind(addr).await?;
    eprintln!("notes: serving MCP at {}, notes in {path}", server.url());
    Ok(server.run().await?)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use mcp_runtime::protocol::RpcError;
    use mcp_runtime::testing::TestClient;
    use serde_json::{json, Value};

    use super::*;

    /// A client of a server with a database of its own.
    fn client() -> TestClient {
        TestClient::new(Server::from_registry().state(Notes::in_memory())).unwrap()
    }

    /// Adds a note through the tool and returns its id.
    async fn add(client: &TestClient, title: &str, body: &str) -> u64 {
        let added = client
            .call_tool("add_note", json!({"title": title, "body": body}))
            .await
            .unwrap();
        assert!(!added.is_error, "{}", added.all_text());
        added.structured_content.unwrap()["id"].as_u64().unwrap()
    }

    /// Reads a resource's text.
    async fn read(client: &TestClient, uri: &str) -> Result<Value, RpcError> {
        let read = client
            .request("resources/read", json!({"uri": uri}))
            .await?;
        Ok(read["contents"][0]["text"].clone())
    }

    /// Completes the `summarize` prompt's `id`.
    async fn complete_id(client: &TestClient, partial: &str) -> Value {
        let completed = client
            .request(
                "completion/complete",
                json!({"ref": {"type": "ref/prompt", "name": "summarize"}, "argument": {"name": "id", "value": partial}}),
            )
            .await
            .unwrap();
        completed["completion"]["values"].clone()
    }

    #[tokio::test]
    async fn registers_its_handlers() {
        let client = client();
        let mut tools: Vec<String> = client
            .list_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        tools.sort();
        assert_eq!(tools, ["add_note", "delete_note"]);
        let templates = client
            .request("resources/templates/list", json!({}))
            .await
            .unwrap();
        assert_eq!(
            templates["resourceTemplates"][0]["uriTemplate"],
            "notes://{id}"
        );
        let resources = client.request("resources/list", json!({})).await.unwrap();
        assert_eq!(resources["resources"][0]["uri"], "notes://index");
        let prompts = client.request("prompts/list", json!({})).await.unwrap();
        assert_eq!(prompts["prompts"][0]["name"], "summarize");
    }

    #[tokio::test]
    async fn write_read_summarise_and_complete() {
        let client = client();
        let id = add(&client, "Groceries", "milk, eggs").await;

        let text = read(&client, &format!("notes://{id}")).await.unwrap();
        assert_eq!(text, "# Groceries\n\nmilk, eggs");
        let index = read(&client, "notes://index").await.unwrap();
        assert_eq!(index, format!("{id}: Groceries"));

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

        assert_eq!(complete_id(&client, "").await, json!([id.to_string()]));
        assert_eq!(complete_id(&client, "9").await, json!([]));
    }

    #[tokio::test]
    async fn a_missing_note_is_not_found_or_a_wrong_argument() {
        let modern = client();
        let legacy = modern.legacy();
        for (client, code) in [(&modern, -32602), (&legacy, -32002)] {
            let err = read(client, "notes://999").await.unwrap_err();
            assert_eq!((err.code.0, err.status.as_u16()), (code, 200));
            assert_eq!(err.message, "Resource not found: notes://999");
            assert_eq!(err.data.unwrap()["uri"], "notes://999");
            let err = client
                .request(
                    "prompts/get",
                    json!({"name": "summarize", "arguments": {"id": "999"}}),
                )
                .await
                .unwrap_err();
            assert_eq!(
                (err.code.0, err.message.as_ref()),
                (-32602, "there is no note 999")
            );
        }
        let deleted = modern
            .call_tool("delete_note", json!({"id": 999}))
            .await
            .unwrap();
        assert!(deleted.is_error);
        assert_eq!(deleted.all_text(), "there is no note 999");
    }

    #[tokio::test]
    async fn a_deleted_note_is_gone() {
        let client = client();
        let id = add(&client, "Errands", "post office").await;
        let deleted = client
            .call_tool("delete_note", json!({"id": id}))
            .await
            .unwrap();
        assert_eq!(deleted.all_text(), format!("deleted note {id}: Errands"));
        assert!(read(&client, &format!("notes://{id}")).await.is_err());
        assert_eq!(read(&client, "notes://index").await.unwrap(), "");
    }

    #[tokio::test]
    async fn each_server_has_its_own_notes() {
        let (alice, bob) = (client(), client());
        let id = add(&alice, "Alice's", "only hers").await;
        assert_eq!(read(&bob, "notes://index").await.unwrap(), "");
        let err = read(&bob, &format!("notes://{id}")).await.unwrap_err();
        assert_eq!(err.message, format!("Resource not found: notes://{id}"));
        assert_eq!(complete_id(&bob, "").await, json!([]));
        assert_eq!(
            read(&alice, &format!("notes://{id}")).await.unwrap(),
            "# Alice's\n\nonly hers"
        );
    }

    #[tokio::test]
    async fn titles_bodies_and_the_count_are_bounded() {
        let notes = Arc::new(Notes::in_memory());
        let client =
            TestClient::new(Server::from_registry().shared_state(Arc::clone(&notes))).unwrap();
        for (title, body) in [
            ("t".repeat(MAX_TITLE + 1), "b".to_owned()),
            ("t".to_owned(), "b".repeat(MAX_BODY + 1)),
        ] {
            let long = client
                .call_tool("add_note", json!({"title": title, "body": body}))
                .await
                .unwrap();
            assert!(long.is_error, "{}", long.all_text());
        }
        add(&client, &"t".repeat(MAX_TITLE), &"b".repeat(MAX_BODY)).await;
        // Fill the database directly, then one more through the tool is refused and a delete
        // makes room.
        for _ in 1..MAX_NOTES {
            notes.add("t".into(), "b".into()).unwrap().unwrap();
        }
        let full = client
            .call_tool("add_note", json!({"title": "t", "body": "b"}))
            .await
            .unwrap();
        assert!(full.is_error);
        assert!(
            full.all_text().contains("at most 1000 notes"),
            "{}",
            full.all_text()
        );
        let deleted = client
            .call_tool("delete_note", json!({"id": MAX_NOTES}))
            .await
            .unwrap();
        assert!(!deleted.is_error, "{}", deleted.all_text());
        assert_eq!(add(&client, "t", "b").await, u64::from(MAX_NOTES));
    }

    #[tokio::test]
    async fn database_failures_are_internal_errors() {
        let notes = Arc::new(Notes::in_memory());
        let client =
            TestClient::new(Server::from_registry().shared_state(Arc::clone(&notes))).unwrap();
        notes
            .connection()
            .execute_batch("DROP TABLE notes")
            .unwrap();
        let err = read(&client, "notes://index").await.unwrap_err();
        assert_eq!((err.code.0, err.status.as_u16()), (-32603, 500));
        assert!(err.message.contains("no such table"), "{}", err.message);
        let added = client
            .call_tool("add_note", json!({"title": "t", "body": "b"}))
            .await
            .unwrap();
        assert!(added.is_error);
        assert!(
            added.all_text().contains("no such table"),
            "{}",
            added.all_text()
        );
    }

    #[tokio::test]
    async fn notes_outlive_the_server_in_their_file() {
        let path = std::env::temp_dir().join(format!("notes-test-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let first =
            TestClient::new(Server::from_registry().state(Notes::open(&path).unwrap())).unwrap();
        let id = add(&first, "Kept", "on disk").await;
        drop(first);
        let second =
            TestClient::new(Server::from_registry().state(Notes::open(&path).unwrap())).unwrap();
        let text = read(&second, &format!("notes://{id}")).await;
        std::fs::remove_file(&path).unwrap();
        assert_eq!(text.unwrap(), "# Kept\n\non disk");
    }
}
