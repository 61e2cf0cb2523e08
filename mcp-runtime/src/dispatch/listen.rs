//! Change notifications on long-lived streams: 2026-07-28 `subscriptions/listen` and the
//! 2025-era session `GET` stream.

use std::time::Duration;

use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use super::EventStream;
use crate::notifier::{Change, Notifier};

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A stream of `first`, then every change `wanted` lets through, each a notification (with
/// `subscription` in its `_meta` when given), with keep-alive comments between. `guard` lives
/// as long as the stream.
pub(crate) fn changes<G: Send + 'static>(
    notifier: &Notifier,
    shutdown: tokio_util::sync::CancellationToken,
    first: Vec<Bytes>,
    wanted: impl Fn(&Change) -> bool + Send + Sync + 'static,
    subscription: Option<Value>,
    guard: G,
) -> EventStream {
    let receiver = notifier.subscribe();
    let wanted = std::sync::Arc::new(wanted);
    let ready: std::collections::VecDeque<Bytes> = first.into_iter().collect();
    let state = (receiver, ready, guard, false);
    Box::pin(futures_util::stream::unfold(
        state,
        move |(mut receiver, mut ready, guard, mut ending)| {
            let wanted = wanted.clone();
            let subscription = subscription.clone();
            let shutdown = shutdown.clone();
            async move {
                loop {
                    if let Some(event) = ready.pop_front() {
                        return Some((Ok(event), (receiver, ready, guard, ending)));
                    }
                    if ending {
                        return None;
                    }
                    tokio::select! {
                        () = shutdown.cancelled() => {
                            // The server is stopping: a listen stream gets its closing result; a
                            // session stream is told when to come back.
                            ending = true;
                            ready.push_back(match &subscription {
                                Some(id) => frame(&closing(id)),
                                None => Bytes::from_static(b"retry: 1000\n\n"),
                            });
                        }
                        change = receiver.recv() => match change {
                            Ok(change) if wanted(&change) => {
                                ready.push_back(frame(&notification(&change, subscription.as_ref())));
                            }
                            Ok(_) | Err(RecvError::Lagged(_)) => {}
                            Err(RecvError::Closed) => return None,
                        },
                        () = tokio::time::sleep(KEEP_ALIVE) => {
                            ready.push_back(Bytes::from_static(b": keep-alive\n\n"));
                        }
                    }
                }
            }
        },
    ))
}

/// The result that ends a `subscriptions/listen` stream gracefully.
fn closing(id: &Value) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "result": {
            "resultType": "complete",
            "_meta": {"io.modelcontextprotocol/subscriptionId": id},
        },
    })
}

/// The notification announcing a change.
pub(crate) fn notification(change: &Change, subscription: Option<&Value>) -> Value {
    let mut params = match change {
        Change::Resource(uri) => json!({ "uri": uri }),
        _ => json!({}),
    };
    if let Some(id) = subscription {
        params["_meta"] = json!({ "io.modelcontextprotocol/subscriptionId": id });
    }
    json!({"jsonrpc": "2.0", "method": change.method(), "params": params})
}

/// One server-sent event carrying a JSON message.
pub(crate) fn frame(message: &Value) -> Bytes {
    Bytes::from(format!("data: {message}\n\n"))
}
