//! One task: who owns it, what it is doing, the questions it waits on, and how it ended.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde_json::{json, Map, Value};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::protocol::RpcError;

/// How a task ended.
#[derive(Debug, Clone)]
pub(crate) enum Finished {
    /// The call's result (a tool error included: `isError`).
    Completed(Value),
    /// The JSON-RPC error the call failed with.
    Failed(Value),
    /// The client cancelled it.
    Cancelled,
}

impl Finished {
    /// A failure with this error.
    pub(crate) fn failed(error: &RpcError) -> Self {
        Self::Failed(error_object(error))
    }
}

/// A JSON-RPC error as a failed task shows it (`code`, `message`, `data`).
pub(crate) fn error_object(error: &RpcError) -> Value {
    let mut object = json!({"code": error.code.0, "message": error.message});
    if let Some(data) = &error.data {
        object["data"] = data.clone();
    }
    object
}

impl State {
    /// The status the wire shows: derived from how it ended and what it waits on.
    fn status(&self) -> &'static str {
        match (&self.finished, self.waiting.is_empty()) {
            (Some(Finished::Completed(_)), _) => "completed",
            (Some(Finished::Failed(_)), _) => "failed",
            (Some(Finished::Cancelled), _) => "cancelled",
            (None, true) => "working",
            (None, false) => "input_required",
        }
    }
}

/// A question to the client the handler waits on.
#[derive(Debug)]
struct Question {
    key: String,
    /// `{method, params}`.
    request: Value,
    answer: oneshot::Sender<Value>,
}

#[derive(Debug)]
struct State {
    updated: SystemTime,
    /// What the handler last reported (`statusMessage`).
    message: Option<String>,
    finished: Option<Finished>,
    waiting: Vec<Question>,
}

/// A task, shared by the store and the handler it runs.
#[derive(Debug)]
pub(crate) struct Task {
    pub(crate) id: Box<str>,
    /// The principal that created it (`None`: an unauthenticated client; the id alone admits).
    owner: Option<Box<str>>,
    /// The 2025-era session it was created in, which lists it.
    session: Option<Box<str>>,
    created: SystemTime,
    /// When the server forgets it.
    pub(crate) expires: tokio::time::Instant,
    ttl: Duration,
    cancel: CancellationToken,
    state: Mutex<State>,
    /// Its place in the server's and its client's task budget.
    _permit: crate::quota::Permit,
    /// Where its changes are written for the server's other processes.
    #[cfg(feature = "redis")]
    shared: Option<Shared>,
    /// The client's webhook, if it gave one.
    delivery: std::sync::OnceLock<super::TaskDelivery>,
}

/// A task's record on Redis, written in order.
#[cfg(feature = "redis")]
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: crate::store::RedisStore,
    /// When the record expires, in milliseconds since the Unix epoch.
    pub(crate) expires_at_ms: u64,
    /// A change not written yet.
    dirty: std::sync::atomic::AtomicBool,
    /// Whether a writer is under way (it writes every change made until it stops).
    writing: std::sync::atomic::AtomicBool,
}

impl Task {
    pub(crate) fn new(
        id: Box<str>,
        owner: Option<&str>,
        ttl: Duration,
        cancel: CancellationToken,
        permit: crate::quota::Permit,
    ) -> Self {
        let now = SystemTime::now();
        Self {
            id,
            owner: owner.map(Into::into),
            session: None,
            created: now,
            expires: tokio::time::Instant::now() + ttl,
            ttl,
            cancel,
            state: Mutex::new(State {
                updated: now,
                message: None,
                finished: None,
                waiting: Vec::new(),
            }),
            _permit: permit,
            #[cfg(feature = "redis")]
            shared: None,
            delivery: std::sync::OnceLock::new(),
        }
    }

    /// From now on its status changes go to the client's webhook, starting with the status it
    /// has now.
    pub(crate) fn deliver_to(self: &std::sync::Arc<Self>, delivery: super::TaskDelivery) {
        if self.delivery.set(delivery).is_ok() {
            self.send_status();
        }
    }

    /// Sends the task's status to its webhook if it changed; a delivery that fails for good is
    /// recorded on the task.
    fn send_status(self: &std::sync::Arc<Self>) {
        let Some(delivery) = self.delivery.get() else {
            return;
        };
        let status = self.state().status();
        let Some(sending) = delivery.status(&self.id, status, || self.to_wire(true)) else {
            return;
        };
        let task = self.clone();
        tokio::spawn(async move {
            if let Ok(outcome) = sending.await {
                let delivery = task.delivery.get().expect("set before sending");
                if delivery.record(&outcome) {
                    task.changed();
                }
            }
        });
    }

    /// The same task, its changes written to `store` for the server's other processes.
    #[cfg(feature = "redis")]
    pub(crate) fn shared_through(mut self, store: crate::store::RedisStore) -> Self {
        let left = self
            .expires
            .saturating_duration_since(tokio::time::Instant::now());
        let now = SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        self.shared = Some(Shared {
            store,
            expires_at_ms: u64::try_from((now + left).as_millis()).unwrap_or(u64::MAX),
            dirty: std::sync::atomic::AtomicBool::new(false),
            writing: std::sync::atomic::AtomicBool::new(false),
        });
        self
    }

    /// Its record on Redis, if the server shares its tasks.
    #[cfg(feature = "redis")]
    pub(crate) fn shared(&self) -> Option<&Shared> {
        self.shared.as_ref()
    }

    /// Writes the task's new state for the other processes: in the background, one writer at
    /// a time, each write the newest state (changes made while one is under way are written
    /// together after it).
    fn changed(self: &std::sync::Arc<Self>) {
        self.send_status();
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            use std::sync::atomic::Ordering::AcqRel;
            shared
                .dirty
                .store(true, std::sync::atomic::Ordering::Release);
            if shared.writing.swap(true, AcqRel) {
                return;
            }
            let task = self.clone();
            tokio::spawn(async move {
                let shared = task.shared.as_ref().expect("checked");
                loop {
                    while shared.dirty.swap(false, AcqRel) {
                        let state = task.to_wire(true);
                        let written = shared.store.write_task(&task.id, &state).await;
                        if written.is_err() {
                            tracing::warn!(task = %task.id, "Redis unreachable: a task's change was not shared");
                        }
                    }
                    shared
                        .writing
                        .store(false, std::sync::atomic::Ordering::Release);
                    // A change made after the last look, whose maker saw this writer busy.
                    if !shared.dirty.load(std::sync::atomic::Ordering::Acquire)
                        || shared.writing.swap(true, AcqRel)
                    {
                        break;
                    }
                }
            });
        }
    }

    /// Sets the status message clients read when they poll (the handler's last progress).
    pub(crate) fn set_message(self: &std::sync::Arc<Self>, message: String) {
        {
            let mut state = self.state();
            if state.finished.is_some() || state.message.as_deref() == Some(message.as_str()) {
                return;
            }
            state.message = Some(message);
            state.updated = SystemTime::now();
        }
        self.changed();
    }

    /// The same task, created in the 2025-era session `session`.
    pub(crate) fn in_session(mut self, session: Option<Box<str>>) -> Self {
        self.session = session;
        self
    }

    /// The 2025-era session it was created in.
    pub(crate) fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// When it was created.
    pub(crate) fn created(&self) -> SystemTime {
        self.created
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("task lock")
    }

    /// Whether `principal` may see the task.
    pub(crate) fn belongs_to(&self, principal: Option<&str>) -> bool {
        self.owner.as_deref() == principal
    }

    /// Whether its time to live has ended.
    pub(crate) fn expired(&self, now: tokio::time::Instant) -> bool {
        now >= self.expires
    }

    /// Parks a question for the client; resolves with its answer (`tasks/update`), or never
    /// when the task ends first (the handler is dropped then).
    pub(crate) fn ask(
        self: &std::sync::Arc<Self>,
        key: String,
        request: Value,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Value> + Send>> {
        let (answer, answered) = oneshot::channel();
        {
            let mut state = self.state();
            if state.finished.is_none() {
                state.waiting.push(Question {
                    key,
                    request,
                    answer,
                });
                state.updated = SystemTime::now();
            }
        }
        self.changed();
        Box::pin(async move {
            match answered.await {
                Ok(value) => value,
                Err(_) => std::future::pending().await,
            }
        })
    }

    /// Delivers the answers to questions the task waits on; answers to anything else are
    /// ignored. Returns how many were delivered.
    pub(crate) fn answer(self: &std::sync::Arc<Self>, responses: Map<String, Value>) -> usize {
        let delivered = self.deliver(responses);
        if delivered > 0 {
            self.changed();
        }
        delivered
    }

    fn deliver(&self, responses: Map<String, Value>) -> usize {
        let mut state = self.state();
        let mut delivered = 0;
        for (key, value) in responses {
            if let Some(at) = state.waiting.iter().position(|q| q.key == key) {
                let question = state.waiting.remove(at);
                // The handler may have stopped waiting (it was cancelled meanwhile).
                let _ = question.answer.send(value);
                delivered += 1;
            }
        }
        if delivered > 0 {
            state.updated = SystemTime::now();
        }
        delivered
    }

    /// Records how the task ended, unless it already has; the questions it waited on are
    /// dropped. Returns whether this call ended it.
    pub(crate) fn finish(self: &std::sync::Arc<Self>, finished: Finished) -> bool {
        {
            let mut state = self.state();
            if state.finished.is_some() {
                return false;
            }
            state.finished = Some(finished);
            state.waiting.clear();
            state.updated = SystemTime::now();
        }
        self.changed();
        true
    }

    /// Cancels the task: it ends `cancelled` (unless it had ended) and its handler is stopped.
    pub(crate) fn cancel(self: &std::sync::Arc<Self>) {
        self.finish(Finished::Cancelled);
        self.cancel.cancel();
    }

    /// The token its handler watches.
    pub(crate) fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    /// How it ended, if it has.
    #[cfg(test)]
    pub(crate) fn finished(&self) -> Option<Finished> {
        self.state().finished.clone()
    }

    /// The task as the wire shows it: `taskId`, `status`, timestamps, `ttlMs`,
    /// `pollIntervalMs`; with `detailed`, also its `result`, `error` or `inputRequests`.
    pub(crate) fn to_wire(&self, detailed: bool) -> Map<String, Value> {
        let state = self.state();
        let status = state.status();
        let mut task = Map::new();
        task.insert("taskId".into(), Value::String(self.id.to_string()));
        task.insert("status".into(), status.into());
        if let Some(message) = &state.message {
            task.insert("statusMessage".into(), message.clone().into());
        }
        task.insert("createdAt".into(), super::timestamp(self.created).into());
        task.insert(
            "lastUpdatedAt".into(),
            super::timestamp(state.updated).into(),
        );
        let ttl_ms = u64::try_from(self.ttl.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        task.insert("ttlMs".into(), ttl_ms.into());
        task.insert("pollIntervalMs".into(), super::POLL_INTERVAL_MS.into());
        if let Some(failed) = self.delivery.get().and_then(|d| d.failure()) {
            task.insert("delivery".into(), failed);
        }
        if detailed {
            match &state.finished {
                Some(Finished::Completed(result)) => {
                    task.insert("result".into(), result.clone());
                }
                Some(Finished::Failed(error)) => {
                    task.insert("error".into(), error.clone());
                }
                Some(Finished::Cancelled) => {}
                None if !state.waiting.is_empty() => {
                    let requests = state
                        .waiting
                        .iter()
                        .map(|q| (q.key.clone(), q.request.clone()))
                        .collect::<Map<_, _>>();
                    task.insert("inputRequests".into(), Value::Object(requests));
                }
                None => {}
            }
        }
        task
    }
}
