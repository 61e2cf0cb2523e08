//! What an OAuth 2.1 resource server needs to know: [`OAuth`], and why it may be unusable
//! ([`ConfigError`]).

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use super::algorithm::Algorithm;
use crate::outbound::Destination;

/// How long past `exp` (and before `nbf`) a token is still accepted, by default.
const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);
/// The least time between two key fetches an unknown `kid` causes, by default.
const DEFAULT_KEY_REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// How long fetched keys are used before they are fetched again, by default.
const DEFAULT_KEYS_TTL: Duration = Duration::from_secs(10 * 60);
/// The most validated tokens remembered, by default.
const DEFAULT_TOKEN_CACHE_ENTRIES: usize = 10_000;
/// The longest a validated token is remembered, by default.
const DEFAULT_TOKEN_CACHE_TTL: Duration = Duration::from_secs(5 * 60);

/// The configuration of an OAuth 2.1 resource server: which authorization server's access
/// tokens it accepts, and for which resource.
///
/// A token is accepted when it is a JWT signed by one of the authorization server's keys with an
/// allowed [`Algorithm`], its `iss` is exactly the issuer, its `aud` contains the resource (RFC
/// 8707), it has a `sub`, and it has not expired (`exp` is required; `nbf` is honoured; both
/// within the leeway). Opaque (non-JWT) tokens are accepted when token introspection (RFC 7662)
/// is configured and the authorization server says they are active.
///
/// The keys are fetched on first use from [`jwks_uri`](Self::jwks_uri), or from the `jwks_uri`
/// of the authorization server's metadata: RFC 8414 at the issuer's
/// `/.well-known/oauth-authorization-server`, else OpenID Connect Discovery at its
/// `/.well-known/openid-configuration`, whose `issuer` must be exactly the issuer. Every URL
/// must use `https`, except on a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`).
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::auth::{Algorithm, OAuth};
///
/// let oauth = OAuth::new("https://auth.example.com", "https://mcp.example.com/mcp")
///     .algorithms([Algorithm::ES256, Algorithm::RS256])
///     .leeway(Duration::from_secs(10))
///     .introspection("https://auth.example.com/introspect", "mcp-server", "s3cret");
/// # let _ = oauth;
/// ```
#[derive(Clone)]
pub struct OAuth {
    issuer: String,
    resource: String,
    jwks_uri: Option<String>,
    algorithms: Vec<Algorithm>,
    leeway: Duration,
    key_refresh_interval: Duration,
    keys_ttl: Duration,
    introspection: Option<Introspection>,
    token_cache_entries: usize,
    token_cache_ttl: Duration,
}

/// Where and as whom opaque tokens are introspected (RFC 7662).
#[derive(Clone)]
pub(crate) struct Introspection {
    pub(crate) endpoint: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
}

impl OAuth {
    /// Accepts the access tokens `issuer` issues for `resource`.
    ///
    /// `issuer` is the authorization server's issuer identifier, as its tokens' `iss` and its
    /// metadata's `issuer` spell it (compared exactly). `resource` is this server's canonical
    /// URI, such as `https://mcp.example.com/mcp`: a token's `aud` must contain it exactly.
    ///
    /// ```
    /// # use mcp_runtime::auth::OAuth;
    /// let oauth = OAuth::new("https://auth.example.com", "https://mcp.example.com/mcp");
    /// # let _ = oauth;
    /// ```
    pub fn new(issuer: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            resource: resource.into(),
            jwks_uri: None,
            algorithms: Algorithm::ALL.to_vec(),
            leeway: DEFAULT_LEEWAY,
            key_refresh_interval: DEFAULT_KEY_REFRESH_INTERVAL,
            keys_ttl: DEFAULT_KEYS_TTL,
            introspection: None,
            token_cache_entries: DEFAULT_TOKEN_CACHE_ENTRIES,
            token_cache_ttl: DEFAULT_TOKEN_CACHE_TTL,
        }
    }

    /// Fetches the signing keys (a JWK Set) from `url` instead of discovering where they are
    /// from the authorization server's metadata.
    ///
    /// ```
    /// # use mcp_runtime::auth::OAuth;
    /// let oauth = OAuth::new("https://auth.example.com", "https://mcp.example.com/mcp")
    ///     .jwks_uri("https://auth.example.com/keys");
    /// # let _ = oauth;
    /// ```
    pub fn jwks_uri(mut self, url: impl Into<String>) -> Self {
        self.jwks_uri = Some(url.into());
        self
    }

    /// Accepts tokens signed with these algorithms only (default: every [`Algorithm`]). A token
    /// whose header names another is refused before any key is looked up.
    ///
    /// ```
    /// # use mcp_runtime::auth::{Algorithm, OAuth};
    /// let oauth = OAuth::new("https://auth.example.com", "https://mcp.example.com/mcp")
    ///     .algorithms([Algorithm::RS256]);
    /// # let _ = oauth;
    /// ```
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        let mut allowed: Vec<Algorithm> = Vec::new();
        for algorithm in algorithms {
            if !allowed.contains(&algorithm) {
                allowed.push(algorithm);
            }
        }
        self.algorithms = allowed;
        self
    }

    /// How far the clocks of this server and the authorization server may disagree: a token is
    /// accepted up to this long after its `exp` and before its `nbf`, in whole seconds (default
    /// 30 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use mcp_runtime::auth::OAuth;
    /// let oauth = OAuth::new("https://auth.example.com", "https://mcp.example.com/mcp")
    ///     .leeway(Duration::from_secs(5));
    /// # let _ = oauth;
    /// ```
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The least time between two fetches of the keys (default 30 s). A token naming a key
    /// (`kid`) that is not known makes the keys be fetched again, in case the authorization
    /// server rotated them, but not more often than this: tokens with made-up key ids cannot
    /// make this server hammer the authorization server.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use mcp_runtime::auth::OAuth;
    /// let oauth = OAuth::new("https://auth.example.com", "https://mcp.example.com/mcp")
    ///     .key_refresh_interval(Duration::from_secs(60));
    /// # let _ = oauth;
    /// ```
    pub fn key_refresh_interval(mut self, interval: Duration) -> Self {
        self.key_refresh_interval = interval;
        self
    }

    /// How long fetched keys are used before they are fetched again (default 10 minutes). If
    /// that fetch fails, the keys in hand go on being used.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use mcp_runtime::auth::OAuth;
    /// let oauth = OAuth::new("https://auth.example.com", "https://mcp.example.com/mcp")
    ///     .keys_ttl(Duration::from_secs(3600));
    /// # let _ = oauth;
    /// ```
    pub fn keys_ttl(mut self, ttl: Duration) -> Self {
        self.keys_ttl = ttl;
        self
    }

    /// Accepts opaque (non-JWT) tokens by asking the authorization server's introspection
    /// `endpoint` about them (RFC 7662), authenticating as the client `client_id` with
    /// `client_secret` (HTTP Basic). Without it, only JWTs are accepted.
    ///
    /// ```
    /// # use mcp_runtime::auth::OAuth;
    /// let oauth = OAuth::new("https://auth.example.com", "https://mcp.example.com/mcp")
    ///     .introspection("https://auth.example.com/introspect", "mcp-server", "s3cret");
    /// # let _ = oauth;
    /// ```
    pub fn introspection(
        mut self,
        endpoint: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.introspection = Some(Introspection {
            endpoint: endpoint.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        });
        self
    }

    /// Remembers up to `max_entries` validated tokens (default 10,000), each until it expires
    /// but for at most `max_ttl` (default 5 minutes), so that a token seen again is accepted
    /// without checking its signature or asking the authorization server. `0` entries
    /// remembers none.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use mcp_runtime::auth::OAuth;
    /// let oauth = OAuth::new("https://auth.example.com", "https://mcp.example.com/mcp")
    ///     .token_cache(50_000, Duration::from_secs(60));
    /// # let _ = oauth;
    /// ```
    pub fn token_cache(mut self, max_entries: usize, max_ttl: Duration) -> Self {
        self.token_cache_entries = max_entries;
        self.token_cache_ttl = max_ttl;
        self
    }

    /// The authorization server's issuer identifier.
    pub(crate) fn issuer(&self) -> &str {
        &self.issuer
    }

    /// This server's canonical URI, which tokens' audience must contain.
    pub(crate) fn resource(&self) -> &str {
        &self.resource
    }

    /// Where the keys are fetched from, when configured rather than discovered.
    pub(crate) fn configured_jwks_uri(&self) -> Option<&str> {
        self.jwks_uri.as_deref()
    }

    /// The algorithms tokens may be signed with.
    pub(crate) fn allowed_algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// The clock leeway for `exp` and `nbf`.
    pub(crate) fn clock_leeway(&self) -> Duration {
        self.leeway
    }

    /// The least time between two key fetches.
    pub(crate) fn min_key_refresh_interval(&self) -> Duration {
        self.key_refresh_interval
    }

    /// How long fetched keys are used.
    pub(crate) fn keys_max_age(&self) -> Duration {
        self.keys_ttl
    }

    /// The introspection endpoint and client, when configured.
    pub(crate) fn introspection_client(&self) -> Option<&Introspection> {
        self.introspection.as_ref()
    }

    /// The most validated tokens remembered.
    pub(crate) fn token_cache_entries(&self) -> usize {
        self.token_cache_entries
    }

    /// The longest a validated token is remembered.
    pub(crate) fn token_cache_ttl(&self) -> Duration {
        self.token_cache_ttl
    }

    /// Checks every setting: the URLs (`https`, or `http` on a loopback host) and the
    /// algorithm allow-list.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        let issuer = checked_url("issuer", &self.issuer)?;
        if issuer.path.contains('?') {
            return Err(ConfigError::Url {
                setting: "issuer",
                url: self.issuer.clone(),
                reason: "an issuer identifier has no query".to_owned(),
            });
        }
        checked_url("resource", &self.resource)?;
        if let Some(url) = &self.jwks_uri {
            checked_url("jwks_uri", url)?;
        }
        if let Some(introspection) = &self.introspection {
            checked_url("introspection endpoint", &introspection.endpoint)?;
            if introspection.client_id.is_empty() {
                return Err(ConfigError::IntrospectionClient);
            }
        }
        if self.algorithms.is_empty() {
            return Err(ConfigError::NoAlgorithms);
        }
        Ok(())
    }
}

/// The secret is left out.
impl fmt::Debug for OAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth")
            .field("issuer", &self.issuer)
            .field("resource", &self.resource)
            .field("jwks_uri", &self.jwks_uri)
            .field("algorithms", &self.algorithms)
            .field("leeway", &self.leeway)
            .field("key_refresh_interval", &self.key_refresh_interval)
            .field("keys_ttl", &self.keys_ttl)
            .field("introspection", &self.introspection)
            .field("token_cache_entries", &self.token_cache_entries)
            .field("token_cache_ttl", &self.token_cache_ttl)
            .finish()
    }
}

/// The secret is left out.
impl fmt::Debug for Introspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Introspection")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// Splits `url`, the value of `setting`, if a resource server may use it: an absolute URL
/// using `https`, or `http` when the host is loopback (`localhost`, `127.0.0.0/8`, `[::1]`).
pub(crate) fn checked_url(setting: &'static str, url: &str) -> Result<Destination, ConfigError> {
    let refuse = |reason: String| ConfigError::Url {
        setting,
        url: url.to_owned(),
        reason,
    };
    let destination = Destination::parse(url).map_err(|e| refuse(e.to_string()))?;
    if !destination.https && !is_loopback(&destination.host) {
        return Err(refuse(
            "it must use https (http only on a loopback host)".to_owned(),
        ));
    }
    Ok(destination)
}

/// `localhost` or a loopback address.
fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Why an [`OAuth`] configuration cannot be used.
///
/// ```
/// use mcp_runtime::auth::ConfigError;
///
/// let error = ConfigError::Url {
///     setting: "issuer",
///     url: "http://auth.example.com".to_owned(),
///     reason: "it must use https (http only on a loopback host)".to_owned(),
/// };
/// assert_eq!(
///     error.to_string(),
///     "the OAuth issuer `http://auth.example.com` cannot be used: \
///      it must use https (http only on a loopback host)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A URL is not an absolute `https` URL (or `http` on a loopback host), or not fit for
    /// its role.
    #[error("the OAuth {setting} `{url}` cannot be used: {reason}")]
    Url {
        /// Which setting: `issuer`, `resource`, `jwks_uri`, `introspection endpoint`.
        setting: &'static str,
        /// The URL as configured.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The algorithm allow-list is empty: no token could ever be accepted.
    #[error("the OAuth algorithm allow-list is empty: no token could be accepted")]
    NoAlgorithms,
    /// The introspection client id is empty.
    #[error("the OAuth introspection client id is empty")]
    IntrospectionClient,
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESOURCE: &str = "https://mcp.example.com/mcp";

    #[test]
    fn defaults() {
        let oauth = OAuth::new("https://as.example.com", RESOURCE);
        assert_eq!(oauth.allowed_algorithms(), Algorithm::ALL);
        assert_eq!(oauth.clock_leeway(), Duration::from_secs(30));
        assert_eq!(oauth.min_key_refresh_interval(), Duration::from_secs(30));
        assert_eq!(oauth.keys_max_age(), Duration::from_secs(600));
        assert_eq!(oauth.token_cache_entries(), 10_000);
        assert_eq!(oauth.token_cache_ttl(), Duration::from_secs(300));
        assert!(oauth.configured_jwks_uri().is_none() && oauth.introspection_client().is_none());
        assert_eq!(oauth.check(), Ok(()));
    }

    #[test]
    fn https_everywhere_but_on_loopback() {
        for issuer in [
            "https://as.example.com/tenant",
            "http://localhost:8080",
            "http://127.0.0.1:9000/realms/x",
            "http://127.5.6.7",
            "http://[::1]:8443",
        ] {
            assert_eq!(OAuth::new(issuer, RESOURCE).check(), Ok(()), "{issuer}");
        }
        for (oauth, setting) in [
            (OAuth::new("http://as.example.com", RESOURCE), "issuer"),
            (OAuth::new("http://10.0.0.1", RESOURCE), "issuer"),
            (
                OAuth::new("http://localhost.example.com", RESOURCE),
                "issuer",
            ),
            (OAuth::new("as.example.com", RESOURCE), "issuer"),
            (OAuth::new("https://as.example.com?x=1", RESOURCE), "issuer"),
            (
                OAuth::new("https://as.example.com", "http://mcp.example.com/"),
                "resource",
            ),
            (
                OAuth::new("https://as.example.com", RESOURCE).jwks_uri("http://as.example.com/k"),
                "jwks_uri",
            ),
            (
                OAuth::new("https://as.example.com", RESOURCE).introspection(
                    "ftp://as.example.com/i",
                    "id",
                    "secret",
                ),
                "introspection endpoint",
            ),
        ] {
            match oauth.check() {
                Err(ConfigError::Url { setting: s, .. }) => assert_eq!(s, setting, "{oauth:?}"),
                other => panic!("{oauth:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn other_mistakes() {
        let oauth = OAuth::new("https://as.example.com", RESOURCE).algorithms([]);
        assert_eq!(oauth.check(), Err(ConfigError::NoAlgorithms));
        let oauth = OAuth::new("https://as.example.com", RESOURCE).introspection(
            "https://as.example.com/i",
            "",
            "s",
        );
        assert_eq!(oauth.check(), Err(ConfigError::IntrospectionClient));
        let oauth = OAuth::new("https://as.example.com", RESOURCE).algorithms([
            Algorithm::ES256,
            Algorithm::ES256,
            Algorithm::EdDSA,
        ]);
        assert_eq!(
            oauth.allowed_algorithms(),
            [Algorithm::ES256, Algorithm::EdDSA]
        );
    }

    #[test]
    fn debug_hides_the_client_secret() {
        let oauth = OAuth::new("https://as.example.com", RESOURCE).introspection(
            "https://as.example.com/i",
            "mcp",
            "hunter2",
        );
        let shown = format!("{oauth:?}");
        assert!(
            shown.contains("mcp") && !shown.contains("hunter2"),
            "{shown}"
        );
    }
}
