use mcp_runtime::prelude::*;

/// Reviews code.
#[prompt(title = "Code review")]
fn review(
    /// The code to review
    code: String,
    /// The language, if known
    language: Option<String>,
) -> Vec<PromptMessage> {
    vec![
        PromptMessage::user(format!("Review this {} code:", language.unwrap_or_default())),
        PromptMessage::user(code),
    ]
}

/// Greets, for callers granted `prompts:greet`.
#[prompt(name = "greet", scopes = ["prompts:greet"])]
async fn greeting(name: String, times: Option<u8>) -> Result<String, String> {
    Ok(format!("Hello {name} x{}", times.unwrap_or(1)))
}

/// Suggests languages.
#[complete(prompt = "review", argument = "language")]
fn languages(partial: String) -> Vec<String> {
    ["rust", "python"].iter().filter(|l| l.starts_with(&partial)).map(|l| l.to_string()).collect()
}

fn main() {
    let _ = (review, greeting, languages);
}
