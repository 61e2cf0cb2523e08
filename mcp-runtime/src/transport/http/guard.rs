//! DNS-rebinding protection: the `Host` and `Origin` allow-lists.

use http::Uri;

use super::headers::RequestHeaders;

/// Which hosts and origins may reach the endpoint.
///
/// By default only loopback names are allowed (`localhost`, `127.0.0.1`, `[::1]`, any port), so
/// a web page on another site cannot reach a local server through DNS rebinding.
#[derive(Debug, Clone)]
pub(crate) struct HostGuard {
    /// Allowed hosts (`None`: any host, and then only the listed origins).
    hosts: Option<Vec<AllowedHost>>,
    /// Origins allowed besides those whose host is allowed, exactly as browsers send them.
    origins: Vec<String>,
    /// Read the host from `X-Forwarded-Host` (behind a trusted proxy).
    trust_forwarded_host: bool,
}

/// One allow-list entry, split once when the server is built.
#[derive(Debug, Clone)]
struct AllowedHost {
    /// Lowercase.
    host: String,
    /// With a port, only that port.
    port: Option<String>,
}

pub(crate) const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// Why a request was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Host(String),
    Origin(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Host(h) => write!(f, "the Host `{h}` is not allowed"),
            Refusal::Origin(o) => write!(f, "the Origin `{o}` is not allowed"),
        }
    }
}

impl Default for HostGuard {
    fn default() -> Self {
        Self::new(
            Some(LOOPBACK_HOSTS.map(String::from).to_vec()),
            Vec::new(),
            false,
        )
    }
}

impl HostGuard {
    /// A guard allowing `hosts` (`name` for any port, `name:port` for one; `None`: any host)
    /// and, besides origins on those hosts, exactly `origins`.
    pub(crate) fn new(
        hosts: Option<Vec<String>>,
        origins: Vec<String>,
        trust_forwarded_host: bool,
    ) -> Self {
        let hosts = hosts.map(|hosts| {
            hosts
                .iter()
                .map(|entry| {
                    let (host, port) = split_host(entry);
                    AllowedHost {
                        host: host.to_ascii_lowercase(),
                        port: port.map(str::to_owned),
                    }
                })
                .collect()
        });
        Self {
            hosts,
            origins,
            trust_forwarded_host,
        }
    }

    /// Whether a request's `Host` (or trusted `X-Forwarded-Host`) and `Origin` are allowed.
    ///
    /// A connection that remembers the host it first allowed (`allowed`) does not have the same
    /// header judged anew on each request (clients send the same one every time).
    pub(crate) fn check(
        &self,
        headers: &RequestHeaders<'_>,
        uri: &Uri,
        allowed: Option<&std::sync::OnceLock<http::HeaderValue>>,
    ) -> Result<(), Refusal> {
        if let Some(hosts) = &self.hosts {
            let forwarded = self
                .trust_forwarded_host
                .then_some(headers.forwarded_host)
                .flatten();
            let sent = forwarded.or(headers.host);
            let known = sent.is_some_and(|sent| allowed.and_then(|a| a.get()) == Some(sent));
            // A list of hosts was refused before (`RequestHeaders::check_singletons`).
            if !known {
                let host = RequestHeaders::text(sent)
                    .map(str::trim)
                    .or_else(|| uri.authority().map(|a| a.as_str()))
                    .unwrap_or("");
                if !host_allowed(hosts, host) {
                    return Err(Refusal::Host(host.to_owned()));
                }
                if let (Some(allowed), Some(sent)) = (allowed, sent) {
                    let _ = allowed.set(sent.clone());
                }
            }
        }
        if let Some(origin) = headers.origin {
            let origin = origin.to_str().unwrap_or("");
            if !self.origin_allowed(origin) {
                return Err(Refusal::Origin(origin.to_owned()));
            }
        }
        Ok(())
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        if self.origins.iter().any(|o| o == origin) {
            return true;
        }
        let Some(rest) = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
        else {
            return false;
        };
        match &self.hosts {
            Some(hosts) => host_allowed(hosts, rest),
            // Any `Host` is accepted, so a page's own host proves nothing (DNS rebinding makes
            // any name point here): only the origins listed explicitly may call.
            None => false,
        }
    }
}

/// Splits `host[:port]` (IPv6 literals in brackets) into the host and the port.
fn split_host(authority: &str) -> (&str, Option<&str>) {
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => (&authority[..=end], authority[end + 1..].strip_prefix(':')),
            None => (authority, None),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    (host, port)
}

fn host_allowed(allowed: &[AllowedHost], authority: &str) -> bool {
    if authority.is_empty() || authority.bytes().any(|b| matches!(b, b'/' | b'@' | b' ')) {
        return false;
    }
    let (host, port) = split_host(authority);
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    allowed.iter().any(|entry| {
        entry.host.eq_ignore_ascii_case(host)
            && entry.port.as_deref().is_none_or(|p| Some(p) == port)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::{HeaderMap, HOST, ORIGIN};
    use http::HeaderValue;

    fn check(guard: &HostGuard, host: Option<&str>, origin: Option<&str>) -> Result<(), Refusal> {
        let mut headers = HeaderMap::new();
        if let Some(h) = host {
            headers.insert(HOST, HeaderValue::from_str(h).unwrap());
        }
        if let Some(o) = origin {
            headers.insert(ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        guard.check(
            &RequestHeaders::read(&headers),
            &Uri::from_static("/mcp"),
            None,
        )
    }

    #[test]
    fn a_remembered_host_spares_only_the_same_header() {
        let g = HostGuard::default();
        let remembered = std::sync::OnceLock::new();
        let uri = Uri::from_static("/mcp");
        let request = |host: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(HOST, HeaderValue::from_str(host).unwrap());
            headers
        };
        let allowed = request("localhost:8080");
        assert!(g
            .check(&RequestHeaders::read(&allowed), &uri, Some(&remembered))
            .is_ok());
        assert_eq!(remembered.get().unwrap(), "localhost:8080");
        // Another host on the same connection is judged, and refused.
        let other = request("evil.example");
        assert!(g
            .check(&RequestHeaders::read(&other), &uri, Some(&remembered))
            .is_err());
        // A refused host is never remembered.
        let fresh = std::sync::OnceLock::new();
        assert!(g
            .check(&RequestHeaders::read(&other), &uri, Some(&fresh))
            .is_err());
        assert!(fresh.get().is_none());
    }

    #[test]
    fn loopback_hosts_pass_by_default() {
        let g = HostGuard::default();
        for host in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:3000",
            "[::1]:1",
            "LOCALHOST:1",
        ] {
            assert_eq!(check(&g, Some(host), None), Ok(()), "{host}");
        }
        assert_eq!(
            check(&g, Some("localhost:1"), Some("http://localhost:5173")),
            Ok(())
        );
    }

    #[test]
    fn rebinding_attempts_fail() {
        let g = HostGuard::default();
        for host in [
            "evil.example.com",
            "localhost.evil.com",
            "127.0.0.1.nip.io:80",
            "localhost:",
            "localhost:x",
            "",
        ] {
            assert!(check(&g, Some(host), None).is_err(), "{host}");
        }
        assert!(check(&g, None, None).is_err());
        assert!(check(&g, Some("localhost"), Some("http://evil.example.com")).is_err());
        assert!(check(&g, Some("localhost"), Some("null")).is_err());
        assert!(check(&g, Some("localhost"), Some("http://localhost.evil.com")).is_err());
    }

    #[test]
    fn configured_lists_and_forwarded_host() {
        let g = HostGuard::new(
            Some(vec!["mcp.example.com".into(), "api.example.com:443".into()]),
            vec!["https://app.example.org".into()],
            true,
        );
        assert_eq!(
            check(&g, Some("mcp.example.com"), Some("https://app.example.org")),
            Ok(())
        );
        assert!(check(&g, Some("api.example.com:8443"), None).is_err());
        assert!(check(&g, Some("localhost"), None).is_err());
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("10.0.0.5:8080"));
        headers.insert(
            "x-forwarded-host",
            HeaderValue::from_static("mcp.example.com"),
        );
        let headers = RequestHeaders::read(&headers);
        assert_eq!(g.check(&headers, &Uri::from_static("/mcp"), None), Ok(()));
    }

    #[test]
    fn with_any_host_only_listed_origins_pass() {
        let open = HostGuard::new(None, vec!["https://app.example.org".into()], false);
        assert_eq!(check(&open, Some("10.0.0.5:8080"), None), Ok(()));
        assert_eq!(
            check(&open, Some("anything"), Some("https://app.example.org")),
            Ok(())
        );
        // A rebound name: the page's origin and the Host agree, and neither is trusted.
        for origin in [
            "http://evil.example",
            "https://10.0.0.5:8080",
            "http://localhost",
        ] {
            assert_eq!(
                check(&open, Some("evil.example"), Some(origin)),
                Err(Refusal::Origin(origin.into())),
                "{origin}"
            );
        }
        let none_listed = HostGuard::new(None, Vec::new(), false);
        assert!(check(&none_listed, Some("h"), Some("http://h")).is_err());
    }
}
