//! Tool fixtures that need neither streaming nor client input.

use std::borrow::Cow;

use mcp_runtime::prelude::*;
use mcp_runtime::Icon;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

/// A 1x1 red PNG, base64.
macro_rules! png {
    () => {
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
    };
}

/// A 1x1 red PNG.
pub(crate) const PNG_BASE64: &str = png!();

/// The same PNG as an icon (a `data:` URI: no request to another site), shown for the server
/// and for `test_simple_text`.
pub(crate) const ICON: Icon = Icon::new(concat!("data:image/png;base64,", png!()))
    .mime_type("image/png")
    .sizes(&["1x1"]);

/// A tiny valid WAV file: 44-byte header and four silent 8-bit mono samples at 8 kHz.
fn wav() -> Vec<u8> {
    let samples = [128u8; 4];
    let mut out = Vec::with_capacity(44 + samples.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&8000u32.to_le_bytes()); // sample rate
    out.extend_from_slice(&8000u32.to_le_bytes()); // byte rate
    out.extend_from_slice(&1u16.to_le_bytes()); // block align
    out.extend_from_slice(&8u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    out.extend_from_slice(&samples);
    out
}

/// Returns a simple text response.
#[tool(icons = [ICON])]
fn test_simple_text() -> &'static str {
    "This is a simple text response for testing."
}

/// Returns an image (a 1x1 red PNG).
#[tool]
fn test_image_content() -> Content {
    Content::image_base64(PNG_BASE64, "image/png")
}

/// Returns a short WAV clip.
#[tool]
fn test_audio_content() -> Content {
    Content::audio(wav(), "audio/wav")
}

/// Returns an embedded text resource.
#[tool]
fn test_embedded_resource() -> Content {
    Content::embedded_text(
        "test://embedded-resource",
        "text/plain",
        "This is an embedded resource content.",
    )
}

/// Returns text, an image and an embedded resource together.
#[tool]
fn test_multiple_content_types() -> Vec<Content> {
    vec![
        Content::text("Multiple content types test:"),
        Content::image_base64(PNG_BASE64, "image/png"),
        Content::embedded_text(
            "test://mixed-content-resource",
            "application/json",
            r#"{"test":"data","value":123}"#,
        ),
    ]
}

/// Always fails, as a tool error the model sees.
#[tool]
fn test_error_handling() -> Result<String, &'static str> {
    Err("This tool intentionally returns an error for testing")
}

/// How to reach someone: the arguments of `json_schema_2020_12_tool`, whose schema uses
/// 2020-12 keywords a derive cannot express (`$anchor`, `if`/`then`/`else`).
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Contact {
    name: Option<String>,
    contact_method: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

impl JsonSchema for Contact {
    fn schema_name() -> Cow<'static, str> {
        "Contact".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "$defs": {
                "address": {
                    "$anchor": "addressDef",
                    "type": "object",
                    "properties": {"street": {"type": "string"}, "city": {"type": "string"}}
                }
            },
            "properties": {
                "name": {"type": "string"},
                "address": {"$ref": "#/$defs/address"},
                "contactMethod": {"type": "string", "enum": ["phone", "email"]},
                "phone": {"type": "string"},
                "email": {"type": "string"}
            },
            "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
            "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
            "then": {"required": ["phone"]},
            "else": {"required": ["email"]},
            "additionalProperties": false
        })
    }
}

/// Tool with JSON Schema 2020-12 features
#[tool]
fn json_schema_2020_12_tool(Args(contact): Args<Contact>) -> String {
    let reach = match contact.contact_method.as_deref() {
        Some("phone") => contact.phone.unwrap_or_default(),
        _ => contact.email.or(contact.phone).unwrap_or_default(),
    };
    format!(
        "Contact {} at {reach}",
        contact.name.unwrap_or_else(|| "someone".into())
    )
}

/// Runs a query in a region. The region and the priority are mirrored into the
/// `Mcp-Param-Region` and `Mcp-Param-Priority` headers, so a gateway can route on them without
/// reading the body; the server refuses a call whose headers and arguments differ.
#[tool]
fn route_query(
    /// Where the query runs (mirrored into `Mcp-Param-Region`)
    #[header("Region")]
    region: String,
    /// How urgent it is (mirrored into `Mcp-Param-Priority`)
    #[header("Priority")]
    priority: Option<i64>,
    /// Whether to explain the plan instead (mirrored into `Mcp-Param-Verbose`)
    #[header("Verbose")]
    verbose: Option<bool>,
    /// The query itself (not mirrored)
    query: String,
) -> String {
    let priority = priority.map_or(String::new(), |p| format!(" at priority {p}"));
    let action = if verbose == Some(true) {
        "explained"
    } else {
        "ran"
    };
    format!("{action} `{query}` in {region}{priority}")
}
