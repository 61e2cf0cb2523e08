//! Deliveries to a real receiver on 127.0.0.1 (the only address these tests send to).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Plain http to 127.0.0.1, fast deterministic retries: for tests only.
fn test_policy() -> WebhookPolicy {
    WebhookPolicy {
        allow_http: true,
        allow_private: true,
        attempt_timeout: Duration::from_secs(5),
        retry: RetrySchedule {
            max_attempts: 8,
            initial_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(1),
            max_elapsed: Duration::from_secs(30),
            jitter: Jitter::None,
            ..RetrySchedule::default()
        },
        ..WebhookPolicy::default()
    }
}

fn target_at(addr: SocketAddr) -> WebhookTarget {
    WebhookTarget::from_json(
        &json!({"mode": "webhook", "url": format!("http://{addr}/hooks/mcp?tenant=7"), "secret": SECRET}),
        &test_policy(),
    )
    .unwrap()
}

/// One request as the receiver got it.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
    verified: Result<(), VerifyError>,
}

type Answer = dyn Fn(usize) -> Response + Send + Sync;

struct Shared {
    received: Mutex<Vec<Received>>,
    /// `webhook-id`s processed: a receiver that deduplicates processes each once.
    processed: Mutex<HashSet<String>>,
    /// When set, each request waits for a permit before it is answered.
    gate: Option<Arc<Semaphore>>,
    answer: Box<Answer>,
}

struct Receiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }
    fn processed(&self) -> usize {
        self.shared.processed.lock().unwrap().len()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A receiver that verifies, records and deduplicates every request, then answers the n-th
/// (from 0) with `answer(n)`.
async fn receiver_on(
    listener: TcpListener,
    gate: Option<Arc<Semaphore>>,
    answer: impl Fn(usize) -> Response + Send + Sync + 'static,
) -> Receiver {
    async fn handle(
        State(shared): State<Arc<Shared>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let verified = verify(
            SECRET,
            &headers,
            &body,
            SystemTime::now(),
            DEFAULT_TOLERANCE,
        );
        let n = {
            let mut received = shared.received.lock().unwrap();
            received.push(Received {
                headers: headers.clone(),
                body: body.clone(),
                verified: verified.clone(),
            });
            received.len() - 1
        };
        if verified.is_err() {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        if let Some(id) = headers.get(WEBHOOK_ID).and_then(|v| v.to_str().ok()) {
            shared.processed.lock().unwrap().insert(id.to_owned());
        }
        if let Some(gate) = &shared.gate {
            let _permit = gate.acquire().await;
        }
        (shared.answer)(n)
    }
    let addr = listener.local_addr().unwrap();
    let shared = Arc::new(Shared {
        received: Mutex::default(),
        processed: Mutex::default(),
        gate,
        answer: Box::new(answer),
    });
    let app = Router::new()
        .route("/hooks/mcp", post(handle))
        .with_state(Arc::clone(&shared));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Receiver {
        addr,
        shared,
        server,
    }
}

async fn receiver(answer: impl Fn(usize) -> Response + Send + Sync + 'static) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    receiver_on(listener, None, answer).await
}

fn status(code: u16) -> Response {
    StatusCode::from_u16(code).unwrap().into_response()
}

async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..500 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn delivers_a_signed_request_that_verify_accepts() {
    let rx = receiver(|_| status(204)).await;
    let old = WebhookSecret::generate();
    let target = target_at(rx.addr)
        .with_subscription_id("sub_a3f1c8e2b0d49f7e")
        .unwrap()
        .with_previous_secret(old.clone());
    let webhooks = Webhooks::new(test_policy());
    let event = Event::with_id(
        "evt_789",
        &json!({"eventId": "evt_789", "name": "task.status", "timestamp": "2026-02-19T16:00:00Z",
                "data": {"taskId": "t-1", "status": "completed"}}),
    )
    .unwrap();

    let delivery = webhooks.deliver(&target, event.clone()).await.unwrap();
    assert_eq!(delivery.result, Ok(StatusCode::NO_CONTENT));
    assert_eq!(
        (delivery.attempts, delivery.event_id.as_str()),
        (1, "evt_789")
    );
    assert!(delivery.is_delivered());

    let received = rx.received();
    assert_eq!(received.len(), 1);
    let Received {
        headers,
        body,
        verified,
    } = &received[0];
    assert_eq!(verified, &Ok(()));
    assert_eq!(body.as_ref(), event.body());
    assert_eq!(headers[WEBHOOK_ID], "evt_789");
    assert_eq!(headers[SUBSCRIPTION_ID], "sub_a3f1c8e2b0d49f7e");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(
        headers["host"],
        HeaderValue::from_str(&rx.addr.to_string()).unwrap()
    );
    // Two signatures during a rotation: either secret verifies.
    assert_eq!(
        headers[WEBHOOK_SIGNATURE]
            .to_str()
            .unwrap()
            .matches("v1,")
            .count(),
        2
    );
    let now = SystemTime::now();
    assert_eq!(
        verify(&old.to_whsec(), headers, body, now, DEFAULT_TOLERANCE),
        Ok(())
    );

    // What the receiver must refuse: a tampered body, a wrong secret, a replay.
    let mut tampered = body.to_vec();
    tampered.extend_from_slice(b" ");
    assert_eq!(
        verify(SECRET, headers, &tampered, now, DEFAULT_TOLERANCE),
        Err(VerifyError::NoMatch)
    );
    let stranger = WebhookSecret::generate().to_whsec();
    assert_eq!(
        verify(&stranger, headers, body, now, DEFAULT_TOLERANCE),
        Err(VerifyError::NoMatch)
    );
    let later = now + Duration::from_secs(10 * 60);
    assert!(matches!(
        verify(SECRET, headers, body, later, DEFAULT_TOLERANCE),
        Err(VerifyError::TooOld { .. })
    ));
}

#[tokio::test]
async fn retries_until_the_receiver_is_up_with_one_id_and_counts_it_once() {
    // A port with nothing listening yet: the first attempts are refused.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let webhooks = Webhooks::new(test_policy());
    let event = Event::new(&json!({"taskId": "t-1", "status": "completed"}));
    let handle = webhooks.deliver(&target_at(addr), event.clone());

    tokio::time::sleep(Duration::from_millis(40)).await;
    // Up: the first request is processed but answered 503 (as if the answer were lost), so it
    // comes again; the receiver sees the same id and does not process it twice.
    let listener = TcpListener::bind(addr).await.unwrap();
    let rx = receiver_on(listener, None, |n| {
        if n == 0 {
            status(503)
        } else {
            status(200)
        }
    })
    .await;

    let delivery = handle.await.unwrap();
    assert_eq!(delivery.result, Ok(StatusCode::OK), "{delivery:?}");
    let received = rx.received();
    assert_eq!(received.len(), 2);
    // At least one attempt was refused before the receiver was up; the last two reached it.
    assert!(delivery.attempts >= 3, "{delivery:?}");
    for r in &received {
        assert_eq!(
            r.verified,
            Ok(()),
            "every attempt is signed afresh and verifies"
        );
        assert_eq!(r.headers[WEBHOOK_ID], event.id());
        assert_eq!(r.body.as_ref(), event.body());
    }
    assert_eq!(rx.processed(), 1);
    assert_eq!(webhooks.in_flight(), 0);
}

#[tokio::test]
async fn a_permanent_4xx_stops_at_once() {
    for code in [400, 401, 404, 410, 413] {
        let rx = receiver(move |_| status(code)).await;
        let webhooks = Webhooks::new(test_policy());
        let delivery = webhooks
            .send(&target_at(rx.addr), Event::new(&json!({})))
            .await;
        let error = delivery.result.unwrap_err();
        assert_eq!(delivery.attempts, 1, "{code}");
        assert_eq!(
            error.kind,
            FailureKind::Status(StatusCode::from_u16(code).unwrap())
        );
        assert_eq!(error.kind.last_error(), Some("http_4xx"));
        assert!(!error.is_retryable());
        assert_eq!(rx.received().len(), 1);
    }
}

#[tokio::test]
async fn retries_end_in_a_failure_with_the_attempt_count() {
    let rx = receiver(|_| status(503)).await;
    let mut policy = test_policy();
    policy.retry.max_attempts = 3;
    let webhooks = Webhooks::new(policy);
    let delivery = webhooks
        .deliver(&target_at(rx.addr), Event::new(&json!({})))
        .await
        .unwrap();
    assert_eq!(delivery.attempts, 3);
    let error = delivery.result.unwrap_err();
    assert_eq!(
        error.kind,
        FailureKind::Status(StatusCode::SERVICE_UNAVAILABLE)
    );
    assert_eq!(error.kind.last_error(), Some("http_5xx"));
    assert_eq!(
        error.to_string(),
        "the endpoint answered 503 Service Unavailable"
    );
    assert_eq!(rx.received().len(), 3);
    // The same id on every attempt.
    let ids: HashSet<_> = rx
        .received()
        .iter()
        .map(|r| r.headers[WEBHOOK_ID].clone())
        .collect();
    assert_eq!(ids.len(), 1);
}

#[tokio::test]
async fn retries_408_425_429_and_honours_retry_after_within_the_cap() {
    for code in [408, 425, 429] {
        let rx = receiver(move |n| match n {
            // Asks for an hour; the cap (50 ms here) wins.
            0 => (
                StatusCode::from_u16(code).unwrap(),
                [("retry-after", "3600")],
            )
                .into_response(),
            _ => status(200),
        })
        .await;
        let mut policy = test_policy();
        policy.retry.max_delay = Duration::from_millis(50);
        let webhooks = Webhooks::new(policy);
        let delivery = webhooks
            .send(&target_at(rx.addr), Event::new(&json!({})))
            .await;
        assert_eq!(
            (delivery.attempts, delivery.is_delivered()),
            (2, true),
            "{code}"
        );
        assert!(
            delivery.elapsed >= Duration::from_millis(50),
            "{code}: {delivery:?}"
        );
        assert!(
            delivery.elapsed < Duration::from_secs(5),
            "{code}: {delivery:?}"
        );
    }
}

#[tokio::test]
async fn a_slow_receiver_times_out_each_attempt() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gate = Arc::new(Semaphore::new(0));
    let rx = receiver_on(listener, Some(Arc::clone(&gate)), |_| status(200)).await;
    let mut policy = test_policy();
    policy.attempt_timeout = Duration::from_millis(100);
    policy.retry.max_attempts = 2;
    let delivery = Webhooks::new(policy)
        .send(&target_at(rx.addr), Event::new(&json!({})))
        .await;
    let error = delivery.result.unwrap_err();
    assert_eq!((error.kind, delivery.attempts), (FailureKind::Timeout, 2));
    assert_eq!(error.kind.last_error(), Some("timeout"));
    gate.add_permits(10);
}

#[tokio::test]
async fn the_address_policy_applies_to_resolved_and_literal_addresses() {
    let rx = receiver(|_| status(200)).await;
    let port = rx.addr.port();
    // http allowed, private addresses not: every way of naming this machine is refused when
    // sending, although the targets were accepted under a permissive policy.
    let strict = Webhooks::new(WebhookPolicy {
        allow_private: false,
        ..test_policy()
    });
    for url in [
        format!("http://localhost:{port}/hooks/mcp"),
        format!("http://127.0.0.1:{port}/hooks/mcp"),
        format!("http://[::1]:{port}/hooks/mcp"),
        format!("http://[::ffff:127.0.0.1]:{port}/hooks/mcp"),
    ] {
        let target =
            WebhookTarget::from_json(&json!({"url": url, "secret": SECRET}), &test_policy())
                .unwrap();
        let delivery = strict.send(&target, Event::new(&json!({}))).await;
        let error = delivery.result.unwrap_err();
        assert_eq!(
            (error.kind, delivery.attempts),
            (FailureKind::Blocked, 1),
            "{url}"
        );
        assert!(
            error.message.contains("only to public addresses"),
            "{url}: {error}"
        );
        assert!(!error.is_retryable());
    }
    let delivery = strict
        .send(
            &WebhookTarget::from_json(
                &json!({"url": format!("http://localhost:{port}/hooks/mcp"), "secret": SECRET}),
                &test_policy(),
            )
            .unwrap(),
            Event::new(&json!({})),
        )
        .await;
    assert!(
        delivery
            .result
            .unwrap_err()
            .message
            .starts_with("localhost resolves to "),
        "the name is checked for what it resolves to"
    );

    // The default policy refuses http itself, at parse time and at send time.
    let default = Webhooks::default();
    let err = default
        .target(&json!({"url": format!("http://localhost:{port}/hooks/mcp"), "secret": SECRET}))
        .unwrap_err();
    assert_eq!(err.to_string(), "`url` must use https, not http");
    let delivery = default
        .send(&target_at(rx.addr), Event::new(&json!({})))
        .await;
    assert_eq!(delivery.result.unwrap_err().kind, FailureKind::Blocked);

    // And refuses these literal and local targets outright.
    for url in [
        "https://127.0.0.1/",
        "https://10.0.0.7/",
        "https://169.254.169.254/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[fd00:ec2::254]/",
        "https://localhost/",
    ] {
        let err = default
            .target(&json!({"url": url, "secret": SECRET}))
            .unwrap_err();
        assert!(matches!(err, TargetError::Address { .. }), "{url}: {err}");
    }
    assert!(rx.received().is_empty(), "nothing reached the receiver");
}

#[tokio::test]
async fn a_payload_over_the_limit_is_not_sent() {
    let rx = receiver(|_| status(200)).await;
    let webhooks = Webhooks::new(WebhookPolicy {
        max_payload_bytes: 64,
        ..test_policy()
    });
    let event = Event::new(&json!({"result": "x".repeat(100)}));
    assert_eq!(event.body().len(), 113);
    let delivery = webhooks.deliver(&target_at(rx.addr), event).await.unwrap();
    let error = delivery.result.unwrap_err();
    assert_eq!(
        (error.kind, delivery.attempts),
        (FailureKind::PayloadTooLarge, 0)
    );
    assert_eq!(error.to_string(), "the body is 113 bytes; the limit is 64");
    assert_eq!(error.kind.last_error(), None);
    assert!(rx.received().is_empty());
}

#[tokio::test]
async fn the_in_flight_cap_holds() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gate = Arc::new(Semaphore::new(0));
    let rx = receiver_on(listener, Some(Arc::clone(&gate)), |_| status(200)).await;
    let target = target_at(rx.addr);
    let webhooks = Webhooks::new(WebhookPolicy {
        max_in_flight: 2,
        ..test_policy()
    });

    let first = webhooks.deliver(&target, Event::new(&json!({"n": 1})));
    let second = webhooks
        .clone()
        .deliver(&target, Event::new(&json!({"n": 2})));
    eventually("two requests held at the receiver", || {
        rx.received().len() == 2
    })
    .await;
    assert_eq!(webhooks.in_flight(), 2);

    // A third is refused at once, not queued.
    let third = webhooks
        .deliver(&target, Event::new(&json!({"n": 3})))
        .await
        .unwrap();
    let error = third.result.unwrap_err();
    assert_eq!((error.kind, third.attempts), (FailureKind::Overloaded, 0));
    assert_eq!(
        error.to_string(),
        "2 webhook deliveries are already in flight, the most allowed"
    );

    gate.add_permits(100);
    assert!(first.await.unwrap().is_delivered());
    assert!(second.await.unwrap().is_delivered());
    assert_eq!(webhooks.in_flight(), 0);
    let fourth = webhooks.send(&target, Event::new(&json!({"n": 4}))).await;
    assert!(fourth.is_delivered());
    assert_eq!(rx.received().len(), 3);
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let rx = receiver(|_| {
        (
            StatusCode::TEMPORARY_REDIRECT,
            [("location", "http://127.0.0.1:1/elsewhere")],
        )
            .into_response()
    })
    .await;
    let delivery = Webhooks::new(test_policy())
        .send(&target_at(rx.addr), Event::new(&json!({})))
        .await;
    assert_eq!(delivery.attempts, 1);
    assert_eq!(
        delivery.result.unwrap_err().kind,
        FailureKind::Status(StatusCode::TEMPORARY_REDIRECT)
    );
    assert_eq!(rx.received().len(), 1);
}

#[tokio::test]
async fn https_to_a_plain_http_port_is_a_retried_tls_failure() {
    let rx = receiver(|_| status(200)).await;
    let target = WebhookTarget::from_json(
        &json!({"url": format!("https://{}/hooks/mcp", rx.addr), "secret": SECRET}),
        &test_policy(),
    )
    .unwrap();
    let mut policy = test_policy();
    policy.retry.max_attempts = 2;
    let delivery = Webhooks::new(policy)
        .send(&target, Event::new(&json!({})))
        .await;
    let error = delivery.result.unwrap_err();
    assert_eq!(
        (error.kind, delivery.attempts),
        (FailureKind::Tls, 2),
        "{error}"
    );
    assert_eq!(error.kind.last_error(), Some("tls_error"));
    assert!(rx.received().is_empty());
}
