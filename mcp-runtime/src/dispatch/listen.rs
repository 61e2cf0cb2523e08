//! Change notifications on long-lived streams, 2026-07-28 `subscriptions/listen` and the
//! 2025-era session `GET` stream, as a [`ChangeFeed`] of JSON messages: the transport frames
//! them (and sends keep-alives between).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use crate::notifier::{Change, Notice, Notifier, SubscriptionFilter};
use crate::session::SessionData;

/// Which changes a feed carries.
#[derive(Debug)]
pub(crate) enum Audience {
    /// A `subscriptions/listen` stream: what it subscribed to, tagged with its id (JSON).
    Listen {
        filter: SubscriptionFilter,
        subscription: Box<str>,
    },
    /// A session's `GET` stream: list changes, and updates of the resources the session
    /// subscribes to. The feed does not keep the session alive.
    Session(Weak<SessionData>),
}

impl Audience {
    fn wants(&self, change: &Change) -> bool {
        match self {
            Audience::Listen { filter, .. } => filter.wants(change),
            Audience::Session(session) => match change {
                Change::Resource(uri) => session.upgrade().is_some_and(|s| s.subscribes(uri)),
                _ => true,
            },
        }
    }

    fn subscription(&self) -> Option<&str> {
        match self {
            Audience::Listen { subscription, .. } => Some(subscription),
            Audience::Session(_) => None,
        }
    }
}

/// What a feed yields next.
#[derive(Debug)]
pub(crate) enum FeedEvent {
    /// A JSON-RPC message to send.
    Message(Bytes),
    /// The stream ends (shutdown, or its lifetime is over): send this message last, if any, or
    /// tell a session's client when to come back.
    Closing(Closing),
    /// The stream ends now (its session ended, or the server's notifier is gone).
    End,
}

/// How a feed ends gracefully.
#[derive(Debug)]
pub(crate) enum Closing {
    /// A listen stream's closing result.
    Result(Bytes),
    /// A session stream's reconnection delay.
    Retry(Duration),
}

/// The change notifications of one long-lived stream.
///
/// What it waits on besides changes (shutdown, its session's end, its lifetime) is set up once:
/// one notification reaching 10,000 streams then costs 10,000 channel reads, not 30,000 timer
/// and waiter registrations under shared locks.
pub(crate) struct ChangeFeed {
    receiver: Receiver<Arc<Notice>>,
    audience: Audience,
    first: Option<Bytes>,
    shutdown: Pin<Box<WaitForCancellationFutureOwned>>,
    /// Resolves when the session ends (session streams).
    ended: Option<Pin<Box<WaitForCancellationFutureOwned>>>,
    /// When the stream ends by itself.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    closed: bool,
    /// Held as long as the stream: its place among the server's streams, a session's claim
    /// to its one `GET` stream.
    _holds: Box<dyn Send>,
}

impl std::fmt::Debug for ChangeFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeFeed")
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl ChangeFeed {
    /// A feed of the changes `audience` wants, `first` sent before them.
    pub(crate) fn new(
        notifier: &Notifier,
        audience: Audience,
        first: Option<Bytes>,
        shutdown: CancellationToken,
        lifetime: Option<Duration>,
        holds: impl Send + 'static,
    ) -> Self {
        let ended = match &audience {
            Audience::Session(session) => session
                .upgrade()
                .map(|s| Box::pin(s.ended().clone().cancelled_owned())),
            Audience::Listen { .. } => None,
        };
        Self {
            receiver: notifier.subscribe(),
            audience,
            first,
            shutdown: Box::pin(shutdown.cancelled_owned()),
            ended,
            deadline: lifetime.map(|l| Box::pin(tokio::time::sleep(l))),
            closed: false,
            _holds: Box::new(holds),
        }
    }

    /// The next event; after a [`FeedEvent::Closing`] or [`FeedEvent::End`], always `End`.
    pub(crate) async fn next(&mut self) -> FeedEvent {
        if let Some(first) = self.first.take() {
            return FeedEvent::Message(first);
        }
        if self.closed {
            return FeedEvent::End;
        }
        loop {
            tokio::select! {
                biased;
                () = until(self.ended.as_mut().map(Pin::as_mut)) => {
                    self.closed = true;
                    return FeedEvent::End;
                }
                () = self.shutdown.as_mut() => return self.close(),
                () = until(self.deadline.as_mut().map(Pin::as_mut)) => return self.close(),
                notice = self.receiver.recv() => match notice {
                    Ok(notice) if self.audience.wants(&notice.change) => {
                        return FeedEvent::Message(notice.message(self.audience.subscription()));
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => {
                        self.closed = true;
                        return FeedEvent::End;
                    }
                },
            }
        }
    }

    fn close(&mut self) -> FeedEvent {
        self.closed = true;
        FeedEvent::Closing(match self.audience.subscription() {
            Some(id) => Closing::Result(closing(id)),
            None => Closing::Retry(Duration::from_secs(1)),
        })
    }
}

/// Waits for `future`, or forever when there is none.
async fn until<F: Future<Output = ()>>(future: Option<Pin<&mut F>>) {
    match future {
        Some(future) => future.await,
        None => std::future::pending().await,
    }
}

/// The result that ends a `subscriptions/listen` stream gracefully.
fn closing(id: &str) -> Bytes {
    Bytes::from(format!(
        r#"{{"jsonrpc":"2.0","id":{id},"result":{{"resultType":"complete","_meta":{{"io.modelcontextprotocol/subscriptionId":{id}}}}}}}"#
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closing_result_is_json() {
        let value: serde_json::Value = serde_json::from_slice(&closing(r#""a""#)).unwrap();
        assert_eq!(value["id"], "a");
        assert_eq!(
            value["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
            "a"
        );
    }

    #[tokio::test]
    async fn a_session_feed_ends_with_its_session() {
        let notifier = Notifier::default();
        let session = Arc::new(SessionData::new(
            crate::protocol::ProtocolVersion::LATEST_LEGACY,
            None,
            Default::default(),
        ));
        let mut feed = ChangeFeed::new(
            &notifier,
            Audience::Session(Arc::downgrade(&session)),
            None,
            CancellationToken::new(),
            None,
            (),
        );
        notifier.tools_changed();
        assert!(matches!(feed.next().await, FeedEvent::Message(_)));
        session.close();
        assert!(matches!(feed.next().await, FeedEvent::End));
        assert!(matches!(feed.next().await, FeedEvent::End));
    }

    #[tokio::test(start_paused = true)]
    async fn a_listen_feed_closes_when_its_lifetime_is_over() {
        let notifier = Notifier::default();
        let audience = Audience::Listen {
            filter: SubscriptionFilter::default(),
            subscription: "1".into(),
        };
        let mut feed = ChangeFeed::new(
            &notifier,
            audience,
            None,
            CancellationToken::new(),
            Some(Duration::from_secs(5)),
            (),
        );
        assert!(matches!(
            feed.next().await,
            FeedEvent::Closing(Closing::Result(_))
        ));
    }
}
