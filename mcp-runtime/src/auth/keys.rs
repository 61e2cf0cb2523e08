//! The authorization server's signing keys, fetched when first needed and kept: [`Keys`].

use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::algorithm::Algorithm;
use super::discovery;
use super::fetch;
use super::jwk::{Key, KeySet, Miss};
use crate::outbound::Destination;

/// The signing keys: fetched on first use from the configured (or discovered) JWKS URL, used
/// for `ttl`, and fetched again sooner when a token names a key not among them, in case the
/// authorization server rotated its keys.
///
/// Fetches are single-flight (concurrent callers needing one share it) and at least
/// `refresh_interval` apart, whatever tokens arrive. When a fetch fails the keys in hand go on
/// being used; a token none of them fits is then [`KeyError::Unavailable`].
#[derive(Debug)]
pub(crate) struct Keys {
    source: Source,
    ttl: Duration,
    refresh_interval: Duration,
    state: RwLock<State>,
    /// Held by the caller fetching.
    fetching: Mutex<()>,
}

/// Where the keys come from.
#[derive(Debug)]
enum Source {
    /// The configured `jwks_uri`.
    Configured(Destination),
    /// The `jwks_uri` of the issuer's metadata, learned once.
    Discovered {
        issuer: String,
        jwks_uri: OnceLock<Destination>,
    },
}

#[derive(Debug, Default)]
struct State {
    /// The last keys fetched, if any fetch succeeded.
    keys: Option<Arc<KeySet>>,
    /// When `keys` were fetched.
    fetched: Option<Instant>,
    /// When the last fetch started, whether it succeeded or not.
    attempted: Option<Instant>,
    /// How many fetches ended: a caller that waited for another's fetch sees it changed.
    attempts: u64,
    /// Whether the last fetch failed.
    failing: bool,
}

/// Why no key verifies a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// No key the authorization server publishes fits the token's `kid` and algorithm.
    Unknown,
    /// The token has no `kid`, and several keys fit its algorithm.
    Ambiguous,
    /// The keys could not be fetched, and none in hand fits.
    Unavailable,
}

/// What the state said when a caller looked.
struct Sight {
    keys: Option<Arc<KeySet>>,
    fresh: bool,
    may_fetch: bool,
    attempts: u64,
    failing: bool,
}

impl Keys {
    /// Keys fetched from `jwks_uri`, or from the `jwks_uri` the metadata of `issuer` names.
    pub(crate) fn new(
        jwks_uri: Option<Destination>,
        issuer: &str,
        ttl: Duration,
        refresh_interval: Duration,
    ) -> Self {
        let source = match jwks_uri {
            Some(destination) => Source::Configured(destination),
            None => Source::Discovered {
                issuer: issuer.to_owned(),
                jwks_uri: OnceLock::new(),
            },
        };
        Self {
            source,
            ttl,
            refresh_interval,
            state: RwLock::default(),
            fetching: Mutex::new(()),
        }
    }

    /// The key to verify a token signed with `alg` whose header names `kid` (see
    /// [`KeySet::pick`]), fetching the keys if they are missing, stale, or lack it.
    pub(crate) async fn find(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
    ) -> Result<Arc<Key>, KeyError> {
        let seen = self.look();
        let picked = seen.keys.as_deref().map(|keys| keys.pick(alg, kid));
        match picked {
            Some(Ok(key)) if seen.fresh => return Ok(Arc::clone(key)),
            Some(Err(Miss::Ambiguous)) => return Err(KeyError::Ambiguous),
            _ => {}
        }
        // Missing, stale, or not among them: fetch (when the interval allows), or wait for the
        // fetch under way.
        let _fetching = match self.fetching.try_lock() {
            Ok(guard) => guard,
            // Stale keys that fit serve meanwhile.
            Err(_) if matches!(picked, Some(Ok(_))) => return conclude(&seen, alg, kid),
            Err(_) => self.fetching.lock().await,
        };
        let now = self.look();
        if now.attempts == seen.attempts && now.may_fetch {
            self.fetch().await;
        }
        conclude(&self.look(), alg, kid)
    }

    /// What the state says now.
    fn look(&self) -> Sight {
        let now = Instant::now();
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        Sight {
            keys: state.keys.clone(),
            fresh: state.fetched.is_some_and(|t| now - t < self.ttl),
            may_fetch: state
                .attempted
                .is_none_or(|t| now - t >= self.refresh_interval),
            attempts: state.attempts,
            failing: state.failing,
        }
    }

    /// Fetches the keys (learning where from first, when discovered) and records the outcome.
    async fn fetch(&self) {
        let started = Instant::now();
        let previous = self
            .state
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .attempted
            .replace(started);
        // A fetch given up half-way (its caller's request dropped) does not count.
        let mut unfinished = Unfinished {
            state: &self.state,
            previous: Some(previous),
        };
        let fetched = self.fetch_keys().await;
        unfinished.previous = None;
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        state.attempts += 1;
        match fetched {
            Ok(keys) => {
                tracing::debug!(keys = keys.len(), "OAuth: fetched the signing keys");
                state.keys = Some(Arc::new(keys));
                state.fetched = Some(started);
                state.failing = false;
            }
            Err(error) => {
                tracing::warn!(
                    %error,
                    "OAuth: could not fetch the authorization server's signing keys"
                );
                state.failing = true;
            }
        }
    }

    async fn fetch_keys(&self) -> Result<KeySet, String> {
        let destination = match &self.source {
            Source::Configured(destination) => destination,
            Source::Discovered { issuer, jwks_uri } => match jwks_uri.get() {
                Some(destination) => destination,
                None => {
                    let found = discovery::jwks_uri(issuer)
                        .await
                        .map_err(|e| e.to_string())?;
                    jwks_uri.get_or_init(|| found)
                }
            },
        };
        let document: Value = fetch::get_json(destination).await.map_err(|e| {
            format!(
                "{}://{}{}: {e}",
                if destination.https { "https" } else { "http" },
                destination.authority,
                destination.path
            )
        })?;
        KeySet::parse(&document).map_err(|e| format!("the JWK Set is unusable: {e}"))
    }
}

/// Restores when the last fetch started, unless the fetch under way finishes.
struct Unfinished<'a> {
    state: &'a RwLock<State>,
    /// `None` once finished.
    previous: Option<Option<Instant>>,
}

impl Drop for Unfinished<'_> {
    fn drop(&mut self) {
        if let Some(previous) = self.previous {
            self.state
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .attempted = previous;
        }
    }
}

/// The answer from what was seen, after any fetch.
fn conclude(seen: &Sight, alg: Algorithm, kid: Option<&str>) -> Result<Arc<Key>, KeyError> {
    match seen.keys.as_deref().map(|keys| keys.pick(alg, kid)) {
        Some(Ok(key)) => Ok(Arc::clone(key)),
        Some(Err(Miss::Ambiguous)) => Err(KeyError::Ambiguous),
        None => Err(KeyError::Unavailable),
        Some(Err(Miss::Unknown)) if seen.failing => Err(KeyError::Unavailable),
        Some(Err(Miss::Unknown)) => Err(KeyError::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::super::authorization_server::{AuthorizationServer, SigningKey};
    use super::*;
    use crate::auth::config::checked_url;

    fn keys(server: &AuthorizationServer, refresh_interval: Duration) -> Keys {
        let jwks = checked_url("jwks_uri", &server.url("/jwks")).unwrap();
        Keys::new(
            Some(jwks),
            &server.issuer(),
            Duration::from_secs(600),
            refresh_interval,
        )
    }

    #[tokio::test]
    async fn fetched_once_then_kept() {
        let server = AuthorizationServer::start().await;
        let key = SigningKey::es256("k1");
        server.publish(&[&key]);
        let keys = keys(&server, Duration::from_secs(60));
        assert_eq!(
            server.hits("/jwks"),
            0,
            "nothing fetched before it is needed"
        );
        for _ in 0..5 {
            keys.find(Algorithm::ES256, Some("k1")).await.unwrap();
        }
        assert_eq!(server.hits("/jwks"), 1);
    }

    #[tokio::test]
    async fn unknown_kids_cause_at_most_one_fetch_per_interval() {
        let server = AuthorizationServer::start().await;
        server.publish(&[&SigningKey::es256("k1")]);
        let keys = keys(&server, Duration::from_millis(300));
        keys.find(Algorithm::ES256, Some("k1")).await.unwrap();
        assert_eq!(server.hits("/jwks"), 1);

        // An attacker's tokens, one after the other and all at once.
        for i in 0..50 {
            let kid = format!("random-{i}");
            assert_eq!(
                keys.find(Algorithm::ES256, Some(&kid)).await.unwrap_err(),
                KeyError::Unknown
            );
        }
        let kids: Vec<String> = (0..200).map(|i| format!("burst-{i}")).collect();
        let found = futures_util::future::join_all(
            kids.iter()
                .map(|kid| keys.find(Algorithm::ES256, Some(kid))),
        )
        .await;
        assert!(found
            .iter()
            .all(|f| f.as_ref().err() == Some(&KeyError::Unknown)));
        assert_eq!(server.hits("/jwks"), 1, "none within the interval");

        // After the interval, one burst of misses makes exactly one fetch.
        tokio::time::sleep(Duration::from_millis(350)).await;
        let found = futures_util::future::join_all(
            kids.iter()
                .map(|kid| keys.find(Algorithm::ES256, Some(kid))),
        )
        .await;
        assert!(found
            .iter()
            .all(|f| f.as_ref().err() == Some(&KeyError::Unknown)));
        assert_eq!(server.hits("/jwks"), 2);
    }

    #[tokio::test]
    async fn concurrent_first_uses_share_one_fetch() {
        for interval in [Duration::ZERO, Duration::from_secs(60)] {
            let server = AuthorizationServer::start().await;
            server.publish(&[&SigningKey::es256("k1")]);
            let keys = keys(&server, interval);
            let found = futures_util::future::join_all(
                (0..50).map(|_| keys.find(Algorithm::ES256, Some("k1"))),
            )
            .await;
            assert!(found.iter().all(Result::is_ok), "{found:?}");
            assert_eq!(server.hits("/jwks"), 1);
        }
    }

    #[tokio::test]
    async fn a_fetch_given_up_half_way_does_not_count() {
        let server = AuthorizationServer::start().await;
        server.publish(&[&SigningKey::es256("k1")]);
        // An address that accepts connections and never answers.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let jwks = checked_url(
            "jwks_uri",
            &format!("http://{}/jwks", silent.local_addr().unwrap()),
        )
        .unwrap();
        let keys = Keys::new(
            Some(jwks),
            &server.issuer(),
            Duration::from_secs(600),
            Duration::from_secs(60),
        );
        let given_up = tokio::time::timeout(
            Duration::from_millis(50),
            keys.find(Algorithm::ES256, Some("k1")),
        )
        .await;
        assert!(given_up.is_err());
        assert!(keys.look().may_fetch, "the next caller may fetch at once");
    }

    #[tokio::test]
    async fn a_rotated_key_is_found_after_a_refresh() {
        let server = AuthorizationServer::start().await;
        let old = SigningKey::es256("old");
        let new = SigningKey::eddsa("new");
        server.publish(&[&old]);
        let keys = keys(&server, Duration::from_millis(200));
        keys.find(Algorithm::ES256, Some("old")).await.unwrap();

        server.publish(&[&old, &new]);
        // Too soon after the last fetch: not fetched again, so not known yet.
        assert_eq!(
            keys.find(Algorithm::EdDSA, Some("new")).await.unwrap_err(),
            KeyError::Unknown
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
        keys.find(Algorithm::EdDSA, Some("new")).await.unwrap();
        keys.find(Algorithm::ES256, Some("old")).await.unwrap();
        assert_eq!(server.hits("/jwks"), 2);
    }

    #[tokio::test]
    async fn stale_keys_are_fetched_again_and_kept_if_that_fails() {
        let server = AuthorizationServer::start().await;
        server.publish(&[&SigningKey::es256("k1")]);
        let jwks = checked_url("jwks_uri", &server.url("/jwks")).unwrap();
        let keys = Keys::new(
            Some(jwks),
            &server.issuer(),
            Duration::from_millis(100),
            Duration::ZERO,
        );
        keys.find(Algorithm::ES256, Some("k1")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        keys.find(Algorithm::ES256, Some("k1")).await.unwrap();
        assert_eq!(server.hits("/jwks"), 2, "fetched again once stale");

        server.fail("/jwks");
        tokio::time::sleep(Duration::from_millis(150)).await;
        keys.find(Algorithm::ES256, Some("k1")).await.unwrap();
        assert_eq!(server.hits("/jwks"), 3);
        assert_eq!(
            keys.find(Algorithm::ES256, Some("k2")).await.unwrap_err(),
            KeyError::Unavailable,
            "an unknown kid cannot be judged while the keys cannot be fetched"
        );
    }

    #[tokio::test]
    async fn unreachable_keys_are_unavailable_not_invalid() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let jwks = checked_url("jwks_uri", &format!("http://{address}/jwks")).unwrap();
        let keys = Keys::new(
            Some(jwks),
            "http://127.0.0.1",
            Duration::from_secs(600),
            Duration::from_secs(60),
        );
        for _ in 0..3 {
            assert_eq!(
                keys.find(Algorithm::ES256, Some("k1")).await.unwrap_err(),
                KeyError::Unavailable
            );
        }
    }

    #[tokio::test]
    async fn a_token_without_kid_needs_exactly_one_fitting_key() {
        let server = AuthorizationServer::start().await;
        let (a, b, c) = (
            SigningKey::es256("a"),
            SigningKey::es256("b"),
            SigningKey::eddsa("c"),
        );
        server.publish(&[&a, &b, &c]);
        let keys = keys(&server, Duration::from_secs(60));
        assert_eq!(
            keys.find(Algorithm::ES256, None).await.unwrap_err(),
            KeyError::Ambiguous
        );
        keys.find(Algorithm::EdDSA, None).await.unwrap();
    }
}
