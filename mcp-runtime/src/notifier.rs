//! [`Notifier`]: tell connected clients that lists or resources changed, from anywhere in the
//! application.

use std::sync::Arc;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::extract::{ArgumentError, CallContext, FromCall, Needs, Param};
use crate::schema::InputSchema;

/// Something clients may want to hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// The set of tools changed.
    Tools,
    /// The set of prompts changed.
    Prompts,
    /// The set of resources changed.
    Resources,
    /// The contents of this resource changed.
    Resource(String),
}

impl Change {
    /// The notification's method.
    pub(crate) fn method(&self) -> &'static str {
        match self {
            Change::Tools => "notifications/tools/list_changed",
            Change::Prompts => "notifications/prompts/list_changed",
            Change::Resources => "notifications/resources/list_changed",
            Change::Resource(_) => "notifications/resources/updated",
        }
    }
}

/// Sends change notifications to every client listening: 2025-era sessions on their `GET`
/// stream (resource updates only to sessions subscribed to the resource), 2026-07-28 clients on
/// their `subscriptions/listen` streams (filtered as each asked).
///
/// Get one with [`Server::notifier`](crate::Server::notifier) (which also makes the server
/// advertise `listChanged`), keep clones anywhere, or take it as a handler parameter.
///
/// ```
/// use mcp_runtime::Server;
///
/// let mut server = Server::new();
/// let notifier = server.notifier();
/// std::thread::spawn(move || notifier.resource_updated("config://app"));
/// ```
#[derive(Debug, Clone)]
pub struct Notifier {
    hub: Arc<broadcast::Sender<Arc<Notice>>>,
    /// Where changes raised here also go, to reach the server's other processes (set when the
    /// server shares a store).
    relay: Arc<std::sync::OnceLock<tokio::sync::mpsc::Sender<Change>>>,
}

/// A change, with its notification written once for every stream that hears it.
#[derive(Debug)]
pub(crate) struct Notice {
    pub(crate) change: Change,
    /// The notification as a session's stream carries it.
    plain: Bytes,
    /// The notification up to the subscription id a listen stream puts in `_meta`, and after.
    tagged: (Bytes, Bytes),
}

impl Notice {
    fn new(change: Change) -> Self {
        let method = change.method();
        let members = match &change {
            Change::Resource(uri) => {
                let uri = serde_json::to_string(uri).expect("a string serializes");
                format!(r#""uri":{uri}"#)
            }
            _ => String::new(),
        };
        let head = format!(r#"{{"jsonrpc":"2.0","method":"{method}","params":{{{members}"#);
        let plain = Bytes::from(format!("{head}}}}}"));
        let comma = if members.is_empty() { "" } else { "," };
        let tagged = (
            Bytes::from(format!(
                r#"{head}{comma}"_meta":{{"io.modelcontextprotocol/subscriptionId":"#
            )),
            Bytes::from_static(b"}}}"),
        );
        Self {
            change,
            plain,
            tagged,
        }
    }

    /// The notification's JSON, tagged with a listen stream's subscription id (JSON) if given.
    pub(crate) fn message(&self, subscription: Option<&str>) -> Bytes {
        let Some(id) = subscription else {
            return self.plain.clone();
        };
        let (head, tail) = &self.tagged;
        let mut out = Vec::with_capacity(head.len() + id.len() + tail.len());
        out.extend_from_slice(head);
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(tail);
        Bytes::from(out)
    }
}

impl Default for Notifier {
    fn default() -> Self {
        Self {
            hub: Arc::new(broadcast::channel(256).0),
            relay: Arc::default(),
        }
    }
}

impl Notifier {
    /// Announces a change to this process's listeners and, when the server shares a store,
    /// to every other process's (nothing happens when nobody listens).
    pub fn notify(&self, change: Change) {
        if let Some(relay) = self.relay.get() {
            if relay.try_send(change.clone()).is_err() {
                tracing::warn!(
                    "too many changes waiting for the store: one reached only this process"
                );
            }
        }
        self.deliver(change);
    }

    /// Announces a change to this process's listeners only.
    pub(crate) fn deliver(&self, change: Change) {
        if self.hub.receiver_count() > 0 {
            let _ = self.hub.send(Arc::new(Notice::new(change)));
        }
    }

    /// Relays every change raised from now on to `outbox` too; `false` if it relays already.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn relay_to(&self, outbox: tokio::sync::mpsc::Sender<Change>) -> bool {
        self.relay.set(outbox).is_ok()
    }

    /// The tools changed.
    pub fn tools_changed(&self) {
        self.notify(Change::Tools);
    }

    /// The prompts changed.
    pub fn prompts_changed(&self) {
        self.notify(Change::Prompts);
    }

    /// The resources changed.
    pub fn resources_changed(&self) {
        self.notify(Change::Resources);
    }

    /// A resource's contents changed.
    pub fn resource_updated(&self, uri: impl Into<String>) {
        self.notify(Change::Resource(uri.into()));
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<Notice>> {
        self.hub.subscribe()
    }
}

impl FromCall for Notifier {
    const NEEDS: Needs = Needs::CHANGES;

    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        call.scope()
            .notifier
            .clone()
            .ok_or(ArgumentError::Unavailable(
                "this call is not made to a server".into(),
            ))
    }

    fn describe(_: &mut InputSchema<'_>, _: &Param) {}
}

/// The longest resource URI a client may subscribe to (`subscriptions/listen`,
/// `resources/subscribe`).
pub const MAX_URI_LEN: usize = 4096;

/// The most resources one `subscriptions/listen` stream subscribes to.
pub const MAX_LISTEN_SUBSCRIPTIONS: usize = 256;

/// Reads `resourceSubscriptions`, stopping at the first URI past the limits (so a request of
/// megabytes of URIs is refused after reading what the limits allow, not kept).
fn bounded_uris<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct Uris;
    impl<'de> serde::de::Visitor<'de> for Uris {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array of resource URIs")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Vec<String>, A::Error> {
            let mut uris = Vec::new();
            while let Some(uri) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                if uris.len() == MAX_LISTEN_SUBSCRIPTIONS {
                    return Err(serde::de::Error::custom(format_args!(
                        "at most {MAX_LISTEN_SUBSCRIPTIONS} resource subscriptions per stream"
                    )));
                }
                if uri.len() > MAX_URI_LEN {
                    return Err(serde::de::Error::custom(format_args!(
                        "a subscribed URI may be at most {MAX_URI_LEN} bytes long"
                    )));
                }
                if !uris.iter().any(|u: &String| *u == uri) {
                    uris.push(uri.into_owned());
                }
            }
            Ok(uris)
        }
    }
    d.deserialize_seq(Uris)
}

/// What a `subscriptions/listen` request opts in to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionFilter {
    /// `notifications/tools/list_changed`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tools_list_changed: bool,
    /// `notifications/prompts/list_changed`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prompts_list_changed: bool,
    /// `notifications/resources/list_changed`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resources_list_changed: bool,
    /// `notifications/resources/updated` for these URIs (at most
    /// [`MAX_LISTEN_SUBSCRIPTIONS`], each at most [`MAX_URI_LEN`] bytes).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "bounded_uris"
    )]
    pub resource_subscriptions: Vec<String>,
}

impl SubscriptionFilter {
    /// Whether the filter lets `change` through.
    pub(crate) fn wants(&self, change: &Change) -> bool {
        match change {
            Change::Tools => self.tools_list_changed,
            Change::Prompts => self.prompts_list_changed,
            Change::Resources => self.resources_list_changed,
            Change::Resource(uri) => self.resource_subscriptions.iter().any(|u| u == uri),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_written_once_and_tagged_per_stream() {
        let notice = Notice::new(Change::Resource("file:///a \"b\"".into()));
        let plain: serde_json::Value = serde_json::from_slice(&notice.message(None)).unwrap();
        assert_eq!(
            plain,
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/resources/updated", "params": {"uri": "file:///a \"b\""}})
        );
        let tagged: serde_json::Value =
            serde_json::from_slice(&notice.message(Some(r#""sub-1""#))).unwrap();
        assert_eq!(
            tagged["params"],
            serde_json::json!({"uri": "file:///a \"b\"", "_meta": {"io.modelcontextprotocol/subscriptionId": "sub-1"}})
        );
        let tools = Notice::new(Change::Tools);
        let tagged: serde_json::Value = serde_json::from_slice(&tools.message(Some("7"))).unwrap();
        assert_eq!(
            tagged,
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed", "params": {"_meta": {"io.modelcontextprotocol/subscriptionId": 7}}})
        );
    }
}
