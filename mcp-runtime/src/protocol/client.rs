//! What a client says about itself: its capabilities (a few flags) and its identity (a few short
//! strings), read from `initialize` or a 2026-07-28 request's `_meta` and kept in that size.
//!
//! A client may send megabytes under `capabilities` or `clientInfo` (nested arrays, experimental
//! members); nothing of that is kept, and it is read without building a tree of values.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::object::Object;
use super::{Implementation, RpcError};

/// The longest name, version or title kept from a client's `clientInfo` (longer ones are cut).
pub const MAX_CLIENT_INFO_CHARS: usize = 256;

/// The capabilities a client declared, as the server uses them.
///
/// ```
/// use mcp_runtime::protocol::ClientCapabilities;
///
/// let caps = ClientCapabilities::parse(r#"{"sampling":{},"roots":{"listChanged":true}}"#).unwrap();
/// assert!(caps.sampling && caps.roots && caps.roots_list_changed);
/// assert!(!caps.elicitation_form && !caps.elicitation_url);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientCapabilities {
    /// `sampling`: the client's model can be asked for messages.
    pub sampling: bool,
    /// `elicitation` with form mode (an empty `elicitation` object declares form mode).
    pub elicitation_form: bool,
    /// `elicitation.url`: the user can be sent to a URL.
    pub elicitation_url: bool,
    /// `roots`: the client can list its roots.
    pub roots: bool,
    /// `roots.listChanged`: the client announces changes to its roots.
    pub roots_list_changed: bool,
    /// `extensions["io.modelcontextprotocol/tasks"]`: a `tools/call` may be answered with a
    /// task to poll.
    pub tasks: bool,
}

/// The identifier of the tasks extension.
pub const TASKS_EXTENSION: &str = "io.modelcontextprotocol/tasks";

#[derive(Deserialize)]
struct CapabilitiesWire {
    #[serde(default)]
    sampling: Option<IgnoredAny>,
    #[serde(default)]
    elicitation: Option<Object<ElicitationWire>>,
    #[serde(default)]
    roots: Option<Object<RootsWire>>,
    #[serde(default)]
    extensions: Option<Object<ExtensionsWire>>,
}

#[derive(Deserialize)]
struct ExtensionsWire {
    #[serde(default, rename = "io.modelcontextprotocol/tasks")]
    tasks: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct ElicitationWire {
    #[serde(default)]
    form: Option<IgnoredAny>,
    #[serde(default)]
    url: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct RootsWire {
    #[serde(default, rename = "listChanged")]
    list_changed: Option<bool>,
}

impl ClientCapabilities {
    /// Reads a `capabilities` (or `clientCapabilities`) object; members the server does not use
    /// are skipped unread.
    pub fn parse(json: &str) -> Result<Self, RpcError> {
        let Object(wire) = serde_json::from_str::<Object<CapabilitiesWire>>(json)
            .map_err(|e| RpcError::invalid_params(format!("invalid client capabilities: {e}")))?;
        let (elicitation_form, elicitation_url) = match wire.elicitation {
            None => (false, false),
            // An empty object is form mode (the 2025-06-18 form of the capability).
            Some(Object(e)) if e.form.is_none() && e.url.is_none() => (true, false),
            Some(Object(e)) => (e.form.is_some(), e.url.is_some()),
        };
        Ok(Self {
            sampling: wire.sampling.is_some(),
            elicitation_form,
            elicitation_url,
            roots: wire.roots.is_some(),
            roots_list_changed: wire.roots.and_then(|r| r.0.list_changed).unwrap_or(false),
            tasks: wire.extensions.is_some_and(|e| e.0.tasks.is_some()),
        })
    }

    /// Reads the capabilities of a request, if it sent any (`None` declares nothing).
    pub(crate) fn from_raw(raw: Option<&str>) -> Result<Self, RpcError> {
        match raw {
            Some(raw) if raw != "null" => Self::parse(raw),
            _ => Ok(Self::default()),
        }
    }

    /// Whether the client declared the capability a server-to-client method needs:
    /// `sampling`, `elicitation` (either mode) or `roots`.
    pub fn declares(&self, capability: &str) -> bool {
        match capability {
            "sampling" => self.sampling,
            "elicitation" => self.elicitation_form || self.elicitation_url,
            "roots" => self.roots,
            _ => false,
        }
    }
}

#[derive(Deserialize)]
struct InfoWire<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    version: Cow<'a, str>,
    #[serde(borrow, default)]
    title: Option<Cow<'a, str>>,
}

/// Reads a client's `clientInfo`, keeping its name, version and title cut to
/// [`MAX_CLIENT_INFO_CHARS`]; `None` if absent or not of that shape.
pub(crate) fn client_info(raw: Option<&RawValue>) -> Option<Implementation> {
    let Object(info) = serde_json::from_str::<Object<InfoWire<'_>>>(raw?.get()).ok()?;
    let cut = |text: &str| text.chars().take(MAX_CLIENT_INFO_CHARS).collect::<String>();
    Some(Implementation {
        name: cut(&info.name),
        version: cut(&info.version),
        title: info.title.as_deref().map(cut),
        icons: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_only() {
        let huge = format!(
            r#"{{"experimental":{{"x":[{}0]}},"sampling":{{"tools":{{}}}},"elicitation":{{"url":{{}}}}}}"#,
            "0,".repeat(100_000)
        );
        let caps = ClientCapabilities::parse(&huge).unwrap();
        assert!(caps.sampling && caps.elicitation_url && !caps.elicitation_form);
        assert!(caps.declares("elicitation") && !caps.declares("roots"));
        let tasks = r#"{"extensions":{"io.modelcontextprotocol/tasks":{},"x":[1]}}"#;
        assert!(ClientCapabilities::parse(tasks).unwrap().tasks);
        assert!(
            !ClientCapabilities::parse(r#"{"extensions":{}}"#)
                .unwrap()
                .tasks
        );
        assert!(ClientCapabilities::parse(r#"{"extensions":[]}"#).is_err());
        assert!(
            ClientCapabilities::parse(r#"{"elicitation":{}}"#)
                .unwrap()
                .elicitation_form
        );
        assert_eq!(
            ClientCapabilities::parse("{}").unwrap(),
            ClientCapabilities::default()
        );
        for bad in ["[]", r#"[{"sampling":{}}]"#, r#"{"roots":[true]}"#, "1"] {
            assert!(ClientCapabilities::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn client_info_is_cut_to_size() {
        let long = "n".repeat(10_000);
        let raw = RawValue::from_string(format!(
            r#"{{"name":"{long}","version":"1","icons":[{}0]}}"#,
            "0,".repeat(1000)
        ))
        .unwrap();
        let info = client_info(Some(&raw)).unwrap();
        assert_eq!(info.name.len(), MAX_CLIENT_INFO_CHARS);
        assert_eq!(info.version, "1");
        assert!(client_info(Some(&RawValue::from_string("[1]".into()).unwrap())).is_none());
    }
}
