//! [`Notifier`]: tell connected clients that lists or resources changed, from anywhere in the
//! application.

use std::sync::Arc;

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
    hub: Arc<broadcast::Sender<Change>>,
}

impl Default for Notifier {
    fn default() -> Self {
        Self {
            hub: Arc::new(broadcast::channel(256).0),
        }
    }
}

impl Notifier {
    /// Announces a change (nothing happens when nobody listens).
    pub fn notify(&self, change: Change) {
        let _ = self.hub.send(change);
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

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Change> {
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
                "this call is not made to a server",
            ))
    }

    fn describe(_: &mut InputSchema<'_>, _: &Param) {}
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
    /// `notifications/resources/updated` for these URIs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
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
