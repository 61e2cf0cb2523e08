//! The servers `bench/run.sh` and `bench/soak.sh` measure, shared by the `bench-server` and
//! `soak-server` binaries. Run with:
//! `cargo run --release -p mcp-bench --bin bench-server -- MODE [PORT]`, where MODE is one of:
//! - `stateless`: `add`, a progress tool (`count`) and 1,000 generated tools listed on one
//!   page;
//! - `stateful`: the same plus a client-input tool (`confirm`, multi round-trip for
//!   2026-07-28 clients) and a `Session` tool, so 2025-era clients get sessions;
//! - `stdio`: the stateless server on standard input and output;
//! - `tasks`: `add` and `job` (a tool that runs as a task, `ms` milliseconds), keeping up to
//!   10,000,000 tasks for `MCP_TASK_TTL_MS` (default 10,000) each;
//! - `oauth` / `oauth-uncached`: the stateless server as an OAuth resource server, with its own
//!   test authorization server (an ES256 key, JWKS on loopback) in the process; it writes a
//!   token granting every scope to `target/bench-oauth-token` (or `MCP_BENCH_TOKEN_FILE`).
//!   `oauth` remembers validated tokens (the default); `oauth-uncached` checks the signature
//!   and claims of every request (keys cached);
//! - `bare-list`: a bare axum handler answering `tools/list` with the bytes of the SDK's
//!   1,000-tool listing (the ceiling for a body of that size).
//!
//! Both SDK modes announce changes: `subscriptions/listen` streams stay open, and the `touch`
//! tool tells every listener that the tool list changed (the SSE soak, `bench/soak.py`).
//!
//! With `MCP_REDIS_URL` set, both SDK modes (of `bench-server` and `soak-server`) share what
//! several processes of one server must through a `RedisStore` on that URL, with the key prefix
//! `MCP_REDIS_PREFIX` (default `mcp-bench`): 2025-era sessions, change notifications
//! (`bench/redis.sh`).

use std::sync::OnceLock;

use mcp_runtime::extract::{Elicitation, Elicitor, FromCall, InputError, Param, Progress};
use mcp_runtime::invocation::Invocation;
use mcp_runtime::prelude::*;
use mcp_runtime::session::Session;
use mcp_runtime::store::RedisStore;
use mcp_runtime::tool::ToolDef;
use mcp_runtime::Mode;

// The tools are `async fn`s: quick work that never blocks. A plain `fn` would run on the
// blocking pool, as a handler that may block must.

/// A test authorization server for this server at `addr`, and how to trust it (`cached`: with
/// the validated-token cache, else none); writes a token for the load generator.
async fn oauth(
    addr: &str,
    cached: bool,
) -> Result<
    (
        mcp_runtime::auth::OAuth,
        mcp_tests::oauth::AuthorizationServer,
    ),
    mcp_runtime::Error,
> {
    let resource = format!("http://{addr}/mcp");
    let issuer = mcp_tests::oauth::AuthorizationServer::start_for(&resource).await;
    let token = issuer.mint(
        &mcp_tests::oauth::TokenSpec::new()
            .expires_in(24 * 3600)
            .scope("bench"),
    );
    let file =
        std::env::var("MCP_BENCH_TOKEN_FILE").unwrap_or_else(|_| "target/bench-oauth-token".into());
    std::fs::write(&file, &token)?;
    let mut oauth = mcp_runtime::auth::OAuth::new(issuer.issuer(), resource);
    if !cached {
        oauth = oauth.token_cache(0, std::time::Duration::ZERO);
    }
    Ok((oauth, issuer))
}

/// Adds two integers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Reports progress once, then answers.
#[tool]
async fn count(progress: Progress) -> &'static str {
    progress.report(1.0, Some(1.0), None);
    "counted"
}

/// Tells every listener that the tool list changed.
#[tool]
async fn touch(notifier: mcp_runtime::Notifier) -> &'static str {
    notifier.tools_changed();
    "touched"
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Confirm {
    ok: bool,
}

/// Asks the user to confirm (one multi round-trip exchange for 2026-07-28 clients).
#[tool]
async fn confirm(elicitor: Elicitor) -> Result<String, InputError> {
    Ok(
        match elicitor
            .form_keyed::<Confirm>(Some("confirm"), "Proceed?")
            .await?
        {
            Elicitation::Accept(c) => format!("confirmed={}", c.ok),
            _ => "declined".into(),
        },
    )
}

/// Names the session (only registered in stateful mode): built by hand, without the macro.
fn session_tool() -> &'static ToolDef {
    const SESSION: Param = Param::of::<Session>("session");
    fn call(context: &mut mcp_runtime::extract::CallContext<'_>) -> Invocation {
        match Session::from_call(context, &SESSION) {
            Ok(session) => Invocation::Ready(ToolResult::text(session.id().to_owned())),
            Err(e) => Invocation::rejected(e),
        }
    }
    static SESSION_ID: ToolDef = ToolDef::new("session_id", call)
        .description("The session's id.")
        .params(&[SESSION]);
    &SESSION_ID
}

/// Works for `ms` milliseconds: a task for a client that declares the tasks extension.
#[tool(task = "optional")]
async fn job(ms: u64) -> String {
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    "done".to_owned()
}

/// The server of the task benchmark (`bench/tasks.sh`).
pub fn tasks_server() -> Server {
    let ttl = std::env::var("MCP_TASK_TTL_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(10_000);
    Server::new()
        .name("bench-tasks")
        .tool(add::tool())
        .tool(job::tool())
        .task_ttl(std::time::Duration::from_millis(ttl))
        .task_limits(10_000_000, 10_000_000)
        .connections_per_client(usize::MAX)
}

/// 1,000 tools with one argument each, for the `tools/list` scenario.
fn generated_tools() -> impl Iterator<Item = &'static ToolDef> {
    const QUERY: Param = Param::argument::<String>("query").description("What to look up");
    (0..1000).map(|i| {
        let name: &'static str = Box::leak(format!("lookup_{i:04}").into_boxed_str());
        let description: &'static str =
            Box::leak(format!("Looks up entry {i} of the catalogue.").into_boxed_str());
        &*Box::leak(Box::new(
            ToolDef::new(name, |_| Invocation::Ready(ToolResult::text("found")))
                .description(description)
                .params(std::slice::from_ref(&QUERY))
                .input_schema(|schema| schema.property::<String>(&QUERY)),
        ))
    })
}

/// The SDK server of `mode`.
pub fn server(mode: Mode) -> Server {
    let mut server = Server::new().name("bench").page_size(1000);
    let stateful = mode == Mode::Stateful;
    server = server
        .tool(add::tool())
        .tool(count::tool())
        .tool(touch::tool());
    for tool in generated_tools() {
        server = server.tool(tool);
    }
    if stateful {
        server = server
            .tool(confirm::tool())
            .tool(session_tool())
            .max_sessions(1_000_000);
    }
    // Listeners are served only by a server that announces changes.
    let _ = server.notifier();
    // The load generator is one client holding thousands of sessions and streams: the
    // per-client quotas that keep one client from taking everything would measure themselves.
    server
        .sessions_per_client(usize::MAX)
        .streams_per_client(usize::MAX)
        .connections_per_client(usize::MAX)
        .force_mode(mode)
}

/// The legacy `tools/list` result of the 1,000-tool server, as JSON-RPC result bytes.
pub async fn listing() -> &'static [u8] {
    static LISTING: OnceLock<Vec<u8>> = OnceLock::new();
    if let Some(bytes) = LISTING.get() {
        return bytes;
    }
    let client = mcp_runtime::testing::TestClient::new(server(Mode::Stateless))
        .expect("a valid server")
        .legacy();
    let result = client
        .request("tools/list", serde_json::json!({}))
        .await
        .expect("a listing");
    LISTING.get_or_init(|| serde_json::to_vec(&result).expect("JSON"))
}

/// The bare axum ceiling for `tools/list`: parses the JSON-RPC envelope, answers the listing.
pub async fn bare_list(body: bytes::Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    #[derive(serde::Deserialize)]
    struct Request<'a> {
        #[serde(borrow)]
        id: &'a serde_json::value::RawValue,
        #[allow(dead_code)]
        method: &'a str,
    }
    let Ok(request) = serde_json::from_slice::<Request<'_>>(&body) else {
        return axum::http::StatusCode::BAD_REQUEST.into_response();
    };
    let result = listing().await;
    let mut out = Vec::with_capacity(result.len() + 64);
    out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
    out.extend_from_slice(request.id.get().as_bytes());
    out.extend_from_slice(br#","result":"#);
    out.extend_from_slice(result);
    out.push(b'}');
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        out,
    )
        .into_response()
}

/// Runs the server `MODE [PORT]` from the command line names (see the crate docs).
///
/// `extra` tools are served besides the benchmark's own (the soak server's heap counter).
pub async fn run(
    mode: &str,
    port: &str,
    extra: &[&'static ToolDef],
) -> Result<(), mcp_runtime::Error> {
    let with_extra = |mut server: Server| {
        for &tool in extra {
            server = server.tool(tool);
        }
        server
    };
    let addr = format!("127.0.0.1:{port}");
    match mode {
        "bare-list" => {
            listing().await;
            let app = axum::Router::new().route("/mcp", axum::routing::post(bare_list));
            let listener = tokio::net::TcpListener::bind(&addr).await?;
            eprintln!("bench-server: bare-list at http://{addr}/mcp");
            axum::serve(listener, app).await?;
            Ok(())
        }
        "stateless" | "stateful" | "tasks" | "oauth" | "oauth-uncached" => {
            let mut server = match mode {
                "stateful" => with_extra(server(Mode::Stateful)),
                "tasks" => tasks_server(),
                _ => with_extra(server(Mode::Stateless)),
            };
            // Kept alive as long as the server: it serves the JWKS.
            let mut _issuer = None;
            if let Some(cached) = mode.strip_prefix("oauth").map(str::is_empty) {
                let (oauth, issuer) = oauth(&addr, cached).await?;
                server = server.oauth(oauth);
                _issuer = Some(issuer);
            }
            if let Ok(url) = std::env::var("MCP_REDIS_URL") {
                let prefix =
                    std::env::var("MCP_REDIS_PREFIX").unwrap_or_else(|_| "mcp-bench".into());
                eprintln!("bench-server: sharing through Redis at {url}, prefix `{prefix}`");
                server = server.store(RedisStore::connect(&url)?.prefix(prefix));
            }
            let listening = server.bind(addr).await?;
            eprintln!("bench-server: {mode} at {}", listening.url());
            listening.run().await
        }
        // The stateless server on stdin and stdout (the port is not used).
        "stdio" => with_extra(server(Mode::Stateless)).serve_stdio().await,
        other => Err(mcp_runtime::Error::Config(format!(
            "unknown mode `{other}`"
        ))),
    }
}
