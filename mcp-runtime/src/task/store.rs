//! Where a server keeps its tasks: bounded in number (in all, and per client), each forgotten
//! when its time to live ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::Task;
use crate::protocol::RpcError;
use crate::quota::{Budget, ClientKey, Exhausted};

/// How many tasks a server keeps and for how long ([`Server::task_ttl`],
/// [`Server::task_limits`]).
///
/// [`Server::task_ttl`]: crate::Server::task_ttl
/// [`Server::task_limits`]: crate::Server::task_limits
#[derive(Debug, Clone, Copy)]
pub(crate) struct TaskLimits {
    pub(crate) ttl: Duration,
    pub(crate) max: usize,
    pub(crate) per_client: usize,
}

/// The tasks of one server process (and, with a Redis store, of all its processes).
#[derive(Debug)]
pub(crate) struct Tasks {
    tasks: Mutex<HashMap<Box<str>, Arc<Task>>>,
    budget: Arc<Budget>,
    ttl: Duration,
    /// When expired tasks were last swept out.
    swept: Mutex<Instant>,
    /// Where tasks are shared with the server's other processes.
    #[cfg(feature = "redis")]
    shared: Option<crate::store::RedisStore>,
}

/// Sweeps happen at most this often (each creation may trigger one).
const SWEEP_EVERY: Duration = Duration::from_secs(1);

impl Tasks {
    pub(crate) fn new(limits: TaskLimits) -> Self {
        Self {
            tasks: Mutex::default(),
            budget: Budget::new(limits.max, limits.per_client),
            ttl: limits.ttl,
            swept: Mutex::new(Instant::now()),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// The same tasks, shared with every process on `store`.
    #[cfg(feature = "redis")]
    pub(crate) fn shared_through(mut self, store: crate::store::RedisStore) -> Self {
        self.shared = Some(store);
        self
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, Arc<Task>>> {
        self.tasks.lock().expect("tasks lock")
    }

    /// Registers a new task of `owner`, counted against `client`'s share; once this returns,
    /// `tasks/get` finds it on any process.
    pub(crate) async fn create(
        &self,
        owner: Option<&str>,
        client: Option<ClientKey>,
        cancel: CancellationToken,
        ttl: Option<Duration>,
        session: Option<Box<str>>,
    ) -> Result<Arc<Task>, RpcError> {
        self.sweep_if_due();
        let permit = self.budget.take(client).map_err(refused)?;
        // A client may ask for less time than the server keeps tasks, never more.
        let ttl = ttl.map_or(self.ttl, |asked| {
            asked.clamp(Duration::from_millis(1), self.ttl)
        });
        let task =
            Task::new(crate::session::new_id(), owner, ttl, cancel, permit).in_session(session);
        #[cfg(feature = "redis")]
        let task = match &self.shared {
            Some(store) => {
                let task = task.shared_through(store.clone());
                let shared = task.shared().expect("just set");
                let listing = listing(owner, task.session());
                store
                    .create_task(
                        &task.id,
                        owner,
                        &task.to_wire(true),
                        shared.expires_at_ms,
                        &listing,
                    )
                    .await
                    .map_err(|_| unavailable())?;
                task
            }
            None => task,
        };
        let task = Arc::new(task);
        self.map().insert(task.id.clone(), task.clone());
        Ok(task)
    }

    /// The task `id` as this process runs it, if it does, the task has not expired and it
    /// belongs to `principal`; any other caller learns nothing of it.
    fn local(&self, id: &str, principal: Option<&str>) -> Option<Arc<Task>> {
        let mut tasks = self.map();
        let task = tasks.get(id)?;
        if task.expired(Instant::now()) {
            let task = tasks.remove(id).expect("present");
            drop(tasks);
            task.cancel();
            return None;
        }
        task.belongs_to(principal).then(|| task.clone())
    }

    /// `tasks/get`: the task as the wire shows it, with its result, error or questions.
    pub(crate) async fn get(
        &self,
        id: &str,
        principal: Option<&str>,
    ) -> Result<Option<Map<String, Value>>, RpcError> {
        if let Some(task) = self.local(id, principal) {
            return Ok(Some(task.to_wire(true)));
        }
        #[cfg(feature = "redis")]
        if let Some(store) = &self.shared {
            let unavailable = |_| unavailable();
            let Some(stored) = store.load_task(id).await.map_err(unavailable)? else {
                return Ok(None);
            };
            if stored.owner.as_deref() != principal {
                return Ok(None);
            }
            if stored.running {
                return Ok(Some(stored.state));
            }
            // Its process is gone: the task can never finish.
            let error = super::record::error_object(&RpcError::internal(
                "the server process running this task stopped before it finished; call the \
                 tool again",
            ));
            let state = store
                .end_task(id, stored.state, "failed", Some(error))
                .await
                .map_err(unavailable)?;
            return Ok(Some(state));
        }
        Ok(None)
    }

    /// `tasks/update`: hands the client's answers to the task, wherever it runs. Answers to
    /// a task this caller cannot see, or to questions the task does not wait on, are ignored.
    pub(crate) async fn update(
        &self,
        id: &str,
        principal: Option<&str>,
        responses: Map<String, Value>,
    ) -> Result<(), RpcError> {
        if let Some(task) = self.local(id, principal) {
            task.answer(responses);
            return Ok(());
        }
        #[cfg(feature = "redis")]
        if let Some(store) = &self.shared {
            let unavailable = |_| unavailable();
            if let Some(stored) = store.load_task(id).await.map_err(unavailable)? {
                if stored.owner.as_deref() == principal && !stored.ended() {
                    store
                        .tell_task(id, crate::store::TaskEvent::Answers(responses))
                        .await
                        .map_err(unavailable)?;
                }
            }
        }
        Ok(())
    }

    /// `tasks/cancel`: ends the task `cancelled` (unless it had ended) and stops its handler,
    /// wherever it runs. `false` if there is no such task for this caller.
    pub(crate) async fn cancel(&self, id: &str, principal: Option<&str>) -> Result<bool, RpcError> {
        if let Some(task) = self.local(id, principal) {
            task.cancel();
            return Ok(true);
        }
        #[cfg(feature = "redis")]
        if let Some(store) = &self.shared {
            let unavailable = |_| unavailable();
            let Some(stored) = store.load_task(id).await.map_err(unavailable)? else {
                return Ok(false);
            };
            if stored.owner.as_deref() != principal {
                return Ok(false);
            }
            if !stored.ended() {
                store
                    .end_task(id, stored.state, "cancelled", None)
                    .await
                    .map_err(unavailable)?;
                store
                    .tell_task(id, crate::store::TaskEvent::Cancel)
                    .await
                    .map_err(unavailable)?;
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// Applies what another process heard about a task this one runs.
    #[cfg(feature = "redis")]
    pub(crate) fn apply(&self, id: &str, event: crate::store::TaskEvent) {
        let Some(task) = self.map().get(id).cloned() else {
            return;
        };
        match event {
            crate::store::TaskEvent::Answers(responses) => {
                task.answer(responses);
            }
            crate::store::TaskEvent::Cancel => task.cancel(),
        }
    }

    /// The 2025-era `tasks/list`: the tasks of `principal` created in `session` (another
    /// session's tasks, or another principal's, are not listed), as `tasks/get` shows them,
    /// oldest first; with a Redis store, those of every process.
    pub(crate) async fn list(
        &self,
        principal: Option<&str>,
        session: Option<&str>,
    ) -> Result<Vec<Map<String, Value>>, RpcError> {
        #[cfg(feature = "redis")]
        if let Some(store) = &self.shared {
            let mut tasks = store
                .list_tasks(&listing(principal, session), principal)
                .await
                .map_err(|_| unavailable())?;
            let created = |t: &Map<String, Value>| {
                t.get("createdAt")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            tasks.sort_by_key(|t| created(t));
            return Ok(tasks);
        }
        let now = Instant::now();
        let mut tasks: Vec<Arc<Task>> = self
            .map()
            .values()
            .filter(|t| !t.expired(now) && t.belongs_to(principal) && t.session() == session)
            .cloned()
            .collect();
        tasks.sort_by(|a, b| a.created().cmp(&b.created()).then_with(|| a.id.cmp(&b.id)));
        Ok(tasks.iter().map(|t| t.to_wire(false)).collect())
    }

    /// How many tasks are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map().len()
    }

    fn sweep_if_due(&self) {
        let now = Instant::now();
        {
            let mut swept = self.swept.lock().expect("sweep lock");
            if now.duration_since(*swept) < SWEEP_EVERY {
                return;
            }
            *swept = now;
        }
        self.sweep(now);
    }

    /// Forgets every expired task (stopping those still running).
    fn sweep(&self, now: Instant) {
        let expired: Vec<Arc<Task>> = {
            let mut tasks = self.map();
            let ids: Vec<Box<str>> = tasks
                .values()
                .filter(|t| t.expired(now))
                .map(|t| t.id.clone())
                .collect();
            ids.iter().filter_map(|id| tasks.remove(id)).collect()
        };
        for task in expired {
            task.cancel();
        }
    }
}

/// The name of the list of `principal`'s tasks in `session` (a digest: principals and session
/// ids never become key names).
#[cfg(feature = "redis")]
fn listing(principal: Option<&str>, session: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    for part in [principal, session] {
        match part {
            Some(part) => {
                digest.update([1]);
                digest.update((part.len() as u64).to_be_bytes());
                digest.update(part.as_bytes());
            }
            None => digest.update([0]),
        }
    }
    let digest = digest.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The answer when the store the tasks are shared in cannot be reached.
#[cfg(feature = "redis")]
fn unavailable() -> RpcError {
    RpcError::internal("the store this server keeps tasks in cannot be reached; retry later")
        .with_status(http::StatusCode::SERVICE_UNAVAILABLE)
        .with_retry_after(Duration::from_secs(5))
}

/// The answer to a task the server cannot keep now.
fn refused(exhausted: Exhausted) -> RpcError {
    let (status, message) = match exhausted {
        Exhausted::Total => (
            http::StatusCode::SERVICE_UNAVAILABLE,
            "the server keeps as many tasks as it may; retry later",
        ),
        Exhausted::Client => (
            http::StatusCode::TOO_MANY_REQUESTS,
            "this client has as many tasks as one client may; wait for some to expire",
        ),
    };
    RpcError::internal(message)
        .with_status(status)
        .with_retry_after(Duration::from_secs(5))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::Finished;
    use serde_json::json;

    fn tasks(ttl: Duration, max: usize, per_client: usize) -> Tasks {
        Tasks::new(TaskLimits {
            ttl,
            max,
            per_client,
        })
    }

    fn client(n: u8) -> Option<ClientKey> {
        ClientKey::of(None, Some(std::net::IpAddr::from([10, 0, 0, n])))
    }

    #[tokio::test]
    async fn a_task_is_seen_only_by_its_owner() {
        let tasks = tasks(Duration::from_secs(60), 10, 10);
        let alice = tasks
            .create(
                Some("alice"),
                client(1),
                CancellationToken::new(),
                None,
                None,
            )
            .await
            .unwrap();
        let anonymous = tasks
            .create(None, client(1), CancellationToken::new(), None, None)
            .await
            .unwrap();
        let seen = |id: &str, who: Option<&str>| tasks.local(id, who).is_some();
        assert!(seen(&alice.id, Some("alice")));
        assert!(!seen(&alice.id, Some("bob")));
        assert!(!seen(&alice.id, None));
        assert!(seen(&anonymous.id, None));
        assert!(!seen(&anonymous.id, Some("alice")));
        assert!(!seen("no-such-task", None));
        assert!(!tasks.cancel(&alice.id, Some("bob")).await.unwrap());
        assert!(tasks.get(&alice.id, Some("bob")).await.unwrap().is_none());
        assert!(tasks.cancel(&alice.id, Some("alice")).await.unwrap());
        assert_eq!(
            tasks.get(&alice.id, Some("alice")).await.unwrap().unwrap()["status"],
            "cancelled"
        );
        // Ids are long and distinct.
        assert_ne!(alice.id, anonymous.id);
        assert!(alice.id.len() >= 26, "{}", alice.id);
    }

    #[tokio::test(start_paused = true)]
    async fn expired_tasks_are_forgotten_and_stopped() {
        let tasks = tasks(Duration::from_secs(10), 10, 10);
        let cancel = CancellationToken::new();
        let old = tasks
            .create(None, client(1), cancel.clone(), None, None)
            .await
            .unwrap();
        tokio::time::advance(Duration::from_secs(9)).await;
        assert!(tasks.local(&old.id, None).is_some());
        tokio::time::advance(Duration::from_secs(2)).await;
        let _new = tasks
            .create(None, client(1), CancellationToken::new(), None, None)
            .await
            .unwrap();
        assert_eq!(
            tasks.len(),
            1,
            "the sweep on creation forgot the expired task"
        );
        assert!(cancel.is_cancelled(), "and stopped its handler");
        assert!(matches!(old.finished(), Some(Finished::Cancelled)));
    }

    #[tokio::test]
    async fn tasks_are_bounded_in_all_and_per_client() {
        let tasks = tasks(Duration::from_secs(60), 3, 2);
        let mut kept = Vec::new();
        for _ in 0..2 {
            let task = tasks.create(None, client(1), CancellationToken::new(), None, None);
            kept.push(task.await.unwrap());
        }
        let refused = tasks
            .create(None, client(1), CancellationToken::new(), None, None)
            .await
            .unwrap_err();
        assert_eq!(refused.status, http::StatusCode::TOO_MANY_REQUESTS);
        let _other = tasks
            .create(None, client(2), CancellationToken::new(), None, None)
            .await
            .unwrap();
        let full = tasks
            .create(None, client(3), CancellationToken::new(), None, None)
            .await
            .unwrap_err();
        assert_eq!(full.status, http::StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(kept.len(), 2);
    }

    #[tokio::test]
    async fn a_client_may_ask_for_a_shorter_life_not_a_longer_one() {
        let tasks = tasks(Duration::from_secs(60), 10, 10);
        let ttl = |asked: Option<u64>| {
            let tasks = &tasks;
            async move {
                let asked = asked.map(Duration::from_millis);
                let task = tasks.create(None, None, CancellationToken::new(), asked, None);
                task.await.unwrap().to_wire(false)["ttlMs"]
                    .as_u64()
                    .unwrap()
            }
        };
        assert_eq!(ttl(None).await, 60_000);
        assert_eq!(ttl(Some(5_000)).await, 5_000);
        assert_eq!(ttl(Some(600_000)).await, 60_000);
        assert_eq!(ttl(Some(0)).await, 1);
    }

    #[test]
    fn the_2025_11_25_shape() {
        let modern = json!({"taskId": "t", "status": "completed", "ttlMs": 5, "pollIntervalMs": 7,
            "result": {"content": [], "isError": true}});
        let legacy = crate::task::legacy(modern.as_object().unwrap().clone());
        assert_eq!(
            Value::Object(legacy),
            json!({"taskId": "t", "status": "failed", "ttl": 5, "pollInterval": 7})
        );
    }

    #[tokio::test]
    async fn questions_wait_for_their_own_answers() {
        let tasks = tasks(Duration::from_secs(60), 10, 10);
        let task = tasks
            .create(None, None, CancellationToken::new(), None, None)
            .await
            .unwrap();
        assert_eq!(task.to_wire(true)["status"], "working");
        let first = task.ask("a".into(), json!({"method": "elicitation/create"}));
        let second = task.ask("b".into(), json!({"method": "elicitation/create"}));
        let wire = task.to_wire(true);
        assert_eq!(wire["status"], "input_required");
        assert_eq!(wire["inputRequests"].as_object().unwrap().len(), 2);
        // An unknown key is ignored; a known one is answered and leaves the list.
        let answered = task.answer(
            [("zzz".to_string(), json!(0)), ("a".to_string(), json!(1))]
                .into_iter()
                .collect(),
        );
        assert_eq!(answered, 1);
        assert_eq!(first.await, json!(1));
        let wire = task.to_wire(true);
        assert_eq!(wire["status"], "input_required");
        assert!(wire["inputRequests"].get("a").is_none());
        assert!(wire["inputRequests"].get("b").is_some());
        // An answer given twice counts once.
        assert_eq!(
            task.answer([("a".to_string(), json!(2))].into_iter().collect()),
            0
        );
        task.answer([("b".to_string(), json!(3))].into_iter().collect());
        assert_eq!(second.await, json!(3));
        assert_eq!(task.to_wire(true)["status"], "working");
        assert!(task.finish(Finished::Completed(json!({"content": []}))));
        assert!(!task.finish(Finished::Cancelled), "a task ends once");
        let wire = task.to_wire(true);
        assert_eq!(wire["status"], "completed");
        assert_eq!(wire["result"], json!({"content": []}));
        assert!(task.to_wire(false).get("result").is_none());
    }
}
