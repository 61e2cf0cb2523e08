//! Requests this server makes to others: webhook deliveries and the OAuth resource server's
//! fetches from its authorization server. One request per fresh connection (`Connection: close`),
//! HTTP/1.1, TLS with the system's root certificates, no proxy, no redirect followed.
//!
//! Callers decide which addresses may be reached: the webhook sender vets every address a
//! client's host resolves to, the OAuth fetches resolve the operator's URLs plainly
//! ([`send`]).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONNECTION, HOST, USER_AGENT};
use http::uri::{Scheme, Uri};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// Where a request goes: the parts of an `http`/`https` URL a connection and a request need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Destination {
    pub(crate) https: bool,
    /// The host without IPv6 brackets, lowercase: what is resolved, and the TLS server name.
    pub(crate) host: String,
    pub(crate) port: u16,
    /// `host[:port]` as written: the `Host` header.
    pub(crate) authority: String,
    /// Path and query (`/` when the URL has none): the request target.
    pub(crate) path: String,
}

/// Why a URL cannot be a [`Destination`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum UrlError {
    /// The scheme is neither `http` nor `https`.
    #[error("it must use https, not {0}")]
    Scheme(String),
    /// Anything else, in words.
    #[error("{0}")]
    Unusable(&'static str),
}

impl Destination {
    /// Splits an absolute `http` or `https` URL. Refused: fragments, user names and passwords,
    /// an empty host, port 0.
    pub(crate) fn parse(url: &str) -> Result<Self, UrlError> {
        if url.contains('#') {
            return Err(UrlError::Unusable("it must not contain a fragment (#…)"));
        }
        let uri: Uri = url
            .parse()
            .map_err(|_| UrlError::Unusable("it is not a valid absolute URL"))?;
        let https = match uri.scheme() {
            Some(s) if *s == Scheme::HTTPS => true,
            Some(s) if *s == Scheme::HTTP => false,
            Some(s) => return Err(UrlError::Scheme(s.as_str().to_owned())),
            None => return Err(UrlError::Unusable("it is not an absolute URL (https://…)")),
        };
        let authority = uri
            .authority()
            .ok_or(UrlError::Unusable("it has no host"))?;
        if authority.as_str().contains('@') {
            return Err(UrlError::Unusable(
                "it must not contain a user name or password",
            ));
        }
        let written = authority.host();
        let host = written
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(written)
            .to_ascii_lowercase();
        if host.is_empty() {
            return Err(UrlError::Unusable("it has no host"));
        }
        let port = match authority.port_u16() {
            Some(0) => return Err(UrlError::Unusable("its port must not be 0")),
            Some(port) => port,
            None if https => 443,
            None => 80,
        };
        let path = match uri.path_and_query().map(|p| p.as_str()) {
            None | Some("") => "/".to_owned(),
            Some(p) => p.to_owned(),
        };
        Ok(Self {
            https,
            host,
            port,
            authority: authority.as_str().to_owned(),
            path,
        })
    }
}

/// What the other server answered.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    /// Empty when the body was not asked for.
    pub(crate) body: Bytes,
}

/// Why a request got no (usable) answer. The messages name hosts and addresses, never a
/// request's or an answer's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Failure {
    /// The host could not be resolved or reached, or the exchange broke off.
    #[error("{0}")]
    Connect(String),
    /// The TLS handshake failed, or TLS is not available.
    #[error("{0}")]
    Tls(String),
    /// No complete answer in time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The answer's body is larger than the caller accepts.
    #[error("the answer's body is over {0} bytes")]
    TooLarge(usize),
}

/// A request to `destination` with the headers every outbound request carries: `Host`,
/// `User-Agent` and `Connection: close`.
pub(crate) fn request(method: Method, destination: &Destination) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri(destination.path.as_str())
        .header(HOST, destination.authority.as_str())
        .header(
            USER_AGENT,
            concat!("mcp-runtime/", env!("CARGO_PKG_VERSION")),
        )
        .header(CONNECTION, "close")
}

/// Sends `request` to a URL the operator configured: resolves its host plainly, connects,
/// exchanges, and reads a body of at most `body_limit` bytes, all within `timeout`.
pub(crate) async fn send(
    destination: &Destination,
    request: Request<Full<Bytes>>,
    body_limit: usize,
    timeout: Duration,
) -> Result<Response, Failure> {
    let attempt = async {
        let addresses = resolve(&destination.host, destination.port)
            .await
            .map_err(|e| {
                Failure::Connect(format!("could not resolve {}: {e}", destination.host))
            })?;
        let stream = connect(&addresses).await?;
        exchange(stream, destination, request, Some(body_limit)).await
    };
    tokio::time::timeout(timeout, attempt)
        .await
        .unwrap_or(Err(Failure::Timeout(timeout)))
}

/// The addresses of `host`: the literal address itself, or what the resolver returns.
pub(crate) async fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    let resolved: Vec<SocketAddr> = match host.parse() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port)).await?.collect(),
    };
    if resolved.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{host} has no addresses"),
        ));
    }
    Ok(resolved)
}

/// Connects to the first of `addresses` that accepts.
pub(crate) async fn connect(addresses: &[SocketAddr]) -> Result<TcpStream, Failure> {
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
    Err(Failure::Connect(
        last.unwrap_or_else(|| "no address to connect to".to_owned()),
    ))
}

/// Sends `request` on `stream` (through TLS for an `https` destination) and reads the answer:
/// the head, and the body up to `body_limit` bytes (`None`: the body is not read).
pub(crate) async fn exchange(
    stream: TcpStream,
    destination: &Destination,
    request: Request<Full<Bytes>>,
    body_limit: Option<usize>,
) -> Result<Response, Failure> {
    if !destination.https {
        return exchange_on(TokioIo::new(stream), request, body_limit).await;
    }
    let host = &destination.host;
    let name = ServerName::try_from(host.clone())
        .map_err(|_| Failure::Tls(format!("{host} is not a valid TLS server name")))?;
    let stream = tls()?
        .connect(name, stream)
        .await
        .map_err(|e| Failure::Tls(format!("TLS handshake with {host} failed: {e}")))?;
    exchange_on(TokioIo::new(stream), request, body_limit).await
}

/// The HTTP/1.1 exchange on a connected stream.
async fn exchange_on<T>(
    io: T,
    request: Request<Full<Bytes>>,
    body_limit: Option<usize>,
) -> Result<Response, Failure>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin,
{
    let failed = |e: hyper::Error| Failure::Connect(format!("the HTTP exchange failed: {e}"));
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(failed)?;
    tokio::pin!(connection);
    let mut closed = false;
    let response = driving(
        connection.as_mut(),
        &mut closed,
        sender.send_request(request),
    )
    .await
    .and_then(|sent| sent)
    .map_err(failed)?;
    let (head, body) = response.into_parts();
    let body = match body_limit {
        None => Bytes::new(),
        Some(limit) => {
            let read = driving(
                connection.as_mut(),
                &mut closed,
                Limited::new(body, limit).collect(),
            )
            .await
            .map_err(failed)?;
            match read {
                Ok(collected) => collected.to_bytes(),
                Err(e) if e.is::<LengthLimitError>() => return Err(Failure::TooLarge(limit)),
                Err(e) => return Err(Failure::Connect(format!("reading the answer failed: {e}"))),
            }
        }
    };
    Ok(Response {
        status: head.status,
        headers: head.headers,
        body,
    })
}

/// Runs `work` while driving the `connection` that reads and writes for it. With `Connection:
/// close` the connection may end as soon as the answer is in; `work` then finishes on what was
/// read, or fails. `closed` records that the connection has ended, so it is not polled again.
async fn driving<C, W>(
    connection: Pin<&mut C>,
    closed: &mut bool,
    work: W,
) -> Result<W::Output, hyper::Error>
where
    C: Future<Output = hyper::Result<()>>,
    W: Future,
{
    tokio::pin!(work);
    if !*closed {
        tokio::select! {
            biased;
            done = &mut work => return Ok(done),
            ended = connection => {
                *closed = true;
                ended?;
            }
        }
    }
    Ok(work.await)
}

/// The TLS client, built once: the system's root certificates, TLS 1.2 and 1.3, ring.
fn tls() -> Result<&'static TlsConnector, Failure> {
    static TLS: OnceLock<Result<TlsConnector, String>> = OnceLock::new();
    TLS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        let loaded = rustls_native_certs::load_native_certs();
        let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
        if added == 0 {
            tracing::warn!(
                errors = ?loaded.errors,
                "no trusted root certificates found on this system; outbound https requests \
                 (webhooks, OAuth fetches) will fail"
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
    .map_err(|message| Failure::Tls(message.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    use axum::routing::get;
    use axum::Router;

    async fn serve(app: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{address}")
    }

    fn get_request(destination: &Destination) -> Request<Full<Bytes>> {
        request(Method::GET, destination)
            .body(Full::new(Bytes::new()))
            .unwrap()
    }

    #[test]
    fn splits_urls() {
        let d = Destination::parse("https://Auth.Example.com:8443/t/1?x=y").unwrap();
        assert_eq!(
            (
                d.https,
                d.host.as_str(),
                d.port,
                d.authority.as_str(),
                d.path.as_str()
            ),
            (
                true,
                "auth.example.com",
                8443,
                "Auth.Example.com:8443",
                "/t/1?x=y"
            )
        );
        let d = Destination::parse("http://[::1]").unwrap();
        assert_eq!(
            (d.https, d.host.as_str(), d.port, d.path.as_str()),
            (false, "::1", 80, "/")
        );
        assert_eq!(
            Destination::parse("ftp://x/"),
            Err(UrlError::Scheme("ftp".to_owned()))
        );
        for url in [
            "https://u:p@x/",
            "https://x/#f",
            "https://x:0/",
            "/relative",
            "nonsense",
        ] {
            assert!(
                matches!(Destination::parse(url), Err(UrlError::Unusable(_))),
                "{url}"
            );
        }
    }

    #[tokio::test]
    async fn reads_status_headers_and_body() {
        let base =
            serve(Router::new().route("/doc", get(|| async { ([("x-answer", "42")], "hello") })))
                .await;
        let destination = Destination::parse(&format!("{base}/doc")).unwrap();
        let response = send(
            &destination,
            get_request(&destination),
            1024,
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.headers["x-answer"], "42");
        assert_eq!(response.body, "hello");
    }

    #[tokio::test]
    async fn caps_the_body_and_the_time() {
        let base = serve(
            Router::new()
                .route("/big", get(|| async { "x".repeat(10_000) }))
                .route(
                    "/slow",
                    get(|| async {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        "late"
                    }),
                ),
        )
        .await;
        let big = Destination::parse(&format!("{base}/big")).unwrap();
        let result = send(&big, get_request(&big), 1000, Duration::from_secs(5)).await;
        assert_eq!(result.unwrap_err(), Failure::TooLarge(1000));
        // Not reading the body is not an error, however large it is.
        let stream = connect(&resolve(&big.host, big.port).await.unwrap())
            .await
            .unwrap();
        let head = exchange(stream, &big, get_request(&big), None)
            .await
            .unwrap();
        assert_eq!((head.status, head.body.len()), (StatusCode::OK, 0));

        let slow = Destination::parse(&format!("{base}/slow")).unwrap();
        let timeout = Duration::from_millis(200);
        let result = send(&slow, get_request(&slow), 1000, timeout).await;
        assert_eq!(result.unwrap_err(), Failure::Timeout(timeout));
    }

    #[tokio::test]
    async fn says_when_nobody_listens() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let destination = Destination::parse(&format!("http://{address}/")).unwrap();
        let result = send(
            &destination,
            get_request(&destination),
            1000,
            Duration::from_secs(5),
        )
        .await;
        assert!(
            matches!(&result, Err(Failure::Connect(m)) if m.contains("could not connect")),
            "{result:?}"
        );
    }
}
