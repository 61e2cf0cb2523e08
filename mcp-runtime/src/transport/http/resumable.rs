//! Resumable response streams of a 2025-era session: every event gets an id, a bounded log
//! keeps the recent ones, and a client that reconnects with `Last-Event-ID` gets what it
//! missed, then the rest live. The logs live with their session ([`SessionData`]) and are
//! written only here.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::relayed::Log;
use super::sse::EventStream;
use crate::dispatch::{Messages, Outgoing, SessionCall};
use crate::session::SessionData;

/// The most events one stream's log keeps.
const LOG_EVENTS: usize = 256;
/// The most streams a session keeps logs of.
const LOGGED_STREAMS: usize = 32;

/// Where a stream's events go while a client is connected. Unbounded, and bounded in time: its
/// receiver is the connected response's body, which a client that reads nothing loses to the
/// write timeout (then sends fail and the stream goes on in its bounded log only).
pub(crate) type Live = mpsc::UnboundedSender<Bytes>;

#[derive(Debug, Default)]
struct StreamLog {
    events: VecDeque<(u64, Bytes)>,
    next: u64,
    live: Option<Live>,
    finished: bool,
    /// Whether a client was told to come back for the rest (then the log must outlive the
    /// response), and after how long.
    detached: Option<Duration>,
    /// Whether a client resumed the stream on another process of the server and is attached
    /// there.
    elsewhere: bool,
}

/// The logs of a session's streams, by stream id.
///
/// Stream ids count up from a random start, so that the streams of one session served by
/// several processes have different ids.
#[derive(Debug, Default)]
pub(crate) struct Streams {
    logs: HashMap<u32, StreamLog>,
    next: u32,
}

/// A random first stream id, below 2^30.
fn rand_start() -> u32 {
    use chacha20poly1305::aead::rand_core::RngCore;
    chacha20poly1305::aead::OsRng.next_u32() >> 2
}

/// One SSE event: `id:` then the JSON message on one `data:` line.
pub(super) fn event(id: &str, json: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(json.len() + id.len() + 16);
    out.extend_from_slice(b"id: ");
    out.extend_from_slice(id.as_bytes());
    out.extend_from_slice(b"\ndata: ");
    out.extend_from_slice(json);
    out.extend_from_slice(b"\n\n");
    Bytes::from(out)
}

/// Parses a `Last-Event-ID` this server issued: `stream-sequence`.
pub(crate) fn parse_event_id(id: &str) -> Option<(u32, u64)> {
    let (stream, seq) = id.split_once('-')?;
    Some((stream.parse().ok()?, seq.parse().ok()?))
}

impl Streams {
    /// Opens a stream delivering to `live`; returns its id and the priming event (an id and
    /// empty data, so the client can resume even before the first message).
    pub(crate) fn open(&mut self, live: Live) -> (u32, Bytes) {
        if self.logs.len() >= LOGGED_STREAMS {
            let oldest = self
                .logs
                .iter()
                .filter(|(_, log)| log.finished)
                .map(|(id, _)| *id)
                .min();
            if let Some(oldest) = oldest {
                self.logs.remove(&oldest);
            }
        }
        if self.next == 0 {
            // Below 2^31, so that counting up never wraps.
            self.next = rand_start();
        }
        self.next += 1;
        let id = self.next;
        let log = StreamLog {
            next: 1,
            live: Some(live),
            ..Default::default()
        };
        self.logs.insert(id, log);
        (id, Bytes::from(format!("id: {id}-0\ndata: \n\n")))
    }

    /// Appends a message: logged, and sent to the connected client if any. Returns its
    /// sequence number.
    pub(crate) fn append(&mut self, stream: u32, json: &[u8]) -> Option<u64> {
        let log = self.logs.get_mut(&stream)?;
        let seq = log.next;
        log.next += 1;
        let frame = event(&format!("{stream}-{seq}"), json);
        if log.events.len() == LOG_EVENTS {
            log.events.pop_front();
        }
        log.events.push_back((seq, frame.clone()));
        if let Some(live) = &log.live {
            if live.send(frame).is_err() {
                log.live = None;
            }
        }
        Some(seq)
    }

    /// A client attached to the stream on another process, or left it there.
    #[cfg(feature = "redis")]
    pub(crate) fn attach_elsewhere(&mut self, stream: u32, attached: bool) {
        if let Some(log) = self.logs.get_mut(&stream) {
            log.elsewhere = attached;
        }
    }

    /// Ends the client's connection to the stream, asking it to come back after `retry`; the
    /// stream goes on in the log.
    pub(crate) fn detach(&mut self, stream: u32, retry: Duration) {
        if let Some(log) = self.logs.get_mut(&stream) {
            if let Some(live) = log.live.take() {
                let _ = live.send(super::sse::retry(retry));
            }
            log.detached = Some(retry);
        }
    }

    /// The stream is complete: the connected client's response ends.
    pub(crate) fn finish(&mut self, stream: u32) {
        if let Some(log) = self.logs.get_mut(&stream) {
            log.finished = true;
            log.live = None;
            if log.detached.is_none() {
                self.logs.remove(&stream);
            }
        }
    }

    /// Whether a client is connected to the stream now; if not, how long it was told it may
    /// take to come back (`None`: it was not told to come back).
    pub(crate) fn attached(&self, stream: u32) -> Result<(), Option<Duration>> {
        match self.logs.get(&stream) {
            Some(log) if log.elsewhere || log.live.as_ref().is_some_and(|l| !l.is_closed()) => {
                Ok(())
            }
            Some(log) => Err(log.detached),
            None => Err(None),
        }
    }

    /// Drops every log, ending the responses still connected (the session ended).
    pub(crate) fn clear(&mut self) {
        self.logs.clear();
    }

    /// How many logs the session keeps.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.logs.len()
    }

    /// Resumes a stream after event `after`: the events missed, and whether more will come (the
    /// client is attached to `live` for those). `None` if the stream is unknown to this session.
    pub(crate) fn resume(
        &mut self,
        stream: u32,
        after: u64,
        live: Live,
    ) -> Option<(Vec<Bytes>, bool)> {
        let log = self.logs.get_mut(&stream)?;
        let missed = log
            .events
            .iter()
            .filter(|(seq, _)| *seq > after)
            .map(|(_, frame)| frame.clone())
            .collect();
        if log.finished {
            self.logs.remove(&stream);
            return Some((missed, false));
        }
        log.live = Some(live);
        Some((missed, true))
    }
}

/// Serves a session call's messages on a stream of the session: each is logged with an id, so
/// a client that loses the connection (or is told to come back later) resumes without loss.
/// The stream is written by a task of its own, which outlives the connection; a call waiting
/// for an answer from a client gone for longer than `grace` is given up.
pub(crate) fn serve(call: SessionCall, mut messages: Messages, grace: Duration) -> EventStream {
    let session = call.session.clone();
    // Bounded as `Live` says: by what the call sends (its own queue holds 64 messages) and by
    // the write timeout of the response that reads it.
    let (live, body) = mpsc::unbounded_channel();
    let (stream, priming) = session.streams.lock().expect("streams lock").open(live);
    // Logged for the server's other processes too, when they share the session.
    let log = Log::open(&session, stream, &call.request);
    tokio::spawn(async move {
        let mut abandonment = Abandonment::new(grace);
        loop {
            tokio::select! {
                message = messages.next() => {
                    let mut streams = session.streams.lock().expect("streams lock");
                    match message {
                        Some(Outgoing::Message(json)) => {
                            if let Some(seq) = streams.append(stream, &json) {
                                log.event(seq, json);
                            }
                        }
                        Some(Outgoing::Pause(retry)) => streams.detach(stream, retry),
                        None => {
                            streams.finish(stream);
                            log.finish();
                            break;
                        }
                    }
                }
                _ = abandonment.watch.tick() => abandonment.check(&call, stream),
            }
        }
    });
    channel_body(vec![priming], body)
}

/// Resumes a session's stream for a client reconnecting with `Last-Event-ID`: what it missed,
/// then the rest live. `None` if the id names no stream of this session.
pub(crate) fn resume(session: &SessionData, last_event_id: &str) -> Option<EventStream> {
    let (stream, after) = parse_event_id(last_event_id)?;
    // Bounded as `Live` says (the response that reads it has the write timeout).
    let (live, receiver) = mpsc::unbounded_channel();
    let (missed, more) = session
        .streams
        .lock()
        .expect("streams lock")
        .resume(stream, after, live)?;
    if more {
        Some(channel_body(missed, receiver))
    } else {
        drop(receiver);
        // Nothing is ever sent on it: its sender is dropped at once.
        let (_, empty) = mpsc::unbounded_channel();
        Some(channel_body(missed, empty))
    }
}

/// The body of a response fed by a channel.
fn channel_body(first: Vec<Bytes>, live: mpsc::UnboundedReceiver<Bytes>) -> EventStream {
    let first = futures_util::stream::iter(first.into_iter().map(Ok));
    let rest = futures_util::stream::unfold(live, |mut live| async move {
        live.recv().await.map(|event| (Ok(event), live))
    });
    Box::pin(first.chain(rest))
}

/// Watches a session call for abandonment: a call waiting for an answer the client can only
/// give after it sees the question is given up once no client has been attached to its stream
/// for the grace (or twice the delay the client was told to come back after), rather than held
/// to the input timeout.
struct Abandonment {
    grace: Duration,
    watch: tokio::time::Interval,
    unattached_since: Option<tokio::time::Instant>,
}

impl Abandonment {
    fn new(grace: Duration) -> Self {
        let mut watch = tokio::time::interval(
            (grace / 4).clamp(Duration::from_millis(20), Duration::from_secs(1)),
        );
        watch.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self {
            grace,
            watch,
            unattached_since: None,
        }
    }

    fn check(&mut self, call: &SessionCall, stream: u32) {
        let attached = call
            .session
            .streams
            .lock()
            .expect("streams lock")
            .attached(stream);
        let retry = match attached {
            Err(retry) if call.waits_for_client() => retry,
            _ => {
                self.unattached_since = None;
                return;
            }
        };
        let grace = self.grace.max(retry.unwrap_or_default() * 2);
        let since = *self
            .unattached_since
            .get_or_insert_with(tokio::time::Instant::now);
        if since.elapsed() >= grace {
            call.abandon();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detached_stream_resumes_without_loss() {
        let mut streams = Streams::default();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (id, priming) = streams.open(tx);
        assert_eq!(&priming[..], format!("id: {id}-0\ndata: \n\n").as_bytes());
        assert_eq!(streams.append(id, b"{\"n\":1}"), Some(1));
        let first = format!("id: {id}-1\ndata: {{\"n\":1}}");
        assert!(rx.try_recv().unwrap().starts_with(first.as_bytes()));
        streams.detach(id, Duration::from_millis(500));
        assert_eq!(&rx.try_recv().unwrap()[..], b"retry: 500\n\n");
        streams.append(id, b"{\"n\":2}");
        streams.append(id, b"{\"n\":3}");
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (missed, more) = streams.resume(id, 1, tx).unwrap();
        assert_eq!(missed.len(), 2);
        assert!(more);
        streams.append(id, b"{\"n\":4}");
        let fourth = format!("id: {id}-4");
        assert!(rx.try_recv().unwrap().starts_with(fourth.as_bytes()));
        // The streams of a session count up from a random start (nothing is sent on this one).
        let (tx, _rx) = mpsc::unbounded_channel();
        assert_eq!(streams.open(tx).0, id + 1);
        assert!(id <= 1 << 30);
        streams.finish(id);
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn unknown_streams_replay_nothing() {
        let mut streams = Streams::default();
        let (tx, _rx) = mpsc::unbounded_channel();
        assert!(streams.resume(7, 0, tx).is_none());
        assert_eq!(parse_event_id("3-17"), Some((3, 17)));
        assert_eq!(parse_event_id("x-1"), None);
    }
}
