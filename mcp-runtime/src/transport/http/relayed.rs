//! Session call streams that a client resumes on another process of the server (with a
//! `RedisStore` (feature `redis`)).
//!
//! The process running a call logs each of its events to Redis ([`Log`]). A process that gets
//! a `Last-Event-ID` for a stream it does not hold replays what the client missed from that log,
//! then follows it until the call's response, telling the running process that its call still
//! has a client. When the process running the call is gone, the stream ends with an error
//! response for the call, which the client receives instead of silence.

use bytes::Bytes;

use crate::session::SessionData;

/// Where the events of one session call stream are logged for the server's other processes:
/// nowhere unless the session is shared.
pub(crate) struct Log {
    #[cfg(feature = "redis")]
    target: Option<Target>,
}

#[cfg(feature = "redis")]
struct Target {
    shared: crate::session::Shared,
    session: Box<str>,
    stream: u32,
    request: Box<str>,
}

impl Log {
    /// Starts the log of `stream`, the stream of the call with JSON-RPC id `request`.
    #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
    pub(crate) fn open(session: &SessionData, stream: u32, request: &str) -> Self {
        #[cfg(feature = "redis")]
        {
            let target = session.shared().map(|shared| Target {
                shared: shared.clone(),
                session: session.id.clone(),
                stream,
                request: request.into(),
            });
            if let Some(target) = &target {
                target.write(|t| crate::store::LogEntry::Open {
                    session: t.session.clone(),
                    stream,
                    request: t.request.clone(),
                    ttl: t.shared.ttl,
                });
            }
            Self { target }
        }
        #[cfg(not(feature = "redis"))]
        Self {}
    }

    /// Logs event `seq` of the stream.
    #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
    pub(crate) fn event(&self, seq: u64, message: Bytes) {
        #[cfg(feature = "redis")]
        if let Some(target) = &self.target {
            target.write(|t| crate::store::LogEntry::Event {
                session: t.session.clone(),
                stream: t.stream,
                seq,
                message,
                ttl: t.shared.ttl,
            });
        }
    }

    /// The call's response was the stream's last event.
    pub(crate) fn finish(&self) {
        #[cfg(feature = "redis")]
        if let Some(target) = &self.target {
            target.write(|t| crate::store::LogEntry::Finish {
                session: t.session.clone(),
                stream: t.stream,
                request: t.request.clone(),
                ttl: t.shared.ttl,
            });
        }
    }
}

#[cfg(feature = "redis")]
impl Target {
    fn write(&self, entry: impl FnOnce(&Self) -> crate::store::LogEntry) {
        self.shared.store.log(entry(self));
    }
}

#[cfg(feature = "redis")]
pub(crate) use self::follow::resume;

#[cfg(feature = "redis")]
mod follow {
    use std::sync::Arc;
    use std::time::Duration;

    use bytes::Bytes;
    use tokio::sync::mpsc;

    use super::super::resumable::event;
    use super::super::sse::EventStream;
    use crate::protocol::{error_body, ErrorCode, RequestId, RpcError};
    use crate::session::{SessionData, SessionEvent, SessionRefusal, Shared};
    use crate::store::StreamRead;

    /// How often a stream followed from another process's log is read again.
    const FOLLOW_EVERY: Duration = Duration::from_millis(100);
    /// How many events wait for a slow client before the log is read no further.
    const AHEAD: usize = 64;

    /// Resumes, from the shared log, stream `stream` of `session` after event `after`: `None`
    /// when no process logged such a stream of this session.
    pub(crate) async fn resume(
        session: &Arc<SessionData>,
        stream: u32,
        after: u64,
    ) -> Result<Option<EventStream>, SessionRefusal> {
        let Some(shared) = session.shared() else {
            return Ok(None);
        };
        let read = shared
            .store
            .read_stream(&session.id, stream, after)
            .await
            .map_err(|_| SessionRefusal::StoreUnavailable)?;
        let Some(read) = read else {
            return Ok(None);
        };
        let (events, body) = mpsc::channel(AHEAD);
        let follower = Follower {
            shared: shared.clone(),
            session: session.id.clone(),
            stream,
            last: after,
            events,
        };
        tokio::spawn(follower.run(read));
        Ok(Some(Box::pin(futures_util::stream::unfold(
            body,
            |mut body| async move { body.recv().await.map(|event| (Ok(event), body)) },
        ))))
    }

    /// Feeds a client the events of a stream logged by another process.
    struct Follower {
        shared: Shared,
        session: Box<str>,
        stream: u32,
        /// The last event the client has.
        last: u64,
        events: mpsc::Sender<Bytes>,
    }

    impl Follower {
        async fn run(mut self, read: StreamRead) {
            self.tell(true).await;
            let mut read = Some(read);
            loop {
                if let Some(read) = read.take() {
                    if !self.forward(read).await {
                        break;
                    }
                }
                tokio::select! {
                    () = tokio::time::sleep(FOLLOW_EVERY) => {}
                    () = self.events.closed() => break,
                }
                let store = &self.shared.store;
                match store
                    .read_stream(&self.session, self.stream, self.last)
                    .await
                {
                    Ok(Some(next)) => read = Some(next),
                    // The session ended, and its logs with it.
                    Ok(None) => break,
                    // Redis is away for now: the client stays attached; the log is read again.
                    Err(_) => {}
                }
            }
            self.tell(false).await;
        }

        /// Sends the client what was read; whether more may come.
        async fn forward(&mut self, read: StreamRead) -> bool {
            for (seq, message) in read.events {
                if seq <= self.last {
                    continue;
                }
                let frame = event(&format!("{}-{seq}", self.stream), message.as_bytes());
                if self.events.send(frame).await.is_err() {
                    return false;
                }
                self.last = seq;
            }
            if read.finished {
                return false;
            }
            if !read.running {
                self.orphaned(&read.request).await;
                return false;
            }
            true
        }

        /// The process running the call is gone: the call ends with an error response, logged
        /// so that every client resuming the stream gets it.
        async fn orphaned(&mut self, request: &str) {
            let error = RpcError::new(
                ErrorCode::INTERNAL_ERROR,
                "the server process running this request stopped before it finished; send the \
                 request again",
            );
            let body = error_body(RequestId::from_json(request).ok().as_ref(), &error);
            let seq = self.last + 1;
            let ended = self.shared.store.end_orphan(
                &self.session,
                self.stream,
                seq,
                &body,
                request.to_owned(),
                self.shared.ttl,
            );
            let _ = ended.await;
            let frame = event(&format!("{}-{seq}", self.stream), &body);
            let _ = self.events.send(frame).await;
        }

        /// Tells the process running the call whether its client is attached here.
        async fn tell(&self, attached: bool) {
            let event = SessionEvent::Attached {
                stream: self.stream,
                attached,
            };
            let _ = self.shared.store.tell_session(&self.session, event).await;
        }
    }
}
