//! Fixtures that ask the client for input through multi round-trip requests.

use mcp_runtime::extract::{CreateMessage, Elicitation, Elicitor, Roots, Sampler};
use mcp_runtime::prelude::*;

/// A name.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Name {
    name: String,
}

/// A favourite colour.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Color {
    color: String,
}

/// A confirmation.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Confirm {
    ok: bool,
}

/// Context for a prompt.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Context {
    context: String,
}

fn accepted<T>(answer: Elicitation<T>) -> Option<T> {
    match answer {
        Elicitation::Accept(value) => Some(value),
        Elicitation::Decline | Elicitation::Cancel => None,
    }
}

async fn ask_name(elicitor: &Elicitor, key: &str, message: &str) -> String {
    accepted(elicitor.form_keyed::<Name>(Some(key), message).await)
        .map_or_else(|| "stranger".into(), |n| n.name)
}

/// Asks the user's name, then greets them.
#[tool]
async fn test_input_required_result_elicitation(elicitor: Elicitor) -> String {
    format!(
        "Hello, {}!",
        ask_name(&elicitor, "user_name", "What is your name?").await
    )
}

/// Asks the client's model a question.
#[tool]
async fn test_input_required_result_sampling(sampler: Sampler) -> String {
    let question = CreateMessage::ask("What is the capital of France?", 100);
    let answer = sampler
        .create_message_keyed(Some("capital_question"), question)
        .await;
    format!("The model answered: {}", answer.text().unwrap_or_default())
}

/// Asks the client for its roots.
#[tool]
async fn test_input_required_result_list_roots(roots: Roots) -> String {
    let roots = roots.list_keyed(Some("client_roots")).await;
    let uris: Vec<String> = roots.into_iter().map(|r| r.uri).collect();
    format!("Client roots: {}", uris.join(", "))
}

/// Asks for a confirmation and proves the request state came back intact.
#[tool]
async fn test_input_required_result_request_state(elicitor: Elicitor) -> String {
    let confirmed = accepted(
        elicitor
            .form_keyed::<Confirm>(Some("confirm"), "Please confirm")
            .await,
    );
    format!("state-ok: confirmed={}", confirmed.is_some_and(|c| c.ok))
}

/// Asks for three inputs of different kinds at once.
#[tool]
async fn test_input_required_result_multiple_inputs(
    elicitor: Elicitor,
    sampler: Sampler,
    roots: Roots,
) -> String {
    let (name, greeting, roots) = tokio::join!(
        ask_name(&elicitor, "user_name", "What is your name?"),
        sampler.create_message_keyed(
            Some("greeting"),
            CreateMessage::ask("Generate a greeting", 50)
        ),
        roots.list_keyed(Some("client_roots")),
    );
    format!(
        "{} {name} ({} roots)",
        greeting.text().unwrap_or_default(),
        roots.len()
    )
}

/// Asks two questions, one round each.
#[tool]
async fn test_input_required_result_multi_round(elicitor: Elicitor) -> String {
    let name = ask_name(&elicitor, "step1", "Step 1: What is your name?").await;
    let color = accepted(
        elicitor
            .form_keyed::<Color>(Some("step2"), "Step 2: What is your favorite color?")
            .await,
    )
    .map_or_else(|| "unknown".into(), |c| c.color);
    format!("{name} likes {color}")
}

/// Asks for a confirmation; its request state is refused if tampered with.
#[tool]
async fn test_input_required_result_tampered_state(elicitor: Elicitor) -> String {
    let confirmed = accepted(
        elicitor
            .form_keyed::<Confirm>(Some("confirm"), "Please confirm")
            .await,
    );
    format!("confirmed={}", confirmed.is_some_and(|c| c.ok))
}

/// Asks the model, and the user only if the client can elicit.
#[tool]
async fn test_input_required_result_capabilities(sampler: Sampler, elicitor: Elicitor) -> String {
    let answer = sampler
        .create_message_keyed(
            Some("capability_question"),
            CreateMessage::ask("Say hello", 20),
        )
        .await;
    let name = if elicitor.is_available() {
        ask_name(&elicitor, "user_name", "What is your name?").await
    } else {
        "(not asked)".into()
    };
    format!("{} {name}", answer.text().unwrap_or_default())
}

/// Needs sampling, which clients that did not declare it cannot give.
#[tool]
async fn test_missing_capability(sampler: Sampler) -> String {
    let answer = sampler
        .create_message(CreateMessage::ask("Say something", 20))
        .await;
    answer.text().unwrap_or_default().to_owned()
}

/// Asks for input in the middle of a streamed response.
#[tool]
async fn test_streaming_elicitation(elicitor: Elicitor) -> String {
    format!(
        "Hello, {}!",
        ask_name(&elicitor, "user_name", "What is your name?").await
    )
}

/// A prompt that asks the user for its context first.
#[prompt]
async fn test_input_required_result_prompt(elicitor: Elicitor) -> String {
    let context = accepted(
        elicitor
            .form_keyed::<Context>(Some("user_context"), "What context should the prompt use?")
            .await,
    )
    .map_or_else(|| "none".into(), |c| c.context);
    format!("Use this context: {context}")
}
