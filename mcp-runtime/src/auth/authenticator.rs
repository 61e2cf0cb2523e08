//! From a bearer token to a [`Principal`]: [`Authenticator`].

use super::config::{checked_url, ConfigError, OAuth};
use super::introspection::Introspector;
use super::jwt::{self, JwtValidator};
use super::keys::Keys;
use super::rejection;
use super::verified::Verified;
use super::Principal;

pub(crate) use super::rejection::Rejection;

/// The longest token looked at, in bytes.
const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// An opaque token, and no introspection endpoint to ask about it.
const NOT_A_JWT: Rejection = Rejection::invalid("the token is not a JWT");
/// Over [`MAX_TOKEN_BYTES`].
const TOO_LONG: Rejection = Rejection::invalid("the token is too long");

/// Establishes who is calling from a bearer token, as an [`OAuth`] configuration says: a JWT
/// is checked here (signature, algorithm, issuer, audience, time, subject), an opaque token is
/// introspected. Tokens found valid are remembered until they expire (within the token
/// cache's bounds), so a token seen again costs a hash lookup.
#[derive(Debug)]
pub(crate) struct Authenticator {
    oauth: OAuth,
    keys: Keys,
    jwt: JwtValidator,
    introspector: Option<Introspector>,
    verified: Verified<Principal>,
}

impl Authenticator {
    /// An authenticator for `oauth`, once its settings are checked. Nothing is fetched yet.
    pub(crate) fn new(oauth: OAuth) -> Result<Self, ConfigError> {
        oauth.check()?;
        let jwks_uri = oauth
            .configured_jwks_uri()
            .map(|url| checked_url("jwks_uri", url))
            .transpose()?;
        let keys = Keys::new(
            jwks_uri,
            oauth.issuer(),
            oauth.keys_max_age(),
            oauth.min_key_refresh_interval(),
        );
        let leeway = oauth.clock_leeway().as_secs();
        let jwt = JwtValidator::new(
            oauth.issuer(),
            oauth.resource(),
            oauth.allowed_algorithms(),
            leeway,
        );
        let introspector = match oauth.introspection_client() {
            Some(client) => Some(Introspector::new(
                client,
                checked_url("introspection endpoint", &client.endpoint)?,
                oauth.issuer(),
                oauth.resource(),
                leeway,
            )),
            None => None,
        };
        let verified = Verified::new(oauth.token_cache_entries(), oauth.token_cache_ttl());
        Ok(Self {
            oauth,
            keys,
            jwt,
            introspector,
            verified,
        })
    }

    /// Who `token` (the credentials of an `Authorization: Bearer` header) says is calling, or
    /// why it is refused.
    pub(crate) async fn authenticate(&self, token: &str) -> Result<Principal, Rejection> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TOO_LONG);
        }
        if let Some(principal) = self.verified.get(token) {
            return Ok(principal);
        }
        if !is_b64token(token) {
            return Err(rejection::MALFORMED);
        }
        if jwt::is_jwt(token) {
            let (principal, expires) = self.jwt.validate(token, &self.keys).await?;
            self.verified
                .insert(token, principal.clone(), Some(expires));
            return Ok(principal);
        }
        match &self.introspector {
            Some(introspector) => introspector.authenticate(token, &self.verified).await,
            None => Err(NOT_A_JWT),
        }
    }

    /// The caller `token` established when it was last checked, if it is still remembered
    /// (the cheap path: no parsing, no crypto, no await).
    pub(crate) fn remembered(&self, token: &str) -> Option<Principal> {
        self.verified.get(token)
    }

    /// The configuration it applies.
    pub(crate) fn oauth(&self) -> &OAuth {
        &self.oauth
    }
}

/// Whether `token` is a bearer token as RFC 6750 writes one:
/// `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::super::authorization_server::{
        AuthorizationServer, SigningKey, CLIENT_ID, CLIENT_SECRET, RESOURCE,
    };
    use super::*;

    fn now() -> u64 {
        jsonwebtoken::get_current_timestamp()
    }

    async fn server_with_key() -> (AuthorizationServer, SigningKey) {
        let server = AuthorizationServer::start().await;
        let key = SigningKey::es256("k1");
        server.publish(&[&key]);
        (server, key)
    }

    fn oauth(server: &AuthorizationServer) -> OAuth {
        OAuth::new(server.issuer(), RESOURCE).jwks_uri(server.url("/jwks"))
    }

    #[tokio::test]
    async fn a_valid_token_is_checked_once_then_remembered() {
        let (server, key) = server_with_key().await;
        let auth = Authenticator::new(oauth(&server)).unwrap();
        let token = key.sign(&server.claims("alice"));
        let principal = auth.authenticate(&token).await.unwrap();
        assert_eq!(
            (principal.subject(), principal.client_id()),
            ("alice", Some("notes-app"))
        );
        assert!(principal.has_scope("notes:read") && principal.has_scope("notes:write"));
        assert_eq!(auth.verified.get(&token), Some(principal.clone()));

        // The keys are gone now: only the remembered answer can accept the token.
        server.set_document("/jwks", json!({"keys": []}));
        server.fail("/jwks");
        for _ in 0..3 {
            let again = auth.authenticate(&token).await.unwrap();
            assert_eq!(again.client_id(), Some("notes-app"));
        }
        assert_eq!(server.hits("/jwks"), 1);
    }

    #[tokio::test]
    async fn a_remembered_token_is_not_served_after_it_expires() {
        let (server, key) = server_with_key().await;
        let auth = Authenticator::new(oauth(&server).leeway(Duration::ZERO)).unwrap();
        let mut claims = server.claims("alice");
        claims["exp"] = json!(now() + 1);
        let token = key.sign(&claims);
        auth.authenticate(&token).await.unwrap();
        assert!(auth.verified.get(&token).is_some());
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(auth.verified.get(&token), None);
        assert_eq!(
            auth.authenticate(&token).await.unwrap_err(),
            rejection::EXPIRED
        );
    }

    #[tokio::test]
    async fn the_token_cache_stays_bounded() {
        let (server, key) = server_with_key().await;
        let auth =
            Authenticator::new(oauth(&server).token_cache(5, Duration::from_secs(60))).unwrap();
        let tokens: Vec<String> = (0..20)
            .map(|i| key.sign(&server.claims(&format!("user-{i}"))))
            .collect();
        for token in &tokens {
            auth.authenticate(token).await.unwrap();
        }
        let remembered = tokens
            .iter()
            .filter(|t| auth.verified.get(t).is_some())
            .count();
        assert!((1..=5).contains(&remembered), "{remembered}");
    }

    #[tokio::test]
    async fn keys_found_through_the_metadata() {
        // RFC 8414 at the root, for an issuer without a path.
        let (server, key) = server_with_key().await;
        server.set_document(
            "/.well-known/oauth-authorization-server",
            json!({"issuer": server.issuer(), "jwks_uri": server.url("/jwks")}),
        );
        let auth = Authenticator::new(OAuth::new(server.issuer(), RESOURCE)).unwrap();
        let token = key.sign(&server.claims("alice"));
        assert_eq!(auth.authenticate(&token).await.unwrap().subject(), "alice");
        assert_eq!(server.hits("/.well-known/oauth-authorization-server"), 1);
        assert_eq!(server.hits("/jwks"), 1);

        // RFC 8414 inserted before an issuer's path.
        let issuer = server.url("/realms/mcp");
        server.set_document(
            "/.well-known/oauth-authorization-server/realms/mcp",
            json!({"issuer": issuer, "jwks_uri": server.url("/jwks")}),
        );
        let mut claims = server.claims("bob");
        claims["iss"] = json!(issuer);
        let auth = Authenticator::new(OAuth::new(&issuer, RESOURCE)).unwrap();
        assert_eq!(
            auth.authenticate(&key.sign(&claims))
                .await
                .unwrap()
                .subject(),
            "bob"
        );

        // OpenID Connect Discovery when there is no RFC 8414 document.
        let issuer = server.url("/oidc");
        server.set_document(
            "/oidc/.well-known/openid-configuration",
            json!({"issuer": issuer, "jwks_uri": server.url("/jwks")}),
        );
        claims["iss"] = json!(issuer);
        let auth = Authenticator::new(OAuth::new(&issuer, RESOURCE)).unwrap();
        assert_eq!(
            auth.authenticate(&key.sign(&claims))
                .await
                .unwrap()
                .subject(),
            "bob"
        );
        assert_eq!(
            server.hits("/.well-known/oauth-authorization-server/oidc"),
            1
        );
    }

    #[tokio::test]
    async fn metadata_for_another_issuer_is_not_trusted() {
        let (server, key) = server_with_key().await;
        server.set_document(
            "/.well-known/oauth-authorization-server",
            json!({"issuer": "https://evil.example.com", "jwks_uri": server.url("/jwks")}),
        );
        let auth = Authenticator::new(OAuth::new(server.issuer(), RESOURCE)).unwrap();
        let refused = auth
            .authenticate(&key.sign(&server.claims("alice")))
            .await
            .unwrap_err();
        assert!(refused.is_unavailable(), "{refused:?}");
        assert_eq!(server.hits("/jwks"), 0);
    }

    #[tokio::test]
    async fn unreachable_keys_make_the_server_unavailable_not_the_token_invalid() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let issuer = format!("http://{address}");
        let oauth = OAuth::new(&issuer, RESOURCE).jwks_uri(format!("{issuer}/jwks"));
        let auth = Authenticator::new(oauth).unwrap();
        let key = SigningKey::es256("k1");
        let mut claims = json!({"sub": "alice", "aud": RESOURCE, "exp": now() + 60});
        claims["iss"] = json!(issuer);
        let refused = auth.authenticate(&key.sign(&claims)).await.unwrap_err();
        assert_eq!(refused, rejection::UNAVAILABLE);
    }

    #[tokio::test]
    async fn a_new_key_is_accepted_after_a_refresh_and_random_kids_cost_nothing() {
        let (server, old) = server_with_key().await;
        let auth =
            Authenticator::new(oauth(&server).key_refresh_interval(Duration::from_millis(300)))
                .unwrap();
        auth.authenticate(&old.sign(&server.claims("alice")))
            .await
            .unwrap();

        // Tokens with made-up kids, signed by a key the authorization server never had.
        let stranger = SigningKey::es256("x");
        for i in 0..100 {
            let header = json!({"alg": "ES256", "kid": format!("random-{i}")});
            let token = stranger.sign_with_header(&header, &server.claims("mallory"));
            let refused = auth.authenticate(&token).await.unwrap_err();
            assert_eq!(refused.description(), "unknown signing key");
        }
        assert_eq!(server.hits("/jwks"), 1);

        // The authorization server rotates to a new key.
        let new = SigningKey::es256("k2");
        server.publish(&[&old, &new]);
        tokio::time::sleep(Duration::from_millis(350)).await;
        let principal = auth
            .authenticate(&new.sign(&server.claims("bob")))
            .await
            .unwrap();
        assert_eq!(principal.subject(), "bob");
        assert_eq!(server.hits("/jwks"), 2);
    }

    #[tokio::test]
    async fn opaque_tokens_need_introspection() {
        let (server, _) = server_with_key().await;
        let mut answer = server.claims("alice");
        answer["active"] = json!(true);
        server.answer("opaque-token", answer);
        server.answer(
            "for-another",
            json!({"active": true, "sub": "x", "aud": "https://other.example.com"}),
        );

        let without = Authenticator::new(oauth(&server)).unwrap();
        assert_eq!(
            without.authenticate("opaque-token").await.unwrap_err(),
            NOT_A_JWT
        );

        let with = Authenticator::new(oauth(&server).introspection(
            server.url("/introspect"),
            CLIENT_ID,
            CLIENT_SECRET,
        ))
        .unwrap();
        for _ in 0..3 {
            let principal = with.authenticate("opaque-token").await.unwrap();
            assert_eq!(principal.subject(), "alice");
        }
        assert_eq!(server.hits("/introspect"), 1, "remembered after the first");
        assert_eq!(
            with.authenticate("revoked-token")
                .await
                .unwrap_err()
                .description(),
            "the token is not active"
        );
        assert_eq!(
            with.authenticate("for-another").await.unwrap_err(),
            rejection::OTHER_RESOURCE
        );
        assert_eq!(server.hits("/jwks"), 0);
    }

    #[tokio::test]
    async fn malformed_and_oversized_tokens() {
        let (server, _) = server_with_key().await;
        let auth = Authenticator::new(oauth(&server)).unwrap();
        for token in ["", "===", "has space", "quote\"d", "ünïcode"] {
            assert_eq!(
                auth.authenticate(token).await.unwrap_err(),
                rejection::MALFORMED,
                "{token:?}"
            );
        }
        let long = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(auth.authenticate(&long).await.unwrap_err(), TOO_LONG);
        assert!(is_b64token("abc-._~+/=="));
    }

    #[test]
    fn configuration_is_checked() {
        let refused = Authenticator::new(OAuth::new("http://as.example.com", RESOURCE));
        assert!(matches!(
            refused,
            Err(ConfigError::Url {
                setting: "issuer",
                ..
            })
        ));
        let auth = Authenticator::new(OAuth::new("https://as.example.com", RESOURCE)).unwrap();
        assert_eq!(auth.oauth().issuer(), "https://as.example.com");
        assert_eq!(auth.oauth().resource(), RESOURCE);
    }
}
