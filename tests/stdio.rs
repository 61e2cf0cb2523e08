//! stdio: newline-delimited JSON-RPC, both eras, concurrency, bad input and the end of input.

use std::time::Duration;

use std::sync::atomic::{AtomicBool, Ordering};

use mcp_runtime::extract::{CreateMessage, InputError, Log, Progress, ResponseStream, Sampler};
use mcp_runtime::prelude::*;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};

/// Adds two integers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Waits, then answers.
#[tool]
async fn slow(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "slow".into()
}

/// Reports progress, then answers.
#[tool]
async fn counted(progress: Progress) -> String {
    progress.report(1.0, Some(2.0), None);
    "counted".into()
}

/// Asks the client's model.
#[tool]
async fn ask(sampler: Sampler) -> Result<String, InputError> {
    let answer = sampler
        .create_message(CreateMessage::ask("A word?", 5))
        .await?;
    Ok(answer.text().unwrap_or_default().to_owned())
}

/// Tells listeners that the tools changed.
#[tool]
async fn touch(notifier: mcp_runtime::Notifier) -> &'static str {
    notifier.tools_changed();
    "touched"
}

/// Logs at two levels, lets its client go for a while, then answers.
#[tool]
async fn chatty(log: Log, stream: ResponseStream) -> &'static str {
    log.info("an info line");
    log.warning("a warning line");
    stream.detach(Duration::from_millis(50));
    tokio::time::sleep(Duration::from_millis(100)).await;
    "after the pause"
}

static FLOODED: AtomicBool = AtomicBool::new(false);

/// Reports progress far faster than anyone reads it.
#[tool]
async fn flood(progress: Progress) -> &'static str {
    for i in 0..200_000 {
        progress.report(f64::from(i), None, None);
    }
    FLOODED.store(true, Ordering::SeqCst);
    "flooded"
}

/// A client on the far end of the server's stdin and stdout.
struct Client {
    input: DuplexStream,
    output: Lines<BufReader<DuplexStream>>,
    server: tokio::task::JoinHandle<Result<(), mcp_runtime::Error>>,
}

impl Client {
    fn start(server: Server) -> Self {
        let (input, server_input) = tokio::io::duplex(1 << 20);
        let (server_output, output) = tokio::io::duplex(1 << 20);
        let server = tokio::spawn(server.body_limit(4096).serve_io(
            server_input,
            server_output,
            std::future::pending(),
        ));
        Self {
            input,
            output: BufReader::new(output).lines(),
            server,
        }
    }

    async fn send(&mut self, line: &str) {
        self.input.write_all(line.as_bytes()).await.unwrap();
        self.input.write_all(b"\n").await.unwrap();
    }

    /// Reads two lines, in either order: a tools list change, and the answer to request `id`.
    async fn expect_change_and_answer(&mut self, id: u32) {
        let mut seen = Vec::new();
        for _ in 0..2 {
            let line = self.next().await;
            seen.push(
                line["method"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| line["id"].to_string()),
            );
        }
        assert!(
            seen.contains(&"notifications/tools/list_changed".to_owned()),
            "{seen:?}"
        );
        assert!(seen.contains(&id.to_string()), "{seen:?}");
    }

    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(5), self.output.next_line())
            .await
            .expect("a line within 5 s")
            .unwrap()
            .expect("a line before the end");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }
}

fn modern(id: u32, method: &str, mut params: Value) -> String {
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"sampling": {}},
        "io.modelcontextprotocol/clientInfo": {"name": "stdio-test", "version": "1"},
    });
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

fn legacy(id: u32, method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"sampling":{}},"clientInfo":{"name":"stdio-test","version":"1"}}}"#;

#[tokio::test]
async fn both_eras_are_served_on_one_pipe() {
    let mut c = Client::start(Server::new().tool(add::tool()));
    c.send(&modern(1, "server/discover", json!({}))).await;
    let discovered = c.next().await;
    assert_eq!(discovered["id"], 1);
    assert!(discovered["result"]["supportedVersions"]
        .as_array()
        .unwrap()
        .contains(&json!("2026-07-28")));
    c.send(&modern(
        2,
        "tools/call",
        json!({"name": "add", "arguments": {"a": 2, "b": 3}}),
    ))
    .await;
    assert_eq!(c.next().await["result"]["content"][0]["text"], "5");
    // The same pipe, then, as a 2025-era client.
    c.send(INITIALIZE).await;
    assert_eq!(c.next().await["result"]["protocolVersion"], "2025-11-25");
    c.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;
    c.send(&legacy(
        3,
        "tools/call",
        json!({"name": "add", "arguments": {"a": 1, "b": 1}}),
    ))
    .await;
    let r = c.next().await;
    assert_eq!(
        (r["id"].clone(), r["result"]["content"][0]["text"].clone()),
        (json!(3), json!("2"))
    );
}

#[tokio::test]
async fn bad_lines_are_answered_and_the_server_goes_on() {
    let mut c = Client::start(Server::new().tool(add::tool()));
    c.send("this is not json").await;
    assert_eq!(c.next().await["error"]["code"], -32700);
    c.send(&"x".repeat(10_000)).await;
    let too_long = c.next().await;
    assert_eq!(too_long["error"]["code"], -32600, "{too_long}");
    c.send(r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#)
        .await;
    assert_eq!(c.next().await["error"]["code"], -32600);
    // An invalid request whose id can be read is answered with it (as over HTTP).
    c.send(r#"{"jsonrpc":"2.0","id":5,"method":"tools/list","params":[]}"#)
        .await;
    let invalid = c.next().await;
    assert_eq!(invalid["id"], 5, "{invalid}");
    assert_eq!(invalid["error"]["code"], -32600, "{invalid}");
    c.send(&legacy(
        4,
        "tools/call",
        json!({"name": "add", "arguments": {"a": 2, "b": 2}}),
    ))
    .await;
    assert_eq!(c.next().await["result"]["content"][0]["text"], "4");
}

#[tokio::test]
async fn a_slow_call_delays_no_other_and_the_end_of_input_waits_for_it() {
    let mut c = Client::start(Server::new().tool(add::tool()).tool(slow::tool()));
    c.send(&modern(
        1,
        "tools/call",
        json!({"name": "slow", "arguments": {"ms": 500}}),
    ))
    .await;
    c.send(&modern(
        2,
        "tools/call",
        json!({"name": "add", "arguments": {"a": 1, "b": 2}}),
    ))
    .await;
    assert_eq!(c.next().await["id"], 2, "the quick call answers first");
    // The input ends while the slow call runs: it still gets its answer, then the server stops.
    c.input.shutdown().await.unwrap();
    assert_eq!(c.next().await["result"]["content"][0]["text"], "slow");
    tokio::time::timeout(Duration::from_secs(2), c.server)
        .await
        .expect("the server stops after its last call")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_cancelled_2026_call_is_dropped() {
    let mut c = Client::start(Server::new().tool(add::tool()).tool(slow::tool()));
    c.send(&modern(
        1,
        "tools/call",
        json!({"name": "slow", "arguments": {"ms": 3000}}),
    ))
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    c.send(&modern(
        2,
        "notifications/cancelled",
        json!({"requestId": 1}),
    ))
    .await;
    c.input.shutdown().await.unwrap();
    // Nothing is left to wait for: the server stops long before the call would have ended.
    tokio::time::timeout(Duration::from_secs(1), c.server)
        .await
        .expect("a cancelled call is not waited for")
        .unwrap()
        .unwrap();
}

/// The grace period is a limit: a call that outlasts it is dropped and the server stops.
#[tokio::test]
async fn a_call_that_outlasts_the_grace_period_is_dropped() {
    let mut c = Client::start(Server::new().tool(slow::tool()));
    c.send(&modern(
        1,
        "tools/call",
        json!({"name": "slow", "arguments": {"ms": 3_600_000}}),
    ))
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let ended = tokio::time::Instant::now();
    c.input.shutdown().await.unwrap();
    tokio::time::timeout(mcp_runtime::SHUTDOWN_GRACE * 2, c.server)
        .await
        .expect("the server stops after the grace period")
        .unwrap()
        .unwrap();
    let waited = ended.elapsed();
    assert!(
        waited >= mcp_runtime::SHUTDOWN_GRACE
            && waited < mcp_runtime::SHUTDOWN_GRACE + Duration::from_secs(5),
        "{waited:?}"
    );
}

/// A 2025-era session's call gets the grace period too, and its own answer: the session ends
/// after it, not before.
#[tokio::test]
async fn a_2025_call_under_way_at_the_end_of_input_gets_its_answer() {
    let mut c = Client::start(
        Server::new()
            .tool(slow::tool())
            .force_mode(mcp_runtime::Mode::Stateful),
    );
    c.send(INITIALIZE).await;
    assert_eq!(c.next().await["id"], 0);
    c.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;
    c.send(&legacy(
        1,
        "tools/call",
        json!({"name": "slow", "arguments": {"ms": 300}}),
    ))
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.input.shutdown().await.unwrap();
    let answer = c.next().await;
    assert_eq!(answer["id"], 1);
    assert_eq!(answer["result"]["content"][0]["text"], "slow", "{answer}");
    c.server.await.unwrap().unwrap();
}

/// Requests are told apart by their tasks, not their ids: a client that reuses an id under way
/// gets both answers, and cancelling the id cancels what bears it, even after another request
/// with that id ended. A cancellation names an id however its string is escaped.
#[tokio::test]
async fn reused_ids_and_escaped_ids_are_cancelled_by_value() {
    let mut c = Client::start(Server::new().tool(add::tool()).tool(slow::tool()));
    c.send(&modern(
        9,
        "tools/call",
        json!({"name": "slow", "arguments": {"ms": 3000}}),
    ))
    .await;
    c.send(&modern(
        9,
        "tools/call",
        json!({"name": "add", "arguments": {"a": 1, "b": 2}}),
    ))
    .await;
    let quick = c.next().await;
    assert_eq!(quick["id"], 9, "{quick}");
    assert_eq!(quick["result"]["content"][0]["text"], "3", "{quick}");
    c.send(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9}}"#)
        .await;

    let mut call: Value = serde_json::from_str(&modern(
        0,
        "tools/call",
        json!({"name": "slow", "arguments": {"ms": 3000}}),
    ))
    .unwrap();
    call["id"] = json!("ab");
    c.send(&call.to_string()).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.send(
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"\u0061b"}}"#,
    )
    .await;
    c.input.shutdown().await.unwrap();
    tokio::time::timeout(Duration::from_secs(1), c.server)
        .await
        .expect("the cancelled calls are not waited for")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn notifications_and_client_input_travel_as_lines() {
    let mut c = Client::start(Server::new().tool(counted::tool()).tool(ask::tool()));
    // 2025-era: progress before the result, and a real sampling request answered on stdin.
    c.send(INITIALIZE).await;
    c.next().await;
    c.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;
    c.send(&legacy(
        1,
        "tools/call",
        json!({"name": "counted", "arguments": {}, "_meta": {"progressToken": "p"}}),
    ))
    .await;
    let progress = c.next().await;
    assert_eq!(progress["method"], "notifications/progress", "{progress}");
    assert_eq!(c.next().await["result"]["content"][0]["text"], "counted");
    c.send(&legacy(
        2,
        "tools/call",
        json!({"name": "ask", "arguments": {}}),
    ))
    .await;
    let question = c.next().await;
    assert_eq!(question["method"], "sampling/createMessage", "{question}");
    let answer = json!({"jsonrpc": "2.0", "id": question["id"], "result": {
        "role": "assistant", "content": {"type": "text", "text": "hi"}, "model": "m"}});
    c.send(&answer.to_string()).await;
    assert_eq!(c.next().await["result"]["content"][0]["text"], "hi");
    // 2026-07-28: a multi round-trip request.
    c.send(&modern(
        3,
        "tools/call",
        json!({"name": "ask", "arguments": {}}),
    ))
    .await;
    let first = c.next().await;
    assert_eq!(first["result"]["resultType"], "input_required", "{first}");
    let retry = json!({"name": "ask", "arguments": {}, "requestState": first["result"]["requestState"],
        "inputResponses": {"sampling-1": {"role": "assistant", "content": {"type": "text", "text": "yo"}, "model": "m"}}});
    c.send(&modern(4, "tools/call", retry)).await;
    assert_eq!(c.next().await["result"]["content"][0]["text"], "yo");
}

#[tokio::test]
async fn change_notifications_reach_a_listen_stream_and_the_end_of_input_closes_it() {
    let mut c = Client::start(Server::new().tool(touch::tool()));
    c.send(&modern(
        1,
        "subscriptions/listen",
        json!({"notifications": {"toolsListChanged": true}}),
    ))
    .await;
    let ack = c.next().await;
    assert_eq!(
        ack["method"], "notifications/subscriptions/acknowledged",
        "{ack}"
    );
    c.send(&modern(
        2,
        "tools/call",
        json!({"name": "touch", "arguments": {}}),
    ))
    .await;
    c.expect_change_and_answer(2).await;
    // The input ends: the listen stream closes with its result and the server stops at once.
    c.input.shutdown().await.unwrap();
    let closing = c.next().await;
    assert_eq!(closing["id"], 1, "{closing}");
    tokio::time::timeout(Duration::from_secs(1), c.server)
        .await
        .expect("an open listen stream does not hold the server past the end of input")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_2025_session_gets_its_log_level_its_changes_and_a_paused_calls_result() {
    let server = Server::new()
        .tool(chatty::tool())
        .tool(touch::tool())
        .tool(ask::tool());
    let mut c = Client::start(server);
    c.send(INITIALIZE).await;
    let initialized = c.next().await;
    assert!(
        initialized["result"]["capabilities"]["logging"].is_object(),
        "{initialized}"
    );
    c.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;
    c.send(&legacy(1, "logging/setLevel", json!({"level": "warning"})))
        .await;
    assert_eq!(c.next().await["id"], 1);
    c.send(&legacy(
        2,
        "tools/call",
        json!({"name": "chatty", "arguments": {}}),
    ))
    .await;
    // Only the warning passes the level; the pause (which ends an HTTP client's connection)
    // loses nothing on a pipe: the result follows.
    let log = c.next().await;
    assert_eq!(
        (log["method"].clone(), log["params"]["level"].clone()),
        (json!("notifications/message"), json!("warning")),
        "{log}"
    );
    let result = c.next().await;
    assert_eq!(result["id"], 2, "{result}");
    assert_eq!(result["result"]["content"][0]["text"], "after the pause");
    // A change raised by a call reaches the session's own notifications on the same pipe.
    c.send(&legacy(
        3,
        "tools/call",
        json!({"name": "touch", "arguments": {}}),
    ))
    .await;
    c.expect_change_and_answer(3).await;
    // A session call is cancelled by name, and its question goes unanswered without harm.
    c.send(&legacy(
        4,
        "tools/call",
        json!({"name": "ask", "arguments": {}}),
    ))
    .await;
    assert_eq!(c.next().await["method"], "sampling/createMessage");
    c.send(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":4}}"#)
        .await;
    c.send(&legacy(5, "ping", json!({}))).await;
    let pong = c.next().await;
    assert_eq!(pong["id"], 5, "no answer to the cancelled call: {pong}");
}

#[tokio::test]
async fn a_call_that_outpaces_its_client_neither_blocks_nor_queues_without_bound() {
    let mut c = Client::start(Server::new().tool(flood::tool()));
    let mut call: Value = serde_json::from_str(&modern(
        1,
        "tools/call",
        json!({"name": "flood", "arguments": {}}),
    ))
    .unwrap();
    call["params"]["_meta"]["progressToken"] = json!("p");
    c.send(&call.to_string()).await;
    // Nothing is read until the handler is done: it must not wait for the client.
    let waited = tokio::time::timeout(Duration::from_secs(10), async {
        while !FLOODED.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "the handler waited for a slow client");
    let mut reports = 0;
    loop {
        let line = c.next().await;
        if line["id"] == 1 {
            assert_eq!(line["result"]["content"][0]["text"], "flooded");
            break;
        }
        assert_eq!(line["method"], "notifications/progress");
        reports += 1;
    }
    // What reached the client is what the pipes and the queues hold, not 200,000 reports.
    assert!(reports > 0 && reports < 50_000, "{reports} reports");
}
