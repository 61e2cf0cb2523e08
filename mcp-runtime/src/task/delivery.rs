//! A task's status changes pushed to the client's webhook, when it gave one (`delivery` on the
//! `tools/call` that created the task, the webhook object of the Events extension).
//!
//! Every status the task takes (`working` at creation, `input_required`, back to `working`, its
//! end) is one event: the task as `tasks/get` shows it, with its result or error at the end,
//! signed as Standard Webhooks say. An event's `webhook-id` (`{taskId}_{n}`, `n` counting the
//! task's statuses) is the same on every attempt, so the receiver can deduplicate; events may
//! arrive out of order after retries (`lastUpdatedAt` orders them). An event still failing when
//! its retries end is recorded on the task (`delivery` in `tasks/get`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use serde_json::{json, Map, Value};

use crate::webhook::{Delivery, Event, WebhookTarget, Webhooks};

/// Where a task's changes go, and what became of them.
#[derive(Debug)]
pub(crate) struct TaskDelivery {
    webhooks: Webhooks,
    target: WebhookTarget,
    /// The last status sent.
    sent: Mutex<Option<String>>,
    /// How many statuses were sent.
    count: AtomicU32,
    /// The last event that could not be delivered, as `tasks/get` shows it.
    failed: Mutex<Option<Value>>,
}

impl TaskDelivery {
    pub(crate) fn new(webhooks: Webhooks, target: WebhookTarget) -> Self {
        Self {
            webhooks,
            target,
            sent: Mutex::new(None),
            count: AtomicU32::new(0),
            failed: Mutex::new(None),
        }
    }

    /// Sends the task's state (built only then) if its status changed since the last event.
    pub(crate) fn status(
        &self,
        task_id: &str,
        status: &str,
        state: impl FnOnce() -> Map<String, Value>,
    ) -> Option<tokio::task::JoinHandle<Delivery>> {
        {
            let mut sent = self.sent.lock().expect("delivery lock");
            if sent.as_deref() == Some(status) {
                return None;
            }
            *sent = Some(status.to_owned());
        }
        let n = self.count.fetch_add(1, Ordering::AcqRel) + 1;
        match Event::with_id(format!("{task_id}_{n}"), &state()) {
            Ok(event) => Some(self.webhooks.deliver(&self.target, event)),
            Err(e) => {
                tracing::warn!(error = %e, "a task's status could not be made an event");
                None
            }
        }
    }

    /// Records how a delivery ended: a failure stays on the task until a later event is
    /// delivered. Returns whether what the task shows changed.
    pub(crate) fn record(&self, delivery: &Delivery) -> bool {
        let mut failed = self.failed.lock().expect("delivery lock");
        match &delivery.result {
            Ok(_) => failed.take().is_some(),
            Err(error) => {
                *failed = Some(json!({
                    "mode": "webhook",
                    "status": "failed",
                    "eventId": delivery.event_id,
                    "attempts": delivery.attempts,
                    "lastError": error.kind.last_error(),
                    "message": error.message,
                }));
                true
            }
        }
    }

    /// The last failed delivery, as `tasks/get` shows it.
    pub(crate) fn failure(&self) -> Option<Value> {
        self.failed.lock().expect("delivery lock").clone()
    }
}
