//! A bookmarks server, written as a user of the SDK would: application state, tools, a
//! resource template, a prompt, a tool that asks the client's model, handles, and tests.

use std::sync::Mutex;

use mcp_runtime::extract::{CreateMessage, InputError, Sampler};
use mcp_runtime::prelude::*;

/// The bookmarks, given to the server as state.
#[derive(Default)]
struct Bookmarks(Mutex<Vec<Bookmark>>);

#[derive(Clone, serde::Serialize, schemars::JsonSchema)]
struct Bookmark {
    id: usize,
    url: String,
    owner: String,
}

/// Where a listing stopped.
#[derive(serde::Serialize, serde::Deserialize)]
struct Cursor {
    next: usize,
}

/// A page of bookmarks and the handle of the next one.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct Page {
    bookmarks: Vec<Bookmark>,
    next: Option<Handle<Cursor>>,
}

/// Saves a bookmark.
#[tool]
async fn save(
    /// The address to keep
    url: String,
    bookmarks: State<Bookmarks>,
    caller: Option<Principal>,
) -> Json<Bookmark> {
    let mut all = bookmarks.0.lock().unwrap();
    let bookmark = Bookmark {
        id: all.len() + 1,
        url,
        owner: caller.map_or("anonymous".into(), |p| p.subject().to_owned()),
    };
    all.push(bookmark.clone());
    Json(bookmark)
}

/// Lists bookmarks two at a time.
#[tool(read_only)]
async fn list(
    /// The handle a previous page gave, to continue
    after: Option<Handle<Cursor>>,
    bookmarks: State<Bookmarks>,
    handles: Handles,
) -> Json<Page> {
    let all = bookmarks.0.lock().unwrap();
    let start = after.map_or(0, |cursor| cursor.next);
    let end = (start + 2).min(all.len());
    Json(Page {
        bookmarks: all[start..end].to_vec(),
        next: (end < all.len()).then(|| handles.issue(Cursor { next: end })),
    })
}

/// One bookmark.
#[resource("bookmarks://{id}", mime_type = "text/plain")]
async fn bookmark(id: usize, bookmarks: State<Bookmarks>) -> Result<String, ProtocolError> {
    let all = bookmarks.0.lock().unwrap();
    match all.get(id.wrapping_sub(1)) {
        Some(b) => Ok(b.url.clone()),
        None => Err(ProtocolError::not_found()),
    }
}

/// Asks for a reading plan.
#[prompt]
async fn plan(
    /// How many bookmarks to read
    count: u32,
) -> String {
    format!("Pick {count} of my bookmarks to read this week.")
}

/// Describes a bookmark with the client's model.
#[tool]
async fn describe(
    id: usize,
    bookmarks: State<Bookmarks>,
    sampler: Sampler,
) -> Result<String, InputError> {
    let url = bookmarks
        .0
        .lock()
        .unwrap()
        .get(id.wrapping_sub(1))
        .map(|b| b.url.clone())
        .unwrap_or_default();
    let answer = sampler
        .create_message(CreateMessage::ask(
            format!("Describe {url} in one line."),
            100,
        ))
        .await?;
    Ok(answer.text().unwrap_or_default().to_owned())
}

fn server(bookmarks: Bookmarks) -> Server {
    Server::new()
        .name("bookmarks")
        .tool(save::tool())
        .tool(list::tool())
        .tool(describe::tool())
        .resource(bookmark::resource())
        .prompt(plan::prompt())
        .state(bookmarks)
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    tracing_subscriber::fmt().init();
    server(Bookmarks::default()).serve("127.0.0.1:8080").await
}

#[cfg(test)]
mod tests {
    use mcp_runtime::testing::TestClient;
    use serde_json::json;

    use super::*;

    /// Each test has its own bookmarks.
    fn client() -> TestClient {
        TestClient::new(server(Bookmarks::default())).unwrap()
    }

    #[tokio::test]
    async fn saves_lists_by_handle_and_reads() {
        let client = client();
        for url in ["a.example", "b.example", "c.example"] {
            let saved = client.call_tool("save", json!({"url": url})).await.unwrap();
            assert!(!saved.is_error);
        }
        let first = client.call_tool("list", json!({})).await.unwrap();
        let page = first.structured_content.unwrap();
        assert_eq!(page["bookmarks"].as_array().unwrap().len(), 2);
        let next = page["next"].as_str().unwrap().to_owned();
        let second = client
            .call_tool("list", json!({"after": next}))
            .await
            .unwrap();
        let page = second.structured_content.unwrap();
        assert_eq!(page["bookmarks"][0]["url"], "c.example");
        assert!(page["next"].is_null());
        let forged = client
            .call_tool("list", json!({"after": "page-2"}))
            .await
            .unwrap();
        assert!(forged.is_error);

        let read = client
            .request("resources/read", json!({"uri": "bookmarks://3"}))
            .await
            .unwrap();
        assert_eq!(read["contents"][0]["text"], "c.example");
        let missing = client
            .legacy()
            .request("resources/read", json!({"uri": "bookmarks://9"}))
            .await
            .unwrap_err();
        assert_eq!(missing.code.0, -32002);
    }

    #[tokio::test]
    async fn tests_do_not_share_bookmarks() {
        let one = client();
        one.call_tool("save", json!({"url": "x.example"}))
            .await
            .unwrap();
        let other = client();
        let page = other.call_tool("list", json!({})).await.unwrap();
        assert_eq!(page.structured_content.unwrap()["bookmarks"], json!([]));
    }

    #[tokio::test]
    async fn describes_with_the_clients_model_in_both_eras() {
        let client = client().on_sampling(|params| {
            let asked = params["messages"][0]["content"]["text"].as_str().unwrap_or_default();
            assert!(asked.contains("a.example"));
            Ok(json!({"role": "assistant", "content": {"type": "text", "text": "a site"}, "model": "m"}))
        });
        client
            .call_tool("save", json!({"url": "a.example"}))
            .await
            .unwrap();
        for era in [client.clone(), client.legacy()] {
            let described = era.call_tool("describe", json!({"id": 1})).await.unwrap();
            assert_eq!(described.all_text(), "a site");
        }
        let prompt = client
            .get_prompt("plan", json!({"count": "3"}))
            .await
            .unwrap();
        assert_eq!(prompt.messages.len(), 1);
    }
}
