//! [`RedisStore`]: several processes of one server on one Redis.
//!
//! `relay` carries messages between the processes (change notifications, and what concerns
//! one session: its end, its settings, a client's answer or cancellation, a stream's client);
//! `sessions` keeps the sessions' records, settings and values; `streams` keeps the event logs
//! of session calls so that any process can resume them.

mod relay;
mod sessions;
mod streams;
mod tasks;

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::notifier::Notifier;
use crate::Error;

pub(crate) use self::sessions::{Loaded, Opened, Owner};
pub(crate) use self::streams::{LogEntry, StreamRead};
pub(crate) use self::tasks::TaskEvent;

/// How long connecting to Redis, or one command, may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest pause between attempts to reach Redis again.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How often a process says it is alive, and how long the word lasts: a process silent for
/// longer is taken to be gone, and the calls it was running end with an error for their clients.
const HEARTBEAT: Duration = Duration::from_secs(1);
const ALIVE_FOR: Duration = Duration::from_secs(3);

/// Several processes of one server sharing one Redis ([`Server::store`]).
///
/// What they share:
/// - **change notifications**: a change raised on any process (a [`Notifier`] call, a
///   [`ToolSet`](crate::ToolSet) change) reaches every `subscriptions/listen` stream and every
///   session `GET` stream on every process that uses the same Redis and prefix, once;
/// - **2025-era sessions**: a session opened by `initialize` on one process is served by any
///   other: its version, client info and capabilities, the principal it is bound to, its log
///   level, its resource subscriptions and its values ([`Session::get`] and
///   [`Session::set`]); `DELETE` on any process ends it on all; it expires after the idle
///   timeout wherever it was last used; the session cap and the per-client quota count the
///   sessions of every process;
/// - **what the client sends about a call running elsewhere**: the answer to a sampling,
///   elicitation or roots request, and `notifications/cancelled`, reach the process running
///   the call whichever process the client sends them to;
/// - **resumable streams**: a client whose stream of a session call dropped resumes it with
///   `Last-Event-ID` on any process, and gets every event it missed, then the live ones; when the
///   process running the call is gone, the stream ends with an error response for the call.
///
/// What stays with each process: [`Session::state`] values (any type, shared in memory), a
/// session's `GET` stream, and each process's connection and stream caps. The processes must
/// serve the same handlers (apply a tool set change on each).
///
/// When Redis cannot be reached, what needs it is refused with `503` and `Retry-After`
/// (never a hang): opening or finding a session, answers and values. 2026-07-28 clients are
/// served as ever, each process's own listeners still hear its changes, and everything
/// reconnects by itself; listeners are then told that every list may have changed.
///
/// Connections are made when they are first needed, not here: a server starts even while Redis
/// is down.
///
/// ```no_run
/// use mcp_runtime::{store::RedisStore, Server};
///
/// # async fn run() -> Result<(), mcp_runtime::Error> {
/// let url = std::env::var("MCP_REDIS_URL").unwrap_or("redis://127.0.0.1:6379".into());
/// Server::from_registry()
///     .store(RedisStore::connect(&url)?.prefix("notes"))
///     .serve("0.0.0.0:8080")
///     .await
/// # }
/// ```
///
/// [`Server::store`]: crate::Server::store
/// [`Session::get`]: crate::session::Session::get
/// [`Session::set`]: crate::session::Session::set
/// [`Session::state`]: crate::session::Session::state
#[derive(Debug, Clone)]
pub struct RedisStore {
    client: redis::Client,
    prefix: Arc<str>,
    /// This process, as its messages name it.
    origin: Arc<str>,
    /// The connection commands go out on, made on first use and again after a failure.
    connection: Arc<std::sync::Mutex<Option<redis::aio::MultiplexedConnection>>>,
    /// Where stream events go to be written in order (set when the server starts).
    log: Arc<OnceLock<mpsc::Sender<LogEntry>>>,
}

/// Redis could not be reached (or did not answer in time): what needs it is refused for now.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unavailable;

impl RedisStore {
    /// A store on the Redis at `url` (`redis://host:port/db`; `rediss://` for TLS is not built
    /// in), with the key prefix `mcp`. Fails only on a URL that is not one.
    pub fn connect(url: &str) -> Result<Self, Error> {
        let client = redis::Client::open(url)
            .map_err(|e| Error::Config(format!("invalid Redis URL `{url}`: {e}")))?;
        Ok(Self {
            client,
            prefix: "mcp".into(),
            origin: crate::session::new_id().into(),
            connection: Arc::default(),
            log: Arc::default(),
        })
    }

    /// Names this server's keys and channels: the processes of one server share a prefix, and
    /// other servers on the same Redis use others.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into().into();
        self
    }

    /// A key or channel of this server.
    fn key(&self, parts: std::fmt::Arguments<'_>) -> String {
        format!("{}:{parts}", self.prefix)
    }

    /// The key saying that process `origin` is alive.
    fn alive_key(&self, origin: &str) -> String {
        self.key(format_args!("alive:{origin}"))
    }

    /// The shared connection, made if needed.
    async fn connection(&self) -> Result<redis::aio::MultiplexedConnection, Unavailable> {
        let cached = self.connection.lock().expect("connection lock").clone();
        if let Some(connection) = cached {
            return Ok(connection);
        }
        let connect = self.client.get_multiplexed_async_connection();
        let connection = match tokio::time::timeout(COMMAND_TIMEOUT, connect).await {
            Ok(Ok(connection)) => connection,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "Redis unreachable");
                return Err(Unavailable);
            }
            Err(_) => {
                tracing::warn!("Redis did not answer");
                return Err(Unavailable);
            }
        };
        *self.connection.lock().expect("connection lock") = Some(connection.clone());
        Ok(connection)
    }

    /// Runs `query` on the shared connection, in time; a failure drops the connection, so the
    /// next command makes a new one.
    async fn run<T, F>(
        &self,
        query: impl FnOnce(redis::aio::MultiplexedConnection) -> F,
    ) -> Result<T, Unavailable>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        let connection = self.connection().await?;
        match tokio::time::timeout(COMMAND_TIMEOUT, query(connection)).await {
            Ok(Ok(value)) => Ok(value),
            failed => {
                if let Ok(Err(e)) = failed {
                    tracing::warn!(error = %e, "a Redis command failed");
                }
                *self.connection.lock().expect("connection lock") = None;
                Err(Unavailable)
            }
        }
    }

    /// Runs one command.
    async fn command<T: redis::FromRedisValue>(
        &self,
        command: redis::Cmd,
    ) -> Result<T, Unavailable> {
        self.run(|mut c| async move { command.query_async(&mut c).await })
            .await
    }

    /// Runs a pipeline of commands, in order.
    async fn pipeline<T: redis::FromRedisValue>(
        &self,
        pipeline: redis::Pipeline,
    ) -> Result<T, Unavailable> {
        self.run(|mut c| async move { pipeline.query_async(&mut c).await })
            .await
    }

    /// Starts what the processes share, until `shutdown`: the relay of changes and session
    /// messages, this process's heartbeat and the writer of stream logs. Needs a tokio runtime.
    pub(crate) fn start(
        &self,
        notifier: &Notifier,
        sessions: Option<Arc<crate::session::Sessions>>,
        tasks: &Arc<crate::task::Tasks>,
        shutdown: CancellationToken,
    ) -> Result<(), Error> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::Config(
                "a server with a RedisStore is built inside a tokio runtime (call bind, serve \
                 or router from async code)"
                    .into(),
            )
        })?;
        let (outbox, changes) = mpsc::channel(relay::OUTBOX);
        if !notifier.relay_to(outbox) {
            return Err(Error::Config(
                "this notifier already relays to a store: one store per server".into(),
            ));
        }
        let (log, entries) = mpsc::channel(streams::LOG_QUEUE);
        if self.log.set(log).is_err() {
            return Err(Error::Config("a RedisStore serves one server".into()));
        }
        let serving: Box<dyn Fn() -> bool + Send> = match &sessions {
            Some(sessions) => {
                let (sessions, tasks) = (Arc::downgrade(sessions), Arc::downgrade(tasks));
                Box::new(move || sessions.strong_count() > 0 || tasks.strong_count() > 0)
            }
            None => {
                let tasks = Arc::downgrade(tasks);
                Box::new(move || tasks.strong_count() > 0)
            }
        };
        runtime.spawn(heartbeat(self.clone(), serving));
        runtime.spawn(relay::publish(self.clone(), changes, shutdown.clone()));
        runtime.spawn(relay::listen(
            self.clone(),
            notifier.clone(),
            sessions.as_ref().map(Arc::downgrade),
            Arc::downgrade(tasks),
            shutdown,
        ));
        runtime.spawn(streams::write(self.clone(), entries));
        Ok(())
    }
}

/// Says that this process serves its sessions and tasks, every [`HEARTBEAT`], for as long as
/// it does (`serving`): through a graceful shutdown too, while its last calls finish. Once the
/// server is gone, says so at once, so that its unfinished calls and tasks end for clients
/// reaching them through other processes.
async fn heartbeat(store: RedisStore, serving: Box<dyn Fn() -> bool + Send>) {
    let key = store.alive_key(&store.origin);
    let mut tick = tokio::time::interval(HEARTBEAT);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if !serving() {
            break;
        }
        let mut set = redis::cmd("SET");
        set.arg(&key).arg(1).arg("PX").arg(millis(ALIVE_FOR));
        let _ = store.command::<()>(set).await;
    }
    let mut del = redis::cmd("DEL");
    del.arg(&key);
    let _ = store.command::<i64>(del).await;
}

/// Milliseconds since the Unix epoch, as the processes' shared deadlines count time.
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A duration as Redis's `PX` and `PEXPIRE` take it (at least a millisecond).
fn millis(ttl: Duration) -> u64 {
    (ttl.as_millis() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_keys_prefixed() {
        assert!(RedisStore::connect("not a url").is_err());
        let store = RedisStore::connect("redis://127.0.0.1:1")
            .unwrap()
            .prefix("p");
        assert_eq!(store.alive_key("x"), "p:alive:x");
        assert_eq!(millis(Duration::ZERO), 1);
    }
}
