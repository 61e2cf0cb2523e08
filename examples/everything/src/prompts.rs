//! Prompt fixtures and the completer of `test_prompt_with_arguments`.

use mcp_runtime::prelude::*;

use crate::tools::PNG_BASE64;

/// A prompt without arguments.
#[prompt(icons = ["https://example.com/icons/prompt.svg"])]
fn test_simple_prompt() -> &'static str {
    "This is a simple prompt for testing."
}

/// A prompt with two required arguments.
#[prompt]
fn test_prompt_with_arguments(
    /// The first argument
    arg1: String,
    /// The second argument
    arg2: String,
) -> String {
    format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")
}

/// A prompt that embeds a resource.
#[prompt]
fn test_prompt_with_embedded_resource(
    /// The URI of the resource to embed
    #[allow(non_snake_case)]
    resourceUri: String,
) -> Vec<PromptMessage> {
    vec![
        PromptMessage::user(Content::embedded_text(
            resourceUri,
            "text/plain",
            "Embedded resource content for testing.",
        )),
        PromptMessage::user("Please process the embedded resource above."),
    ]
}

/// A prompt with an image.
#[prompt]
fn test_prompt_with_image() -> Vec<PromptMessage> {
    vec![
        PromptMessage::user(Content::image_base64(PNG_BASE64, "image/png")),
        PromptMessage::user("Please analyze the image above."),
    ]
}

/// Suggests values for `arg1` that start with what the user typed.
#[complete(prompt = "test_prompt_with_arguments", argument = "arg1")]
fn complete_arg1(partial: String) -> Vec<&'static str> {
    ["test", "testing", "test-value", "other"]
        .into_iter()
        .filter(|v| v.starts_with(&partial))
        .collect()
}
