//! Fixtures that ask the client for input: through multi round-trip requests (2026-07-28) and
//! through server-to-client requests in a session (2025 era).

use mcp_runtime::extract::{CreateMessage, Elicitation, Elicitor, InputError, Roots, Sampler};
use mcp_runtime::prelude::*;
use serde_json::{json, Value};

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

/// A user's details.
#[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
struct UserInfo {
    /// Your user name
    username: String,
    /// Your email address
    email: String,
}

type Answer = Result<String, InputError>;

fn accepted<T>(answer: Elicitation<T>) -> Option<T> {
    match answer {
        Elicitation::Accept(value) => Some(value),
        Elicitation::Decline | Elicitation::Cancel => None,
    }
}

async fn ask_name(elicitor: &Elicitor, key: &str, message: &str) -> Answer {
    let name = accepted(elicitor.form_keyed::<Name>(Some(key), message).await?);
    Ok(name.map_or_else(|| "stranger".into(), |n| n.name))
}

fn text(message: &mcp_runtime::extract::SampledMessage) -> &str {
    message.text().unwrap_or_default()
}

/// Asks the user's name, then greets them.
#[tool]
async fn test_input_required_result_elicitation(elicitor: Elicitor) -> Answer {
    Ok(format!(
        "Hello, {}!",
        ask_name(&elicitor, "user_name", "What is your name?").await?
    ))
}

/// Asks the client's model a question.
#[tool]
async fn test_input_required_result_sampling(sampler: Sampler) -> Answer {
    let question = CreateMessage::ask("What is the capital of France?", 100);
    let answer = sampler
        .create_message_keyed(Some("capital_question"), question)
        .await?;
    Ok(format!("The model answered: {}", text(&answer)))
}

/// Asks the client for its roots.
#[tool]
async fn test_input_required_result_list_roots(roots: Roots) -> Answer {
    let roots = roots.list_keyed(Some("client_roots")).await?;
    let uris: Vec<String> = roots.into_iter().map(|r| r.uri).collect();
    Ok(format!("Client roots: {}", uris.join(", ")))
}

/// Asks for a confirmation and proves the request state came back intact.
#[tool]
async fn test_input_required_result_request_state(elicitor: Elicitor) -> Answer {
    let confirmed = accepted(
        elicitor
            .form_keyed::<Confirm>(Some("confirm"), "Please confirm")
            .await?,
    );
    Ok(format!(
        "state-ok: confirmed={}",
        confirmed.is_some_and(|c| c.ok)
    ))
}

/// Asks for three inputs of different kinds at once.
#[tool]
async fn test_input_required_result_multiple_inputs(
    elicitor: Elicitor,
    sampler: Sampler,
    roots: Roots,
) -> Answer {
    let (name, greeting, roots) = tokio::join!(
        ask_name(&elicitor, "user_name", "What is your name?"),
        sampler.create_message_keyed(
            Some("greeting"),
            CreateMessage::ask("Generate a greeting", 50)
        ),
        roots.list_keyed(Some("client_roots")),
    );
    Ok(format!(
        "{} {} ({} roots)",
        text(&greeting?),
        name?,
        roots?.len()
    ))
}

/// Asks two questions, one round each.
#[tool]
async fn test_input_required_result_multi_round(elicitor: Elicitor) -> Answer {
    let name = ask_name(&elicitor, "step1", "Step 1: What is your name?").await?;
    let color = accepted(
        elicitor
            .form_keyed::<Color>(Some("step2"), "Step 2: What is your favorite color?")
            .await?,
    )
    .map_or_else(|| "unknown".into(), |c| c.color);
    Ok(format!("{name} likes {color}"))
}

/// Asks for a confirmation; its request state is refused if tampered with.
#[tool]
async fn test_input_required_result_tampered_state(elicitor: Elicitor) -> Answer {
    let confirmed = accepted(
        elicitor
            .form_keyed::<Confirm>(Some("confirm"), "Please confirm")
            .await?,
    );
    Ok(format!("confirmed={}", confirmed.is_some_and(|c| c.ok)))
}

/// Asks the model, and the user only if the client can elicit.
#[tool]
async fn test_input_required_result_capabilities(sampler: Sampler, elicitor: Elicitor) -> Answer {
    let question = CreateMessage::ask("Say hello", 20);
    let answer = sampler
        .create_message_keyed(Some("capability_question"), question)
        .await?;
    let name = if elicitor.is_available() {
        ask_name(&elicitor, "user_name", "What is your name?").await?
    } else {
        "(not asked)".into()
    };
    Ok(format!("{} {name}", text(&answer)))
}

/// Needs sampling, which clients that did not declare it cannot give.
#[tool]
async fn test_missing_capability(sampler: Sampler) -> Answer {
    let answer = sampler
        .create_message(CreateMessage::ask("Say something", 20))
        .await?;
    Ok(text(&answer).to_owned())
}

/// Asks for input in the middle of a streamed response.
#[tool]
async fn test_streaming_elicitation(elicitor: Elicitor) -> Answer {
    Ok(format!(
        "Hello, {}!",
        ask_name(&elicitor, "user_name", "What is your name?").await?
    ))
}

/// A prompt that asks the user for its context first.
#[prompt]
async fn test_input_required_result_prompt(elicitor: Elicitor) -> Answer {
    let message = "What context should the prompt use?";
    let context = accepted(
        elicitor
            .form_keyed::<Context>(Some("user_context"), message)
            .await?,
    )
    .map_or_else(|| "none".into(), |c| c.context);
    Ok(format!("Use this context: {context}"))
}

/// Asks the client's model to answer a prompt.
#[tool]
async fn test_sampling(
    /// The prompt to send to the model
    prompt: String,
    sampler: Sampler,
) -> Answer {
    let answer = sampler
        .create_message(CreateMessage::ask(prompt, 100))
        .await?;
    Ok(format!("LLM response: {}", text(&answer)))
}

/// Asks the user for their details.
#[tool]
async fn test_elicitation(
    /// What to tell the user
    message: String,
    elicitor: Elicitor,
) -> Answer {
    Ok(match elicitor.form::<UserInfo>(&message).await? {
        Elicitation::Accept(info) => {
            format!("User response: action=accept, content={}", json!(info))
        }
        Elicitation::Decline => "User response: action=decline".into(),
        Elicitation::Cancel => "User response: action=cancel".into(),
    })
}

fn describe(answer: Elicitation<Value>) -> String {
    match answer {
        Elicitation::Accept(content) => {
            format!("Elicitation completed: action=accept, content={content}")
        }
        Elicitation::Decline => "Elicitation completed: action=decline".into(),
        Elicitation::Cancel => "Elicitation completed: action=cancel".into(),
    }
}

/// Asks for a form whose fields have default values (SEP-1034).
#[tool]
async fn test_elicitation_sep1034_defaults(elicitor: Elicitor) -> Answer {
    let schema = json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "default": "John Doe"},
            "age": {"type": "integer", "default": 30},
            "score": {"type": "number", "default": 95.5},
            "status": {"type": "string", "enum": ["active", "inactive", "pending"], "default": "active"},
            "verified": {"type": "boolean", "default": true}
        }
    });
    let answer = elicitor
        .form_with_schema(None, "Please review your profile", schema)
        .await?;
    Ok(describe(answer))
}

/// Asks for a form with every kind of enum (SEP-1330).
#[tool]
async fn test_elicitation_sep1330_enums(elicitor: Elicitor) -> Answer {
    let titled = |prefix: &str, titles: [&str; 3]| -> Vec<Value> {
        titles
            .iter()
            .enumerate()
            .map(|(i, title)| json!({"const": format!("{prefix}{}", i + 1), "title": title}))
            .collect()
    };
    let schema = json!({
        "type": "object",
        "properties": {
            "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
            "titledSingle": {"type": "string", "oneOf": titled("value", ["First Option", "Second Option", "Third Option"])},
            "legacyEnum": {"type": "string", "enum": ["opt1", "opt2", "opt3"], "enumNames": ["Option One", "Option Two", "Option Three"]},
            "untitledMulti": {"type": "array", "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
            "titledMulti": {"type": "array", "items": {"anyOf": titled("value", ["First Choice", "Second Choice", "Third Choice"])}}
        }
    });
    let answer = elicitor
        .form_with_schema(None, "Choose your options", schema)
        .await?;
    Ok(describe(answer))
}
