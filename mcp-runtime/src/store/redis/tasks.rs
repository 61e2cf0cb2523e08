//! Tasks on Redis, for every process of a server to poll, answer and cancel.
//!
//! Keys, under the store's prefix: `task:{id}`, a hash with the task's `owner` (JSON: the
//! principal, or `null`), the process running it (`origin`), its `status` and its `state` (the
//! task as `tasks/get` shows it, JSON), expiring at the end of the task's time to live; and
//! `tasks:{listing}`, the ids of one principal's tasks in one 2025-era session by the time they
//! expire (for `tasks/list`; `listing` is a digest), expiring with the last of them. The
//! process running a task writes every change of it; a task that has ended is never written
//! again, so a cancellation from another process is not undone by a late write.

use serde_json::{Map, Value};

use super::relay::Wire;
use super::{now_ms, RedisStore, Unavailable};

/// Writes a task's state unless it has ended or is gone (it keeps the expiry its creation
/// set).
const WRITE: &str = r#"
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'completed' or status == 'failed' or status == 'cancelled' then
  return 0
end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'state', ARGV[2])
return 1
"#;

/// What a process tells the one running a task.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TaskEvent {
    /// The client's answers (`tasks/update`).
    Answers(Map<String, Value>),
    /// The client cancelled it.
    Cancel,
}

/// A task as another process recorded it.
#[derive(Debug)]
pub(crate) struct StoredTask {
    pub(crate) owner: Option<String>,
    pub(crate) origin: String,
    pub(crate) state: Map<String, Value>,
    /// Whether the process running it is alive (always true once it has ended).
    pub(crate) running: bool,
}

impl StoredTask {
    /// Whether it has ended.
    pub(crate) fn ended(&self) -> bool {
        crate::task::ended(&self.state)
    }
}

impl RedisStore {
    fn task_key(&self, id: &str) -> String {
        self.key(format_args!("task:{id}"))
    }

    /// Records a new task (before its creation is answered: any process can read it then).
    pub(crate) async fn create_task(
        &self,
        id: &str,
        owner: Option<&str>,
        state: &Map<String, Value>,
        expires_at_ms: u64,
        listing: &str,
    ) -> Result<(), Unavailable> {
        let key = self.task_key(id);
        let list = self.key(format_args!("tasks:{listing}"));
        let mut pipeline = redis::pipe();
        pipeline
            .cmd("ZADD")
            .arg(&list)
            .arg(expires_at_ms)
            .arg(id)
            .ignore()
            // The list lives as long as its longest-lived task: set an expiry if it has none,
            // and move it later if this task outlives it.
            .cmd("PEXPIREAT")
            .arg(&list)
            .arg(expires_at_ms)
            .arg("NX")
            .ignore()
            .cmd("PEXPIREAT")
            .arg(&list)
            .arg(expires_at_ms)
            .arg("GT")
            .ignore();
        pipeline
            .cmd("HSET")
            .arg(&key)
            .arg("owner")
            .arg(serde_json::to_string(&owner).expect("an owner serializes"))
            .arg("origin")
            .arg(&*self.origin)
            .arg("status")
            .arg(status_of(state))
            .arg("state")
            .arg(Value::Object(state.clone()).to_string())
            .ignore()
            .cmd("PEXPIREAT")
            .arg(&key)
            .arg(expires_at_ms)
            .ignore();
        self.pipeline::<()>(pipeline).await
    }

    /// Writes a task's new state, unless it has ended meanwhile (another process cancelled it)
    /// or is gone. Returns whether it was written.
    pub(crate) async fn write_task(
        &self,
        id: &str,
        state: &Map<String, Value>,
    ) -> Result<bool, Unavailable> {
        let mut eval = redis::cmd("EVAL");
        eval.arg(WRITE)
            .arg(1)
            .arg(self.task_key(id))
            .arg(status_of(state))
            .arg(Value::Object(state.clone()).to_string());
        Ok(self.command::<i64>(eval).await? == 1)
    }

    /// The task `id`, if it exists.
    pub(crate) async fn load_task(&self, id: &str) -> Result<Option<StoredTask>, Unavailable> {
        let mut get = redis::cmd("HMGET");
        get.arg(self.task_key(id))
            .arg("owner")
            .arg("origin")
            .arg("state");
        let (owner, origin, state): (Option<String>, Option<String>, Option<String>) =
            self.command(get).await?;
        let (Some(owner), Some(origin), Some(state)) = (owner, origin, state) else {
            return Ok(None);
        };
        let (Ok(owner), Ok(Value::Object(state))) = (
            serde_json::from_str::<Option<String>>(&owner),
            serde_json::from_str::<Value>(&state),
        ) else {
            tracing::warn!(
                task = id,
                "a task on Redis that no process of this SDK wrote"
            );
            return Ok(None);
        };
        let mut task = StoredTask {
            owner,
            origin,
            state,
            running: true,
        };
        if !task.ended() {
            let mut exists = redis::cmd("EXISTS");
            exists.arg(self.alive_key(&task.origin));
            task.running = self.command::<i64>(exists).await? == 1;
        }
        Ok(Some(task))
    }

    /// Ends a task recorded by another process (cancelled, or failed because its process is
    /// gone), unless it has ended already; the state written is returned.
    pub(crate) async fn end_task(
        &self,
        id: &str,
        mut state: Map<String, Value>,
        status: &str,
        error: Option<Value>,
    ) -> Result<Map<String, Value>, Unavailable> {
        state.insert("status".into(), status.into());
        state.remove("inputRequests");
        if let Some(error) = error {
            state.insert("error".into(), error);
        }
        state.insert(
            "lastUpdatedAt".into(),
            crate::task::timestamp(std::time::SystemTime::now()).into(),
        );
        self.write_task(id, &state).await?;
        Ok(state)
    }

    /// The tasks on the list `listing` that have not expired and belong to `owner`, as
    /// `tasks/get` shows them (unordered); expired ids are dropped from the list.
    pub(crate) async fn list_tasks(
        &self,
        listing: &str,
        owner: Option<&str>,
    ) -> Result<Vec<Map<String, Value>>, Unavailable> {
        let list = self.key(format_args!("tasks:{listing}"));
        let mut pipeline = redis::pipe();
        pipeline
            .cmd("ZREMRANGEBYSCORE")
            .arg(&list)
            .arg("-inf")
            .arg(now_ms())
            .ignore()
            .cmd("ZRANGE")
            .arg(&list)
            .arg(0)
            .arg(-1);
        let (ids,): (Vec<String>,) = self.pipeline(pipeline).await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut reads = redis::pipe();
        for id in &ids {
            reads
                .cmd("HMGET")
                .arg(self.task_key(id))
                .arg("owner")
                .arg("state");
        }
        let found: Vec<(Option<String>, Option<String>)> = self.pipeline(reads).await?;
        let expected = serde_json::to_string(&owner).expect("an owner serializes");
        Ok(found
            .into_iter()
            .filter_map(|(recorded, state)| {
                (recorded? == expected).then_some(())?;
                match serde_json::from_str(&state?) {
                    Ok(Value::Object(state)) => Some(state),
                    _ => None,
                }
            })
            .collect())
    }

    /// Tells the process running task `id` about it.
    pub(crate) async fn tell_task(&self, id: &str, event: TaskEvent) -> Result<(), Unavailable> {
        self.announce(&Wire::Task {
            id: id.to_owned(),
            event,
        })
        .await
    }
}

fn status_of(state: &Map<String, Value>) -> &str {
    state
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("working")
}
