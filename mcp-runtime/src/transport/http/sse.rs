//! Server-sent events: how the HTTP transport frames the messages a call or a feed sends, with
//! keep-alive comments while nothing else goes out. Every event stream of the server is framed
//! here.

use std::convert::Infallible;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;

use super::feed::CHUNK_TRAILER;
use crate::dispatch::{Messages, Outgoing};

/// How often an idle event stream carries a keep-alive comment.
pub(crate) const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The keep-alive comment.
pub(crate) const KEEP_ALIVE_COMMENT: &[u8] = b": keep-alive\n\n";

/// The events of a streamed response, framed.
pub(crate) type EventStream =
    Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, Infallible>> + Send>>;

/// One server-sent event carrying a JSON message, after `prefix` bytes of room (the chunk
/// header of a handed-off stream goes there, so each event is one allocation and one write).
pub(crate) fn data_event(prefix: usize, json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(prefix + json.len() + 8 + CHUNK_TRAILER.len());
    out.resize(prefix, 0);
    out.extend_from_slice(b"data: ");
    out.extend_from_slice(json);
    out.extend_from_slice(b"\n\n");
    out
}

/// `text` after `prefix` bytes of room.
pub(crate) fn with_room(prefix: usize, text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(prefix + text.len() + CHUNK_TRAILER.len());
    out.resize(prefix, 0);
    out.extend_from_slice(text);
    out
}

/// The `retry:` field that tells a client when to reconnect.
pub(crate) fn retry(after: Duration) -> Bytes {
    Bytes::from(format!("retry: {}\n\n", after.as_millis()))
}

/// The keep-alive clock of a stream: a comment every [`KEEP_ALIVE`] (whether or not events
/// passed in between: one timer set up once, not one per event).
pub(crate) fn keep_alive() -> tokio::time::Interval {
    let mut interval =
        tokio::time::interval_at(tokio::time::Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval
}

/// A call's messages as the body of its response: one event each, keep-alive comments while
/// the call is quiet. (A pause means nothing outside a session: there is nothing to resume.)
pub(crate) fn call_events(messages: Messages) -> EventStream {
    Box::pin(futures_util::stream::unfold(
        (messages, keep_alive()),
        |(mut messages, mut clock)| async move {
            loop {
                let event = tokio::select! {
                    message = messages.next() => match message? {
                        Outgoing::Message(json) => Bytes::from(data_event(0, &json)),
                        Outgoing::Pause(_) => continue,
                    },
                    _ = clock.tick() => Bytes::from_static(KEEP_ALIVE_COMMENT),
                };
                return Some((Ok(event), (messages, clock)));
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_streams_one_event_per_message_and_skips_pauses() {
        let messages: Messages = Box::pin(futures_util::stream::iter([
            Outgoing::Message(Bytes::from_static(b"{\"a\":1}")),
            Outgoing::Pause(Duration::from_secs(1)),
            Outgoing::Message(Bytes::from_static(b"{\"b\":2}")),
        ]));
        let events: Vec<_> = call_events(messages)
            .map(|e| e.unwrap())
            .collect::<Vec<_>>()
            .await;
        assert_eq!(
            events,
            [&b"data: {\"a\":1}\n\n"[..], b"data: {\"b\":2}\n\n"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_call_gets_keep_alives() {
        let messages: Messages = Box::pin(futures_util::stream::pending());
        let mut events = call_events(messages);
        assert_eq!(
            events.next().await.unwrap().unwrap(),
            Bytes::from_static(KEEP_ALIVE_COMMENT)
        );
    }
}
