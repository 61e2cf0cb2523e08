//! The event logs of 2025-era session calls on Redis, so that a client resumes a stream on any
//! process.
//!
//! Keys, under the store's prefix, both expiring with the session unless renewed:
//! - `stream:{session}:{stream}`: who runs the call (the process), its JSON-RPC id, and whether
//!   it finished;
//! - `events:{session}:{stream}`: a Redis stream of its messages, entry `{seq}-0` holding the
//!   message of event `{stream}-{seq}`; the most recent few hundred are kept.
//!
//! The process running the call writes them in order, in batches, off the call's path.

use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::{millis, RedisStore, Unavailable};

/// How many log entries may wait to be written; past it, entries are dropped (with a warning)
/// rather than held: the call goes on, and only a client resuming elsewhere misses them.
pub(super) const LOG_QUEUE: usize = 4096;
/// How many entries one batch writes at most.
const BATCH: usize = 128;
/// About how many events one stream's log keeps (Redis trims approximately).
const LOG_EVENTS: usize = 256;

/// What the process running a session call logs.
#[derive(Debug)]
pub(crate) enum LogEntry {
    /// A stream began for the call with this JSON-RPC id.
    Open {
        session: Box<str>,
        stream: u32,
        request: Box<str>,
        ttl: Duration,
    },
    /// Event `{stream}-{seq}` carries `message`.
    Event {
        session: Box<str>,
        stream: u32,
        seq: u64,
        message: Bytes,
        ttl: Duration,
    },
    /// The call's response was the last event.
    Finish {
        session: Box<str>,
        stream: u32,
        request: Box<str>,
        ttl: Duration,
    },
}

/// Who runs a logged call.
#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    owner: String,
    request: String,
    finished: bool,
}

/// A logged stream as another process reads it.
#[derive(Debug)]
pub(crate) struct StreamRead {
    /// The events after the one asked for: sequence number and message.
    pub(crate) events: Vec<(u64, String)>,
    /// Whether the call's response is among the events logged.
    pub(crate) finished: bool,
    /// Whether the process running the call is alive (always true once finished).
    pub(crate) running: bool,
    /// The call's JSON-RPC id.
    pub(crate) request: String,
}

impl RedisStore {
    fn meta_key(&self, session: &str, stream: u32) -> String {
        self.key(format_args!("stream:{session}:{stream}"))
    }

    fn events_key(&self, session: &str, stream: u32) -> String {
        self.key(format_args!("events:{session}:{stream}"))
    }

    /// Queues a log entry for writing, in order with the others.
    pub(crate) fn log(&self, entry: LogEntry) {
        let Some(queue) = self.log.get() else {
            return;
        };
        if queue.try_send(entry).is_err() {
            tracing::warn!("stream events are written to Redis slower than they come: one dropped");
        }
    }

    /// Adds the commands writing `entry` to `pipe`.
    fn write_entry(&self, pipe: &mut redis::Pipeline, entry: LogEntry) {
        match entry {
            LogEntry::Open {
                session,
                stream,
                request,
                ttl,
            } => self.write_meta(pipe, &session, stream, request.into(), false, ttl),
            LogEntry::Event {
                session,
                stream,
                seq,
                message,
                ttl,
            } => self.write_event(pipe, &session, stream, seq, &message, ttl),
            LogEntry::Finish {
                session,
                stream,
                request,
                ttl,
            } => self.write_meta(pipe, &session, stream, request.into(), true, ttl),
        }
    }

    fn write_meta(
        &self,
        pipe: &mut redis::Pipeline,
        session: &str,
        stream: u32,
        request: String,
        finished: bool,
        ttl: Duration,
    ) {
        let meta = Meta {
            owner: self.origin.to_string(),
            request,
            finished,
        };
        pipe.cmd("SET")
            .arg(self.meta_key(session, stream))
            .arg(serde_json::to_string(&meta).expect("meta serializes"))
            .arg("PX")
            .arg(millis(ttl))
            .ignore()
            .cmd("PEXPIRE")
            .arg(self.events_key(session, stream))
            .arg(millis(ttl))
            .ignore();
    }

    fn write_event(
        &self,
        pipe: &mut redis::Pipeline,
        session: &str,
        stream: u32,
        seq: u64,
        message: &[u8],
        ttl: Duration,
    ) {
        let key = self.events_key(session, stream);
        pipe.cmd("XADD")
            .arg(&key)
            .arg("MAXLEN")
            .arg("~")
            .arg(LOG_EVENTS)
            .arg(format!("{seq}-0"))
            .arg("m")
            .arg(message)
            .ignore()
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(millis(ttl))
            .ignore();
    }

    /// A logged stream's events after `after`, and how its call stands; `None` if no process
    /// logged such a stream (or it expired).
    pub(crate) async fn read_stream(
        &self,
        session: &str,
        stream: u32,
        after: u64,
    ) -> Result<Option<StreamRead>, Unavailable> {
        let mut pipe = redis::pipe();
        pipe.cmd("GET")
            .arg(self.meta_key(session, stream))
            .cmd("XRANGE")
            .arg(self.events_key(session, stream))
            .arg(format!("({after}-0"))
            .arg("+");
        type Entries = Vec<(String, Vec<String>)>;
        let (meta, entries): (Option<String>, Entries) = self.pipeline(pipe).await?;
        let Some(meta) = meta.and_then(|m| serde_json::from_str::<Meta>(&m).ok()) else {
            return Ok(None);
        };
        let events = entries
            .into_iter()
            .filter_map(|(id, mut fields)| {
                let seq = id.split_once('-')?.0.parse().ok()?;
                let message = (fields.len() == 2).then(|| fields.swap_remove(1))?;
                Some((seq, message))
            })
            .collect();
        let running = meta.finished || {
            let mut exists = redis::cmd("EXISTS");
            exists.arg(self.alive_key(&meta.owner));
            self.command::<i64>(exists).await? == 1
        };
        Ok(Some(StreamRead {
            events,
            finished: meta.finished,
            running,
            request: meta.request,
        }))
    }

    /// Ends, with `message` as event `seq`, a stream whose process is gone.
    pub(crate) async fn end_orphan(
        &self,
        session: &str,
        stream: u32,
        seq: u64,
        message: &[u8],
        request: String,
        ttl: Duration,
    ) -> Result<(), Unavailable> {
        let mut pipe = redis::pipe();
        self.write_event(&mut pipe, session, stream, seq, message, ttl);
        self.write_meta(&mut pipe, session, stream, request, true, ttl);
        self.pipeline(pipe).await
    }
}

/// Writes the log entries of this process's session calls, in order, a batch at a time.
pub(super) async fn write(store: RedisStore, mut entries: mpsc::Receiver<LogEntry>) {
    let mut batch = Vec::with_capacity(BATCH);
    while entries.recv_many(&mut batch, BATCH).await > 0 {
        let mut pipe = redis::pipe();
        for entry in batch.drain(..) {
            store.write_entry(&mut pipe, entry);
        }
        if store.pipeline::<()>(pipe).await.is_err() {
            tracing::warn!(
                "Redis unreachable: stream events were not logged there (a client resuming on \
                 another process misses them)"
            );
        }
    }
}
