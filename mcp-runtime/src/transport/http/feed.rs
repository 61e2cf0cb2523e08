//! Long-lived notification streams as server-sent events: written on a socket taken over from
//! hyper ([`write_handed`]), or as a response body where the server is mounted in someone
//! else's router ([`events`]).

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::dispatch::listen::{ChangeFeed, Closing, FeedEvent};
use crate::dispatch::EventStream;

/// How often an idle stream carries a keep-alive comment.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What to send for one event of a feed, as SSE text; `None` when the stream ends without
/// another word.
fn event_text(event: &FeedEvent) -> Option<Vec<u8>> {
    match event {
        FeedEvent::Message(json) | FeedEvent::Closing(Closing::Result(json)) => {
            let mut out = Vec::with_capacity(json.len() + 8);
            out.extend_from_slice(b"data: ");
            out.extend_from_slice(json);
            out.extend_from_slice(b"\n\n");
            Some(out)
        }
        FeedEvent::Closing(Closing::Retry(after)) => {
            Some(format!("retry: {}\n\n", after.as_millis()).into_bytes())
        }
        FeedEvent::End => None,
    }
}

/// The next event of `feed`, or a keep-alive comment after [`KEEP_ALIVE`] of silence.
async fn next_text(feed: &mut ChangeFeed) -> Option<(Vec<u8>, bool)> {
    tokio::select! {
        event = feed.next() => {
            let last = !matches!(event, FeedEvent::Message(_));
            event_text(&event).map(|text| (text, last))
        }
        () = tokio::time::sleep(KEEP_ALIVE) => Some((b": keep-alive\n\n".to_vec(), false)),
    }
}

/// The feed as a response body of SSE events (for a router the application serves).
pub(crate) fn events(feed: ChangeFeed) -> EventStream {
    Box::pin(futures_util::stream::unfold(
        Some(feed),
        |feed| async move {
            let mut feed = feed?;
            let (text, last) = next_text(&mut feed).await?;
            Some((Ok::<_, Infallible>(Bytes::from(text)), (!last).then_some(feed)))
        },
    ))
}

/// Writes the feed on a connection taken over from hyper after it sent the response head (a
/// chunked `text/event-stream`), until the feed ends, the client goes away, or a write waits
/// longer than `write_timeout`. `holds` (the connection's place among the live ones) is given
/// back when it returns.
pub(crate) async fn write_handed<H>(
    mut tcp: TcpStream,
    mut feed: ChangeFeed,
    write_timeout: Duration,
    holds: H,
) {
    let _holds = holds;
    loop {
        let next = tokio::select! {
            next = next_text(&mut feed) => next,
            gone = client_gone(&tcp) => if gone { return } else { continue },
        };
        let Some((text, last)) = next else { break };
        if !write_chunk(&mut tcp, &text, write_timeout).await {
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

/// Writes one chunk of the response's chunked body; `false` if the client is gone or read
/// nothing for `write_timeout`.
async fn write_chunk(tcp: &mut TcpStream, data: &[u8], write_timeout: Duration) -> bool {
    let mut chunk = Vec::with_capacity(data.len() + 12);
    chunk.extend_from_slice(format!("{:X}\r\n", data.len()).as_bytes());
    chunk.extend_from_slice(data);
    chunk.extend_from_slice(b"\r\n");
    matches!(
        tokio::time::timeout(write_timeout, tcp.write_all(&chunk)).await,
        Ok(Ok(()))
    )
}

/// Resolves when the client closed its side (`true`) or sent something (`false`, discarded:
/// a client has nothing to say on a notification stream's connection).
async fn client_gone(tcp: &TcpStream) -> bool {
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
        assert_eq!(event_text(&message).unwrap(), b"data: {}\n\n");
        let retry = FeedEvent::Closing(Closing::Retry(Duration::from_millis(1500)));
        assert_eq!(event_text(&retry).unwrap(), b"retry: 1500\n\n");
        assert!(event_text(&FeedEvent::End).is_none());
    }
}
