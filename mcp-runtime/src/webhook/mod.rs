//! Webhook delivery: signed POSTs to a URL a client gave, so that a client need not hold a
//! connection open to hear about what happens (task status changes and results, events).
//!
//! The wire format is the webhook mode of the MCP Events extension, itself a profile of
//! [Standard Webhooks](https://www.standardwebhooks.com):
//!
//! - the client gives `{"url": "https://…", "secret": "whsec_…"}` (the extension's `delivery`
//!   object, with `"mode": "webhook"`), read by [`WebhookTarget::from_json`];
//! - the server POSTs a JSON body with the headers `webhook-id` (stable across retries),
//!   `webhook-timestamp` (Unix seconds, fresh per attempt), `webhook-signature`
//!   (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`) and, when there is a subscription
//!   id, `X-MCP-Subscription-Id`: [`Webhooks::deliver`];
//! - the receiver checks the signature and the timestamp with [`verify`], then deduplicates on
//!   `webhook-id`.
//!
//! Callback URLs are a server-side request forgery risk, so a [`WebhookPolicy`] allows `https`
//! only and public addresses only by default, checks the addresses a host name resolves to at
//! every attempt, connects to exactly those, and never follows redirects.
//!
//! ```no_run
//! use mcp_runtime::webhook::{Event, WebhookPolicy, Webhooks};
//! use serde_json::json;
//!
//! # async fn run(params: serde_json::Value) -> Result<(), Box<dyn std::error::Error>> {
//! let webhooks = Webhooks::new(WebhookPolicy::default());
//! // When the client asks: refuse bad parameters with -32602 and the error's message.
//! let target = webhooks.target(&params["webhook"])?;
//! // Later, when something happens: delivered in the background, retried, then reported.
//! let handle = webhooks.deliver(&target, Event::new(&json!({"taskId": "t-1", "status": "completed"})));
//! let delivery = handle.await?;
//! println!("{} after {} attempts: {:?}", delivery.event_id, delivery.attempts, delivery.result);
//! # Ok(())
//! # }
//! ```

mod attempt;
mod deliver;
mod event;
mod guard;
mod policy;
mod secret;
mod sign;
mod target;
#[cfg(test)]
mod tests;

pub use deliver::{Delivery, DeliveryError, FailureKind, Webhooks};
pub use event::{Event, EventError};
pub use guard::non_public_reason;
pub use policy::{Jitter, RetrySchedule, WebhookPolicy, MAX_URL_BYTES};
pub use secret::{SecretError, WebhookSecret, MAX_SECRET_BYTES, MIN_SECRET_BYTES, SECRET_PREFIX};
pub use sign::{
    sign, verify, verify_with, VerifyError, DEFAULT_TOLERANCE, SUBSCRIPTION_ID, WEBHOOK_ID,
    WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP,
};
pub use target::{TargetError, WebhookParams, WebhookTarget};
