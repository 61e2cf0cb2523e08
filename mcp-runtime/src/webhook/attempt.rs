//! One delivery attempt: resolve and vet the host's addresses, connect to a vetted one, TLS,
//! POST the signed body, read the status line. No proxy, no redirect, a fresh connection each
//! time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{Method, StatusCode};
use http_body_util::Full;

use super::deliver::{DeliveryError, FailureKind};
use super::event::Event;
use super::guard::{vetted_addresses, ResolveError};
use super::policy::{parse_retry_after, WebhookPolicy};
use super::sign::{sign, SUBSCRIPTION_ID, WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP};
use super::target::WebhookTarget;
use crate::outbound::{self, Failure};

/// What the endpoint answered.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<Duration>,
}

/// Makes one attempt, with a fresh timestamp and signature.
pub(crate) async fn post(
    policy: &WebhookPolicy,
    target: &WebhookTarget,
    event: &Event,
) -> Result<Answer, DeliveryError> {
    let destination = target.destination();
    if !destination.https && !policy.allow_http {
        return Err(DeliveryError::new(
            FailureKind::Blocked,
            "the URL uses http and the webhook policy allows only https",
        ));
    }
    let addresses = vetted_addresses(&destination.host, destination.port, policy.allow_private)
        .await
        .map_err(|e| match e {
            ResolveError::Refused(message) => DeliveryError::new(FailureKind::Blocked, message),
            ResolveError::Lookup(e) => DeliveryError::new(
                FailureKind::Connect,
                format!("could not resolve {}: {e}", destination.host),
            ),
        })?;
    let stream = outbound::connect(&addresses).await.map_err(failed)?;

    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let mut signature = sign(target.secret(), event.id(), timestamp, event.body());
    if let Some(previous) = target.previous_secret() {
        signature.push(' ');
        signature.push_str(&sign(previous, event.id(), timestamp, event.body()));
    }
    let mut request = outbound::request(Method::POST, destination)
        .header(CONTENT_TYPE, "application/json")
        .header(WEBHOOK_ID, event.id())
        .header(WEBHOOK_TIMESTAMP, timestamp)
        .header(WEBHOOK_SIGNATURE, signature);
    if let Some(id) = target.subscription_id() {
        request = request.header(SUBSCRIPTION_ID, id);
    }
    let request = request.body(Full::new(event.bytes())).map_err(|e| {
        DeliveryError::new(
            FailureKind::Blocked,
            format!("could not build the request: {e}"),
        )
    })?;

    // The body is never read: only the status matters, and an endpoint's answer is not echoed.
    let response = outbound::exchange(stream, destination, request, None)
        .await
        .map_err(failed)?;
    let retry_after = response
        .headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    Ok(Answer {
        status: response.status,
        retry_after,
    })
}

/// The delivery failure for an outbound one.
fn failed(failure: Failure) -> DeliveryError {
    let kind = match failure {
        Failure::Tls(_) => FailureKind::Tls,
        Failure::Timeout(_) => FailureKind::Timeout,
        Failure::Connect(_) | Failure::TooLarge(_) => FailureKind::Connect,
    };
    DeliveryError::new(kind, failure.to_string())
}
