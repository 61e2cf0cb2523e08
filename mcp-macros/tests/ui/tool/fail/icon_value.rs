use mcp_runtime::prelude::*;

/// Sources that are not icons, and an item that is neither a string nor a constant.
#[tool(icons = ["file:///etc/icon.png", "javascript:alert(1)", "data:text/html;base64,PGI+"])]
fn shown() -> String {
    String::new()
}

/// A number is not an icon.
#[tool(icons = [42])]
fn numbered() -> String {
    String::new()
}

/// A prompt's icons are checked the same way.
#[prompt(icons = ["icon.png"])]
fn ask() -> String {
    String::new()
}

/// And a resource's.
#[resource("notes://all", icons = "https://example.com/notes.png")]
fn all() -> String {
    String::new()
}

fn main() {}
