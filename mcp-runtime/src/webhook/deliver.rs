//! The sender: [`Webhooks`] delivers [`Event`]s with retries and reports a [`Delivery`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::attempt;
use super::event::Event;
use super::policy::WebhookPolicy;
use super::target::{TargetError, WebhookTarget};

/// Delivers signed webhooks: cheap to clone, all clones share one in-flight limit.
///
/// Each delivery POSTs the event's body to the target's URL with `Content-Type:
/// application/json` and the Standard Webhooks headers `webhook-id` (the event's id, the same on
/// every attempt), `webhook-timestamp` (fresh on every attempt) and `webhook-signature` (`v1,`
/// HMAC-SHA256, re-signed on every attempt), plus `X-MCP-Subscription-Id` when the target has
/// one. Before each attempt the host's addresses are resolved and checked against the
/// [`WebhookPolicy`], and the connection goes to one of the checked addresses (no second lookup,
/// no proxy, no redirect followed).
///
/// A 2xx answer delivers. Connection failures, timeouts, TLS failures and the answers 408, 425,
/// 429 and 5xx are retried on the policy's [`RetrySchedule`](super::RetrySchedule), honouring
/// `Retry-After` up to its cap; any other answer (3xx, 4xx such as 400, 410 or 413) and a refused
/// address end the delivery at once.
///
/// ```no_run
/// use mcp_runtime::webhook::{Event, WebhookPolicy, WebhookTarget, Webhooks};
/// use serde_json::json;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let webhooks = Webhooks::new(WebhookPolicy::default());
/// let target = webhooks.target(&json!({
///     "url": "https://hooks.example.com/mcp",
///     "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
/// }))?;
/// let delivery = webhooks
///     .deliver(&target, Event::new(&json!({"taskId": "t-1", "status": "completed"})))
///     .await?;
/// if let Err(failure) = &delivery.result {
///     eprintln!("still failing after {} attempts: {failure}", delivery.attempts);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Webhooks {
    inner: Arc<Inner>,
}

struct Inner {
    policy: WebhookPolicy,
    in_flight: Arc<Semaphore>,
}

impl fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhooks")
            .field("policy", &self.inner.policy)
            .field("in_flight", &self.in_flight())
            .finish()
    }
}

impl Default for Webhooks {
    fn default() -> Self {
        Self::new(WebhookPolicy::default())
    }
}

impl Webhooks {
    /// A sender with this policy.
    pub fn new(policy: WebhookPolicy) -> Self {
        let permits = policy.max_in_flight.min(Semaphore::MAX_PERMITS);
        Self {
            inner: Arc::new(Inner {
                policy,
                in_flight: Arc::new(Semaphore::new(permits)),
            }),
        }
    }

    /// The policy it applies.
    pub fn policy(&self) -> &WebhookPolicy {
        &self.inner.policy
    }

    /// How many deliveries are in flight (attempting or waiting to retry).
    pub fn in_flight(&self) -> usize {
        self.inner.policy.max_in_flight.min(Semaphore::MAX_PERMITS)
            - self.inner.in_flight.available_permits()
    }

    /// Reads a client's webhook object under this sender's policy: [`WebhookTarget::from_json`].
    pub fn target(&self, value: &serde_json::Value) -> Result<WebhookTarget, TargetError> {
        WebhookTarget::from_json(value, &self.inner.policy)
    }

    /// Starts delivering `event` to `target` in a task of its own and returns at once.
    ///
    /// Await the handle for the [`Delivery`], or drop it: the delivery goes on. Beyond the
    /// policy's `max_in_flight` the event is not sent and the handle yields a failure of kind
    /// [`FailureKind::Overloaded`] with no attempt. Must be called within a Tokio runtime.
    pub fn deliver(&self, target: &WebhookTarget, event: Event) -> JoinHandle<Delivery> {
        let started = self.start(target, event);
        tokio::spawn(async move {
            match started {
                Ok((inner, target, event, permit)) => run(inner, target, event, permit).await,
                Err(refused) => refused,
            }
        })
    }

    /// Delivers `event` to `target` within the calling task, retries included, and returns the
    /// outcome. The in-flight limit applies as for [`deliver`](Self::deliver).
    pub async fn send(&self, target: &WebhookTarget, event: Event) -> Delivery {
        match self.start(target, event) {
            Ok((inner, target, event, permit)) => run(inner, target, event, permit).await,
            Err(refused) => refused,
        }
    }

    /// Takes an in-flight permit and checks the size, or says why the event is not sent.
    fn start(
        &self,
        target: &WebhookTarget,
        event: Event,
    ) -> Result<(Arc<Inner>, WebhookTarget, Event, OwnedSemaphorePermit), Delivery> {
        let policy = &self.inner.policy;
        let refuse = |kind, message: String| {
            let delivery = Delivery {
                event_id: event.id().to_owned(),
                attempts: 0,
                elapsed: Duration::ZERO,
                result: Err(DeliveryError::new(kind, message)),
            };
            tracing::warn!(
                event_id = %delivery.event_id,
                host = %target.host(),
                error = %delivery.result.as_ref().err().map(ToString::to_string).unwrap_or_default(),
                "webhook not sent"
            );
            delivery
        };
        if event.body().len() > policy.max_payload_bytes {
            return Err(refuse(
                FailureKind::PayloadTooLarge,
                format!(
                    "the body is {} bytes; the limit is {}",
                    event.body().len(),
                    policy.max_payload_bytes
                ),
            ));
        }
        let Ok(permit) = Arc::clone(&self.inner.in_flight).try_acquire_owned() else {
            return Err(refuse(
                FailureKind::Overloaded,
                format!(
                    "{} webhook deliveries are already in flight, the most allowed",
                    policy.max_in_flight
                ),
            ));
        };
        Ok((Arc::clone(&self.inner), target.clone(), event, permit))
    }
}

/// The attempts of one delivery, holding its in-flight permit until it ends.
async fn run(
    inner: Arc<Inner>,
    target: WebhookTarget,
    event: Event,
    _permit: OwnedSemaphorePermit,
) -> Delivery {
    let policy = &inner.policy;
    let schedule = &policy.retry;
    let max_attempts = schedule.max_attempts.max(1);
    let started = Instant::now();
    let mut attempts = 0;
    let finish = |attempts, result| Delivery {
        event_id: event.id().to_owned(),
        attempts,
        elapsed: started.elapsed(),
        result,
    };
    loop {
        attempts += 1;
        let outcome = match tokio::time::timeout(
            policy.attempt_timeout,
            attempt::post(policy, &target, &event),
        )
        .await
        {
            Ok(outcome) => outcome,
            Err(_) => Err(DeliveryError::new(
                FailureKind::Timeout,
                format!("no answer within {:?}", policy.attempt_timeout),
            )),
        };
        let (error, retry_after) = match outcome {
            Ok(answer) if answer.status.is_success() => {
                tracing::debug!(
                    event_id = %event.id(),
                    host = %target.host(),
                    attempts,
                    status = answer.status.as_u16(),
                    "webhook delivered"
                );
                return finish(attempts, Ok(answer.status));
            }
            Ok(answer) => (
                DeliveryError::new(
                    FailureKind::Status(answer.status),
                    format!("the endpoint answered {}", answer.status),
                ),
                answer.retry_after,
            ),
            Err(error) => (error, None),
        };
        let stop = if !error.is_retryable() {
            Some("not retryable")
        } else if attempts >= max_attempts {
            Some("attempts exhausted")
        } else {
            None
        };
        let wait = schedule.wait(attempts, retry_after);
        let stop = stop.or_else(|| {
            (started.elapsed() + wait > schedule.max_elapsed).then_some("retry window exhausted")
        });
        if let Some(why) = stop {
            tracing::warn!(
                event_id = %event.id(),
                host = %target.host(),
                attempts,
                error = %error,
                why,
                "webhook delivery failed"
            );
            return finish(attempts, Err(error));
        }
        tracing::debug!(
            event_id = %event.id(),
            host = %target.host(),
            attempts,
            error = %error,
            ?wait,
            "webhook attempt failed; retrying"
        );
        tokio::time::sleep(wait).await;
    }
}

/// How a delivery ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The event's `webhook-id`.
    pub event_id: String,
    /// Attempts made: 0 when the event was refused before any (too large, too many in flight).
    pub attempts: u32,
    /// From the first attempt's start to the end.
    pub elapsed: Duration,
    /// The 2xx status that accepted it, or why the last attempt failed.
    pub result: Result<StatusCode, DeliveryError>,
}

impl Delivery {
    /// Whether the endpoint accepted it.
    pub fn is_delivered(&self) -> bool {
        self.result.is_ok()
    }
}

/// Why a delivery (its last attempt) failed.
///
/// The message is for the server's logs and records; it never contains the endpoint's response
/// body. For what the MCP Events extension lets a client see (`deliveryStatus.lastError`), use
/// [`FailureKind::last_error`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    /// What kind of failure.
    pub kind: FailureKind,
    /// What happened, in words.
    pub message: String,
}

impl DeliveryError {
    pub(crate) fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Whether another attempt could succeed: connection failures, timeouts, TLS failures, 408,
    /// 425, 429 and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            FailureKind::Connect | FailureKind::Timeout | FailureKind::Tls => true,
            FailureKind::Status(status) => {
                status.is_server_error() || matches!(status.as_u16(), 408 | 425 | 429)
            }
            FailureKind::Blocked | FailureKind::PayloadTooLarge | FailureKind::Overloaded => false,
        }
    }
}

/// The kinds of delivery failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// The host could not be resolved, or no connection could be made or kept.
    Connect,
    /// An attempt took longer than the policy's `attempt_timeout`.
    Timeout,
    /// The TLS handshake failed (certificate, protocol), or no root certificates are available.
    Tls,
    /// The endpoint answered with this non-2xx status.
    Status(StatusCode),
    /// The policy refused the destination: a non-public address, or `http` when only `https` is
    /// allowed. Not retried.
    Blocked,
    /// The body is over the policy's `max_payload_bytes`; nothing was sent.
    PayloadTooLarge,
    /// The policy's `max_in_flight` deliveries were already under way; nothing was sent.
    Overloaded,
}

impl FailureKind {
    /// The MCP Events extension's `deliveryStatus.lastError` category: `connection_refused`,
    /// `timeout`, `tls_error`, `http_4xx` or `http_5xx` (a refused address reads as
    /// `connection_refused`, any other non-2xx status as `http_4xx`). `None` for failures on
    /// the server's side, where no endpoint was tried.
    pub fn last_error(&self) -> Option<&'static str> {
        Some(match self {
            Self::Connect | Self::Blocked => "connection_refused",
            Self::Timeout => "timeout",
            Self::Tls => "tls_error",
            Self::Status(status) if status.is_server_error() => "http_5xx",
            Self::Status(_) => "http_4xx",
            Self::PayloadTooLarge | Self::Overloaded => return None,
        })
    }
}
