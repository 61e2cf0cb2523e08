//! Application state: values given to the server once ([`Server::state`](crate::Server::state))
//! and handed to every handler that takes a [`State<T>`] parameter.

use std::any::{Any, TypeId};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::extract::{ArgumentError, CallContext, FromCall, Param};

/// The values a server was given, one per type.
#[derive(Clone, Default)]
pub struct States {
    /// Few types per server: a scan beats hashing.
    entries: Vec<(TypeId, &'static str, Arc<dyn Any + Send + Sync>)>,
}

impl fmt::Debug for States {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.entries.iter().map(|(_, name, _)| name))
            .finish()
    }
}

/// No state at all.
pub(crate) static NONE: States = States {
    entries: Vec::new(),
};

impl States {
    /// No values.
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
        }
    }

    /// Adds `value`, replacing any earlier value of its type.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: Arc<T>) {
        let id = TypeId::of::<T>();
        self.entries.retain(|(t, _, _)| *t != id);
        self.entries.push((id, std::any::type_name::<T>(), value));
    }

    /// The value of type `T`.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.find::<T>().and_then(|value| value.downcast_ref::<T>())
    }

    /// The value of type `T`, shared.
    pub fn arc<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.find::<T>()
            .and_then(|value| Arc::clone(value).downcast::<T>().ok())
    }

    fn find<T: 'static>(&self) -> Option<&Arc<dyn Any + Send + Sync>> {
        let id = TypeId::of::<T>();
        self.entries
            .iter()
            .find(|(t, _, _)| *t == id)
            .map(|(_, _, value)| value)
    }

    /// Whether a value of type `T` is there.
    pub fn contains<T: Send + Sync + 'static>(&self) -> bool {
        let id = TypeId::of::<T>();
        self.entries.iter().any(|(t, _, _)| *t == id)
    }
}

/// A value the server was given with [`Server::state`](crate::Server::state): a handler
/// parameter, like axum's `State`.
///
/// A server whose handlers take a `State<T>` it was not given does not start: the error names
/// the handler and the type. `Option<State<T>>` is `None` instead.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::testing::TestClient;
///
/// #[derive(Default)]
/// struct Hits(AtomicU64);
///
/// /// Counts calls.
/// #[tool]
/// async fn hit(hits: State<Hits>) -> u64 {
///     hits.0.fetch_add(1, Ordering::Relaxed) + 1
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = Server::new().tool(hit::tool()).state(Hits::default());
/// let client = TestClient::new(server).unwrap();
/// client.call_tool("hit", serde_json::json!({})).await.unwrap();
/// let second = client.call_tool("hit", serde_json::json!({})).await.unwrap();
/// assert_eq!(second.all_text(), "2");
/// # }
/// ```
pub struct State<T>(Arc<T>);

impl<T> State<T> {
    /// The shared value itself (a `State` derefs to the value, so `state.field` reads the
    /// value's field).
    pub fn arc(&self) -> &Arc<T> {
        &self.0
    }
}

impl<T> Clone for State<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T: fmt::Debug> fmt::Debug for State<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("State").field(&self.0).finish()
    }
}

impl<T> Deref for State<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Send + Sync + 'static> FromCall for State<T> {
    fn from_call(call: &mut CallContext<'_>, _: &Param) -> Result<Self, ArgumentError> {
        call.request()
            .states()
            .arc::<T>()
            .map(State)
            .ok_or_else(|| ArgumentError::Unavailable(missing::<T>().into()))
    }

    fn check(states: &States) -> Result<(), String> {
        match states.contains::<T>() {
            true => Ok(()),
            false => Err(missing::<T>()),
        }
    }
}

fn missing<T>() -> String {
    format!(
        "it takes `State<{}>`, but the server was given no such value: add \
         `.state(value)` when building the server",
        std::any::type_name::<T>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_type_found_by_type() {
        let mut states = States::new();
        states.insert(Arc::new(5u32));
        states.insert(Arc::new(String::from("a")));
        states.insert(Arc::new(7u32));
        assert_eq!(states.get::<u32>(), Some(&7));
        assert_eq!(states.get::<String>().map(String::as_str), Some("a"));
        assert!(states.get::<u64>().is_none());
        assert!(State::<u64>::check(&states).unwrap_err().contains("u64"));
        assert!(State::<u32>::check(&states).is_ok());
    }
}
