//! The in-process `TestClient`: streamed responses, client input answered by callbacks in both
//! eras, the helpers of every method, and clones sharing one session.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_runtime::extract::{
    CreateMessage, Elicitation, Elicitor, InputError, Log, Progress, ResponseStream, Roots, Sampler,
};
use mcp_runtime::prelude::*;
use mcp_runtime::protocol::{ErrorCode, RpcError};
use mcp_runtime::session::Session;
use mcp_runtime::testing::TestClient;
use serde_json::{json, Value};

/// Reports progress and logs while it works.
#[tool]
async fn busy(progress: Progress, log: Log) -> &'static str {
    progress.report(1.0, Some(2.0), Some("half"));
    log.info("halfway");
    progress.report(2.0, Some(2.0), None);
    "busy done"
}

/// Names the caller's session.
#[tool]
async fn whoami(session: Session) -> String {
    session.id().to_owned()
}

/// Frees its connection, then reports and answers while the client is away.
#[tool]
async fn long_call(stream: ResponseStream, progress: Progress) -> &'static str {
    progress.report(1.0, Some(2.0), None);
    stream.detach(Duration::from_millis(20));
    tokio::time::sleep(Duration::from_millis(20)).await;
    progress.report(2.0, Some(2.0), None);
    "finished while you were away"
}

/// Asks the client's model.
#[tool]
async fn ask(question: String, sampler: Sampler) -> Result<String, String> {
    match sampler
        .create_message(CreateMessage::ask(question, 10))
        .await
    {
        Ok(answer) => Ok(format!("model: {}", answer.text().unwrap_or_default())),
        Err(e) => Err(format!("refused: {e}")),
    }
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Name {
    name: String,
}

/// Asks the user's name.
#[tool]
async fn greet(elicitor: Elicitor) -> Result<String, InputError> {
    Ok(match elicitor.form::<Name>("What is your name?").await? {
        Elicitation::Accept(n) => format!("Hello, {}!", n.name),
        Elicitation::Decline | Elicitation::Cancel => "Hello, stranger!".into(),
    })
}

/// Lists the client's roots.
#[tool]
async fn where_am_i(roots: Roots) -> Result<String, InputError> {
    let roots = roots.list().await?;
    Ok(roots
        .into_iter()
        .map(|r| r.uri)
        .collect::<Vec<_>>()
        .join(" "))
}

/// Asks the user's name, then the model for a nickname for that name.
#[tool]
async fn nickname(elicitor: Elicitor, sampler: Sampler) -> Result<String, InputError> {
    let name = match elicitor.form::<Name>("What is your name?").await? {
        Elicitation::Accept(n) => n.name,
        Elicitation::Decline | Elicitation::Cancel => "stranger".into(),
    };
    let question = format!("A nickname for {name}?");
    let nick = sampler
        .create_message(CreateMessage::ask(question, 10))
        .await?;
    Ok(format!("{name} aka {}", nick.text().unwrap_or("?")))
}

/// Never has enough answers.
#[tool]
async fn insatiable(sampler: Sampler) -> Result<String, InputError> {
    loop {
        sampler
            .create_message(CreateMessage::ask("more?", 1))
            .await?;
    }
}

/// The app's settings.
#[resource("config://app", mime_type = "application/json")]
async fn settings() -> &'static str {
    r#"{"theme":"dark"}"#
}

/// The readme.
#[resource("docs://readme", mime_type = "text/plain")]
async fn readme() -> &'static str {
    "read me"
}

/// A user's profile.
#[resource("users://{id}/profile", mime_type = "text/plain")]
async fn profile(id: u32) -> String {
    format!("profile of user {id}")
}

/// A team's page.
#[resource("teams://{team}")]
async fn team(team: String) -> String {
    format!("team {team}")
}

/// Asks for a code review.
#[prompt]
async fn review(
    /// The code to review
    code: String,
    /// Its language
    language: Option<String>,
) -> Vec<PromptMessage> {
    vec![
        PromptMessage::user(format!(
            "Review this {} code:",
            language.as_deref().unwrap_or("unknown")
        )),
        PromptMessage::user(code),
    ]
}

/// Asks the model for the capital first.
#[prompt]
async fn capital(sampler: Sampler) -> Result<String, InputError> {
    let answer = sampler
        .create_message(CreateMessage::ask("The capital of France?", 20))
        .await?;
    Ok(format!(
        "The capital is {}.",
        answer.text().unwrap_or("unknown")
    ))
}

/// Suggests languages; only Rust once the code is Rust.
#[complete(prompt = "review", argument = "language")]
async fn languages(partial: String, context: CompletionContext) -> Vec<&'static str> {
    let rust = context.argument("code").is_some_and(|c| c.contains("fn "));
    ["go", "python", "rust", "ruby"]
        .into_iter()
        .filter(|l| !rust || *l == "rust")
        .filter(|l| l.starts_with(&partial))
        .collect()
}

fn sampled(text: &str) -> Value {
    json!({"role": "assistant", "content": {"type": "text", "text": text}, "model": "m", "stopReason": "endTurn"})
}

/// The text of a sampling request's first message.
fn question(params: &Value) -> String {
    params["messages"][0]["content"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Records what a callback was asked.
#[derive(Clone, Default)]
struct Asked(Arc<Mutex<Vec<Value>>>);

impl Asked {
    fn push(&self, params: &Value) {
        self.0.lock().unwrap().push(params.clone());
    }

    fn all(&self) -> Vec<Value> {
        self.0.lock().unwrap().clone()
    }
}

/// A server whose handlers ask for client input (so 2025-era clients get sessions).
fn asking() -> Server {
    Server::new()
        .tool(ask::tool())
        .tool(greet::tool())
        .tool(where_am_i::tool())
        .tool(nickname::tool())
        .tool(insatiable::tool())
        .prompt(capital::prompt())
}

/// A client whose callbacks answer everything, recording the sampling requests.
fn answering(server: Server, sampling: &Asked) -> TestClient {
    let sampling = sampling.clone();
    TestClient::new(server)
        .unwrap()
        .on_sampling(move |params| {
            sampling.push(&params);
            let answer = match question(&params).as_str() {
                "A nickname for Ada?" => "Ace".to_owned(),
                "The capital of France?" => "Paris".to_owned(),
                other => format!("answer to {other}"),
            };
            Ok(sampled(&answer))
        })
        .on_elicitation(|params| {
            assert_eq!(params["message"], "What is your name?");
            Ok(json!({"action": "accept", "content": {"name": "Ada"}}))
        })
        .on_roots(|_| Ok(json!({"roots": [{"uri": "file:///a"}, {"uri": "file:///b"}]})))
}

fn texts(notifications: &[Value], method: &str, field: &str) -> Vec<Value> {
    notifications
        .iter()
        .filter(|n| n["method"] == method)
        .map(|n| n["params"][field].clone())
        .collect()
}

#[tokio::test]
async fn a_legacy_call_that_streams_returns_its_result_and_notifications() {
    // Stateless (no session: a plain event stream) and stateful (a session's stream, whose
    // events carry ids and start with a priming event).
    let stateless = Server::new().tool(busy::tool());
    let stateful = Server::new().tool(busy::tool()).tool(whoami::tool());
    for server in [stateless, stateful] {
        let client = TestClient::new(server).unwrap().legacy();
        let reply = client
            .call_tool_with_notifications("busy", json!({}))
            .await
            .unwrap();
        assert_eq!(reply.result.all_text(), "busy done");
        let progress = texts(&reply.notifications, "notifications/progress", "progress");
        assert_eq!(progress, [json!(1.0), json!(2.0)]);
        let logged = texts(&reply.notifications, "notifications/message", "data");
        assert_eq!(logged, ["halfway"]);
        assert_eq!(reply.notifications.len(), 3, "{:?}", reply.notifications);
        // Without a progress token the log message still makes it a stream.
        let plain = client.call_tool("busy", json!({})).await.unwrap();
        assert_eq!(plain.all_text(), "busy done");
    }
}

#[tokio::test]
async fn a_detached_stream_is_resumed_without_loss() {
    let server = Server::new().tool(long_call::tool()).tool(whoami::tool());
    let client = TestClient::new(server).unwrap().legacy();
    let reply = client
        .call_tool_with_notifications("long_call", json!({}))
        .await
        .unwrap();
    assert_eq!(reply.result.all_text(), "finished while you were away");
    let progress = texts(&reply.notifications, "notifications/progress", "progress");
    assert_eq!(progress, [json!(1.0), json!(2.0)]);
}

#[tokio::test]
async fn sampling_elicitation_and_roots_are_answered_in_both_eras() {
    let sampling = Asked::default();
    let modern = answering(asking(), &sampling);
    for client in [modern.clone(), modern.legacy()] {
        let era = client.version().as_str();
        let asked = client
            .call_tool("ask", json!({"question": "2+2?"}))
            .await
            .unwrap();
        assert_eq!(asked.all_text(), "model: answer to 2+2?", "{era}");
        let greeted = client.call_tool("greet", json!({})).await.unwrap();
        assert_eq!(greeted.all_text(), "Hello, Ada!", "{era}");
        let roots = client.call_tool("where_am_i", json!({})).await.unwrap();
        assert_eq!(roots.all_text(), "file:///a file:///b", "{era}");
        let prompt = client.get_prompt("capital", Value::Null).await.unwrap();
        assert_eq!(
            prompt.messages[0],
            PromptMessage::user("The capital is Paris."),
            "{era}"
        );
    }
    let questions: Vec<String> = sampling.all().iter().map(question).collect();
    assert_eq!(
        questions,
        [
            "2+2?",
            "The capital of France?",
            "2+2?",
            "The capital of France?"
        ]
    );
    assert_eq!(sampling.all()[0]["maxTokens"], 10);
}

#[tokio::test]
async fn callbacks_declare_their_capabilities() {
    let bare = TestClient::new(asking()).unwrap();
    let refused = bare.call_tool("greet", json!({})).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::MISSING_CAPABILITY);
    let legacy = bare.legacy().call_tool("greet", json!({})).await.unwrap();
    assert_eq!(
        legacy.all_text(),
        "the client did not declare the `elicitation` capability"
    );
    let answering = bare.on_elicitation(|_| Ok(json!({"action": "decline"})));
    for client in [answering.clone(), answering.legacy()] {
        let declined = client.call_tool("greet", json!({})).await.unwrap();
        assert_eq!(declined.all_text(), "Hello, stranger!");
    }
}

#[tokio::test]
async fn a_callback_error_reaches_the_handler() {
    let client = TestClient::new(asking())
        .unwrap()
        .on_sampling(|_| Err(RpcError::new(ErrorCode(-1), "user declined")));
    // 2025 era: the error is the client's answer, and the handler sees it.
    let legacy = client
        .legacy()
        .call_tool("ask", json!({"question": "?"}))
        .await
        .unwrap();
    assert!(legacy.is_error);
    assert_eq!(
        legacy.all_text(),
        "refused: the client refused: user declined (-1)"
    );
    // 2026-07-28: an answer cannot be an error; the request fails with it.
    let modern = client
        .call_tool("ask", json!({"question": "?"}))
        .await
        .unwrap_err();
    assert_eq!(
        (modern.code, modern.message.as_ref()),
        (ErrorCode(-1), "user declined")
    );
}

#[tokio::test]
async fn questions_without_a_callback() {
    // The capability declared by hand, no callback to answer.
    let client = TestClient::new(asking())
        .unwrap()
        .with_capabilities(json!({"sampling": {}}));
    let legacy = client
        .legacy()
        .call_tool("ask", json!({"question": "?"}))
        .await
        .unwrap();
    assert!(
        legacy.all_text().contains("(-32601)"),
        "{}",
        legacy.all_text()
    );
    // 2026-07-28: `request` hands the question over for the test to answer by hand...
    let call = json!({"name": "ask", "arguments": {"question": "?"}});
    let first = client.request("tools/call", call.clone()).await.unwrap();
    assert_eq!(first["resultType"], "input_required");
    assert_eq!(
        first["inputRequests"]["sampling-1"]["method"],
        "sampling/createMessage"
    );
    let mut retry = call;
    retry["requestState"] = first["requestState"].clone();
    retry["inputResponses"] = json!({"sampling-1": sampled("by hand")});
    let done = client.request("tools/call", retry).await.unwrap();
    assert_eq!(done["content"][0]["text"], "model: by hand");
    // ...and the typed helpers say what is missing.
    let missing = client
        .call_tool("ask", json!({"question": "?"}))
        .await
        .unwrap_err();
    assert_eq!(missing.code, ErrorCode::METHOD_NOT_FOUND);
    assert!(
        missing.message.contains("sampling/createMessage"),
        "{missing}"
    );
}

#[tokio::test]
async fn rounds_are_replayed_until_the_result_is_complete() {
    let sampling = Asked::default();
    let client = answering(asking(), &sampling);
    for client in [client.clone(), client.legacy()] {
        let result = client.call_tool("nickname", json!({})).await.unwrap();
        assert_eq!(
            result.all_text(),
            "Ada aka Ace",
            "{}",
            client.version().as_str()
        );
    }
    // The second question needed the first answer: each was asked once per era.
    let questions: Vec<String> = sampling.all().iter().map(question).collect();
    assert_eq!(questions, ["A nickname for Ada?", "A nickname for Ada?"]);

    // A handler that never has enough: the client gives up after its cap.
    let endless = client.call_tool("insatiable", json!({})).await.unwrap_err();
    assert!(endless.message.contains("after 16 rounds"), "{endless}");
}

#[tokio::test]
async fn helpers_list_read_get_and_complete_in_both_eras() {
    // One entry per page: every list is two pages at least.
    let server = Server::new()
        .page_size(1)
        .resource(settings::resource())
        .resource(readme::resource())
        .resource(profile::resource())
        .resource(team::resource())
        .prompt(review::prompt())
        .prompt(capital::prompt())
        .completer(languages::completer());
    let client = TestClient::new(server).unwrap();
    for client in [client.clone(), client.legacy()] {
        let era = client.version().as_str();
        let mut uris: Vec<String> = client
            .list_resources()
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.uri)
            .collect();
        uris.sort();
        assert_eq!(uris, ["config://app", "docs://readme"], "{era}");
        let mut templates: Vec<String> = client
            .list_resource_templates()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.uri_template)
            .collect();
        templates.sort();
        assert_eq!(
            templates,
            ["teams://{team}", "users://{id}/profile"],
            "{era}"
        );
        let prompts = client.list_prompts().await.unwrap();
        let review = prompts.iter().find(|p| p.name == "review").unwrap();
        assert_eq!(prompts.len(), 2, "{era}");
        assert_eq!(review.arguments[0].name, "code");
        assert_eq!(
            review.arguments[0].description.as_deref(),
            Some("The code to review")
        );
        assert!(review.arguments[0].required && !review.arguments[1].required);

        let contents = client.read_resource("users://7/profile").await.unwrap();
        assert_eq!(contents.len(), 1);
        assert_eq!(contents[0].uri, "users://7/profile");
        assert_eq!(contents[0].text.as_deref(), Some("profile of user 7"));
        assert_eq!(contents[0].mime_type.as_deref(), Some("text/plain"));
        let unknown = client.read_resource("nope://x").await.unwrap_err();
        assert_ne!(unknown.code.0, 0, "{era}: {unknown}");

        let prompt = client
            .get_prompt("review", json!({"code": "x = 1", "language": "python"}))
            .await
            .unwrap();
        assert_eq!(
            prompt.messages,
            [
                PromptMessage::user("Review this python code:"),
                PromptMessage::user("x = 1")
            ],
            "{era}"
        );

        let reference = json!({"type": "ref/prompt", "name": "review"});
        let all = client
            .complete(reference.clone(), "language", "r", None)
            .await
            .unwrap();
        assert_eq!(all.values, ["rust", "ruby"], "{era}");
        assert!(!all.has_more);
        let rust = client
            .complete(
                reference,
                "language",
                "r",
                Some(json!({"code": "fn main() {}"})),
            )
            .await
            .unwrap();
        assert_eq!(rust.values, ["rust"], "{era}");
    }
    client.legacy().ping().await.unwrap();
    let discovered = client.discover().await.unwrap();
    assert!(discovered["capabilities"]["completions"].is_object());
}

#[tokio::test]
async fn a_clone_is_the_same_client_in_the_same_session() {
    let server = Server::new().tool(whoami::tool());
    let client = TestClient::new(server).unwrap().legacy();
    let clone = client.clone();
    let (first, second) = tokio::join!(
        client.call_tool("whoami", json!({})),
        clone.call_tool("whoami", json!({})),
    );
    let (first, second) = (first.unwrap().all_text(), second.unwrap().all_text());
    assert!(!first.is_empty());
    assert_eq!(first, second);
    assert_eq!(clone.session_id().await.unwrap(), Some(first.clone()));
    // Another client of the same server has a session of its own.
    let other = clone.legacy();
    let theirs = other
        .call_tool("whoami", json!({}))
        .await
        .unwrap()
        .all_text();
    assert_ne!(theirs, first);
    assert_eq!(other.session_id().await.unwrap(), Some(theirs));
}
