//! stdio: newline-delimited JSON-RPC on standard input and output, for clients that start the
//! server as a child process (desktop clients, IDEs).
//!
//! Each line is served by the endpoint's dispatcher, as an HTTP request's body is: the same
//! method table, limits and error answers, so a client gets the same answers on both. What a
//! call sends (notifications, requests to the client, then its response) is written line by
//! line; requests run concurrently and their lines may interleave.

mod connection;
mod lines;

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::endpoint::Endpoint;
use crate::Error;

use connection::Connection;
use lines::{Line, Lines};

/// How many lines may wait for the writer before requests wait for it.
const OUTPUT_QUEUE: usize = 1024;

/// Where the lines the server writes go.
pub(crate) enum Output<W> {
    /// An async stream (a pipe, a socket, an in-memory duplex), written by a task.
    Stream(W),
    /// The process's standard output, written by a thread of its own: tokio's `Stdout` hands
    /// every flush to the blocking pool, one hop per line.
    Stdout,
}

/// Serves `input` and `output` until the input ends or `shutdown` completes; in-flight calls
/// then get [`SHUTDOWN_GRACE`](crate::SHUTDOWN_GRACE) to finish.
pub(crate) async fn serve<W: AsyncWrite + Unpin + Send + 'static>(
    endpoint: Arc<Endpoint>,
    input: impl AsyncRead + Unpin + Send + 'static,
    output: Output<W>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let limit = endpoint.message_limit;
    let streams = endpoint.shutdown.clone();
    let (lines_out, to_write) = mpsc::channel::<Bytes>(OUTPUT_QUEUE);
    let writer = match output {
        Output::Stream(output) => tokio::spawn(write_stream(output, to_write)),
        Output::Stdout => {
            let (done, finished) = tokio::sync::oneshot::channel::<()>();
            std::thread::Builder::new()
                .name("mcp-stdout".into())
                .spawn(move || {
                    write_stdout(to_write);
                    let _ = done.send(());
                })
                .expect("a thread for standard output");
            tokio::spawn(async move {
                let _ = finished.await;
            })
        }
    };
    let connection = Connection::new(endpoint, lines_out);
    let mut lines = Lines::new(tokio::io::BufReader::new(input), limit);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let line = tokio::select! {
            line = lines.next() => line,
            () = &mut shutdown => break,
        };
        match line {
            Ok(Some(Line::Text(text))) if text.iter().all(u8::is_ascii_whitespace) => {}
            Ok(Some(Line::Text(text))) => connection.receive(Bytes::from(text)),
            Ok(Some(Line::TooLong)) => connection.too_long(limit).await,
            Ok(None) | Err(_) => break,
        }
    }
    // No more input: the notification streams end (a listen stream with its closing result),
    // and the calls under way get the grace period. What still runs then is dropped, and the
    // writer gets what is left of the grace (at least a second) to hand the last lines to a
    // client that reads slowly, or not at all: the process never outlives the grace by more.
    streams.cancel();
    connection.input_ended();
    let deadline = tokio::time::Instant::now() + crate::SHUTDOWN_GRACE;
    let _ = tokio::time::timeout_at(deadline, connection.idle()).await;
    connection.stop();
    drop(connection);
    let last_lines = deadline.max(tokio::time::Instant::now() + LAST_LINES);
    let abort = writer.abort_handle();
    if tokio::time::timeout_at(last_lines, writer).await.is_err() {
        abort.abort();
    }
    Ok(())
}

/// The least time the writer gets, after the calls, to write what they left.
const LAST_LINES: std::time::Duration = std::time::Duration::from_secs(1);

/// Writes lines to an async stream, flushing whenever no line is waiting.
async fn write_stream(mut output: impl AsyncWrite + Unpin, mut lines: mpsc::Receiver<Bytes>) {
    while let Some(line) = lines.recv().await {
        if output.write_all(&line).await.is_err() || output.write_all(b"\n").await.is_err() {
            break;
        }
        if lines.is_empty() && output.flush().await.is_err() {
            break;
        }
    }
    let _ = output.flush().await;
}

/// Writes lines to standard output from this thread, buffered, flushing whenever no line is
/// waiting.
fn write_stdout(mut lines: mpsc::Receiver<Bytes>) {
    use std::io::Write;
    // Not locked for good: a stray `println!` elsewhere must not hang its thread (it would
    // corrupt the protocol, which the README warns against, but nothing worse).
    let mut stdout = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
    while let Some(line) = lines.blocking_recv() {
        if stdout.write_all(&line).is_err() || stdout.write_all(b"\n").is_err() {
            return;
        }
        if lines.is_empty() && stdout.flush().is_err() {
            return;
        }
    }
    let _ = stdout.flush();
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
