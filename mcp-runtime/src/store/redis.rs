//! [`RedisStore`]: several processes of one server on one Redis.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::notifier::{Change, Notifier};
use crate::Error;

/// How many changes may wait to be published before new ones are dropped (with a warning).
const OUTBOX: usize = 1024;
/// How long connecting to Redis, or one command, may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest pause between attempts to reach Redis again.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Several processes of one server sharing one Redis ([`Server::store`]).
///
/// What they share today:
/// - **change notifications**: a change raised on any process (a [`Notifier`] call, a
///   [`ToolSet`](crate::ToolSet) change) reaches every `subscriptions/listen` stream and every
///   session `GET` stream on every process that uses the same Redis and prefix, once;
/// - **2025-era sessions**: a session opened by `initialize` on one process is served by any
///   other (its version, client info and capabilities, bound to the principal that opened it);
///   `DELETE` on any process ends it on all; it expires after the idle timeout wherever it was
///   last used (the unused timeout until it is used).
///
/// What stays with each process for now: a session's log level, resource subscriptions and
/// `session.state` values, its resumable streams, and a call waiting for the client's answer
/// (the answer must reach the process that asked). The processes must serve the same handlers
/// (apply a tool set change on each).
///
/// When Redis cannot be reached, opening or finding a shared session is refused with `503` and
/// `Retry-After` (never a hang), 2026-07-28 clients are served as ever, each process's own
/// listeners still hear its changes, and everything reconnects by itself; listeners are then
/// told that every list may have changed, since changes may have been missed meanwhile.
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
#[derive(Debug, Clone)]
pub struct RedisStore {
    client: redis::Client,
    prefix: Arc<str>,
    /// This process, as its messages name it.
    origin: Arc<str>,
    /// The connection commands go out on, made on first use and again after a failure.
    connection: Arc<std::sync::Mutex<Option<redis::aio::MultiplexedConnection>>>,
}

/// Redis could not be reached (or did not answer in time): what needs it is refused for now.
#[derive(Debug)]
pub(crate) struct Unavailable;

/// A change as it travels between processes.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope<C = WireChange> {
    /// The process that raised it (it has delivered it already).
    origin: String,
    change: C,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum WireChange {
    Tools,
    Prompts,
    Resources,
    Resource(String),
    /// A 2025-era session was deleted: every process closes its copy.
    #[serde(rename = "sessionEnded")]
    SessionEnded(String),
}

impl From<&Change> for WireChange {
    fn from(change: &Change) -> Self {
        match change {
            Change::Tools => Self::Tools,
            Change::Prompts => Self::Prompts,
            Change::Resources => Self::Resources,
            Change::Resource(uri) => Self::Resource(uri.clone()),
        }
    }
}

impl WireChange {
    /// Applies a message from another process to this one.
    fn apply(self, notifier: &Notifier, sessions: Option<&crate::session::Sessions>) {
        let change = match self {
            WireChange::Tools => Change::Tools,
            WireChange::Prompts => Change::Prompts,
            WireChange::Resources => Change::Resources,
            WireChange::Resource(uri) => Change::Resource(uri),
            WireChange::SessionEnded(id) => {
                if let Some(sessions) = sessions {
                    sessions.close_here(&id);
                }
                return;
            }
        };
        notifier.deliver(change);
    }
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://host:port/db`, `rediss://` for TLS is not built
    /// in), with the key prefix `mcp`. Fails only on a URL that is not one.
    pub fn connect(url: &str) -> Result<Self, Error> {
        let client = redis::Client::open(url)
            .map_err(|e| Error::Config(format!("invalid Redis URL `{url}`: {e}")))?;
        Ok(Self {
            client,
            prefix: "mcp".into(),
            origin: crate::session::new_id().into(),
            connection: Arc::default(),
        })
    }

    /// Names this server's keys and channels: the processes of one server share a prefix, and
    /// other servers on the same Redis use others.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into().into();
        self
    }

    fn channel(&self) -> String {
        format!("{}:changes", self.prefix)
    }

    fn session_key(&self, id: &str) -> String {
        format!("{}:session:{id}", self.prefix)
    }

    /// Runs one command on the shared connection (made if needed; dropped after a failure).
    async fn command<T: redis::FromRedisValue>(
        &self,
        command: redis::Cmd,
    ) -> Result<T, Unavailable> {
        let cached = self.connection.lock().expect("connection lock").clone();
        let mut connection = match cached {
            Some(connection) => connection,
            None => {
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
                connection
            }
        };
        match tokio::time::timeout(COMMAND_TIMEOUT, command.query_async(&mut connection)).await {
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

    /// Keeps a session's record for `ttl` (renewed as the session is used).
    pub(crate) async fn save_session(
        &self,
        id: &str,
        record: &str,
        ttl: Duration,
    ) -> Result<(), Unavailable> {
        let mut set = redis::cmd("SET");
        set.arg(self.session_key(id))
            .arg(record)
            .arg("PX")
            .arg(ttl.as_millis().max(1) as u64);
        self.command::<()>(set).await
    }

    /// A session's record, if it exists (and has not expired).
    pub(crate) async fn load_session(&self, id: &str) -> Result<Option<String>, Unavailable> {
        let mut get = redis::cmd("GET");
        get.arg(self.session_key(id));
        self.command(get).await
    }

    /// Renews a session's record for `ttl` more.
    pub(crate) async fn touch_session(&self, id: &str, ttl: Duration) -> Result<(), Unavailable> {
        let mut expire = redis::cmd("PEXPIRE");
        expire
            .arg(self.session_key(id))
            .arg(ttl.as_millis().max(1) as u64);
        self.command::<i64>(expire).await.map(drop)
    }

    /// Ends a session on every process: its record goes, and the others close their copies.
    pub(crate) async fn end_session(&self, id: &str) -> Result<(), Unavailable> {
        let mut del = redis::cmd("DEL");
        del.arg(self.session_key(id));
        self.command::<i64>(del).await?;
        self.announce(&WireChange::SessionEnded(id.to_owned()))
            .await
    }

    /// Tells the other processes of `change`, on the shared connection.
    async fn announce(&self, change: &WireChange) -> Result<(), Unavailable> {
        let envelope = Envelope {
            origin: self.origin.to_string(),
            change,
        };
        let mut publish = redis::cmd("PUBLISH");
        publish
            .arg(self.channel())
            .arg(serde_json::to_string(&envelope).expect("an envelope serializes"));
        self.command::<i64>(publish).await.map(drop)
    }

    /// Starts relaying `notifier`'s changes to the other processes and theirs to it, until
    /// `shutdown`. Needs a tokio runtime.
    pub(crate) fn start(
        &self,
        notifier: &Notifier,
        sessions: Option<Arc<crate::session::Sessions>>,
        shutdown: CancellationToken,
    ) -> Result<(), Error> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::Config(
                "a server with a RedisStore is built inside a tokio runtime (call bind, serve \
                 or router from async code)"
                    .into(),
            )
        })?;
        let (outbox, changes) = mpsc::channel(OUTBOX);
        if !notifier.relay_to(outbox) {
            return Err(Error::Config(
                "this notifier already relays to a store: one store per server".into(),
            ));
        }
        let origin = self.origin.to_string();
        runtime.spawn(publish(self.clone(), changes, shutdown.clone()));
        runtime.spawn(listen(
            self.client.clone(),
            self.channel(),
            origin,
            notifier.clone(),
            sessions,
            shutdown,
        ));
        Ok(())
    }
}

/// Publishes this process's changes; a failed command is tried once more on a new connection
/// before the change is given up (it then reached only this process).
async fn publish(
    store: RedisStore,
    mut changes: mpsc::Receiver<Change>,
    shutdown: CancellationToken,
) {
    loop {
        let change = tokio::select! {
            change = changes.recv() => match change {
                Some(change) => change,
                None => return,
            },
            () = shutdown.cancelled() => return,
        };
        let change = WireChange::from(&change);
        if store.announce(&change).await.is_err() && store.announce(&change).await.is_err() {
            tracing::warn!("Redis unreachable: a change reached only this process");
        }
    }
}

/// Delivers the other processes' changes to this process's listeners, resubscribing after a
/// failure (and then telling listeners that every list may have changed).
async fn listen(
    client: redis::Client,
    channel: String,
    origin: String,
    notifier: Notifier,
    sessions: Option<Arc<crate::session::Sessions>>,
    shutdown: CancellationToken,
) {
    let mut backoff = Duration::from_millis(100);
    let mut lost = false;
    loop {
        let attempt = async {
            let subscribe = async {
                let mut pubsub = client.get_async_pubsub().await?;
                pubsub.subscribe(&channel).await?;
                Ok::<_, redis::RedisError>(pubsub)
            };
            let mut pubsub = match tokio::time::timeout(COMMAND_TIMEOUT, subscribe).await {
                Ok(Ok(pubsub)) => pubsub,
                Ok(Err(e)) => return Err(e.to_string()),
                Err(_) => return Err("Redis did not answer".to_owned()),
            };
            if std::mem::take(&mut lost) {
                // Changes raised elsewhere while this process could not hear them are lost:
                // listeners re-read every list.
                notifier.deliver(Change::Tools);
                notifier.deliver(Change::Prompts);
                notifier.deliver(Change::Resources);
            }
            backoff = Duration::from_millis(100);
            let mut messages = pubsub.on_message();
            while let Some(message) = messages.next().await {
                let Ok(payload) = message.get_payload::<String>() else {
                    continue;
                };
                match serde_json::from_str::<Envelope>(&payload) {
                    Ok(envelope) if envelope.origin != origin => {
                        envelope.change.apply(&notifier, sessions.as_deref());
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "a change on Redis that no process of this SDK wrote")
                    }
                }
            }
            Err::<(), _>("the subscription ended".to_owned())
        };
        tokio::select! {
            result = attempt => {
                if let Err(e) = result {
                    tracing::warn!(error = %e, "not hearing other processes' changes; retrying");
                }
            }
            () = shutdown.cancelled() => return,
        }
        lost = true;
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = shutdown.cancelled() => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_travel_as_small_json() {
        let envelope = Envelope {
            origin: "a".into(),
            change: WireChange::from(&Change::Resource("config://x".into())),
        };
        let json = serde_json::to_string(&envelope).unwrap();
        assert_eq!(json, r#"{"origin":"a","change":{"resource":"config://x"}}"#);
        let back: Envelope = serde_json::from_str(&json).unwrap();
        assert!(matches!(back.change, WireChange::Resource(uri) if uri == "config://x"));
        assert!(RedisStore::connect("not a url").is_err());
    }
}
