//! Tasks (the `io.modelcontextprotocol/tasks` extension): a tool call answered at once with a
//! task the client polls, while the handler runs on.
//!
//! A task is created when a call of a task-supporting tool has not finished at its first
//! wait; the handler keeps running on its own tokio task. When it asks the client for input, the
//! question is parked on the task (`input_required`, with `inputRequests`) and the handler waits
//! until `tasks/update` brings the answer: it is not run again. The task keeps its result or
//! error until its time to live ends, and belongs to the principal that created it. A client
//! may give a webhook (`delivery`): every status the task takes is then pushed to it
//! (`delivery.rs`, through [`webhook`](crate::webhook)).

mod delivery;
mod record;
mod store;
mod wire;

pub(crate) use delivery::TaskDelivery;
pub(crate) use record::{Finished, Task};
pub(crate) use store::{TaskLimits, Tasks};
pub(crate) use wire::{legacy, timestamp};

/// How long a task and its result are kept by default, from its creation
/// ([`Server::task_ttl`](crate::Server::task_ttl)).
pub const DEFAULT_TASK_TTL: std::time::Duration = std::time::Duration::from_secs(3600);

/// How many tasks the server keeps by default, running or finished
/// ([`Server::task_limits`](crate::Server::task_limits)).
pub const DEFAULT_MAX_TASKS: usize = 10_000;

/// How many tasks one client (principal, else address) keeps by default.
pub const DEFAULT_TASKS_PER_CLIENT: usize = 1_000;

/// Whether a task (as `tasks/get` shows it) has ended.
pub(crate) fn ended(task: &serde_json::Map<String, serde_json::Value>) -> bool {
    matches!(
        task.get("status").and_then(serde_json::Value::as_str),
        Some("completed" | "failed" | "cancelled")
    )
}

/// How often clients are asked to poll, in milliseconds.
pub(crate) const POLL_INTERVAL_MS: u64 = 500;
