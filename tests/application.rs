//! Handlers reach the application: state given to the server, the caller, request extensions
//! and headers, optional parameters of every kind, servers built from chosen handlers, and
//! sync handlers that never stall the async workers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mcp_runtime::completion::CompletionContext;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use mcp_runtime::Error;
use mcp_tests::Running;
use serde_json::json;

/// A counter a test owns.
#[derive(Default)]
struct Counter(AtomicU64);

/// The application's greeting.
struct Greeting(&'static str);

/// Counts calls.
#[tool]
async fn bump(counter: State<Counter>) -> u64 {
    counter.0.fetch_add(1, Ordering::Relaxed) + 1
}

/// Greets from a resource.
#[resource("greeting://{name}")]
async fn greeting(greeting: State<Greeting>, name: String) -> String {
    format!("{}, {name}", greeting.0)
}

/// A greeting prompt.
#[prompt]
async fn greet(greeting: State<Greeting>, name: String) -> String {
    format!("{}, {name}", greeting.0)
}

/// Completes names with the greeting's first letter.
#[complete(prompt = "greet", argument = "name")]
async fn names(
    partial: String,
    greeting: State<Greeting>,
    context: CompletionContext,
) -> Vec<String> {
    let _ = context;
    vec![format!("{}{partial}", &greeting.0[..1])]
}

/// Says whether the server was given a counter.
#[tool]
async fn has_counter(counter: Option<State<Counter>>) -> bool {
    counter.is_some()
}

fn greeting_server(greeting: &'static str) -> Server {
    Server::new()
        .resource(greeting::resource())
        .prompt(greet::prompt())
        .completer(names::completer())
        .state(Greeting(greeting))
}

#[tokio::test]
async fn state_reaches_every_kind_of_handler() {
    let client = TestClient::new(
        greeting_server("Hello")
            .tool(bump::tool())
            .state(Counter::default()),
    )
    .unwrap();
    let read = client
        .request("resources/read", json!({"uri": "greeting://Ada"}))
        .await
        .unwrap();
    assert_eq!(read["contents"][0]["text"], "Hello, Ada");
    let prompt = client
        .request(
            "prompts/get",
            json!({"name": "greet", "arguments": {"name": "Bo"}}),
        )
        .await
        .unwrap();
    assert_eq!(prompt["messages"][0]["content"]["text"], "Hello, Bo");
    let completed = client
        .request(
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "name", "value": "x"}}),
        )
        .await
        .unwrap();
    assert_eq!(completed["completion"]["values"], json!(["Hx"]));
    for expected in 1..=3 {
        let r = client.call_tool("bump", json!({})).await.unwrap();
        assert_eq!(r.all_text(), expected.to_string());
    }
}

#[tokio::test]
async fn servers_in_one_process_keep_their_own_state() {
    let shared = Arc::new(Counter::default());
    shared.0.store(100, Ordering::Relaxed);
    let first = TestClient::new(
        Server::new()
            .tool(bump::tool())
            .shared_state(shared.clone()),
    )
    .unwrap();
    let second =
        TestClient::new(Server::new().tool(bump::tool()).state(Counter::default())).unwrap();
    assert_eq!(
        first.call_tool("bump", json!({})).await.unwrap().all_text(),
        "101"
    );
    assert_eq!(
        second
            .call_tool("bump", json!({}))
            .await
            .unwrap()
            .all_text(),
        "1"
    );
    assert_eq!(
        second
            .call_tool("bump", json!({}))
            .await
            .unwrap()
            .all_text(),
        "2"
    );
    // The application keeps its handle on what it gave.
    assert_eq!(shared.0.load(Ordering::Relaxed), 101);
    let hi = TestClient::new(greeting_server("Hi")).unwrap();
    let read = hi
        .request("resources/read", json!({"uri": "greeting://Cy"}))
        .await
        .unwrap();
    assert_eq!(read["contents"][0]["text"], "Hi, Cy");
}

#[test]
fn a_state_the_server_lacks_stops_it_naming_the_handler_and_the_type() {
    let err = Server::new().tool(bump::tool()).router().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unprovided {
                kind: "tool",
                name: "bump",
                ..
            }
        ),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains("Counter") && message.contains("application.rs"),
        "{message}"
    );
    // Every kind of handler is checked, the completer too.
    let err = Server::new()
        .resource(greeting::resource())
        .router()
        .unwrap_err();
    assert!(err.to_string().contains("Greeting"), "{err}");
    let err = Server::new()
        .prompt(greet::prompt())
        .completer(names::completer())
        .state(Counter::default())
        .router()
        .unwrap_err();
    assert!(err.to_string().contains("Greeting"), "{err}");
}

#[tokio::test]
async fn an_optional_state_is_none_without_a_value() {
    let without = TestClient::new(Server::new().tool(has_counter::tool())).unwrap();
    assert_eq!(
        without
            .call_tool("has_counter", json!({}))
            .await
            .unwrap()
            .all_text(),
        "false"
    );
    let with = TestClient::new(
        Server::new()
            .tool(has_counter::tool())
            .state(Counter::default()),
    )
    .unwrap();
    assert_eq!(
        with.call_tool("has_counter", json!({}))
            .await
            .unwrap()
            .all_text(),
        "true"
    );
}

#[test]
fn a_server_serves_only_the_handlers_it_was_given() {
    // `from_registry` would take every handler of this file; a hand-built server only those
    // named.
    let registry = mcp_runtime::registry::Registry::build(
        mcp_runtime::registry::Definitions {
            tools: vec![bump::tool(), has_counter::tool()],
            ..Default::default()
        },
        10,
    )
    .unwrap();
    assert_eq!(registry.tool_names(), ["bump", "has_counter"]);
    assert!(!registry.has_prompts() && !registry.has_resources());
    // The same definition given twice (from the registry and by hand) is one tool.
    let both = Server::from_registry()
        .tool(bump::tool())
        .state(Counter::default())
        .state(Greeting("x"))
        .state(Rows::default());
    if let Err(e) = both.router() {
        panic!("{e}");
    }
}

#[derive(Clone)]
struct Tag(&'static str);

/// Says who calls, with which tag and which header.
#[tool]
async fn whoami(
    caller: Option<Principal>,
    tag: Option<Extension<Tag>>,
    headers: http::HeaderMap,
) -> String {
    format!(
        "{} {} {}",
        caller.map_or("anonymous".into(), |p| p.subject().to_owned()),
        tag.map_or("untagged", |t| t.0 .0),
        headers
            .get("x-team")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("no-team"),
    )
}

/// Needs a caller.
#[tool]
async fn private(caller: Principal) -> String {
    caller.subject().to_owned()
}

async fn authenticate(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if mcp_tests::take_principal(&mut request) {
        request.extensions_mut().insert(Tag("tagged"));
    }
    next.run(request).await
}

#[tokio::test]
async fn the_caller_extensions_and_headers_reach_handlers() {
    let router = Server::new()
        .tool(whoami::tool())
        .tool(private::tool())
        .router()
        .unwrap()
        .layer(axum::middleware::from_fn(authenticate));
    let s = Running::start_router(router).await;
    let call = |name: &str| json!({"name": name, "arguments": {}});
    let signed = [("x-user", "ada"), ("x-team", "blue")];
    for version in ["2025-11-25", "2026-07-28"] {
        let text = |r: mcp_tests::Response| {
            r.result()["content"][0]["text"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let r = s.call_as(version, &signed, call("whoami")).await;
        assert_eq!(text(r), "ada tagged blue", "{version}");
        let r = s.call_as(version, &[], call("whoami")).await;
        assert_eq!(text(r), "anonymous untagged no-team", "{version}");
        let r = s.call_as(version, &signed, call("private")).await;
        assert_eq!(text(r), "ada", "{version}");
        let r = s.call_as(version, &[], call("private")).await;
        let result = r.result();
        assert_eq!(result["isError"], true, "{version}: {result}");
        assert!(result["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("not authenticated"));
    }
}

/// Blocks its thread, as a sync handler calling a blocking API does.
#[tool]
fn blocking_wait(ms: u64) -> String {
    std::thread::sleep(Duration::from_millis(ms));
    "waited".into()
}

/// Blocks past its own limit.
#[tool(timeout_ms = 200)]
fn overstays() -> String {
    std::thread::sleep(Duration::from_secs(3));
    "too late".into()
}

/// Answers at once.
#[tool]
async fn quick() -> &'static str {
    "quick"
}

/// A resource that blocks.
#[resource("slow://doc")]
fn slow_doc() -> String {
    std::thread::sleep(Duration::from_secs(3));
    "late".into()
}

/// On one async worker thread: a blocking handler run on it would hold every other request.
#[tokio::test(flavor = "current_thread")]
async fn slow_sync_handlers_stall_no_other_request() {
    let client = TestClient::new(
        Server::new()
            .tool(blocking_wait::tool())
            .tool(quick::tool()),
    )
    .unwrap();
    let started = Instant::now();
    let slow: Vec<_> = (0..3)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(
                async move { client.call_tool("blocking_wait", json!({"ms": 2000})).await },
            )
        })
        .collect();
    // The slow calls are under way; a quick one is answered at once, not after them.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = client.call_tool("quick", json!({})).await.unwrap();
    let waited = started.elapsed();
    assert_eq!(r.all_text(), "quick");
    assert!(
        waited < Duration::from_millis(1000),
        "a quick call was answered {waited:?} after three blocking ones began"
    );
    for call in slow {
        assert_eq!(call.await.unwrap().unwrap().all_text(), "waited");
    }
}

#[tokio::test]
async fn time_limits_answer_on_time_for_sync_handlers() {
    let client = TestClient::new(
        Server::new()
            .tool(overstays::tool())
            .resource(slow_doc::resource())
            .handler_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let started = Instant::now();
    let r = client.call_tool("overstays", json!({})).await.unwrap();
    assert!(
        r.is_error && r.all_text().contains("200ms"),
        "{}",
        r.all_text()
    );
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    let err = client
        .request("resources/read", json!({"uri": "slow://doc"}))
        .await
        .unwrap_err();
    assert!(err.message.contains("300ms"), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

/// A note by id: 1 exists, 2 is refused, 3 fails inside.
#[resource("notes://{id}")]
async fn note(id: u32) -> Result<String, ProtocolError> {
    match id {
        1 => Ok("first".into()),
        2 => Err(ProtocolError::invalid_params("note 2 is private")),
        3 => Err(std::io::Error::other("disk on fire"))?,
        _ => Err(ProtocolError::not_found()),
    }
}

/// A template prompt that only knows some topics.
#[prompt]
async fn topic(name: String) -> Result<String, ProtocolError> {
    match name.as_str() {
        "rust" => Ok("Write about Rust.".into()),
        _ => Err(ProtocolError::not_found()),
    }
}

async fn read(
    client: &TestClient,
    uri: &str,
) -> Result<serde_json::Value, mcp_runtime::protocol::RpcError> {
    client.request("resources/read", json!({"uri": uri})).await
}

#[tokio::test]
async fn resources_and_prompts_fail_with_typed_protocol_errors() {
    let modern = TestClient::new(
        Server::new()
            .resource(note::resource())
            .prompt(topic::prompt()),
    )
    .unwrap();
    let legacy = modern.legacy();
    assert_eq!(
        read(&modern, "notes://1").await.unwrap()["contents"][0]["text"],
        "first"
    );
    for (client, code) in [(&modern, -32602), (&legacy, -32002)] {
        let err = read(client, "notes://9").await.unwrap_err();
        assert_eq!((err.code.0, err.status.as_u16()), (code, 200), "{err:?}");
        assert_eq!(err.data.as_ref().unwrap()["uri"], "notes://9");
        let err = read(client, "notes://2").await.unwrap_err();
        assert_eq!((err.code.0, err.status.as_u16()), (-32602, 200), "{err:?}");
        assert!(err.message.contains("private"));
        let err = read(client, "notes://3").await.unwrap_err();
        assert_eq!((err.code.0, err.status.as_u16()), (-32603, 500), "{err:?}");
        assert!(err.message.contains("disk on fire"));
        let err = client
            .request(
                "prompts/get",
                json!({"name": "topic", "arguments": {"name": "cobol"}}),
            )
            .await
            .unwrap_err();
        assert_eq!((err.code.0, err.status.as_u16()), (-32602, 200), "{err:?}");
    }
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Publish {
    publish: bool,
}

/// Rows written by the drafting tools.
#[derive(Default)]
struct Rows(std::sync::Mutex<Vec<String>>);

impl Rows {
    fn insert(&self, row: String) -> usize {
        let mut rows = self.0.lock().unwrap();
        rows.push(row);
        rows.len()
    }
}

/// Drafts once, then asks whether to publish.
#[tool]
async fn draft_once(
    text: String,
    rows: State<Rows>,
    steps: mcp_runtime::extract::Steps,
    elicitor: mcp_runtime::extract::Elicitor,
) -> Result<String, mcp_runtime::extract::InputError> {
    let row: usize = steps.once("draft", || async { rows.insert(text) }).await;
    let answer = elicitor
        .form_keyed::<Publish>(Some("publish"), "Publish?")
        .await?;
    let publish = matches!(answer, mcp_runtime::extract::Elicitation::Accept(p) if p.publish);
    Ok(format!("row {row} publish={publish}"))
}

/// Drafts in every round: the defect `Steps` fixes.
#[tool]
async fn draft_every_round(
    text: String,
    rows: State<Rows>,
    elicitor: mcp_runtime::extract::Elicitor,
) -> Result<String, mcp_runtime::extract::InputError> {
    let row = rows.insert(text);
    let _ = elicitor
        .form_keyed::<Publish>(Some("publish"), "Publish?")
        .await?;
    Ok(format!("row {row}"))
}

#[tokio::test]
async fn a_step_runs_once_across_the_rounds_of_a_2026_call() {
    let rows = Arc::new(Rows::default());
    let s = Running::start(
        Server::new()
            .tool(draft_once::tool())
            .tool(draft_every_round::tool())
            .shared_state(rows.clone()),
    )
    .await;
    let capabilities =
        json!({"io.modelcontextprotocol/clientCapabilities": {"elicitation": {"form": {}}}});
    for (tool, rows_after) in [("draft_once", 1), ("draft_every_round", 3)] {
        let call = json!({"name": tool, "arguments": {"text": "hello"}});
        let first = s
            .modern_with("tools/call", call.clone(), capabilities.clone())
            .await
            .result();
        assert_eq!(first["resultType"], "input_required", "{first}");
        let mut retry = call.clone();
        retry["requestState"] = first["requestState"].clone();
        retry["inputResponses"] =
            json!({"publish": {"action": "accept", "content": {"publish": true}}});
        let done = s
            .modern_with("tools/call", retry, capabilities.clone())
            .await
            .result();
        assert_eq!(done["resultType"], "complete", "{done}");
        let text = done["content"][0]["text"].as_str().unwrap().to_owned();
        assert_eq!(rows.0.lock().unwrap().len(), rows_after, "{tool}: {text}");
        if tool == "draft_once" {
            // The retry found the row the first round inserted.
            assert_eq!(text, "row 1 publish=true");
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Cart {
    id: u64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Order {
    id: u64,
}

/// Opens a cart.
#[tool]
async fn open_cart(handles: Handles, id: u64) -> Handle<Cart> {
    handles.issue(Cart { id })
}

/// Places an order.
#[tool]
async fn place_order(handles: Handles, cart: Handle<Cart>) -> Handle<Order> {
    handles.issue(Order { id: cart.id * 10 })
}

/// Reads a cart.
#[tool]
async fn cart_id(
    /// The cart.
    cart: Handle<Cart>,
) -> u64 {
    cart.id
}

fn shop(keys: [u8; 32]) -> Server {
    Server::new()
        .tool(open_cart::tool())
        .tool(place_order::tool())
        .tool(cart_id::tool())
        .request_state_keys(mcp_runtime::mrtr::StateKeys::new([keys]).unwrap())
}

#[tokio::test]
async fn state_keys_from_configuration_rotate_without_refusing_what_the_old_key_sealed() {
    use mcp_runtime::mrtr::StateKeys;
    const OLD: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const NEW: &str = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA";
    let serve = |ring: &str| {
        let keys = StateKeys::from_base64(ring).unwrap();
        Running::start_router(
            Server::new()
                .tool(open_cart::tool())
                .tool(cart_id::tool())
                .request_state_keys(keys)
                .router()
                .unwrap()
                .layer(axum::middleware::from_fn(authenticate)),
        )
    };
    let (before, during, after) = (
        serve(OLD).await,
        serve(&format!("{NEW}, {OLD}")).await,
        serve(NEW).await,
    );
    async fn issue(s: &Running) -> mcp_tests::Response {
        let call = json!({"name": "open_cart", "arguments": {"id": 7}});
        s.call_as("2026-07-28", &[("x-user", "ada")], call).await
    }
    async fn read(s: &Running, cart: String) -> mcp_tests::Response {
        let call = json!({"name": "cart_id", "arguments": {"cart": cart}});
        s.call_as("2026-07-28", &[("x-user", "ada")], call).await
    }
    let text = |r: mcp_tests::Response| r.result()["content"][0]["text"].clone();
    let sealed_old = text(issue(&before).await).as_str().unwrap().to_owned();
    // Mid-rotation, what the old key sealed still opens; what the new key seals opens after it.
    assert_eq!(text(read(&during, sealed_old.clone()).await), "7");
    let sealed_new = text(issue(&during).await).as_str().unwrap().to_owned();
    assert_eq!(text(read(&after, sealed_new).await), "7");
    // Once the old key is dropped, what it sealed is refused.
    let refused = read(&after, sealed_old).await.result();
    assert_eq!(refused["isError"], true, "{refused}");
    // Configuration mistakes say which key is wrong.
    for (text, says) in [
        ("", "no state key"),
        ("c2hvcnQ=", "key 1 is 5 bytes"),
        (&format!("{NEW},not base64!"), "key 2 is not base64"),
    ] {
        let error = StateKeys::from_base64(text).unwrap_err().to_string();
        assert!(error.contains(says), "{text}: {error}");
    }
}

#[tokio::test]
async fn handles_are_typed_bound_to_the_caller_and_valid_wherever_the_keys_are() {
    let serve = |keys| {
        Running::start_router(
            shop(keys)
                .router()
                .unwrap()
                .layer(axum::middleware::from_fn(authenticate)),
        )
    };
    let (a, b, elsewhere) = (
        serve([1; 32]).await,
        serve([1; 32]).await,
        serve([2; 32]).await,
    );
    let ada = [("x-user", "ada")];
    let call =
        |name: &str, arguments: serde_json::Value| json!({"name": name, "arguments": arguments});
    let text = |r: mcp_tests::Response| {
        let result = r.result();
        (
            result["isError"] == true,
            result["content"][0]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    for version in ["2025-11-25", "2026-07-28"] {
        let (failed, cart) = text(
            a.call_as(version, &ada, call("open_cart", json!({"id": 4})))
                .await,
        );
        assert!(!failed && cart.len() > 40, "{cart}");
        // Another process with the same keys takes it.
        let r = b
            .call_as(version, &ada, call("cart_id", json!({"cart": cart})))
            .await;
        assert_eq!(text(r), (false, "4".into()), "{version}");
        // A server with other keys, another caller, and no caller refuse it.
        for (server, headers) in [
            (&elsewhere, &ada[..]),
            (&a, &[("x-user", "bo")][..]),
            (&a, &[][..]),
        ] {
            let (failed, message) = text(
                server
                    .call_as(version, headers, call("cart_id", json!({"cart": cart})))
                    .await,
            );
            assert!(
                failed && message.contains("invalid argument `cart`: the handle"),
                "{message}"
            );
        }
        // A handle of another type is refused, saying which.
        let (_, order) = text(
            a.call_as(version, &ada, call("place_order", json!({"cart": cart})))
                .await,
        );
        let (failed, message) = text(
            a.call_as(version, &ada, call("cart_id", json!({"cart": order})))
                .await,
        );
        assert!(
            failed && message.contains("a handle to a `Order`, not to a `Cart`"),
            "{message}"
        );
        // A guessed handle is refused.
        let (failed, _) = text(
            a.call_as(version, &ada, call("cart_id", json!({"cart": "cart-4"})))
                .await,
        );
        assert!(failed);
    }
    let listed = a.modern("tools/list", json!({})).await.result();
    let tool = listed["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "cart_id")
        .unwrap();
    let cart = &tool["inputSchema"]["properties"]["cart"];
    assert_eq!(cart["type"], "string", "{cart}");
    assert!(
        cart["description"].as_str().unwrap().contains("The cart"),
        "{cart}"
    );
    assert_eq!(tool["inputSchema"]["required"], json!(["cart"]));
}

#[tokio::test]
async fn a_step_runs_once_for_every_client_through_the_test_client() {
    for legacy in [false, true] {
        let rows = Arc::new(Rows::default());
        let client = TestClient::new(
            Server::new()
                .tool(draft_once::tool())
                .shared_state(rows.clone()),
        )
        .unwrap()
        .on_elicitation(|_| Ok(json!({"action": "accept", "content": {"publish": true}})));
        let client = if legacy { client.legacy() } else { client };
        let r = client
            .call_tool("draft_once", json!({"text": "hi"}))
            .await
            .unwrap();
        assert_eq!(r.all_text(), "row 1 publish=true", "legacy: {legacy}");
        assert_eq!(rows.0.lock().unwrap().len(), 1, "legacy: {legacy}");
    }
}
