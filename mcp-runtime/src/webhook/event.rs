//! What is delivered: [`Event`], a JSON body and the id every attempt carries.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use bytes::Bytes;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;
use serde::Serialize;

use super::target::is_token;

/// The longest event id accepted, in bytes.
const MAX_ID_BYTES: usize = 256;

/// One message to deliver: a JSON body, serialized once, and its `webhook-id`.
///
/// The id is the same on every attempt of a delivery, so a receiver that deduplicates on it
/// processes the message once even when it arrives more than once (delivery is at least once).
/// Under the MCP Events extension an event occurrence's `webhook-id` is its `eventId`
/// ([`with_id`](Self::with_id)), and other messages get `msg_<random>` ([`new`](Self::new)) or
/// `msg_<type>_<random>` ([`control`](Self::control)).
///
/// ```
/// use mcp_runtime::webhook::Event;
/// use serde_json::json;
///
/// let event = Event::new(&json!({"status": "completed"}));
/// assert!(event.id().starts_with("msg_"));
/// assert_eq!(event.body(), br#"{"status":"completed"}"#);
///
/// let occurrence = json!({"eventId": "evt_789", "name": "task.status", "data": {}});
/// let event = Event::with_id("evt_789", &occurrence)?;
/// assert_eq!(event.id(), "evt_789");
/// # Ok::<(), mcp_runtime::webhook::EventError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    id: String,
    body: Bytes,
}

impl Event {
    /// An event with a fresh unique id, `msg_` and 22 random characters.
    pub fn new(body: &serde_json::Value) -> Self {
        Self {
            id: random_id("msg_"),
            body: Bytes::from(body.to_string()),
        }
    }

    /// A control message of the Events extension (`gap`, `terminated`, `verification`): its id
    /// is `msg_<kind>_<random>`. `kind` must be 1 to 32 visible ASCII characters.
    pub fn control(kind: &str, body: &serde_json::Value) -> Result<Self, EventError> {
        if !is_token(kind, 32) {
            return Err(EventError::Id);
        }
        Ok(Self {
            id: random_id(&format!("msg_{kind}_")),
            body: Bytes::from(body.to_string()),
        })
    }

    /// An event with the id given, such as an event occurrence's `eventId`. The id must be 1 to
    /// 256 visible ASCII characters (it travels in a header).
    pub fn with_id(id: impl Into<String>, body: &impl Serialize) -> Result<Self, EventError> {
        let id = id.into();
        if !is_token(&id, MAX_ID_BYTES) {
            return Err(EventError::Id);
        }
        let body = serde_json::to_vec(body).map_err(|e| EventError::Body(e.to_string()))?;
        Ok(Self {
            id,
            body: Bytes::from(body),
        })
    }

    /// The `webhook-id`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The body, exactly as sent and signed.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    pub(crate) fn bytes(&self) -> Bytes {
        self.body.clone()
    }
}

fn random_id(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Why an [`Event`] could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The id is empty, too long, or has characters a header cannot carry.
    #[error("an event id must be 1 to 256 visible ASCII characters")]
    Id,
    /// The body could not be serialized to JSON.
    #[error("the event body is not serializable to JSON: {0}")]
    Body(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_unique_and_checked() {
        let a = Event::new(&json!({}));
        let b = Event::new(&json!({}));
        assert_ne!(a.id(), b.id());
        assert_eq!(a.id().len(), "msg_".len() + 22);
        let gap = Event::control("gap", &json!({"type": "gap", "cursor": "c"})).unwrap();
        assert!(gap.id().starts_with("msg_gap_"));
        assert_eq!(Event::with_id("", &json!({})), Err(EventError::Id));
        assert_eq!(Event::with_id("a\nb", &json!({})), Err(EventError::Id));
        assert_eq!(
            Event::with_id("x".repeat(257), &json!({})),
            Err(EventError::Id)
        );
        assert_eq!(Event::control("a b", &json!({})), Err(EventError::Id));
    }
}
