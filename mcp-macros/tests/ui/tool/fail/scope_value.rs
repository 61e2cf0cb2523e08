use mcp_runtime::prelude::*;

/// Writes a note.
#[tool(scopes = ["notes write", "", "notes:\"x\""])]
async fn write() -> String {
    String::new()
}

/// Reads a note.
#[tool(scopes = "notes:read")]
async fn read() -> String {
    String::new()
}

/// A prompt with a bad scope.
#[prompt(scopes = ["a b"])]
fn ask() -> String {
    String::new()
}

/// A resource with a bad scope.
#[resource("notes://all", scopes = ["a\\b"])]
fn all() -> String {
    String::new()
}

fn main() {}
