//! Shared helpers for the integration tests: a server on a free loopback port, a raw
//! HTTP/1.1 client that can send exactly the bytes a test needs (bad headers, chunked bodies),
//! and the official MCP clients as real peers ([`peers`]).

pub mod oauth;
pub mod peers;
pub mod proxy;
pub mod redis;

use std::net::SocketAddr;
use std::time::Duration;

use mcp_runtime::Server;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// A server running on `127.0.0.1:0` until dropped.
#[derive(Debug)]
pub struct Running {
    /// The bound address.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl Running {
    /// Binds `server` to a free port and runs it in the background.
    pub async fn start(server: Server) -> Self {
        Self::start_at(server, 0).await
    }

    /// A port no one listens on now (for a server that must know its URL before it binds).
    pub fn free_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    }

    /// Binds `server` to `port` on loopback (0: a free one) and runs it in the background.
    pub async fn start_at(server: Server, port: u16) -> Self {
        let listening = server
            .bind(format!("127.0.0.1:{port}"))
            .await
            .expect("bind");
        let addr = listening.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(listening.run_until(async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            stop: Some(stop),
        }
    }

    /// A handle to a server something else runs at `addr` (it is not stopped on drop).
    pub fn at(addr: SocketAddr) -> Self {
        Self { addr, stop: None }
    }

    /// Serves an axum router (an MCP endpoint with the application's layers) in the background.
    pub async fn start_router(router: axum::Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        Self {
            addr,
            stop: Some(serve_in_background(listener, router)),
        }
    }

    /// The endpoint URL.
    pub fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }

    /// Sends a raw request and reads the whole response.
    pub async fn send(&self, request: &[u8]) -> Response {
        let stream = TcpStream::connect(self.addr).await.expect("connect");
        exchange(stream, request).await
    }

    /// Sends a raw request from another loopback address (`127.0.0.2`...: another client, as
    /// far as per-client quotas go) and reads the whole response.
    pub async fn send_from(&self, source: std::net::IpAddr, request: &[u8]) -> Response {
        exchange(self.connect_from(source).await, request).await
    }

    /// Opens a 2025-era session (`initialize` with the sampling capability); its id.
    pub async fn initialize(&self) -> String {
        let r = self.post(&[], INITIALIZE).await;
        assert_eq!(r.status, 200, "{}", r.json());
        r.header("mcp-session-id")
            .expect("a stateful server's session id")
            .to_owned()
    }

    /// A connection to the server from `source`.
    pub async fn connect_from(&self, source: std::net::IpAddr) -> TcpStream {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket
            .bind(SocketAddr::new(source, 0))
            .expect("bind the source address");
        socket.connect(self.addr).await.expect("connect")
    }

    /// Sends a raw request and returns the open connection, to read its events as they come.
    pub async fn open(&self, request: &[u8]) -> EventReader {
        let mut stream = TcpStream::connect(self.addr).await.expect("connect");
        stream.write_all(request).await.expect("write");
        EventReader {
            stream,
            seen: String::new(),
            consumed: 0,
        }
    }

    /// POSTs `body` with the standard headers plus `extra`.
    pub async fn post(&self, extra: &[(&str, &str)], body: &str) -> Response {
        let mut headers = vec![
            ("Host", "127.0.0.1"),
            ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream"),
        ];
        for (k, v) in extra {
            headers.retain(|(h, _)| !h.eq_ignore_ascii_case(k));
            headers.push((k, v));
        }
        self.send(&request("POST", &headers, body.as_bytes())).await
    }

    /// POSTs a 2025-era JSON-RPC request.
    pub async fn legacy(&self, method: &str, params: Value) -> Response {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        self.post(&[("MCP-Protocol-Version", "2025-11-25")], &body.to_string())
            .await
    }

    /// POSTs a 2026-07-28 request with `_meta` and the required headers.
    pub async fn modern(&self, method: &str, params: Value) -> Response {
        self.modern_with(method, params, json!({})).await
    }

    /// The same, with extra `_meta` entries (`progressToken`, `logLevel`, capabilities...).
    pub async fn modern_with(&self, method: &str, params: Value, extra_meta: Value) -> Response {
        self.modern_as(&[], method, params, extra_meta).await
    }

    /// The same, with extra headers too (`x-user` for [`authenticate`]).
    pub async fn modern_as(
        &self,
        extra_headers: &[(&str, &str)],
        method: &str,
        mut params: Value,
        extra_meta: Value,
    ) -> Response {
        let mut meta = modern_meta();
        if let (Some(meta), Some(extra)) = (meta.as_object_mut(), extra_meta.as_object()) {
            meta.extend(extra.clone());
        }
        params["_meta"] = meta;
        let name = routing_name(&params);
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let mut headers = vec![
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", method),
        ];
        if let Some(name) = name.as_deref() {
            headers.push(("Mcp-Name", name));
        }
        headers.extend_from_slice(extra_headers);
        self.post(&headers, &body.to_string()).await
    }

    /// A `tools/call` with `params` as a client of `version` (a stateless exchange: no
    /// session), with `extra` headers.
    pub async fn call_as(
        &self,
        version: &str,
        extra: &[(&str, &str)],
        mut params: Value,
    ) -> Response {
        let modern = version == "2026-07-28";
        let name = params["name"].as_str().unwrap_or_default().to_owned();
        let mut headers = vec![("MCP-Protocol-Version", version)];
        if modern {
            params["_meta"] = modern_meta();
            headers.extend([("Mcp-Method", "tools/call"), ("Mcp-Name", name.as_str())]);
        }
        headers.extend_from_slice(extra);
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params});
        self.post(&headers, &body.to_string()).await
    }
}

/// Serves `router` on `listener` until the returned sender is used or dropped.
pub fn serve_in_background(
    listener: tokio::net::TcpListener,
    router: axum::Router,
) -> oneshot::Sender<()> {
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    stop
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Writes `request` on `stream` and reads the whole response.
async fn exchange(mut stream: TcpStream, request: &[u8]) -> Response {
    stream.write_all(request).await.expect("write");
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw))
        .await
        .expect("the server answers within 10 s")
        .expect("read");
    Response::parse(&raw)
}

/// A 2025-era `initialize` declaring the sampling capability.
pub const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"sampling":{}},"clientInfo":{"name":"tests","version":"1"}}}"#;

/// The headers of a 2025-era request, in `session` if given.
pub fn legacy_headers(session: Option<&str>) -> Vec<(&str, &str)> {
    let mut headers = vec![
        ("Host", "127.0.0.1"),
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
        ("MCP-Protocol-Version", "2025-11-25"),
    ];
    if let Some(session) = session {
        headers.push(("Mcp-Session-Id", session));
    }
    headers
}

/// A 2025-era POST of `body`, in `session` if given (`Connection: close`).
pub fn legacy_request(body: &str, session: Option<&str>) -> Vec<u8> {
    request("POST", &legacy_headers(session), body.as_bytes())
}

/// A 2026-07-28 POST of `method` with `params` (its `_meta` and headers added; `Connection:
/// close`).
pub fn modern_request(method: &str, mut params: Value) -> Vec<u8> {
    params["_meta"] = modern_meta();
    let name = routing_name(&params);
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    let mut headers = vec![
        ("Host", "127.0.0.1"),
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", method),
    ];
    if let Some(name) = name.as_deref() {
        headers.push(("Mcp-Name", name));
    }
    request("POST", &headers, body.as_bytes())
}

/// The same request on a connection kept open after it (for pipelining).
pub fn kept_alive(request: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8(request).expect("a request formatted here");
    text.replacen("Connection: close\r\n", "", 1).into_bytes()
}

/// A response read event by event while it streams.
#[derive(Debug)]
pub struct EventReader {
    stream: TcpStream,
    seen: String,
    consumed: usize,
}

impl EventReader {
    /// The next `data:` message, or `None` when the response ends.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            let pending = &self.seen[self.consumed..];
            // Complete lines only; priming events (an id with empty data) carry no message.
            let found = pending
                .split_inclusive('\n')
                .filter(|l| l.ends_with('\n'))
                .find(|l| l.starts_with("data: ") && l.trim_end().len() > "data:".len());
            if let Some(line) = found {
                let at = pending.find(line).expect("found above") + self.consumed;
                self.consumed = at + line.len();
                let json = line["data: ".len()..].trim_end();
                return Some(serde_json::from_str(json).expect("JSON event"));
            }
            let mut buf = vec![0u8; 8192];
            let n = tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut buf))
                .await
                .expect("an event within 10 s")
                .expect("read");
            if n == 0 {
                return None;
            }
            self.seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }

    /// Everything received so far (head included).
    pub fn received(&self) -> &str {
        &self.seen
    }

    /// Whether the server ends the response (or closes the connection) within `limit`,
    /// reading whatever comes before.
    pub async fn ends_within(&mut self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        let mut buf = vec![0u8; 8192];
        loop {
            match tokio::time::timeout_at(deadline, self.stream.read(&mut buf)).await {
                Err(_) => return false,
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(n)) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
    }
}

/// What a 2026-07-28 request's `Mcp-Name` header repeats: the tool or prompt name, the
/// resource URI, or the task id.
fn routing_name(params: &Value) -> Option<String> {
    ["name", "uri", "taskId"]
        .iter()
        .find_map(|key| params.get(*key)?.as_str())
        .map(str::to_owned)
}

/// The `_meta` of a 2026-07-28 request.
pub fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "0"},
    })
}

/// Puts the caller named by an `x-user` header into the request, as an application's
/// authentication layer would; whether there was one.
pub fn take_principal(request: &mut axum::extract::Request) -> bool {
    let Some(user) = request
        .headers()
        .get("x-user")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let principal = mcp_runtime::auth::Principal::new(user);
    request.extensions_mut().insert(principal);
    true
}

/// A middleware that authenticates by [`take_principal`].
pub async fn authenticate(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    take_principal(&mut request);
    next.run(request).await
}

/// A raw `subscriptions/listen` request (2026-07-28) for the notifications in `filter`.
pub fn listen_request(id: u32, filter: Value) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": "subscriptions/listen",
        "params": {"_meta": modern_meta(), "notifications": filter}});
    let headers = [
        ("Host", "localhost"),
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "subscriptions/listen"),
    ];
    request("POST", &headers, body.to_string().as_bytes())
}

/// Formats an HTTP/1.1 request with `Content-Length` and `Connection: close`.
pub fn request(method: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} /mcp HTTP/1.1\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header names (lowercase) and values.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Response {
    /// Parses a complete raw HTTP/1.1 response (a chunked or a streamed body included).
    pub fn parse(raw: &[u8]) -> Self {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete response head");
        let head = std::str::from_utf8(&raw[..split]).expect("ASCII head");
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
        {
            body = dechunk(&body);
        }
        Self {
            status,
            headers,
            body,
        }
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The messages of a `text/event-stream` body, in order (keep-alive comments skipped).
    pub fn events(&self) -> Vec<Value> {
        assert_eq!(
            self.header("content-type"),
            Some("text/event-stream"),
            "not a stream"
        );
        String::from_utf8_lossy(&self.body)
            .split("\n\n")
            .filter_map(|event| {
                let data: Vec<&str> = event
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: "))
                    .collect();
                (!data.is_empty())
                    .then(|| serde_json::from_str(&data.join("\n")).expect("JSON event"))
            })
            .collect()
    }

    /// The final JSON-RPC message: the body, or the last event of a stream.
    pub fn last_message(&self) -> Value {
        if self.header("content-type") == Some("text/event-stream") {
            self.events()
                .pop()
                .expect("a stream ends with the response")
        } else {
            self.json()
        }
    }

    /// The JSON-RPC error code of the body.
    pub fn error_code(&self) -> i64 {
        self.json()["error"]["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("no error code in {}", self.json()))
    }

    /// The JSON-RPC `result` of the body.
    pub fn result(&self) -> Value {
        let body = self.json();
        assert!(body.get("error").is_none(), "unexpected error: {body}");
        body["result"].clone()
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = body.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[end + 2..end + 2 + size]);
        body = &body[end + 4 + size..];
    }
}
