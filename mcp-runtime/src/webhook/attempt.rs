//! One delivery attempt: resolve and vet the host's addresses, connect to a vetted one, TLS,
//! POST the signed body, read the status line. No proxy, no redirect, a fresh connection each
//! time.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_TYPE, HOST, RETRY_AFTER, USER_AGENT};
use http::{Request, StatusCode};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

use super::deliver::{DeliveryError, FailureKind};
use super::event::Event;
use super::guard::{vetted_addresses, ResolveError};
use super::policy::{parse_retry_after, WebhookPolicy};
use super::sign::{sign, SUBSCRIPTION_ID, WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP};
use super::target::WebhookTarget;

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
    let endpoint = target.endpoint();
    if !endpoint.https && !policy.allow_http {
        return Err(DeliveryError::new(
            FailureKind::Blocked,
            "the URL uses http and the webhook policy allows only https",
        ));
    }
    let addresses = vetted_addresses(&endpoint.host, endpoint.port, policy.allow_private)
        .await
        .map_err(|e| match e {
            ResolveError::Refused(message) => DeliveryError::new(FailureKind::Blocked, message),
            ResolveError::Lookup(e) => DeliveryError::new(
                FailureKind::Connect,
                format!("could not resolve {}: {e}", endpoint.host),
            ),
        })?;
    let stream = connect(&addresses).await?;

    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let mut signature = sign(target.secret(), event.id(), timestamp, event.body());
    if let Some(previous) = target.previous_secret() {
        signature.push(' ');
        signature.push_str(&sign(previous, event.id(), timestamp, event.body()));
    }
    let mut request = Request::post(endpoint.path.as_str())
        .header(HOST, endpoint.authority.as_str())
        .header(CONTENT_TYPE, "application/json")
        .header(
            USER_AGENT,
            concat!("mcp-runtime/", env!("CARGO_PKG_VERSION")),
        )
        .header(CONNECTION, "close")
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

    if endpoint.https {
        let name = ServerName::try_from(endpoint.host.clone()).map_err(|_| {
            DeliveryError::new(
                FailureKind::Tls,
                format!("{} is not a valid TLS server name", endpoint.host),
            )
        })?;
        let stream = tls()?.connect(name, stream).await.map_err(|e| {
            DeliveryError::new(
                FailureKind::Tls,
                format!("TLS handshake with {} failed: {e}", endpoint.host),
            )
        })?;
        exchange(TokioIo::new(stream), request).await
    } else {
        exchange(TokioIo::new(stream), request).await
    }
}

/// Connects to the first vetted address that accepts.
async fn connect(addresses: &[SocketAddr]) -> Result<TcpStream, DeliveryError> {
    let mut last = None;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => {
                // Only a latency tweak; the request works without it.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => last = Some(format!("could not connect to {address}: {e}")),
        }
    }
    Err(DeliveryError::new(
        FailureKind::Connect,
        last.unwrap_or_else(|| "no address to connect to".to_owned()),
    ))
}

/// Sends the request on a new HTTP/1.1 connection and reads the response head.
async fn exchange<T>(io: T, request: Request<Full<Bytes>>) -> Result<Answer, DeliveryError>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin,
{
    let failed = |e: hyper::Error| {
        DeliveryError::new(
            FailureKind::Connect,
            format!("the HTTP exchange failed: {e}"),
        )
    };
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(failed)?;
    let send = sender.send_request(request);
    tokio::pin!(send);
    tokio::pin!(connection);
    let response = tokio::select! {
        biased;
        response = &mut send => response,
        ended = &mut connection => match ended {
            // With `Connection: close` the connection may end as soon as the response is in;
            // the response is then waiting in `send`, or `send` fails.
            Ok(()) => send.await,
            Err(e) => Err(e),
        },
    }
    .map_err(failed)?;
    // The body is never read: only the status matters, and an endpoint's answer is not echoed.
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    Ok(Answer {
        status: response.status(),
        retry_after,
    })
}

/// The TLS client, built once: the system's root certificates, TLS 1.2 and 1.3, ring.
fn tls() -> Result<&'static TlsConnector, DeliveryError> {
    static TLS: OnceLock<Result<TlsConnector, String>> = OnceLock::new();
    TLS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        let loaded = rustls_native_certs::load_native_certs();
        let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
        if added == 0 {
            tracing::warn!(
                errors = ?loaded.errors,
                "webhooks: no trusted root certificates found on this system; https deliveries will fail"
            );
            return Err("no trusted root certificates were found on this system".to_owned());
        }
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS configuration failed: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsConnector::from(Arc::new(config)))
    })
    .as_ref()
    .map_err(|message| DeliveryError::new(FailureKind::Tls, message.clone()))
}
