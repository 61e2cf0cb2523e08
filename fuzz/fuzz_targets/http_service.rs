//! The Streamable HTTP endpoint, driven in-process through `tower::ServiceExt::oneshot`: each
//! input is up to four requests (POST, GET or DELETE; Host, Origin, Content-Type, Accept,
//! MCP-Protocol-Version, Mcp-Session-Id, Mcp-Method, Mcp-Name, Last-Event-ID and Content-Length
//! from small menus or arbitrary text; a raw body, a JSON-RPC envelope with arbitrary params, or
//! a 2026-07-28 call with the required `_meta` and arbitrary JSON spliced in) to one of two
//! routers built once: a stateless server with a hand-made tool, and a stateful one with
//! `#[tool]`, `#[resource]`, `#[prompt]` and `#[complete]` handlers that ask for input, log and
//! report progress. A later request may reuse the session id or `requestState` an earlier one
//! got back. Checked: no request panics, none takes longer than 10 s (headers or body), no
//! status is 5xx except 503, an `application/json` body is JSON, and every `data:` line of a
//! `text/event-stream` body is JSON. Sessions an input opened are deleted before the next one.
//! Inputs starting `#!http` are read as readable requests instead (see `TEXT_MODE`): the seeds.
//! With `FUZZ_DEBUG` set, every request and response is printed (to see what an input reaches).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use axum::body::Body;
use axum::Router;
use http::{HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Limited};
use libfuzzer_sys::fuzz_target;
use mcp_runtime::extract::{CallContext, Elicitation, Elicitor, Log, Param, Progress};
use mcp_runtime::prelude::*;
use mcp_runtime::tool::{Invocation, ToolDef};
use serde_json::{json, Value};
use tower::ServiceExt;

// ---- the servers -------------------------------------------------------------------------

const WHO: Param = Param::argument::<String>("name").description("Who to greet");

fn greet_call(call: &mut CallContext<'_>) -> Invocation {
    match call.argument::<String>(&WHO) {
        Ok(name) => Invocation::Ready(ToolResult::text(format!("Hello, {name}!"))),
        Err(e) => Invocation::rejected(e),
    }
}

/// Registered by hand, on both servers.
static GREET: ToolDef = ToolDef::new("greet", greet_call)
    .description("Greets someone.")
    .params(&[WHO])
    .input_schema(|schema| schema.property::<String>(&WHO));

/// Adds two integers.
#[tool(read_only, idempotent)]
async fn add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// Divides; fails when the divisor is zero.
#[tool]
fn divide(dividend: f64, divisor: f64) -> Result<f64, String> {
    if divisor == 0.0 {
        Err("cannot divide by zero".into())
    } else {
        Ok(dividend / divisor)
    }
}

/// Counts of a text.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct Stats {
    /// Words.
    words: usize,
    /// Characters.
    chars: usize,
}

/// Measures a text.
#[tool]
fn stats(text: String, limit: Option<u32>) -> Json<Stats> {
    let text: String = text
        .chars()
        .take(limit.unwrap_or(u32::MAX) as usize)
        .collect();
    Json(Stats {
        words: text.split_whitespace().count(),
        chars: text.chars().count(),
    })
}

/// What the user confirms.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Confirmation {
    /// Type the name again.
    name: String,
}

/// Asks the user to confirm (an input: multi round-trip for 2026-07-28, a session otherwise).
#[tool(destructive)]
async fn confirm(name: String, elicitor: Elicitor) -> Result<String, String> {
    match elicitor
        .form::<Confirmation>("Confirm the name")
        .await
        .map_err(|e| e.to_string())?
    {
        Elicitation::Accept(c) if c.name == name => Ok(format!("confirmed {name}")),
        Elicitation::Accept(c) => Err(format!("`{}` is not `{name}`", c.name)),
        Elicitation::Decline | Elicitation::Cancel => Err("declined".into()),
    }
}

/// Logs and reports progress.
#[tool]
async fn chatty(steps: Option<u8>, log: Log, progress: Progress) -> &'static str {
    let steps = steps.unwrap_or(2).min(4);
    for step in 0..steps {
        log.info(format!("step {step}"));
        progress.report(f64::from(step), Some(f64::from(steps)), None);
    }
    "done"
}

/// A static resource.
#[resource("fuzz://static", mime_type = "text/plain")]
fn fixed() -> String {
    "static".into()
}

/// A resource template.
#[resource("fuzz://items/{id}{?detail}", name = "item", mime_type = "text/plain")]
fn item(
    /// The item's id
    id: u32,
    /// More detail
    detail: Option<String>,
) -> String {
    format!("item {id} {}", detail.unwrap_or_default())
}

/// A prompt.
#[prompt(title = "Greet")]
fn salute(
    /// Whom
    name: String,
    /// How
    style: Option<String>,
) -> String {
    format!("Greet {name} {}", style.unwrap_or_default())
}

/// Completes `salute`'s name.
#[complete(prompt = "salute", argument = "name")]
fn names(partial: String) -> Vec<String> {
    ["alice", "bob"]
        .into_iter()
        .filter(|n| n.starts_with(&partial))
        .map(String::from)
        .collect()
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    stateless: Router,
    stateful: Router,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let (stateless, stateful) = runtime.block_on(async {
            let stateless = Server::new()
                .tool(&GREET)
                .body_limit(64 * 1024)
                .router()
                .expect("the stateless server builds");
            let stateful = Server::from_registry()
                .tool(&GREET)
                .body_limit(64 * 1024)
                .page_size(2)
                .input_timeout(Duration::from_millis(20))
                .handler_timeout(Duration::from_secs(2))
                .session_idle_timeout(Duration::from_secs(5))
                .max_sessions(200)
                .router()
                .expect("the stateful server builds");
            (stateless, stateful)
        });
        Fixture {
            runtime,
            stateless,
            stateful,
        }
    })
}

// ---- inputs ------------------------------------------------------------------------------

/// A header value: the usual one (what a well-behaved client sends; first, so that it is what
/// the fuzzer starts from), one from the header's menu, what an earlier response returned,
/// arbitrary, or absent.
#[derive(Debug, Arbitrary)]
enum Choice<'a> {
    Usual,
    Menu(u8),
    Earlier,
    Raw(&'a str),
    Absent,
}

/// A JSON value, with object keys drawn mostly from the names the handlers use.
#[derive(Debug, Arbitrary)]
enum Arb<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Word(u8),
    Array(Vec<Arb<'a>>),
    Object(Vec<(Key<'a>, Arb<'a>)>),
}

#[derive(Debug, Arbitrary)]
enum Key<'a> {
    Known(u8),
    Raw(&'a str),
}

const WORDS: &[&str] = &[
    "name",
    "a",
    "b",
    "text",
    "limit",
    "dividend",
    "divisor",
    "steps",
    "id",
    "detail",
    "style",
    "action",
    "accept",
    "decline",
    "content",
    "confirm",
    "uri",
    "arguments",
    "type",
    "value",
    "ref/prompt",
    "ref/resource",
    "salute",
    "fuzz://items/{id}{?detail}",
    "progressToken",
    "io.modelcontextprotocol/logLevel",
    "debug",
    "notifications",
    "cursor",
    "requestState",
    "inputResponses",
    "_meta",
    "2026-07-28",
    "2025-11-25",
    "fuzz://items/7?detail=x",
];

impl Arb<'_> {
    fn value(&self, depth: u8) -> Value {
        if depth > 8 {
            return Value::Null;
        }
        match self {
            Arb::Null => Value::Null,
            Arb::Bool(b) => json!(b),
            Arb::Int(i) => json!(i),
            Arb::Float(f) => json!(f),
            Arb::Str(s) => json!(s),
            Arb::Word(w) => json!(pick(WORDS, *w)),
            Arb::Array(items) => items.iter().map(|j| j.value(depth + 1)).collect(),
            Arb::Object(members) => Value::Object(object_at(members, depth + 1)),
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Payload<'a> {
    /// Any bytes.
    Raw(&'a [u8]),
    /// A JSON-RPC envelope (2025 style: no `_meta` unless `params` has one).
    Envelope {
        id: Id<'a>,
        method: u8,
        params: Option<Vec<(Key<'a>, Arb<'a>)>>,
    },
    /// A 2026-07-28 request: `_meta` with the required entries plus arbitrary extra ones, and
    /// (if `consistent`) headers that agree with the body.
    Modern {
        method: u8,
        name: u8,
        arguments: Option<Arb<'a>>,
        extra: Vec<(Key<'a>, Arb<'a>)>,
        /// Leaves out the required client capabilities when it is 7 modulo 8.
        drop_capabilities: u8,
        request_state: Choice<'a>,
        input_responses: Option<Arb<'a>>,
        consistent: bool,
    },
    /// Arbitrary text spliced as the `arguments` of a valid `tools/call` envelope.
    Spliced { tool: u8, arguments: &'a str },
}

/// A request id: mostly a valid one, sometimes none (a notification) or any JSON.
#[derive(Debug, Arbitrary)]
enum Id<'a> {
    Number(i64),
    Text(&'a str),
    Absent,
    Other(Arb<'a>),
}

fn object(members: &[(Key<'_>, Arb<'_>)]) -> serde_json::Map<String, Value> {
    object_at(members, 1)
}

fn object_at(members: &[(Key<'_>, Arb<'_>)], depth: u8) -> serde_json::Map<String, Value> {
    members
        .iter()
        .map(|(k, v)| {
            let key = match k {
                Key::Known(w) => pick(WORDS, *w).to_owned(),
                Key::Raw(s) => (*s).to_owned(),
            };
            (key, v.value(depth))
        })
        .collect()
}

#[derive(Debug, Arbitrary)]
struct Step<'a> {
    stateful: bool,
    method: u8,
    path: Choice<'a>,
    host: Choice<'a>,
    origin: Choice<'a>,
    content_type: Choice<'a>,
    accept: Choice<'a>,
    protocol_version: Choice<'a>,
    session_id: Choice<'a>,
    mcp_method: Choice<'a>,
    mcp_name: Choice<'a>,
    last_event_id: Choice<'a>,
    content_length: Choice<'a>,
    payload: Payload<'a>,
}

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    steps: Vec<Step<'a>>,
}

const METHODS: &[&str] = &[
    "tools/call",
    "tools/list",
    "initialize",
    "notifications/initialized",
    "ping",
    "resources/read",
    "resources/list",
    "resources/templates/list",
    "resources/subscribe",
    "resources/unsubscribe",
    "prompts/get",
    "prompts/list",
    "completion/complete",
    "logging/setLevel",
    "notifications/cancelled",
    "subscriptions/listen",
    "server/discover",
    "nope/nothing",
];
const NAMES: &[&str] = &[
    "greet",
    "add",
    "divide",
    "stats",
    "confirm",
    "chatty",
    "salute",
    "fuzz://static",
    "fuzz://items/7",
    "fuzz://items/7?detail=x",
    "fuzz://items/x",
    "missing",
];
const PATHS: &[&str] = &["/mcp", "/mcp?x=1", "/", "/mcp/", "http://evil.example/mcp"];
const HOSTS: &[&str] = &[
    "localhost",
    "127.0.0.1:8080",
    "[::1]:1",
    "evil.example",
    "LOCALHOST",
];
const ORIGINS: &[&str] = &[
    "http://localhost:3000",
    "https://127.0.0.1",
    "https://evil.example",
    "null",
    "http://[::1]",
];
const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON",
    "text/plain",
    "application/jsonx",
];
const ACCEPTS: &[&str] = &[
    "application/json, text/event-stream",
    "application/json",
    "text/event-stream",
    "*/*",
    "application/json;q=0, text/event-stream",
    "text/*, application/*",
];
const VERSIONS: &[&str] = &[
    "2026-07-28",
    "2025-11-25",
    "2025-06-18",
    "2025-03-26",
    "2024-11-05",
];
const SESSIONS: &[&str] = &["", "0", "not-a-session", "\u{7f}"];
const EVENT_IDS: &[&str] = &["0", "1", "abc", "-1", "99999999999999999999"];
const LENGTHS: &[&str] = &["0", "1", "99999999999", "abc", "-1"];

fn pick<'a>(menu: &[&'a str], i: u8) -> &'a str {
    menu[usize::from(i) % menu.len()]
}

/// The value `choice` picks; `None` for none, and `usual` for [`Choice::Usual`].
fn choose<'a>(
    choice: &Choice<'a>,
    menu: &[&'a str],
    earlier: Option<&'a str>,
    usual: Option<&'a str>,
) -> Option<&'a str> {
    match choice {
        Choice::Usual => usual,
        Choice::Menu(i) => Some(pick(menu, *i)),
        Choice::Earlier => earlier.or(Some(menu[0])),
        Choice::Raw(s) => Some(s),
        Choice::Absent => None,
    }
}

fn modern_meta() -> serde_json::Map<String, Value> {
    match json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}, "sampling": {}},
        "io.modelcontextprotocol/clientInfo": {"name": "fuzz", "version": "0"},
    }) {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// What earlier steps of this input got back.
#[derive(Default)]
struct Context {
    session: Option<String>,
    request_state: Option<String>,
    opened: Vec<String>,
}

fn find_request_state(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => map
            .get("requestState")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| map.values().find_map(find_request_state)),
        Value::Array(items) => items.iter().find_map(find_request_state),
        _ => None,
    }
}

fn build(step: &Step<'_>, context: &Context) -> Option<Request<Body>> {
    let method = match step.method % 8 {
        0..=5 => Method::POST,
        6 => Method::GET,
        _ => Method::DELETE,
    };
    let mut headers: Vec<(&str, String)> = Vec::new();
    let mut body_method = None;
    let mut body_name = None;
    let body: Vec<u8> = match &step.payload {
        Payload::Raw(bytes) => bytes.to_vec(),
        Payload::Envelope { id, method, params } => {
            let mut envelope = json!({"jsonrpc": "2.0", "method": pick(METHODS, *method)});
            match id {
                Id::Number(n) => envelope["id"] = json!(n),
                Id::Text(t) => envelope["id"] = json!(t),
                Id::Absent => {}
                Id::Other(any) => envelope["id"] = any.value(0),
            }
            if let Some(params) = params {
                envelope["params"] = Value::Object(object(params));
            }
            envelope.to_string().into_bytes()
        }
        Payload::Modern {
            method,
            name,
            arguments,
            extra,
            drop_capabilities,
            request_state,
            input_responses,
            consistent,
        } => {
            let method = pick(METHODS, *method);
            let name = pick(NAMES, *name);
            let mut meta = modern_meta();
            if *drop_capabilities % 8 == 7 {
                meta.remove("io.modelcontextprotocol/clientCapabilities");
            }
            meta.extend(object(extra));
            let mut params = json!({"_meta": meta});
            let key = if method == "resources/read" {
                "uri"
            } else {
                "name"
            };
            params[key] = json!(name);
            if let Some(arguments) = arguments {
                params["arguments"] = arguments.value(0);
            }
            if let Some(state) = choose(
                request_state,
                &["", "AAAA"],
                context.request_state.as_deref(),
                None,
            ) {
                params["requestState"] = json!(state);
            }
            if let Some(responses) = input_responses {
                params["inputResponses"] = responses.value(0);
            }
            if *consistent {
                headers.push(("mcp-protocol-version", "2026-07-28".into()));
                headers.push(("mcp-method", method.into()));
                if matches!(method, "tools/call" | "prompts/get" | "resources/read") {
                    headers.push(("mcp-name", name.into()));
                }
            }
            body_method = Some(method);
            body_name = Some(name);
            json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
                .to_string()
                .into_bytes()
        }
        Payload::Spliced { tool, arguments } => {
            let meta = Value::Object(modern_meta());
            let tool = pick(NAMES, *tool);
            headers.push(("mcp-protocol-version", "2026-07-28".into()));
            headers.push(("mcp-method", "tools/call".into()));
            headers.push(("mcp-name", tool.into()));
            format!(
                r#"{{"jsonrpc":"2.0","id":"s","method":"tools/call","params":{{"name":"{tool}","arguments":{arguments},"_meta":{meta}}}}}"#
            )
            .into_bytes()
        }
    };
    let session = context.session.as_deref();
    let menu_headers = [
        ("host", &step.host, HOSTS, None, Some("localhost")),
        ("origin", &step.origin, ORIGINS, None, None),
        (
            "content-type",
            &step.content_type,
            CONTENT_TYPES,
            None,
            Some(CONTENT_TYPES[0]),
        ),
        ("accept", &step.accept, ACCEPTS, None, Some(ACCEPTS[0])),
        (
            "mcp-protocol-version",
            &step.protocol_version,
            VERSIONS,
            None,
            None,
        ),
        (
            "mcp-session-id",
            &step.session_id,
            SESSIONS,
            session,
            session,
        ),
        ("mcp-method", &step.mcp_method, METHODS, body_method, None),
        ("mcp-name", &step.mcp_name, NAMES, body_name, None),
        ("last-event-id", &step.last_event_id, EVENT_IDS, None, None),
        ("content-length", &step.content_length, LENGTHS, None, None),
    ];
    for (name, choice, menu, earlier, usual) in menu_headers {
        let value = choose(choice, menu, earlier, usual);
        // `Usual` without a usual value keeps what the payload set (the headers of a consistent
        // 2026-07-28 request); anything else replaces it.
        if matches!(choice, Choice::Usual) && value.is_none() {
            continue;
        }
        headers.retain(|(h, _)| *h != name);
        if let Some(value) = value {
            headers.push((name, value.to_owned()));
        }
    }
    let path = choose(&step.path, PATHS, None, Some(PATHS[0])).unwrap_or("/");
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in &headers {
        // Values that are not valid header bytes cannot be sent; leave them out.
        if let Ok(value) = HeaderValue::from_bytes(value.as_bytes()) {
            request = request.header(*name, value);
        }
    }
    request.body(Body::from(body)).ok()
}

fn split_steps(text: &[u8]) -> Vec<&[u8]> {
    let mut steps = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.windows(5).position(|w| w == b"\n===\n") {
        steps.push(&rest[..at]);
        rest = &rest[at + 5..];
    }
    steps.push(rest);
    steps
}

const LIMIT: Duration = Duration::from_secs(10);

async fn send(router: &Router, request: Request<Body>, context: &mut Context) {
    let shown = format!(
        "{} {} {:?}",
        request.method(),
        request.uri(),
        request.headers()
    );
    let response = tokio::time::timeout(LIMIT, router.clone().oneshot(request))
        .await
        .unwrap_or_else(|_| panic!("no response head within {LIMIT:?}: {shown}"))
        .expect("the router is infallible");
    let status = response.status();
    let content_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(id) = response
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
    {
        context.session = Some(id.to_owned());
        context.opened.push(id.to_owned());
    }
    let body = tokio::time::timeout(LIMIT, Limited::new(response.into_body(), 1 << 20).collect())
        .await
        .unwrap_or_else(|_| panic!("the {status} body did not end within {LIMIT:?}: {shown}"))
        .unwrap_or_else(|e| panic!("the {status} body could not be read ({e}): {shown}"))
        .to_bytes();
    let text = String::from_utf8_lossy(&body);
    if std::env::var_os("FUZZ_DEBUG").is_some() {
        eprintln!("{shown}\n  -> {status} {content_type:?} {text}");
    }
    assert!(
        !status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE,
        "status {status} for {shown}: {text}"
    );
    match content_type.as_deref() {
        Some("application/json") => {
            let value: Value = serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("a JSON body is not JSON ({e}): {text}"));
            if let Some(state) = find_request_state(&value) {
                context.request_state = Some(state);
            }
        }
        Some("text/event-stream") => {
            for line in text.lines() {
                let Some(data) = line.strip_prefix("data:") else {
                    continue;
                };
                let data = data.trim_start();
                if data.is_empty() {
                    continue; // a priming event
                }
                let value: Value = serde_json::from_str(data)
                    .unwrap_or_else(|e| panic!("an event is not JSON ({e}): {data}"));
                if let Some(state) = find_request_state(&value) {
                    context.request_state = Some(state);
                }
            }
        }
        _ => {}
    }
}

/// The readable form of an input (the seeds use it): this line, then up to four requests
/// separated by `===` lines. Each is a request line `METHOD PATH` (then `stateful` for the
/// stateful server), `name: value` header lines, an empty line and the body; `$session` and
/// `$state` stand for the session id and `requestState` an earlier response returned.
const TEXT_MODE: &[u8] = b"#!http\n";

fn text_request(step: &[u8], context: &Context) -> Option<(bool, Request<Body>)> {
    let earlier = |text: &str| {
        text.replace("$session", context.session.as_deref().unwrap_or(""))
            .replace("$state", context.request_state.as_deref().unwrap_or(""))
    };
    let split = step.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(at) => (&step[..at], &step[at + 2..]),
        None => (step, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.lines();
    let mut first = lines.next()?.split(' ');
    let method = Method::from_bytes(first.next()?.as_bytes()).ok()?;
    let path = first.next().unwrap_or("/mcp");
    let stateful = first.next() == Some("stateful");
    let mut request = Request::builder().method(method).uri(path);
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = earlier(value.trim());
        if let Ok(value) = HeaderValue::from_bytes(value.as_bytes()) {
            request = request.header(name.trim(), value);
        }
    }
    let body = match std::str::from_utf8(body) {
        Ok(text) => earlier(text).into_bytes(),
        Err(_) => body.to_vec(),
    };
    Some((stateful, request.body(Body::from(body)).ok()?))
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let text_steps: Vec<&[u8]>;
    let input: Input<'_>;
    let steps: Vec<Result<&Step<'_>, &[u8]>> = match data.strip_prefix(TEXT_MODE) {
        Some(text) => {
            text_steps = split_steps(text);
            text_steps.iter().map(|s| Err(*s)).collect()
        }
        None => {
            let Ok(parsed) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
                return;
            };
            input = parsed;
            input.steps.iter().map(Ok).collect()
        }
    };
    fixture.runtime.block_on(async {
        let mut context = Context::default();
        for step in steps.into_iter().take(4) {
            let built = match step {
                Ok(step) => build(step, &context).map(|r| (step.stateful, r)),
                Err(text) => text_request(text, &context),
            };
            let Some((stateful, request)) = built else {
                continue;
            };
            let router = if stateful {
                &fixture.stateful
            } else {
                &fixture.stateless
            };
            send(router, request, &mut context).await;
        }
        // Leave no session behind for the next input.
        for id in context.opened.drain(..) {
            let request = Request::builder()
                .method(Method::DELETE)
                .uri("/mcp")
                .header("host", "localhost")
                .header("mcp-session-id", id.as_str())
                .body(Body::empty())
                .expect("a DELETE request");
            let response = fixture.stateful.clone().oneshot(request).await;
            let status = response.expect("the router is infallible").status();
            assert!(
                status == StatusCode::OK || status == StatusCode::NOT_FOUND,
                "DELETE of session {id} answered {status}"
            );
        }
    });
});
