//! Run with: cargo run -p todo
//!
//! A stateful to-do server. 2025-era clients get a protocol session, and each session has its
//! own list without asking for one. 2026-07-28 clients have no session (the protocol is
//! stateless), so lists also have handles: `new_list` returns one, and every tool takes it as
//! an ordinary argument; that works for every client. Served at http://127.0.0.1:8080/mcp
//! (`MCP_BIND` to change).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, OnceLock};

use mcp_runtime::prelude::*;
use mcp_runtime::session::Session;
use mcp_runtime::Notifier;

/// Every list, by handle. A real server would keep them in a database.
static LISTS: LazyLock<Mutex<HashMap<String, Vec<Todo>>>> = LazyLock::new(Default::default);

/// The most lists the server keeps, items a list holds, and characters an item has: anything a
/// client can add, a client can add without end.
const MAX_LISTS: usize = 10_000;
const MAX_ITEMS: usize = 500;
const MAX_TEXT: usize = 500;

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
struct Todo {
    text: String,
    done: bool,
}

/// A list's items, as structured output.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct Items {
    items: Vec<Todo>,
}

/// The list a session uses when a call names none.
#[derive(Default)]
struct SessionList(OnceLock<String>);

fn new_handle() -> Result<String, String> {
    let mut lists = LISTS.lock().expect("the lists lock");
    if lists.len() >= MAX_LISTS {
        return Err(format!("the server keeps at most {MAX_LISTS} lists"));
    }
    let handle = format!("list-{}", lists.len() + 1);
    lists.insert(handle.clone(), Vec::new());
    Ok(handle)
}

/// Runs `f` on the items of the list `handle`.
fn with_list<R>(handle: &str, f: impl FnOnce(&mut Vec<Todo>) -> R) -> Result<R, String> {
    let mut lists = LISTS.lock().expect("the lists lock");
    let items = lists
        .get_mut(handle)
        .ok_or(format!("there is no list `{handle}`"))?;
    Ok(f(items))
}

/// The list a call works on: the one it names, else its session's own.
fn resolve(list: Option<String>, session: Option<Session>) -> Result<String, String> {
    match (list, session) {
        (Some(list), _) => Ok(list),
        (None, Some(session)) => {
            let list = session.state::<SessionList>();
            if let Some(handle) = list.0.get() {
                return Ok(handle.clone());
            }
            let handle = new_handle()?;
            Ok(list.0.get_or_init(|| handle).clone())
        }
        (None, None) => Err("pass the `list` handle that `new_list` returned".into()),
    }
}

/// Creates a list and returns its handle.
#[tool]
fn new_list() -> Result<String, String> {
    new_handle()
}

/// Adds an item to a list (your session's list if you name none).
#[tool]
fn add_todo(
    /// What to do
    text: String,
    /// The list's handle
    list: Option<String>,
    session: Option<Session>,
    notifier: Notifier,
) -> Result<String, String> {
    if text.chars().count() > MAX_TEXT {
        return Err(format!("an item may be at most {MAX_TEXT} characters long"));
    }
    let handle = resolve(list, session)?;
    let count = with_list(&handle, |items| {
        if items.len() >= MAX_ITEMS {
            return Err(format!("a list holds at most {MAX_ITEMS} items"));
        }
        items.push(Todo { text, done: false });
        Ok(items.len())
    })??;
    notifier.resource_updated(format!("todo://{handle}"));
    Ok(format!("{handle}: {count} items"))
}

/// Marks an item done.
#[tool(idempotent)]
fn complete_todo(
    /// The item's position, from 1
    item: usize,
    /// The list's handle
    list: Option<String>,
    session: Option<Session>,
) -> Result<String, String> {
    let handle = resolve(list, session)?;
    with_list(&handle, |items| {
        let todo = item
            .checked_sub(1)
            .and_then(|i| items.get_mut(i))
            .ok_or(format!("there is no item {item}"))?;
        todo.done = true;
        Ok(format!("done: {}", todo.text))
    })?
}

/// The items of a list.
#[tool(read_only)]
fn list_todos(
    /// The list's handle
    list: Option<String>,
    session: Option<Session>,
) -> Result<Json<Items>, String> {
    let handle = resolve(list, session)?;
    let items = with_list(&handle, |items| items.clone())?;
    Ok(Json(Items { items }))
}

/// A list, one item per line (subscribe to hear when it changes).
#[resource("todo://{list}", mime_type = "text/plain")]
fn todo_list(list: String) -> Result<String, String> {
    let lists = LISTS.lock().expect("the lists lock");
    let items = lists
        .get(&list)
        .ok_or(format!("there is no list `{list}`"))?;
    Ok(items
        .iter()
        .map(|t| format!("[{}] {}", if t.done { "x" } else { " " }, t.text))
        .collect::<Vec<_>>()
        .join("\n"))
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    let addr = std::env::var("MCP_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let server = Server::from_registry()
        .name("todo")
        .version(env!("CARGO_PKG_VERSION"));
    eprintln!("todo: {:?} mode", server.mode());
    let server = server.bind(addr).await?;
    eprintln!("todo: serving MCP at {}", server.url());
    server.run().await
}

#[cfg(test)]
mod tests {
    use mcp_runtime::testing::TestClient;
    use serde_json::json;

    use super::*;

    #[tokio::test]
    async fn handles_work_for_modern_clients() {
        assert_eq!(Server::from_registry().mode(), mcp_runtime::Mode::Stateful);
        let client = TestClient::new(Server::from_registry()).unwrap();
        let handle = client
            .call_tool("new_list", json!({}))
            .await
            .unwrap()
            .all_text();
        let added = client
            .call_tool("add_todo", json!({"text": "milk", "list": handle}))
            .await
            .unwrap();
        assert_eq!(added.all_text(), format!("{handle}: 1 items"));
        client
            .call_tool("complete_todo", json!({"item": 1, "list": handle}))
            .await
            .unwrap();
        let items = client
            .call_tool("list_todos", json!({"list": handle}))
            .await
            .unwrap();
        assert_eq!(
            items.structured_content.unwrap(),
            json!({"items": [{"text": "milk", "done": true}]})
        );
        let no_list = client
            .call_tool("add_todo", json!({"text": "x"}))
            .await
            .unwrap();
        assert!(no_list.is_error);
    }

    #[tokio::test]
    async fn each_legacy_session_has_its_own_list() {
        let server = TestClient::new(Server::from_registry()).unwrap();
        let alice = server.legacy();
        let bob = server.legacy();
        alice
            .call_tool("add_todo", json!({"text": "tea"}))
            .await
            .unwrap();
        alice
            .call_tool("add_todo", json!({"text": "cake"}))
            .await
            .unwrap();
        bob.call_tool("add_todo", json!({"text": "coffee"}))
            .await
            .unwrap();
        let items = |r: mcp_runtime::ToolResult| {
            r.structured_content.unwrap()["items"]
                .as_array()
                .unwrap()
                .len()
        };
        assert_eq!(
            items(alice.call_tool("list_todos", json!({})).await.unwrap()),
            2
        );
        assert_eq!(
            items(bob.call_tool("list_todos", json!({})).await.unwrap()),
            1
        );
    }

    #[tokio::test]
    async fn lists_are_bounded() {
        let client = TestClient::new(Server::from_registry()).unwrap();
        let handle = client
            .call_tool("new_list", json!({}))
            .await
            .unwrap()
            .all_text();
        let long = client
            .call_tool(
                "add_todo",
                json!({"text": "x".repeat(MAX_TEXT + 1), "list": handle}),
            )
            .await
            .unwrap();
        assert!(long.is_error);
        for _ in 0..MAX_ITEMS {
            let added = client
                .call_tool("add_todo", json!({"text": "t", "list": handle}))
                .await
                .unwrap();
            assert!(!added.is_error, "{}", added.all_text());
        }
        let full = client
            .call_tool("add_todo", json!({"text": "t", "list": handle}))
            .await
            .unwrap();
        assert!(full.is_error);
        assert!(full.all_text().contains("at most"));
    }
}
