//! Messages between the processes of one server, on one Redis pub/sub channel: changes for
//! listeners, and what concerns one 2025-era session wherever it is served.

use std::sync::Weak;
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{RedisStore, Unavailable, COMMAND_TIMEOUT, MAX_BACKOFF};
use crate::notifier::{Change, Notifier};
use crate::session::{SessionEvent, Sessions};
use crate::task::Tasks;

/// How many changes may wait to be published before new ones are dropped (with a warning).
pub(super) const OUTBOX: usize = 1024;

/// A message as it travels between processes.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope<M = Wire> {
    /// The process that sent it (it has applied it already).
    origin: String,
    change: M,
}

/// What one process tells the others.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Wire {
    Tools,
    Prompts,
    Resources,
    Resource(String),
    /// Something about one 2025-era session, for the processes serving it.
    Session {
        id: String,
        event: SessionEvent,
    },
    /// Something about one task, for the process running it.
    Task {
        id: String,
        event: super::TaskEvent,
    },
}

impl From<&Change> for Wire {
    fn from(change: &Change) -> Self {
        match change {
            Change::Tools => Self::Tools,
            Change::Prompts => Self::Prompts,
            Change::Resources => Self::Resources,
            Change::Resource(uri) => Self::Resource(uri.clone()),
        }
    }
}

impl Wire {
    /// Applies a message from another process to this one.
    fn apply(self, notifier: &Notifier, sessions: Option<&Sessions>, tasks: Option<&Tasks>) {
        let change = match self {
            Wire::Tools => Change::Tools,
            Wire::Prompts => Change::Prompts,
            Wire::Resources => Change::Resources,
            Wire::Resource(uri) => Change::Resource(uri),
            Wire::Session { id, event } => {
                if let Some(sessions) = sessions {
                    sessions.apply(&id, event);
                }
                return;
            }
            Wire::Task { id, event } => {
                if let Some(tasks) = tasks {
                    tasks.apply(&id, event);
                }
                return;
            }
        };
        notifier.deliver(change);
    }
}

impl RedisStore {
    fn channel(&self) -> String {
        self.key(format_args!("changes"))
    }

    /// The command telling the other processes `message`.
    pub(super) fn publish_command(&self, message: &Wire) -> redis::Cmd {
        let envelope = Envelope {
            origin: self.origin.to_string(),
            change: message,
        };
        let mut publish = redis::cmd("PUBLISH");
        publish
            .arg(self.channel())
            .arg(serde_json::to_string(&envelope).expect("a message serializes"));
        publish
    }

    /// Tells the other processes `message`, on the shared connection.
    pub(crate) async fn announce(&self, message: &Wire) -> Result<(), Unavailable> {
        self.command::<i64>(self.publish_command(message))
            .await
            .map(drop)
    }
}

/// Publishes this process's changes; a failed command is tried once more on a new connection
/// before the change is given up (it then reached only this process).
pub(super) async fn publish(
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
        let change = Wire::from(&change);
        if store.announce(&change).await.is_err() && store.announce(&change).await.is_err() {
            tracing::warn!("Redis unreachable: a change reached only this process");
        }
    }
}

/// Applies the other processes' messages to this process, resubscribing after a failure (and
/// then telling listeners that every list may have changed).
pub(super) async fn listen(
    store: RedisStore,
    notifier: Notifier,
    sessions: Option<Weak<Sessions>>,
    tasks: Weak<Tasks>,
    shutdown: CancellationToken,
) {
    let channel = store.channel();
    let mut backoff = Duration::from_millis(100);
    let mut lost = false;
    loop {
        let attempt = async {
            let subscribe = async {
                let mut pubsub = store.client.get_async_pubsub().await?;
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
                    Ok(envelope) if *envelope.origin != *store.origin => {
                        let sessions = sessions.as_ref().and_then(Weak::upgrade);
                        let tasks = tasks.upgrade();
                        envelope
                            .change
                            .apply(&notifier, sessions.as_deref(), tasks.as_deref());
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "a message on Redis that no process of this SDK wrote")
                    }
                }
            }
            Err::<(), _>("the subscription ended".to_owned())
        };
        tokio::select! {
            result = attempt => {
                if let Err(e) = result {
                    tracing::warn!(error = %e, "not hearing other processes' messages; retrying");
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

/// The session messages a process serving one 2025-era session may need to hear.
pub(crate) fn session(id: &str, event: SessionEvent) -> Wire {
    Wire::Session {
        id: id.to_owned(),
        event,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_travel_as_small_json() {
        let envelope = Envelope {
            origin: "a".into(),
            change: Wire::from(&Change::Resource("config://x".into())),
        };
        let json = serde_json::to_string(&envelope).unwrap();
        assert_eq!(json, r#"{"origin":"a","change":{"resource":"config://x"}}"#);
        let back: Envelope = serde_json::from_str(&json).unwrap();
        assert!(matches!(back.change, Wire::Resource(uri) if uri == "config://x"));
        let ended = serde_json::to_string(&session("s1", SessionEvent::Ended)).unwrap();
        assert_eq!(ended, r#"{"session":{"id":"s1","event":"ended"}}"#);
    }
}
