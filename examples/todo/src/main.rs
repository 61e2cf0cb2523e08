//! Run with: cargo run -p todo
//!
//! A stateful to-do server. `new_list` creates a list and returns a handle to it, and every
//! tool takes that handle back as its `list` argument: this works for every client. The handle
//! is a [`Handle<ListId>`](Handle): an opaque string the SDK seals, so a client cannot read,
//! guess or forge it, and another caller cannot use it (its schema and description, telling
//! the model to pass it back unchanged, come from the SDK too).
//!
//! 2025-era clients also get a protocol session, and each session has a list of its own used
//! when a call names none. 2026-07-28 clients have no session (the protocol is stateless), so
//! they pass the handle. The lists themselves live in a [`State<Lists>`](State) the server is
//! given in `main`; each test gives its server lists of its own. Served at
//! http://127.0.0.1:8080/mcp (`MCP_BIND` to change).

use std::sync::{Mutex, MutexGuard, PoisonError};

use mcp_runtime::prelude::*;
use mcp_runtime::session::Session;
use mcp_runtime::Notifier;

/// The most lists the server keeps: anything a client can add, a client can add without end.
const MAX_LISTS: usize = 10_000;
/// The most items a list holds.
const MAX_ITEMS: usize = 500;
/// The longest item, in characters.
const MAX_TEXT: usize = 500;

/// An item of a list.
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

/// A list's number among the server's lists. Clients only ever see it sealed in a
/// `Handle<ListId>`, so they cannot name a list they were not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct ListId(usize);

/// Every list the server keeps, indexed by [`ListId`]. Lists are never removed.
#[derive(Debug, Default)]
struct Lists(Mutex<Vec<Vec<Todo>>>);

impl Lists {
    /// The lists, for one call at a time. Every change below is a single step, so a handler
    /// that panicked while holding them left nothing half done: a poisoned lock is taken as
    /// it is.
    fn lock(&self) -> MutexGuard<'_, Vec<Vec<Todo>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates an empty list, unless the server keeps [`MAX_LISTS`] already.
    fn create(&self) -> Result<ListId, String> {
        let mut lists = self.lock();
        if lists.len() >= MAX_LISTS {
            return Err(format!("the server keeps at most {MAX_LISTS} lists"));
        }
        lists.push(Vec::new());
        Ok(ListId(lists.len() - 1))
    }

    /// Runs `f` on the items of the list `id`.
    fn with<R>(&self, id: ListId, f: impl FnOnce(&mut Vec<Todo>) -> R) -> Result<R, String> {
        let mut lists = self.lock();
        let items = lists
            .get_mut(id.0)
            .ok_or("this server has no such list (it was restarted?)")?;
        Ok(f(items))
    }
}

/// The list a 2025-era session uses when a call names none, created on its first use.
#[derive(Default)]
struct SessionList(Mutex<Option<Handle<ListId>>>);

impl SessionList {
    /// The session's list, created now if it has none yet.
    fn get_or_create(&self, lists: &Lists, handles: &Handles) -> Result<Handle<ListId>, String> {
        let mut list = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(handle) = &*list {
            return Ok(handle.clone());
        }
        let handle = handles.issue(lists.create()?);
        Ok(list.insert(handle).clone())
    }
}

/// The list a call works on: the one it names, else its session's own.
fn resolve(
    list: Option<Handle<ListId>>,
    session: Option<Session>,
    lists: &Lists,
    handles: &Handles,
) -> Result<Handle<ListId>, String> {
    match (list, session) {
        (Some(list), _) => Ok(list),
        (None, Some(session)) => session.state::<SessionList>().get_or_create(lists, handles),
        (None, None) => Err("pass the `list` handle that `new_list` returned".into()),
    }
}

// The handlers are `async fn`s: they hold the lists' lock for a moment and never block, so
// they run on the async workers (a plain `fn` would go to the blocking pool).

/// Creates a list and returns its handle.
#[tool]
async fn new_list(lists: State<Lists>, handles: Handles) -> Result<Handle<ListId>, String> {
    Ok(handles.issue(lists.create()?))
}

/// Adds an item to a list (your session's list if you name none).
#[tool]
async fn add_todo(
    lists: State<Lists>,
    handles: Handles,
    /// What to do
    text: String,
    /// The list (your session's list if you name none)
    list: Option<Handle<ListId>>,
    session: Option<Session>,
    notifier: Notifier,
) -> Result<String, String> {
    if text.chars().count() > MAX_TEXT {
        return Err(format!("an item may be at most {MAX_TEXT} characters long"));
    }
    let list = resolve(list, session, &lists, &handles)?;
    let count = lists.with(*list, |items| {
        if items.len() >= MAX_ITEMS {
            return Err(format!("a list holds at most {MAX_ITEMS} items"));
        }
        items.push(Todo { text, done: false });
        Ok(items.len())
    })??;
    notifier.resource_updated(format!("todo://{}", list.as_str()));
    Ok(format!("{}: {count} items", list.as_str()))
}

/// Marks an item done.
#[tool(idempotent)]
async fn complete_todo(
    lists: State<Lists>,
    handles: Handles,
    /// The item's position, from 1
    item: usize,
    /// The list (your session's list if you name none)
    list: Option<Handle<ListId>>,
    session: Option<Session>,
) -> Result<String, String> {
    let list = resolve(list, session, &lists, &handles)?;
    lists.with(*list, |items| {
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
async fn list_todos(
    lists: State<Lists>,
    handles: Handles,
    /// The list (your session's list if you name none)
    list: Option<Handle<ListId>>,
    session: Option<Session>,
) -> Result<Json<Items>, String> {
    let list = resolve(list, session, &lists, &handles)?;
    let items = lists.with(*list, |items| items.clone())?;
    Ok(Json(Items { items }))
}

/// A list, one item per line (subscribe to hear when it changes).
#[resource("todo://{list}", mime_type = "text/plain")]
async fn todo_list(lists: State<Lists>, list: Handle<ListId>) -> Result<String, ProtocolError> {
    let lines = lists
        .with(*list, |items| {
            items
                .iter()
                .map(|t| format!("[{}] {}", if t.done { "x" } else { " " }, t.text))
                .collect::<Vec<_>>()
        })
        .map_err(|_| ProtocolError::not_found())?;
    Ok(lines.join("\n"))
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    // Logs (the startup summary, warnings) go to standard error; `RUST_LOG` filters them.
    mcp_runtime::logging::init();
    let addr = std::env::var("MCP_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let server = Server::from_registry()
        .name("todo")
        .version(env!("CARGO_PKG_VERSION"))
        .state(Lists::default());
    eprintln!("todo: {:?} mode", server.mode());
    if std::env::args().any(|a| a == "--stdio") {
        return server.serve_stdio().await;
    }
    let server = server.bind(addr).await?;
    eprintln!("todo: serving MCP at {}", server.url());
    server.run().await
}

#[cfg(test)]
mod tests {
    use mcp_runtime::testing::TestClient;
    use mcp_runtime::ToolResult;
    use serde_json::{json, Value};

    use super::*;

    /// A client of a server with lists of its own.
    fn client() -> TestClient {
        TestClient::new(Server::from_registry().state(Lists::default())).unwrap()
    }

    /// Creates a list and returns its handle.
    async fn new_list(client: &TestClient) -> String {
        let created = client.call_tool("new_list", json!({})).await.unwrap();
        assert!(!created.is_error, "{}", created.all_text());
        created.all_text()
    }

    /// The items a `list_todos` result holds.
    fn items(result: ToolResult) -> Value {
        assert!(!result.is_error, "{}", result.all_text());
        result.structured_content.unwrap()["items"].clone()
    }

    #[tokio::test]
    async fn registers_its_tools_and_is_stateful() {
        let client = client();
        let mut tools: Vec<String> = client
            .list_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        tools.sort();
        assert_eq!(
            tools,
            ["add_todo", "complete_todo", "list_todos", "new_list"]
        );
        assert_eq!(Server::from_registry().mode(), mcp_runtime::Mode::Stateful);
    }

    #[tokio::test]
    async fn the_handle_schema_comes_from_the_sdk() {
        let tools = client().list_tools().await.unwrap();
        let add = tools.iter().find(|t| t.name == "add_todo").unwrap();
        let list = &add.input_schema["properties"]["list"];
        assert_eq!(list["type"], "string", "{list}");
        let description = list["description"].as_str().unwrap();
        assert!(
            description.starts_with("The list (your session's list"),
            "{description}"
        );
        assert!(description.contains("handle to a ListId"), "{description}");
        assert_eq!(add.input_schema["required"], json!(["text"]));
    }

    #[tokio::test]
    async fn a_list_is_used_through_its_handle() {
        let client = client();
        let handle = new_list(&client).await;
        let added = client
            .call_tool("add_todo", json!({"text": "milk", "list": handle}))
            .await
            .unwrap();
        assert_eq!(added.all_text(), format!("{handle}: 1 items"));
        let done = client
            .call_tool("complete_todo", json!({"item": 1, "list": handle}))
            .await
            .unwrap();
        assert_eq!(done.all_text(), "done: milk");
        let listed = client
            .call_tool("list_todos", json!({"list": handle}))
            .await
            .unwrap();
        assert_eq!(items(listed), json!([{"text": "milk", "done": true}]));
        let read = client
            .request("resources/read", json!({"uri": format!("todo://{handle}")}))
            .await
            .unwrap();
        assert_eq!(read["contents"][0]["text"], "[x] milk");
        // A 2025-era client of the same server can use the handle too.
        let legacy = client.legacy();
        let listed = legacy
            .call_tool("list_todos", json!({"list": handle}))
            .await
            .unwrap();
        assert_eq!(items(listed), json!([{"text": "milk", "done": true}]));
    }

    #[tokio::test]
    async fn a_made_up_handle_is_refused() {
        let client = client();
        new_list(&client).await;
        for list in ["list-1", "0", ""] {
            let refused = client
                .call_tool("add_todo", json!({"text": "x", "list": list}))
                .await
                .unwrap();
            assert!(refused.is_error, "{list:?}");
            assert!(
                refused
                    .all_text()
                    .contains("invalid argument `list`: the handle"),
                "{}",
                refused.all_text()
            );
        }
        let err = client
            .request("resources/read", json!({"uri": "todo://list-1"}))
            .await
            .unwrap_err();
        assert_eq!(err.code.0, -32602, "{err:?}");
        assert!(err.message.contains("the handle"), "{}", err.message);
    }

    #[tokio::test]
    async fn a_modern_client_must_name_its_list() {
        let client = client();
        let unnamed = client
            .call_tool("add_todo", json!({"text": "x"}))
            .await
            .unwrap();
        assert!(unnamed.is_error);
        assert!(
            unnamed.all_text().contains("new_list"),
            "{}",
            unnamed.all_text()
        );
    }

    #[tokio::test]
    async fn each_legacy_session_has_its_own_list() {
        let server = client();
        let (alice, bob) = (server.legacy(), server.legacy());
        for text in ["tea", "cake"] {
            alice
                .call_tool("add_todo", json!({"text": text}))
                .await
                .unwrap();
        }
        let added = bob
            .call_tool("add_todo", json!({"text": "coffee"}))
            .await
            .unwrap();
        let alices = items(alice.call_tool("list_todos", json!({})).await.unwrap());
        assert_eq!(alices.as_array().unwrap().len(), 2);
        let bobs = items(bob.call_tool("list_todos", json!({})).await.unwrap());
        assert_eq!(bobs, json!([{"text": "coffee", "done": false}]));
        // The session's list has a handle too, for its resource.
        let handle = added.all_text().replace(": 1 items", "");
        let read = bob
            .request("resources/read", json!({"uri": format!("todo://{handle}")}))
            .await
            .unwrap();
        assert_eq!(read["contents"][0]["text"], "[ ] coffee");
    }

    #[tokio::test]
    async fn each_server_has_its_own_lists() {
        let (first, second) = (client(), client());
        let handle = new_list(&first).await;
        first
            .call_tool("add_todo", json!({"text": "first's", "list": handle}))
            .await
            .unwrap();
        // Another server (other lists, other keys) refuses the handle...
        let refused = second
            .call_tool("list_todos", json!({"list": handle}))
            .await
            .unwrap();
        assert!(refused.is_error, "{}", refused.all_text());
        // ...and its own first list starts empty.
        let own = new_list(&second).await;
        let listed = second
            .call_tool("list_todos", json!({"list": own}))
            .await
            .unwrap();
        assert_eq!(items(listed), json!([]));
    }

    #[tokio::test]
    async fn lists_are_bounded() {
        let client = client();
        let handle = new_list(&client).await;
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

    #[test]
    fn the_number_of_lists_is_bounded() {
        let lists = Lists::default();
        for _ in 0..MAX_LISTS {
            lists.create().unwrap();
        }
        assert!(lists.create().unwrap_err().contains("at most"));
    }
}
