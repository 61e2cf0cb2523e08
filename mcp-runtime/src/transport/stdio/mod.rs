//! stdio: newline-delimited JSON-RPC on standard input and output, for clients that start the
//! server as a child process (desktop clients, IDEs).
//!
//! Each line goes through the same endpoint as an HTTP request (in process, no socket): era
//! detection, sessions for 2025-era clients, multi round-trip requests for 2026-07-28 ones,
//! limits and error answers are the HTTP transport's, so a client gets the same answers on both.
//! What the endpoint streams (notifications, server-to-client requests, then the response) is
//! written line by line; requests run concurrently and their lines may interleave.

mod bridge;
mod lines;

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::endpoint::Endpoint;
use crate::Error;

use bridge::Bridge;
use lines::{Line, Lines};

/// How many lines may wait for the writer before requests wait for it.
const OUTPUT_QUEUE: usize = 1024;

/// Serves `input` and `output` until the input ends or `shutdown` completes; in-flight calls
/// then get [`SHUTDOWN_GRACE`](crate::SHUTDOWN_GRACE) to finish.
pub(crate) async fn serve(
    endpoint: Arc<Endpoint>,
    mount: String,
    input: impl AsyncRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let limit = endpoint.body_limit;
    let streams = endpoint.shutdown.clone();
    let (lines_out, mut to_write) = mpsc::channel::<Bytes>(OUTPUT_QUEUE);
    let writer = tokio::spawn(async move {
        let mut output = output;
        while let Some(line) = to_write.recv().await {
            if output.write_all(&line).await.is_err() || output.write_all(b"\n").await.is_err() {
                break;
            }
            if to_write.is_empty() && output.flush().await.is_err() {
                break;
            }
        }
        let _ = output.flush().await;
    });
    let bridge = Bridge::new(endpoint, &mount, lines_out);
    let mut lines = Lines::new(tokio::io::BufReader::new(input), limit);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let line = tokio::select! {
            line = lines.next() => line,
            () = &mut shutdown => break,
        };
        match line {
            Ok(Some(Line::Text(text))) if text.iter().all(u8::is_ascii_whitespace) => {}
            Ok(Some(Line::Text(text))) => bridge.receive(Bytes::from(text)),
            Ok(Some(Line::TooLong)) => bridge.too_long(limit).await,
            Ok(None) | Err(_) => break,
        }
    }
    // No more input: the notification streams end (a listen stream with its closing result),
    // and the calls under way get the grace period.
    streams.cancel();
    bridge.close();
    let _ = tokio::time::timeout(crate::SHUTDOWN_GRACE, bridge.idle()).await;
    drop(bridge);
    let _ = writer.await;
    Ok(())
}

/// The process's standard input, read on a thread of its own: a read blocked on a pipe the
/// client keeps open never keeps the process from exiting.
pub(crate) fn stdin() -> impl AsyncRead + Unpin + Send + 'static {
    let (chunks, received) = mpsc::channel::<std::io::Result<Bytes>>(16);
    std::thread::Builder::new()
        .name("mcp-stdin".into())
        .spawn(move || {
            use std::io::Read;
            let mut stdin = std::io::stdin().lock();
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                match stdin.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => {
                        let chunk = Bytes::copy_from_slice(&buffer[..n]);
                        if chunks.blocking_send(Ok(chunk)).is_err() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = chunks.blocking_send(Err(e));
                        break;
                    }
                }
            }
        })
        .expect("a thread for standard input");
    tokio_util::io::StreamReader::new(tokio_stream(received))
}

/// The channel as a stream of chunks.
fn tokio_stream(
    mut received: mpsc::Receiver<std::io::Result<Bytes>>,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Unpin + Send {
    Box::pin(futures_util::stream::poll_fn(move |cx| {
        received.poll_recv(cx)
    }))
}
