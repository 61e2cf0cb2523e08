use mcp_runtime::prelude::*;
use mcp_runtime::{Icon, IconTheme};

const DARK: Icon = Icon::new("https://example.com/dark.svg")
    .sizes(&["any"])
    .theme(IconTheme::Dark);

mod icons {
    pub const LIGHT: mcp_runtime::Icon = mcp_runtime::Icon::new("https://example.com/light.png");
}

/// A tool with icons of every form.
#[tool(icons = [DARK, icons::LIGHT, "https://example.com/a.png", "data:image/png;base64,AAAA"])]
fn shown() -> String {
    String::new()
}

/// A prompt with an icon.
#[prompt(icons = [DARK])]
fn ask() -> String {
    String::new()
}

/// A resource with an icon.
#[resource("notes://all", icons = ["https://example.com/notes.webp?v=2"])]
fn all() -> String {
    String::new()
}

fn main() {}
