//! What the sender allows and how hard it tries: [`WebhookPolicy`] and [`RetrySchedule`].

use std::time::{Duration, SystemTime};

use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;

/// The longest callback URL accepted, in bytes.
pub const MAX_URL_BYTES: usize = 2048;

/// The sender's configuration: which callback URLs it accepts and how it delivers to them.
///
/// The defaults are the production ones: `https` only, public addresses only, 10 s per attempt,
/// bodies up to 1 MiB, at most 256 deliveries in flight, and [`RetrySchedule::default`].
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::webhook::{RetrySchedule, WebhookPolicy};
///
/// // A test receiver on 127.0.0.1 over plain http, with fast retries.
/// let policy = WebhookPolicy {
///     allow_http: true,
///     allow_private: true,
///     retry: RetrySchedule {
///         initial_delay: Duration::from_millis(10),
///         ..RetrySchedule::default()
///     },
///     ..WebhookPolicy::default()
/// };
/// assert_eq!(policy.max_in_flight, 256);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookPolicy {
    /// Accept `http://` callback URLs as well as `https://` (default `false`). The MCP Events
    /// extension requires `https`; allow `http` for local tests only.
    pub allow_http: bool,
    /// Deliver to addresses that are not public (default `false`): loopback, private, link-local,
    /// unique-local, CGNAT and the other ranges of [`non_public_reason`](super::non_public_reason).
    /// The check applies to literal addresses and to every address a host name resolves to.
    pub allow_private: bool,
    /// How long one attempt may take, from name resolution to the response's status line
    /// (default 10 s). The response body is never read.
    pub attempt_timeout: Duration,
    /// The largest body delivered, in bytes (default 1 MiB); a larger event fails without being
    /// sent. The Events extension asks servers to keep bodies at or under 256 KiB.
    pub max_payload_bytes: usize,
    /// The most deliveries in flight at once, retries and waits included (default 256). A
    /// delivery started beyond that is not queued: it fails at once as
    /// [`FailureKind::Overloaded`](super::FailureKind::Overloaded).
    pub max_in_flight: usize,
    /// When to try again after a failed attempt.
    pub retry: RetrySchedule,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        Self {
            allow_http: false,
            allow_private: false,
            attempt_timeout: Duration::from_secs(10),
            max_payload_bytes: 1024 * 1024,
            max_in_flight: 256,
            retry: RetrySchedule::default(),
        }
    }
}

/// How the waits between attempts are drawn around the exponential step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Jitter {
    /// Exactly the exponential step: deterministic, for tests.
    None,
    /// Uniform between zero and the step ("full jitter").
    Full,
    /// Uniform between half the step and the step ("equal jitter"): spread out like full
    /// jitter, but never a near-immediate retry against an endpoint that is down.
    #[default]
    Equal,
}

/// When a failed delivery is tried again.
///
/// Waits grow exponentially: `initial_delay`, then times `multiplier` per retry, each capped at
/// `max_delay` and drawn with [`Jitter`]. A `Retry-After` on a 408, 425, 429 or 5xx answer
/// lengthens the next wait, up to `max_delay`. No attempt starts once `max_elapsed` has passed
/// since the first, nor after `max_attempts`.
///
/// The default makes 8 attempts, waiting about 1, 2, 4, 8, 16, 32 and 64 s (equal jitter) between
/// them, within 10 minutes in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    /// Attempts in all, the first included (at least 1; default 8).
    pub max_attempts: u32,
    /// The step before the second attempt (default 1 s).
    pub initial_delay: Duration,
    /// What each step is multiplied by (default 2).
    pub multiplier: u32,
    /// The longest single wait, `Retry-After` included (default 5 min).
    pub max_delay: Duration,
    /// The longest time from the first attempt's start to the last one's (default 10 min).
    pub max_elapsed: Duration,
    /// How each wait is drawn around its step (default [`Jitter::Equal`]).
    pub jitter: Jitter,
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            initial_delay: Duration::from_secs(1),
            multiplier: 2,
            max_delay: Duration::from_secs(5 * 60),
            max_elapsed: Duration::from_secs(10 * 60),
            jitter: Jitter::Equal,
        }
    }
}

impl RetrySchedule {
    /// One attempt and no retry.
    pub fn no_retry() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The exponential step before attempt `retry + 1` (`retry` counts from 1), capped.
    pub(crate) fn step(&self, retry: u32) -> Duration {
        let factor = self
            .multiplier
            .max(1)
            .checked_pow(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// The wait before attempt `retry + 1`, jittered, lengthened by `retry_after` within the cap.
    pub(crate) fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let step = self.step(retry);
        let drawn = match self.jitter {
            Jitter::None => step,
            Jitter::Full => uniform(Duration::ZERO, step),
            Jitter::Equal => uniform(step / 2, step),
        };
        drawn
            .max(retry_after.unwrap_or_default())
            .min(self.max_delay)
    }
}

/// A duration drawn uniformly from `[low, high]`.
fn uniform(low: Duration, high: Duration) -> Duration {
    let span = u64::try_from(high.saturating_sub(low).as_nanos()).unwrap_or(u64::MAX);
    if span == 0 {
        return low;
    }
    let offset = OsRng.next_u64() % span.saturating_add(1);
    low + Duration::from_nanos(offset)
}

/// A `Retry-After` value: delta-seconds or an HTTP date, as a wait from `now`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long digit strings saturate instead of failing.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_grow_and_are_capped() {
        let schedule = RetrySchedule {
            jitter: Jitter::None,
            ..RetrySchedule::default()
        };
        let waits: Vec<u64> = (1..8).map(|r| schedule.wait(r, None).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(schedule.step(40), schedule.max_delay);
        assert_eq!(schedule.step(u32::MAX), schedule.max_delay);
        // Retry-After lengthens a wait, never beyond the cap.
        assert_eq!(
            schedule.wait(1, Some(Duration::from_secs(30))).as_secs(),
            30
        );
        assert_eq!(
            schedule.wait(1, Some(Duration::from_secs(86_400))),
            schedule.max_delay
        );
    }

    #[test]
    fn jitter_stays_in_its_band() {
        let equal = RetrySchedule::default();
        let full = RetrySchedule {
            jitter: Jitter::Full,
            ..RetrySchedule::default()
        };
        for retry in 1..8 {
            let step = equal.step(retry);
            for _ in 0..50 {
                let w = equal.wait(retry, None);
                assert!(
                    w >= step / 2 && w <= step,
                    "{w:?} outside [{:?}, {step:?}]",
                    step / 2
                );
                assert!(full.wait(retry, None) <= step);
            }
        }
    }

    #[test]
    fn default_schedule_fits_in_its_window() {
        let schedule = RetrySchedule {
            jitter: Jitter::None,
            ..RetrySchedule::default()
        };
        let waits: Duration = (1..schedule.max_attempts).map(|r| schedule.step(r)).sum();
        let attempts = WebhookPolicy::default().attempt_timeout * schedule.max_attempts;
        assert!(waits + attempts <= schedule.max_elapsed);
    }

    #[test]
    fn reads_retry_after() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after(
                "Sun, 06 Nov 1994 08:49:37 GMT",
                now - Duration::from_secs(10)
            ),
            Some(Duration::from_secs(10))
        );
        // A date in the past means now.
        assert_eq!(
            parse_retry_after(
                "Sun, 06 Nov 1994 08:49:37 GMT",
                now + Duration::from_secs(10)
            ),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
        assert!(parse_retry_after("99999999999999999999999", now).is_some());
    }
}
