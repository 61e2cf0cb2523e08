//! One span per request with the OpenTelemetry conventions for MCP, around the handler's own
//! logs: seen by a subscriber that records every span, field and event (installed for this
//! whole test binary).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use mcp_runtime::prelude::*;
use mcp_tests::Running;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// A span as the subscriber saw it.
#[derive(Debug, Clone, Default)]
struct SeenSpan {
    name: String,
    fields: HashMap<String, String>,
    closed: bool,
}

/// An event, and the names of the spans it happened in (innermost first) with their ids.
#[derive(Debug, Clone)]
struct SeenEvent {
    message: String,
    spans: Vec<u64>,
}

#[derive(Default)]
struct Seen {
    spans: HashMap<u64, SeenSpan>,
    events: Vec<SeenEvent>,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Seen>>);

impl Capture {
    /// What was seen so far; a failed assertion in one test (which poisons the lock) does not
    /// fail the others.
    fn lock(&self) -> MutexGuard<'_, Seen> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut span = SeenSpan {
            name: attrs.metadata().name().to_owned(),
            ..SeenSpan::default()
        };
        attrs.record(&mut Fields(&mut span.fields));
        self.lock().spans.insert(id.into_u64(), span);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut seen = self.lock();
        if let Some(span) = seen.spans.get_mut(&id.into_u64()) {
            values.record(&mut Fields(&mut span.fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = HashMap::new();
        event.record(&mut Fields(&mut fields));
        let spans = ctx
            .event_scope(event)
            .map(|scope| scope.map(|s| s.id().into_u64()).collect())
            .unwrap_or_default();
        self.lock().events.push(SeenEvent {
            message: fields.remove("message").unwrap_or_default(),
            spans,
        });
    }

    fn on_close(&self, id: Id, _: Context<'_, S>) {
        if let Some(span) = self.lock().spans.get_mut(&id.into_u64()) {
            span.closed = true;
        }
    }
}

/// The subscriber of this test binary.
fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let subscriber = tracing_subscriber::registry().with(capture.clone());
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        capture
    })
}

/// Adds, logging as it goes.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    tracing::info!("adding {a} and {b}");
    a + b
}

/// Divides on the blocking pool, logging as it goes; fails on zero.
#[tool]
fn divide(a: i64, b: i64) -> Result<i64, String> {
    tracing::info!("dividing {a} by {b}");
    a.checked_div(b)
        .ok_or_else(|| "division by zero".to_owned())
}

/// Reports progress (a streamed call), logging after an await.
#[tool]
async fn count(progress: mcp_runtime::extract::Progress) -> &'static str {
    progress.report(1.0, Some(2.0), None);
    tokio::task::yield_now().await;
    tracing::info!("counted");
    "done"
}

/// The request span with these field values (the tests of this binary share its subscriber).
fn request_span(wanted: &[(&str, &str)]) -> (u64, SeenSpan) {
    let seen = capture().lock();
    let found: Vec<_> = seen
        .spans
        .iter()
        .filter(|(_, s)| {
            s.name == "mcp.server"
                && wanted
                    .iter()
                    .all(|(k, v)| s.fields.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(id, s)| (*id, s.clone()))
        .collect();
    assert_eq!(found.len(), 1, "one span with {wanted:?}: {found:#?}");
    found.into_iter().next().unwrap()
}

/// The spans an event with this message happened in.
fn event_spans(message: &str) -> Vec<u64> {
    let seen = capture().lock();
    seen.events
        .iter()
        .find(|e| e.message == message)
        .unwrap_or_else(|| panic!("no event `{message}`"))
        .spans
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_has_a_span_with_the_mcp_conventions_around_its_handler() {
    capture();
    let running = Running::start(
        Server::new()
            .tool(add::tool())
            .tool(divide::tool())
            .tool(count::tool()),
    )
    .await;

    // 2026-07-28 tools/call: an async handler.
    let r = running
        .modern_as(
            &[],
            "tools/call",
            json!({"name": "add", "arguments": {"a": 20, "b": 22}}),
            json!({}),
        )
        .await;
    assert_eq!(r.result()["content"][0]["text"], "42");
    // The binary's other tests call `add` too, over a pipe or in the 2025 era.
    let (id, span) = request_span(&[
        ("gen_ai.tool.name", "add"),
        ("network.transport", "tcp"),
        ("mcp.protocol.version", "2026-07-28"),
    ]);
    let expected = [
        ("otel.name", "tools/call add"),
        ("otel.kind", "server"),
        ("mcp.method.name", "tools/call"),
        ("mcp.protocol.version", "2026-07-28"),
        ("gen_ai.operation.name", "execute_tool"),
        ("jsonrpc.request.id", "1"),
        ("network.transport", "tcp"),
        ("network.protocol.name", "http"),
    ];
    for (key, value) in expected {
        assert_eq!(
            span.fields.get(key).map(String::as_str),
            Some(value),
            "{key}: {span:#?}"
        );
    }
    assert!(!span.fields.contains_key("error.type"), "{span:#?}");
    assert!(span.closed, "the span ends with the request");
    assert_eq!(event_spans("adding 20 and 22").first(), Some(&id));

    // 2025-era call of a blocking handler that fails: the span follows it to the blocking
    // thread, and the `isError` result is a `tool_error`.
    let r = running
        .call_as(
            "2025-11-25",
            &[],
            json!({"name": "divide", "arguments": {"a": 1, "b": 0}}),
        )
        .await;
    assert_eq!(r.result()["isError"], true);
    let (id, span) = request_span(&[("gen_ai.tool.name", "divide")]);
    assert_eq!(span.fields["mcp.protocol.version"], "2025-11-25");
    assert_eq!(span.fields["error.type"], "tool_error");
    assert_eq!(span.fields["otel.status_code"], "ERROR");
    assert_eq!(event_spans("dividing 1 by 0").first(), Some(&id));

    // A streamed call (progress): the handler runs while the response streams, after the
    // request's own future returned, in the span still.
    let r = running
        .modern_with(
            "tools/call",
            json!({"name": "count", "arguments": {}}),
            json!({"progressToken": "p1"}),
        )
        .await;
    assert!(String::from_utf8_lossy(&r.body).contains("notifications/progress"));
    let (id, _) = request_span(&[("gen_ai.tool.name", "count")]);
    assert_eq!(event_spans("counted").first(), Some(&id));

    // A JSON-RPC error: its code.
    let r = running
        .modern("prompts/get", json!({"name": "nothing"}))
        .await;
    assert!(r.json()["error"].is_object());
    let (_, span) = request_span(&[("gen_ai.prompt.name", "nothing")]);
    assert_eq!(span.fields["otel.name"], "prompts/get nothing");
    let code = r.json()["error"]["code"].to_string();
    assert_eq!(span.fields["error.type"], code);
    assert_eq!(span.fields["rpc.response.status_code"], code);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdio_requests_have_spans_too() {
    capture();
    let (client, server) = tokio::io::duplex(64 * 1024);
    let (server_read, server_write) = tokio::io::split(server);
    let serving = tokio::spawn(Server::new().tool(add::tool()).serve_io(
        server_read,
        server_write,
        std::future::pending(),
    ));
    let (client_read, mut client_write) = tokio::io::split(client);
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};
    let request = json!({
        "jsonrpc": "2.0", "id": "call-7", "method": "tools/call",
        "params": {"_meta": mcp_tests::modern_meta(), "name": "add",
                   "arguments": {"a": 1, "b": 2}}
    });
    client_write
        .write_all(format!("{request}\n").as_bytes())
        .await
        .unwrap();
    let mut lines = tokio::io::BufReader::new(client_read).lines();
    let line = lines.next_line().await.unwrap().unwrap();
    assert!(line.contains("\"3\""), "{line}");
    // End of input: the server finishes the in-flight call and returns.
    client_write.shutdown().await.unwrap();
    let _ = serving.await;
    let (id, span) = request_span(&[("jsonrpc.request.id", "call-7")]);
    assert_eq!(span.fields["network.transport"], "pipe");
    assert!(!span.fields.contains_key("network.protocol.name"));
    assert_eq!(event_spans("adding 1 and 2").first(), Some(&id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_requests_span_carries_the_session_id() {
    capture();
    let running = Running::start(
        Server::new()
            .tool(add::tool())
            .force_mode(mcp_runtime::Mode::Stateful),
    )
    .await;
    let session = running.initialize().await;
    let r = running
        .send(&mcp_tests::legacy_request(
            r#"{"jsonrpc":"2.0","id":4242,"method":"tools/call","params":{"name":"add","arguments":{"a":5,"b":6}}}"#,
            Some(&session),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let (_, span) = request_span(&[("jsonrpc.request.id", "4242")]);
    assert_eq!(span.fields["mcp.session.id"], session, "{span:#?}");
    assert_eq!(span.fields["gen_ai.tool.name"], "add");
}
