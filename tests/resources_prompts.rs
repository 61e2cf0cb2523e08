//! Resources, templates, prompts and completions over real HTTP, in both eras.

use std::time::Duration;

use mcp_runtime::prelude::*;
use mcp_runtime::protocol::CacheScope;
use mcp_tests::Running;
use serde_json::json;

/// The app's settings.
#[resource("config://app", mime_type = "application/json", audience = ["user"], priority = 0.8)]
fn settings() -> &'static str {
    r#"{"theme":"dark"}"#
}

/// A user's profile.
#[resource("users://{id}/profile", ttl_ms = 5000, cache_scope = "private")]
async fn profile(id: u32) -> Result<String, String> {
    if id == 0 {
        Err("user 0 is reserved".into())
    } else {
        Ok(format!("profile of user {id}"))
    }
}

/// A file's bytes.
#[resource("files:///{+path}{?limit}", mime_type = "application/octet-stream")]
fn file(path: String, limit: Option<usize>) -> Vec<u8> {
    let mut bytes = path.into_bytes();
    bytes.truncate(limit.unwrap_or(usize::MAX));
    bytes
}

/// Asks for a code review.
#[prompt(title = "Code review")]
fn review(
    /// The code to review
    code: String,
    /// Its language
    language: Option<String>,
    /// How many issues to list at most
    max_issues: Option<u8>,
) -> Vec<PromptMessage> {
    vec![
        PromptMessage::user(format!(
            "Review this {} code and list at most {} issues:",
            language.as_deref().unwrap_or("unknown"),
            max_issues.unwrap_or(3)
        )),
        PromptMessage::user(code),
    ]
}

/// Suggests languages.
#[complete(prompt = "review", argument = "language")]
fn languages(partial: String) -> Vec<&'static str> {
    ["go", "python", "rust", "ruby"]
        .into_iter()
        .filter(|l| l.starts_with(&partial))
        .collect()
}

/// Suggests user ids after the other arguments.
#[complete(resource = "users://{id}/profile", argument = "id")]
async fn user_ids(partial: String, context: CompletionContext) -> Vec<String> {
    let _ = context.argument("unused");
    (1..=150)
        .map(|i| i.to_string())
        .filter(|i| i.starts_with(&partial))
        .collect()
}

async fn server() -> Running {
    Running::start(Server::from_registry().list_cache(Duration::from_secs(60), CacheScope::Public))
        .await
}

#[tokio::test]
async fn capabilities_follow_what_is_registered() {
    let s = server().await;
    let caps = s.legacy("initialize", json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}})).await.result()["capabilities"].clone();
    assert_eq!(
        caps,
        json!({"resources": {}, "prompts": {}, "completions": {}})
    );
    // No tools registered here: no tools methods either.
    let r = s.modern("tools/list", json!({})).await;
    assert_eq!((r.status, r.error_code()), (404, -32601));
}

#[tokio::test]
async fn lists_resources_and_templates() {
    let s = server().await;
    let list = s.modern("resources/list", json!({})).await.result();
    assert_eq!(
        list["resources"],
        json!([{
            "uri": "config://app", "name": "settings", "description": "The app's settings.",
            "mimeType": "application/json", "annotations": {"audience": ["user"], "priority": 0.8}
        }])
    );
    assert_eq!(
        (list["ttlMs"].as_u64(), list["cacheScope"].as_str()),
        (Some(60_000), Some("public"))
    );
    let templates = s
        .legacy("resources/templates/list", json!({}))
        .await
        .result();
    let uris: Vec<&str> = templates["resourceTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["uriTemplate"].as_str().unwrap())
        .collect();
    assert_eq!(uris, ["files:///{+path}{?limit}", "users://{id}/profile"]);
}

#[tokio::test]
async fn reads_static_resources_and_templates() {
    let s = server().await;
    let read = s
        .modern("resources/read", json!({"uri": "config://app"}))
        .await
        .result();
    assert_eq!(
        read["contents"],
        json!([{"uri": "config://app", "mimeType": "application/json", "text": "{\"theme\":\"dark\"}"}])
    );
    assert_eq!(read["ttlMs"], 60_000);

    let profile = s
        .modern("resources/read", json!({"uri": "users://42/profile"}))
        .await
        .result();
    assert_eq!(profile["contents"][0]["text"], "profile of user 42");
    assert_eq!(
        (profile["ttlMs"].as_u64(), profile["cacheScope"].as_str()),
        (Some(5000), Some("private"))
    );

    let file = s
        .legacy(
            "resources/read",
            json!({"uri": "files:///docs/a%20b.txt?limit=6"}),
        )
        .await
        .result();
    assert_eq!(file["contents"][0]["blob"], "ZG9jcy9h"); // base64("docs/a")
    assert_eq!(file["contents"][0]["mimeType"], "application/octet-stream");
    assert!(file.get("ttlMs").is_none());
}

#[tokio::test]
async fn resource_errors_in_both_eras() {
    let s = server().await;
    let modern = s.modern("resources/read", json!({"uri": "nope://x"})).await;
    assert_eq!(modern.error_code(), -32602);
    assert_eq!(modern.json()["error"]["data"]["uri"], "nope://x");
    let legacy = s.legacy("resources/read", json!({"uri": "nope://x"})).await;
    assert_eq!(legacy.error_code(), -32002);
    let bad_variable = s
        .legacy("resources/read", json!({"uri": "users://abc/profile"}))
        .await;
    assert_eq!(bad_variable.error_code(), -32602);
    assert!(bad_variable.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("invalid argument `id`"));
    let failing = s
        .legacy("resources/read", json!({"uri": "users://0/profile"}))
        .await;
    assert_eq!(failing.error_code(), -32603);
    assert_eq!(failing.json()["error"]["message"], "user 0 is reserved");
}

#[tokio::test]
async fn a_50kb_uri_is_answered() {
    let s = server().await;
    let uri = format!("users://{}/profile", "9".repeat(50_000));
    let r = s.legacy("resources/read", json!({"uri": uri})).await;
    assert_eq!(r.error_code(), -32602, "too large for u32");
    let hostile = format!("files:///{}", "%2".repeat(17_000));
    assert_eq!(
        s.legacy("resources/read", json!({"uri": hostile}))
            .await
            .error_code(),
        -32002
    );
}

#[tokio::test]
async fn prompts_list_and_get() {
    let s = server().await;
    let list = s.modern("prompts/list", json!({})).await.result();
    assert_eq!(
        list["prompts"],
        json!([{
            "name": "review", "title": "Code review", "description": "Asks for a code review.",
            "arguments": [
                {"name": "code", "description": "The code to review", "required": true},
                {"name": "language", "description": "Its language", "required": false},
                {"name": "max_issues", "description": "How many issues to list at most", "required": false},
            ]
        }])
    );
    let got = s.modern("prompts/get", json!({"name": "review", "arguments": {"code": "fn main() {}", "language": "rust", "max_issues": "2"}})).await.result();
    assert_eq!(
        got["messages"][0],
        json!({"role": "user", "content": {"type": "text", "text": "Review this rust code and list at most 2 issues:"}})
    );
    assert_eq!(got["messages"][1]["content"]["text"], "fn main() {}");
    assert_eq!(got["resultType"], "complete");

    let missing = s
        .legacy(
            "prompts/get",
            json!({"name": "review", "arguments": {"language": "rust"}}),
        )
        .await;
    assert_eq!(missing.error_code(), -32602);
    assert!(missing.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("missing required argument `code`"));
    let not_text = s
        .legacy(
            "prompts/get",
            json!({"name": "review", "arguments": {"code": 5}}),
        )
        .await;
    assert_eq!(not_text.error_code(), -32602);
    let unknown = s.legacy("prompts/get", json!({"name": "nope"})).await;
    assert_eq!(unknown.error_code(), -32602);
}

#[tokio::test]
async fn completions_for_prompts_and_templates() {
    let s = server().await;
    let c = s.modern("completion/complete", json!({"ref": {"type": "ref/prompt", "name": "review"}, "argument": {"name": "language", "value": "r"}})).await.result();
    assert_eq!(
        c["completion"],
        json!({"values": ["rust", "ruby"], "hasMore": false})
    );
    let ids = s.legacy("completion/complete", json!({"ref": {"type": "ref/resource", "uri": "users://{id}/profile"}, "argument": {"name": "id", "value": ""}, "context": {"arguments": {}}})).await.result();
    assert_eq!(ids["completion"]["values"].as_array().unwrap().len(), 100);
    assert_eq!(
        (
            ids["completion"]["total"].as_u64(),
            ids["completion"]["hasMore"].as_bool()
        ),
        (Some(150), Some(true))
    );
    let none = s.legacy("completion/complete", json!({"ref": {"type": "ref/prompt", "name": "review"}, "argument": {"name": "code", "value": "x"}})).await.result();
    assert_eq!(none["completion"]["values"], json!([]));
    let unknown = s.legacy("completion/complete", json!({"ref": {"type": "ref/prompt", "name": "nope"}, "argument": {"name": "a", "value": ""}})).await;
    assert_eq!(unknown.error_code(), -32602);
}
