//! Long-lived notification streams as server-sent events: written on a socket taken over from
//! hyper ([`write_handed`]), or as a response body where the server is mounted in someone
//! else's router ([`events`]).

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::AsyncWriteExt;

use super::socket::Stream;
use super::sse::{data_event, keep_alive, with_room, EventStream, KEEP_ALIVE_COMMENT};
use crate::dispatch::listen::{ChangeFeed, Closing, FeedEvent};

/// What to send for one event of a feed, as SSE text after `prefix` bytes of room; `None`
/// when the stream ends without another word.
fn event_text(event: &FeedEvent, prefix: usize) -> Option<Vec<u8>> {
    match event {
        FeedEvent::Message(json) | FeedEvent::Closing(Closing::Result(json)) => {
            Some(data_event(prefix, json))
        }
        FeedEvent::Closing(Closing::Retry(after)) => {
            let text = format!("retry: {}\n\n", after.as_millis());
            Some(with_room(prefix, text.as_bytes()))
        }
        FeedEvent::End => None,
    }
}

/// The room [`event_text`] leaves for a chunk header: up to 8 hex digits and CRLF.
const CHUNK_HEADER: usize = 10;
pub(super) const CHUNK_TRAILER: &[u8] = b"\r\n";

/// The next event of `feed` (after `prefix` bytes of room), or a keep-alive comment when
/// `clock` ticks.
async fn next_text(
    feed: &mut ChangeFeed,
    clock: &mut tokio::time::Interval,
    prefix: usize,
) -> Option<(Vec<u8>, bool)> {
    tokio::select! {
        event = feed.next() => {
            let last = !matches!(event, FeedEvent::Message(_));
            event_text(&event, prefix).map(|text| (text, last))
        }
        _ = clock.tick() => Some((with_room(prefix, KEEP_ALIVE_COMMENT), false)),
    }
}

/// The feed as a response body of SSE events (for a router the application serves).
pub(crate) fn events(feed: ChangeFeed) -> EventStream {
    Box::pin(futures_util::stream::unfold(
        Some((feed, keep_alive())),
        |state| async move {
            let (mut feed, mut clock) = state?;
            let (text, last) = next_text(&mut feed, &mut clock, 0).await?;
            let next = (!last).then_some((feed, clock));
            Some((Ok::<_, Infallible>(Bytes::from(text)), next))
        },
    ))
}

/// Writes the feed on a connection taken over from hyper after it sent the response head (a
/// chunked `text/event-stream`), until the feed ends, the client goes away, or a write waits
/// longer than `write_timeout`. `holds` (the connection's place among the live ones) is given
/// back when it returns.
pub(crate) async fn write_handed<S: Stream, H>(
    mut tcp: S,
    mut feed: ChangeFeed,
    write_timeout: Duration,
    holds: H,
) {
    let _holds = holds;
    let mut clock = keep_alive();
    loop {
        let next = tokio::select! {
            next = next_text(&mut feed, &mut clock, CHUNK_HEADER) => next,
            gone = client_gone(&tcp) => if gone { return } else { continue },
        };
        let Some((mut text, last)) = next else { break };
        if !write_chunk(&mut tcp, &mut text, write_timeout).await {
            return;
        }
        if last {
            break;
        }
    }
    // The last chunk ends the response; the connection closes with it.
    let _ = tokio::time::timeout(write_timeout, async {
        tcp.write_all(b"0\r\n\r\n").await?;
        tcp.shutdown().await
    })
    .await;
}

/// Writes one chunk of the response's chunked body: `chunk` holds the data after
/// [`CHUNK_HEADER`] bytes of room for the header. `false` if the client is gone or read nothing
/// for `write_timeout`.
async fn write_chunk<S: Stream>(tcp: &mut S, chunk: &mut Vec<u8>, write_timeout: Duration) -> bool {
    let len = chunk.len() - CHUNK_HEADER;
    let header = format!("{len:X}\r\n");
    let start = CHUNK_HEADER - header.len();
    chunk[start..CHUNK_HEADER].copy_from_slice(header.as_bytes());
    chunk.extend_from_slice(CHUNK_TRAILER);
    // Most writes go out whole at once: no future, no timer.
    let written = match tcp.try_write(&chunk[start..]) {
        Ok(n) => n,
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
        Err(_) => return false,
    };
    let rest = &chunk[start + written..];
    rest.is_empty()
        || matches!(
            tokio::time::timeout(write_timeout, tcp.write_all(rest)).await,
            Ok(Ok(()))
        )
}

/// Resolves when the client closed its side (`true`) or sent something (`false`, discarded:
/// a client has nothing to say on a notification stream's connection).
async fn client_gone<S: Stream>(tcp: &S) -> bool {
    if tcp.readable().await.is_err() {
        return true;
    }
    let mut sink = [0u8; 256];
    match tcp.try_read(&mut sink) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_sse_text() {
        let message = FeedEvent::Message(Bytes::from_static(b"{}"));
        assert_eq!(event_text(&message, 0).unwrap(), b"data: {}\n\n");
        assert_eq!(&event_text(&message, 3).unwrap()[3..], b"data: {}\n\n");
        let retry = FeedEvent::Closing(Closing::Retry(Duration::from_millis(1500)));
        assert_eq!(event_text(&retry, 0).unwrap(), b"retry: 1500\n\n");
        assert!(event_text(&FeedEvent::End, 0).is_none());
    }
}
