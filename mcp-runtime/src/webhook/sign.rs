//! Standard Webhooks signatures: [`sign`] for the sender, [`verify`] for receivers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha2::Sha256;

use super::secret::{SecretError, WebhookSecret};

/// The header carrying the message id, the same on every attempt (receivers deduplicate on it).
pub const WEBHOOK_ID: &str = "webhook-id";
/// The header carrying the attempt's Unix time in seconds.
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
/// The header carrying one or more space-separated `v1,<base64>` signatures.
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";
/// The MCP-specific header carrying the subscription id, so a receiver can pick the secret
/// before parsing the body.
pub const SUBSCRIPTION_ID: &str = "x-mcp-subscription-id";
/// How far a `webhook-timestamp` may be from the receiver's clock: 5 minutes.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Signatures read from one header at most; the rest are ignored.
const MAX_SIGNATURES: usize = 8;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &WebhookSecret, id: &str, timestamp: u64, body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; a secret's key is 24 to 64 bytes anyway.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.key())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The Standard Webhooks `v1` signature of one message: `v1,` and the base64 of
/// HMAC-SHA256(key, `"{id}.{timestamp}.{body}"`), where the key is the secret's decoded bytes.
///
/// Deliveries are signed with it; receivers use [`verify`]. Several signatures go in one
/// `webhook-signature` header separated by spaces.
///
/// ```
/// use mcp_runtime::webhook::{sign, WebhookSecret};
///
/// let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// let signature = sign(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
/// assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
/// # Ok::<(), mcp_runtime::webhook::SecretError>(())
/// ```
pub fn sign(secret: &WebhookSecret, id: &str, timestamp: u64, body: &[u8]) -> String {
    let tag = mac(secret, id, timestamp, body).finalize().into_bytes();
    format!("v1,{}", STANDARD.encode(tag))
}

/// Checks a webhook a receiver got: its `v1` signature against `secret` (a `whsec_…` string),
/// and its `webhook-timestamp` against `now` within `tolerance` either way, which refuses
/// replays of old deliveries. Use [`DEFAULT_TOLERANCE`] (5 minutes) unless there is a reason not
/// to.
///
/// `body` must be the raw request body exactly as received, never re-serialized JSON. The
/// comparison is constant-time. The `webhook-signature` header may hold several space-separated
/// signatures (the sender signs with two secrets during a rotation); one match is enough, and
/// entries other than `v1,` (such as `v1a,`) are ignored. Deduplicate on `webhook-id` after this
/// succeeds: a delivery may arrive more than once.
///
/// ```
/// use std::time::{SystemTime, UNIX_EPOCH};
/// use http::HeaderMap;
/// use mcp_runtime::webhook::{sign, verify, VerifyError, WebhookSecret, DEFAULT_TOLERANCE};
///
/// const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // the one given as `secret`
///
/// /// A receiver's handler: the body is processed only when the signature holds.
/// fn receive(headers: &HeaderMap, body: &[u8]) -> Result<(), VerifyError> {
///     verify(SECRET, headers, body, SystemTime::now(), DEFAULT_TOLERANCE)?;
///     // … deduplicate on the `webhook-id` header, then process `body` …
///     Ok(())
/// }
///
/// // What a sender sends.
/// let body = br#"{"taskId":"t-1","status":"completed"}"#;
/// let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
/// let signature = sign(&WebhookSecret::parse(SECRET).unwrap(), "msg_1", now, body);
/// let mut headers = HeaderMap::new();
/// headers.insert("webhook-id", "msg_1".parse().unwrap());
/// headers.insert("webhook-timestamp", now.to_string().parse().unwrap());
/// headers.insert("webhook-signature", signature.parse().unwrap());
/// assert_eq!(receive(&headers, body), Ok(()));
///
/// // A changed body, or the same request replayed ten minutes later, is refused.
/// assert_eq!(receive(&headers, br#"{"taskId":"t-2","status":"completed"}"#), Err(VerifyError::NoMatch));
/// headers.insert("webhook-timestamp", (now - 600).to_string().parse().unwrap());
/// assert!(receive(&headers, body).is_err());
/// ```
pub fn verify(
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let secret = WebhookSecret::parse(secret).map_err(VerifyError::Secret)?;
    verify_with(&secret, headers, body, now, tolerance)
}

/// [`verify`] with a secret already parsed.
pub fn verify_with(
    secret: &WebhookSecret,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let header = |name: &'static str| -> Result<&str, VerifyError> {
        headers
            .get(name)
            .ok_or(VerifyError::MissingHeader(name))?
            .to_str()
            .map_err(|_| VerifyError::InvalidHeader(name))
    };
    let id = header(WEBHOOK_ID)?;
    let timestamp: u64 = header(WEBHOOK_TIMESTAMP)?
        .trim()
        .parse()
        .map_err(|_| VerifyError::InvalidHeader(WEBHOOK_TIMESTAMP))?;
    let signatures = header(WEBHOOK_SIGNATURE)?;

    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let tolerance = tolerance.as_secs();
    if now.saturating_sub(timestamp) > tolerance {
        return Err(VerifyError::TooOld {
            seconds: now - timestamp,
        });
    }
    if timestamp.saturating_sub(now) > tolerance {
        return Err(VerifyError::TooNew {
            seconds: timestamp - now,
        });
    }

    let expected = mac(secret, id, timestamp, body);
    let matched = signatures
        .split(' ')
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .take(MAX_SIGNATURES)
        .filter_map(|encoded| STANDARD.decode(encoded).ok())
        // `verify_slice` compares in constant time.
        .any(|tag| expected.clone().verify_slice(&tag).is_ok());
    if matched {
        Ok(())
    } else {
        Err(VerifyError::NoMatch)
    }
}

/// Why a received webhook was refused by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The receiver's own secret is not a `whsec_` secret.
    #[error("the secret is invalid: {0}")]
    Secret(SecretError),
    /// A required header is absent.
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    /// A header is not text, or the timestamp is not a number of seconds.
    #[error("the {0} header is malformed")]
    InvalidHeader(&'static str),
    /// The timestamp is further in the past than the tolerance: possibly a replay.
    #[error("the webhook-timestamp is {seconds} s old, beyond the tolerance")]
    TooOld {
        /// How old it is.
        seconds: u64,
    },
    /// The timestamp is further in the future than the tolerance.
    #[error("the webhook-timestamp is {seconds} s in the future, beyond the tolerance")]
    TooNew {
        /// How far ahead it is.
        seconds: u64,
    },
    /// No `v1` signature in the header matches the body and the secret.
    #[error("no signature matches")]
    NoMatch,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const BODY: &[u8] = br#"{"eventId":"evt_1","name":"task.status","data":{}}"#;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn signed(secret: &str, id: &str, timestamp: u64, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let signature = sign(&WebhookSecret::parse(secret).unwrap(), id, timestamp, body);
        headers.insert(WEBHOOK_ID, id.parse().unwrap());
        headers.insert(WEBHOOK_TIMESTAMP, timestamp.to_string().parse().unwrap());
        headers.insert(WEBHOOK_SIGNATURE, signature.parse().unwrap());
        headers
    }

    #[test]
    fn matches_the_standard_webhooks_test_vector() {
        // The example of the Standard Webhooks specification.
        let secret = WebhookSecret::parse(SECRET).unwrap();
        assert_eq!(
            sign(
                &secret,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn accepts_the_genuine_and_refuses_the_rest() {
        let now = 1_800_000_000;
        let headers = signed(SECRET, "msg_1", now, BODY);
        assert_eq!(
            verify(SECRET, &headers, BODY, at(now), DEFAULT_TOLERANCE),
            Ok(())
        );
        // Within the tolerance either way.
        assert_eq!(
            verify(SECRET, &headers, BODY, at(now + 300), DEFAULT_TOLERANCE),
            Ok(())
        );
        assert_eq!(
            verify(SECRET, &headers, BODY, at(now - 300), DEFAULT_TOLERANCE),
            Ok(())
        );

        let tampered = br#"{"eventId":"evt_1","name":"task.status","data":{"x":1}}"#;
        assert_eq!(
            verify(SECRET, &headers, tampered, at(now), DEFAULT_TOLERANCE),
            Err(VerifyError::NoMatch)
        );
        let other = WebhookSecret::generate().to_whsec();
        assert_eq!(
            verify(&other, &headers, BODY, at(now), DEFAULT_TOLERANCE),
            Err(VerifyError::NoMatch)
        );
        // The same id and body under another timestamp: the signature does not carry over.
        let mut moved = headers.clone();
        moved.insert(WEBHOOK_TIMESTAMP, (now + 1).to_string().parse().unwrap());
        assert_eq!(
            verify(SECRET, &moved, BODY, at(now), DEFAULT_TOLERANCE),
            Err(VerifyError::NoMatch)
        );
        let mut renamed = headers.clone();
        renamed.insert(WEBHOOK_ID, "msg_2".parse().unwrap());
        assert_eq!(
            verify(SECRET, &renamed, BODY, at(now), DEFAULT_TOLERANCE),
            Err(VerifyError::NoMatch)
        );
    }

    #[test]
    fn refuses_replays_and_future_timestamps() {
        let then = 1_800_000_000;
        let headers = signed(SECRET, "msg_1", then, BODY);
        assert_eq!(
            verify(SECRET, &headers, BODY, at(then + 301), DEFAULT_TOLERANCE),
            Err(VerifyError::TooOld { seconds: 301 })
        );
        assert_eq!(
            verify(SECRET, &headers, BODY, at(then - 301), DEFAULT_TOLERANCE),
            Err(VerifyError::TooNew { seconds: 301 })
        );
        assert_eq!(
            verify(
                SECRET,
                &headers,
                BODY,
                at(then + 3600),
                Duration::from_secs(7200)
            ),
            Ok(())
        );
    }

    #[test]
    fn any_of_several_signatures_will_do() {
        let now = 1_800_000_000;
        let old = WebhookSecret::generate();
        let headers = signed(SECRET, "msg_1", now, BODY);
        let genuine = headers[WEBHOOK_SIGNATURE].to_str().unwrap().to_owned();
        let mut rotated = headers.clone();
        let both = format!("v1a,ignored {} {genuine}", sign(&old, "msg_1", now, BODY));
        rotated.insert(WEBHOOK_SIGNATURE, both.parse().unwrap());
        assert_eq!(
            verify(SECRET, &rotated, BODY, at(now), DEFAULT_TOLERANCE),
            Ok(())
        );
        assert_eq!(
            verify(&old.to_whsec(), &rotated, BODY, at(now), DEFAULT_TOLERANCE),
            Ok(())
        );
        let mut garbage = headers.clone();
        garbage.insert(WEBHOOK_SIGNATURE, "v1,!!! v2,abc v1,".parse().unwrap());
        assert_eq!(
            verify(SECRET, &garbage, BODY, at(now), DEFAULT_TOLERANCE),
            Err(VerifyError::NoMatch)
        );
    }

    #[test]
    fn names_what_is_missing_or_malformed() {
        let now = 1_800_000_000;
        let headers = signed(SECRET, "msg_1", now, BODY);
        for name in [WEBHOOK_ID, WEBHOOK_TIMESTAMP, WEBHOOK_SIGNATURE] {
            let mut missing = headers.clone();
            missing.remove(name);
            assert_eq!(
                verify(SECRET, &missing, BODY, at(now), DEFAULT_TOLERANCE),
                Err(VerifyError::MissingHeader(name))
            );
        }
        let mut bad = headers.clone();
        bad.insert(WEBHOOK_TIMESTAMP, "yesterday".parse().unwrap());
        assert_eq!(
            verify(SECRET, &bad, BODY, at(now), DEFAULT_TOLERANCE),
            Err(VerifyError::InvalidHeader(WEBHOOK_TIMESTAMP))
        );
        assert!(matches!(
            verify("hunter2", &headers, BODY, at(now), DEFAULT_TOLERANCE),
            Err(VerifyError::Secret(_))
        ));
    }
}
