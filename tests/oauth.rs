//! The HTTP endpoint as an OAuth 2.1 resource server (`Server::oauth`), against the test
//! authorization server of `support/oauth.rs`: protected resource metadata, 401 challenges for
//! every kind of bad token, JWKS rotation with bounded refreshes, introspection, per-handler
//! scopes (listing, calling, step-up, concealment), and the token's caller binding sessions.

use std::time::Duration;

use mcp_runtime::auth::{OAuth, Unpermitted};
use mcp_runtime::prelude::*;
use mcp_tests::oauth::{AuthorizationServer, TokenSpec};
use mcp_tests::{Response, Running};
use serde_json::{json, Value};

/// Reads notes.
#[tool(read_only, scopes = ["notes:read"])]
async fn read_notes() -> String {
    "the notes".into()
}

/// Writes a note.
#[tool(scopes = ["notes:write"])]
async fn write_note(caller: Principal, text: String) -> String {
    format!("{} wrote {text}", caller.subject())
}

/// Who calls, through which client, with which scopes.
#[derive(serde::Serialize, mcp_runtime::schemars::JsonSchema)]
struct Caller {
    subject: String,
    client: Option<String>,
    scopes: Vec<String>,
    email: Option<String>,
}

/// Says who calls, through which client, with which scopes.
#[tool]
async fn whoami(caller: Principal) -> Json<Caller> {
    Json(Caller {
        subject: caller.subject().to_owned(),
        client: caller.client_id().map(str::to_owned),
        scopes: caller.scopes().map(str::to_owned).collect(),
        email: caller
            .claim("email")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// The secret plans.
#[resource("plans://secret", scopes = ["plans:read"])]
fn secret_plans() -> String {
    "world domination".into()
}

/// Public news.
#[resource("news://today")]
fn news() -> String {
    "nothing happened".into()
}

/// An admin prompt.
#[prompt(scopes = ["admin"])]
fn admin_prompt() -> String {
    "be root".into()
}

fn server() -> Server {
    Server::new()
        .tool(read_notes::tool())
        .tool(write_note::tool())
        .tool(whoami::tool())
        .resource(secret_plans::resource())
        .resource(news::resource())
        .prompt(admin_prompt::prompt())
}

/// Our server, protected by `auth`, at a URL known before it binds (the tokens' audience).
async fn protected(
    auth: &AuthorizationServer,
    configure: impl FnOnce(OAuth) -> OAuth,
    adjust: impl FnOnce(Server) -> Server,
) -> Running {
    let port = Running::free_port();
    let resource = format!("http://127.0.0.1:{port}/mcp");
    auth.set_resource(&resource);
    let oauth = configure(OAuth::new(auth.issuer(), resource));
    Running::start_at(adjust(server()).oauth(oauth), port).await
}

async fn default_server(auth: &AuthorizationServer) -> Running {
    protected(auth, |o| o, |s| s).await
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn call(running: &Running, token: &str, name: &str, arguments: Value) -> Response {
    let auth = bearer(token);
    running
        .modern_as(
            &[("Authorization", &auth)],
            "tools/call",
            json!({"name": name, "arguments": arguments}),
            json!({}),
        )
        .await
}

async fn list(running: &Running, token: &str, method: &str) -> Response {
    let auth = bearer(token);
    running
        .modern_as(&[("Authorization", &auth)], method, json!({}), json!({}))
        .await
}

fn names(response: &Response, key: &str, field: &str) -> Vec<String> {
    let mut names: Vec<String> = response.result()[key]
        .as_array()
        .unwrap_or_else(|| panic!("{}", response.json()))
        .iter()
        .map(|t| t[field].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn challenge(response: &Response) -> String {
    response
        .header("www-authenticate")
        .unwrap_or_else(|| panic!("no challenge: {} {}", response.status, response.json()))
        .to_owned()
}

async fn get(running: &Running, path: &str) -> Response {
    let raw = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    running.send(raw.as_bytes()).await
}

#[tokio::test]
async fn the_metadata_names_the_resource_its_authorization_server_and_scopes() {
    let auth = AuthorizationServer::start().await;
    let running = default_server(&auth).await;
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let r = get(&running, path).await;
        assert_eq!(r.status, 200, "{path}");
        let metadata = r.json();
        assert_eq!(metadata["resource"], running.url());
        assert_eq!(metadata["authorization_servers"], json!([auth.issuer()]));
        assert_eq!(
            metadata["scopes_supported"],
            json!(["admin", "notes:read", "notes:write", "plans:read"])
        );
        assert_eq!(metadata["bearer_methods_supported"], json!(["header"]));
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    }
    assert_eq!(
        get(&running, "/.well-known/oauth-protected-resource/other")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_request_without_a_token_is_told_where_the_metadata_is() {
    let auth = AuthorizationServer::start().await;
    let running = default_server(&auth).await;
    let r = running.modern("tools/list", json!({})).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.error_code(), -32004);
    let expected = format!(
        "Bearer resource_metadata=\"http://{}/.well-known/oauth-protected-resource/mcp\"",
        running.addr
    );
    assert_eq!(challenge(&r), expected);
    // Every era and method: a 2025-era initialize too.
    let r = running.post(&[], mcp_tests::INITIALIZE).await;
    assert_eq!(r.status, 401);
    // A malformed header is invalid_token, not "no token".
    let r = running
        .modern_as(
            &[("Authorization", "Basic YTpi")],
            "tools/list",
            json!({}),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 401);
    assert!(
        challenge(&r).contains("error=\"invalid_token\""),
        "{}",
        challenge(&r)
    );
}

#[tokio::test]
async fn a_valid_token_becomes_the_caller() {
    let auth = AuthorizationServer::start().await;
    let running = default_server(&auth).await;
    let token = auth.mint(
        &TokenSpec::new()
            .sub("alice")
            .client_id("notes-app")
            .scope("notes:read notes:write")
            .claim("email", "alice@example.com"),
    );
    let r = call(&running, &token, "whoami", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json());
    assert_eq!(
        r.result()["structuredContent"],
        json!({"subject": "alice", "client": "notes-app", "scopes": ["notes:read", "notes:write"], "email": "alice@example.com"})
    );
    let r = call(&running, &token, "write_note", json!({"text": "hi"})).await;
    assert_eq!(r.result()["content"][0]["text"], "alice wrote hi");
}

#[tokio::test]
async fn every_kind_of_bad_token_is_refused_with_invalid_token() {
    let auth = AuthorizationServer::start().await;
    let running = default_server(&auth).await;
    let spec = || TokenSpec::new().scope("notes:read");
    let cases = [
        ("expired", auth.mint(&spec().expires_in(-600))),
        (
            "not yet valid",
            auth.mint(&spec().nbf(mcp_tests::oauth::now() + 600)),
        ),
        (
            "another resource",
            auth.mint(&spec().aud("https://other.example.com/mcp")),
        ),
        ("no audience", auth.mint(&spec().without("aud"))),
        (
            "another issuer",
            auth.mint(&spec().iss("https://evil.example.com")),
        ),
        ("no expiry", auth.mint(&spec().without("exp"))),
        ("alg none", auth.mint_unsigned(&spec())),
        (
            "HMAC keyed with the JWK",
            auth.mint_hmac_with_public_key(&spec()),
        ),
        (
            "HMAC keyed with the point",
            auth.mint_hmac_with_public_point(&spec()),
        ),
        ("a key never published", auth.mint_with_foreign_key(&spec())),
        ("tampered", {
            let token = auth.mint(&spec());
            let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
            let other = auth.mint(&spec().sub("mallory"));
            parts[1] = other.split('.').nth(1).unwrap().to_owned();
            parts.join(".")
        }),
        (
            "an unknown opaque token",
            "opaque-token-nobody-issued".to_owned(),
        ),
        ("malformed", "not a token".to_owned()),
        ("too long", "a".repeat(20_000)),
    ];
    for (what, token) in cases {
        let r = call(&running, &token, "read_notes", json!({})).await;
        assert_eq!(r.status, 401, "{what}: {}", r.json());
        assert_eq!(r.error_code(), -32004, "{what}");
        let challenge = challenge(&r);
        assert!(
            challenge.contains("error=\"invalid_token\"")
                && challenge.contains("resource_metadata="),
            "{what}: {challenge}"
        );
        assert!(
            !challenge.contains(&token),
            "{what}: the challenge repeats the token"
        );
    }
    // The same token, valid, passes: the refusals were about the token.
    let r = call(&running, &auth.mint(&spec()), "read_notes", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json());
}

#[tokio::test]
async fn a_rotated_key_is_fetched_once_and_unknown_key_ids_cannot_hammer_the_jwks() {
    let auth = AuthorizationServer::start().await;
    let running = protected(
        &auth,
        |o| o.key_refresh_interval(Duration::from_millis(300)),
        |s| s,
    )
    .await;
    let spec = || TokenSpec::new().scope("notes:read");
    let r = call(&running, &auth.mint(&spec()), "read_notes", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json());
    let fetched = auth.jwks_fetches();
    assert_eq!(fetched, 1);
    // Fifty tokens naming made-up keys, at once: at most one more fetch.
    let forged: Vec<String> = (0..50)
        .map(|i| auth.mint(&spec().kid(format!("made-up-{i}"))))
        .collect();
    let calls = forged
        .iter()
        .map(|t| call(&running, t, "read_notes", json!({})));
    for r in futures_util::future::join_all(calls).await {
        assert_eq!(r.status, 401);
    }
    assert!(
        auth.jwks_fetches() <= fetched + 1,
        "{} fetches",
        auth.jwks_fetches()
    );
    // The authorization server rotates its key: after the interval, its new tokens work.
    auth.rotate();
    tokio::time::sleep(Duration::from_millis(350)).await;
    let r = call(&running, &auth.mint(&spec()), "read_notes", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json());
}

#[tokio::test]
async fn opaque_tokens_are_introspected_and_revocation_is_honoured() {
    let auth = AuthorizationServer::start().await;
    let (id, secret) = auth.resource_client();
    let endpoint = auth.introspection_endpoint();
    let running = protected(&auth, |o| o.introspection(endpoint, id, secret), |s| s).await;
    let token = auth.issue_opaque(&TokenSpec::new().sub("bob").scope("notes:read"));
    let r = call(&running, &token, "whoami", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json());
    assert_eq!(r.result()["structuredContent"]["subject"], "bob");
    let asked = auth.introspections();
    let r = call(&running, &token, "read_notes", json!({})).await;
    assert_eq!(r.status, 200);
    assert_eq!(auth.introspections(), asked, "an active answer is cached");

    let revoked = auth.issue_opaque(&TokenSpec::new().sub("bob").scope("notes:read"));
    auth.revoke(&revoked);
    let r = call(&running, &revoked, "read_notes", json!({})).await;
    assert_eq!(r.status, 401, "{}", r.json());
    let other = auth.issue_opaque(&TokenSpec::new().aud("https://other.example.com/mcp"));
    assert_eq!(
        call(&running, &other, "whoami", json!({})).await.status,
        401
    );
}

#[tokio::test]
async fn a_caller_sees_and_calls_only_what_its_scopes_allow_and_can_step_up() {
    let auth = AuthorizationServer::start().await;
    let running = default_server(&auth).await;
    let reader = auth.mint(&TokenSpec::new().scope("notes:read"));
    let r = list(&running, &reader, "tools/list").await;
    assert_eq!(names(&r, "tools", "name"), ["read_notes", "whoami"]);
    let r = list(&running, &reader, "resources/list").await;
    assert_eq!(names(&r, "resources", "uri"), ["news://today"]);
    let r = list(&running, &reader, "prompts/list").await;
    assert_eq!(names(&r, "prompts", "name"), Vec::<String>::new());

    let r = call(&running, &reader, "write_note", json!({"text": "x"})).await;
    assert_eq!(r.status, 403, "{}", r.json());
    assert_eq!(r.error_code(), -32003);
    assert_eq!(
        r.json()["error"]["data"]["requiredScopes"],
        json!(["notes:write"])
    );
    let challenge = challenge(&r);
    assert!(
        challenge.starts_with("Bearer error=\"insufficient_scope\", scope=\"notes:write\"")
            && challenge.contains("resource_metadata="),
        "{challenge}"
    );
    let auth_header = bearer(&reader);
    let headers = [("Authorization", auth_header.as_str())];
    let r = running
        .modern_as(
            &headers,
            "resources/read",
            json!({"uri": "plans://secret"}),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = running
        .modern_as(
            &headers,
            "prompts/get",
            json!({"name": "admin_prompt"}),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 403);

    // Discovery does not announce prompts to a caller who may use none of them.
    let r = list(&running, &reader, "server/discover").await;
    let capabilities = &r.result()["capabilities"];
    assert!(capabilities.get("tools").is_some() && capabilities.get("resources").is_some());
    assert!(capabilities.get("prompts").is_none(), "{capabilities}");
    let admin = auth.mint(&TokenSpec::new().scope("admin"));
    let r = list(&running, &admin, "server/discover").await;
    assert!(r.result()["capabilities"].get("prompts").is_some());

    // Step-up: a token with the scope it was told of.
    let writer = auth.mint(&TokenSpec::new().scope("notes:read notes:write"));
    let r = call(&running, &writer, "write_note", json!({"text": "x"})).await;
    assert_eq!(r.status, 200, "{}", r.json());
    let r = list(&running, &writer, "tools/list").await;
    assert_eq!(
        names(&r, "tools", "name"),
        ["read_notes", "whoami", "write_note"]
    );
}

#[tokio::test]
async fn a_server_may_conceal_what_a_caller_may_not_use() {
    let auth = AuthorizationServer::start().await;
    let running = protected(&auth, |o| o, |s| s.unpermitted(Unpermitted::NotFound)).await;
    let reader = auth.mint(&TokenSpec::new().scope("notes:read"));
    let hidden = call(&running, &reader, "write_note", json!({"text": "x"})).await;
    let missing = call(&running, &reader, "no_such_tool", json!({})).await;
    assert_eq!(hidden.status, 200);
    assert_eq!(hidden.error_code(), missing.error_code());
    assert_eq!(
        hidden.json()["error"]["message"]
            .as_str()
            .unwrap()
            .replace("write_note", "N"),
        missing.json()["error"]["message"]
            .as_str()
            .unwrap()
            .replace("no_such_tool", "N"),
    );
    assert!(hidden.header("www-authenticate").is_none());
}

#[tokio::test]
async fn a_session_belongs_to_the_tokens_subject() {
    let auth = AuthorizationServer::start().await;
    let running = protected(&auth, |o| o, |s| s.force_mode(mcp_runtime::Mode::Stateful)).await;
    let alice = bearer(&auth.mint(&TokenSpec::new().sub("alice").scope("notes:read")));
    let bob = bearer(&auth.mint(&TokenSpec::new().sub("bob").scope("notes:read")));
    let r = running
        .post(&[("Authorization", &alice)], mcp_tests::INITIALIZE)
        .await;
    assert_eq!(r.status, 200, "{}", r.json());
    let session = r.header("mcp-session-id").expect("a session").to_owned();
    let body = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "whoami", "arguments": {}}})
    .to_string();
    let as_whom = |header: &str| {
        [
            ("Authorization", header.to_owned()),
            ("Mcp-Session-Id", session.clone()),
            ("MCP-Protocol-Version", "2025-11-25".to_owned()),
        ]
    };
    let headers = as_whom(&bob);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = running.post(&headers, &body).await;
    assert_eq!(r.status, 404, "bob used alice's session: {}", r.json());
    let headers = as_whom(&alice);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = running.post(&headers, &body).await;
    assert_eq!(r.status, 200, "{}", r.json());
    assert_eq!(
        r.last_message()["result"]["structuredContent"]["subject"],
        "alice"
    );
    // Ending it takes a token too, and the right one.
    let delete = |header: &str| {
        let headers = [
            ("Host", "127.0.0.1"),
            ("Authorization", header),
            ("Mcp-Session-Id", session.as_str()),
        ];
        mcp_tests::request("DELETE", &headers, b"")
    };
    assert_eq!(running.send(&delete("Bearer nope")).await.status, 401);
    assert_eq!(running.send(&delete(&bob)).await.status, 404);
    assert_eq!(running.send(&delete(&alice)).await.status, 200);
}

#[tokio::test]
async fn the_official_typescript_clients_find_the_metadata_and_see_only_what_they_may_use() {
    let Some(home) = mcp_tests::peers::interop_home() else {
        return;
    };
    for sdk in ["ts-v1", "ts-v2"] {
        let auth = AuthorizationServer::start().await;
        auth.register_client("agent", "s3cret", &["notes:read"]);
        let running = default_server(&auth).await;
        let url = running.url();
        let args = [
            "agent",
            "s3cret",
            "--issuer",
            auth.issuer(),
            "--scope",
            "notes:read",
            "read_notes",
            "whoami",
            "write_note={\"text\":\"hi\"}",
        ];
        let run = mcp_tests::peers::script(&home, sdk, "oauth_client", &url, &args).await;
        assert!(run.success, "{sdk}: {run:#?}");
        let out = run.find("tools");
        assert_eq!(
            out["tools"],
            json!(["read_notes", "whoami"]),
            "{sdk}: {out:#}"
        );
        assert_eq!(
            out["calls"]["read_notes"],
            json!({"ok": true, "text": "the notes"}),
            "{sdk}"
        );
        let whoami = out["calls"]["whoami"]["text"].as_str().unwrap_or_default();
        assert!(whoami.contains("\"subject\":\"agent\""), "{sdk}: {whoami}");
        assert_eq!(out["calls"]["write_note"]["ok"], false, "{sdk}: {out:#}");
        // On the first 401 the client read this server's metadata, then got a token for it.
        let metadata = format!("{}/.well-known/oauth-protected-resource/mcp", running.addr);
        let http = out["http"].to_string();
        assert!(http.contains(&metadata), "{sdk}: {http}");
        let log = auth.token_request_log();
        assert!(!log.is_empty(), "{sdk}");
        assert!(log.iter().all(|r| r.resources == [url.as_str()]), "{log:?}");
        assert!(
            log.iter()
                .all(|r| r.granted.as_deref() == Some("notes:read")),
            "{log:?}"
        );
    }
}

#[tokio::test]
async fn the_official_python_client_with_a_bearer_token_sees_only_what_it_may_use() {
    let Some(home) = mcp_tests::peers::interop_home() else {
        return;
    };
    let auth = AuthorizationServer::start().await;
    let running = default_server(&auth).await;
    let token = auth.mint(&TokenSpec::new().sub("carol").scope("notes:read"));
    for mode in ["2026-07-28", "legacy"] {
        let args = [
            token.as_str(),
            "--mode",
            mode,
            "--call",
            "read_notes",
            "--call",
            "write_note",
        ];
        let run =
            mcp_tests::peers::script(&home, "py", "bearer_client", &running.url(), &args).await;
        assert!(run.success, "{mode}: {run:#?}");
        assert_eq!(
            run.find("tools")["tools"],
            json!(["read_notes", "whoami"]),
            "{mode}"
        );
        let calls: Vec<&Value> = run
            .lines
            .iter()
            .filter(|l| l.get("call").is_some())
            .collect();
        assert_eq!(calls[0]["text"], "the notes", "{mode}: {run:#?}");
        assert_eq!(calls[1]["ok"], false, "{mode}: {run:#?}");
    }
    // Without a token the client gets nothing.
    let run =
        mcp_tests::peers::script(&home, "py", "bearer_client", &running.url(), &["nope"]).await;
    assert!(!run.success, "{run:#?}");
}
