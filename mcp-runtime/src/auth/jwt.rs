//! JWT access tokens (RFC 9068): [`JwtValidator`] checks the header's algorithm against the
//! allow-list, the signature against the authorization server's keys, then the claims.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::Validation;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::algorithm::Algorithm;
use super::claims::Claims;
use super::keys::{KeyError, Keys};
use super::rejection::{self, Rejection};
use super::Principal;

/// The header's algorithm is not allowed (or not an algorithm at all: `none`, `HS256`).
const ALGORITHM_NOT_ALLOWED: Rejection = Rejection::invalid("algorithm not allowed");
/// No key the authorization server publishes fits the token.
const UNKNOWN_KEY: Rejection = Rejection::invalid("unknown signing key");
/// The token names no key, and several fit.
const AMBIGUOUS_KEY: Rejection =
    Rejection::invalid("the token names no signing key (kid) and several fit");
/// The signature does not verify.
const BAD_SIGNATURE: Rejection = Rejection::invalid("the signature is invalid");
/// The token has no `exp`.
const NO_EXPIRY: Rejection = Rejection::invalid("the token has no expiry (exp)");
/// The header names extensions that must be understood (RFC 7515 `crit`); none is.
const CRITICAL_HEADER: Rejection = Rejection::invalid("the token's header has critical extensions");

/// Whether `token` looks like a JWS in compact form: three base64url segments (the last, the
/// signature, possibly empty as in an unsecured JWT, which is then refused for its algorithm).
pub(crate) fn is_jwt(token: &str) -> bool {
    let mut segments = token.split('.');
    let base64url = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    matches!(
        (segments.next(), segments.next(), segments.next(), segments.next()),
        (Some(header), Some(payload), Some(signature), None)
            if !header.is_empty() && !payload.is_empty()
                && base64url(header) && base64url(payload) && base64url(signature)
    )
}

/// The header members read before anything else.
#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<Value>,
}

/// Checks JWT access tokens for one issuer and resource.
#[derive(Debug)]
pub(crate) struct JwtValidator {
    issuer: String,
    resource: String,
    leeway: u64,
    /// The allowed algorithms, each with the `jsonwebtoken` settings that check a signature
    /// made with it (and nothing else: the claims are checked here).
    algorithms: Vec<(Algorithm, Validation)>,
}

impl JwtValidator {
    /// Accepts tokens `issuer` signed with one of `algorithms` for `resource`, with `leeway`
    /// seconds of clock skew.
    pub(crate) fn new(issuer: &str, resource: &str, algorithms: &[Algorithm], leeway: u64) -> Self {
        let algorithms = algorithms
            .iter()
            .map(|&algorithm| {
                let mut validation = Validation::new(algorithm.to_jsonwebtoken());
                validation.validate_exp = false;
                validation.validate_nbf = false;
                validation.validate_aud = false;
                validation.required_spec_claims.clear();
                (algorithm, validation)
            })
            .collect();
        Self {
            issuer: issuer.to_owned(),
            resource: resource.to_owned(),
            leeway,
            algorithms,
        }
    }

    /// The principal `token` establishes and when it expires (Unix seconds), or why it is
    /// refused.
    pub(crate) async fn validate(
        &self,
        token: &str,
        keys: &Keys,
    ) -> Result<(Principal, u64), Rejection> {
        let header = header(token)?;
        let (algorithm, validation) = Algorithm::from_name(&header.alg)
            .and_then(|named| self.algorithms.iter().find(|(a, _)| *a == named))
            .ok_or(ALGORITHM_NOT_ALLOWED)?;
        if header.crit.is_some() {
            return Err(CRITICAL_HEADER);
        }
        let key = keys
            .find(*algorithm, header.kid.as_deref())
            .await
            .map_err(|e| match e {
                KeyError::Unknown => UNKNOWN_KEY,
                KeyError::Ambiguous => AMBIGUOUS_KEY,
                KeyError::Unavailable => rejection::UNAVAILABLE,
            })?;
        let claims: Map<String, Value> = jsonwebtoken::decode(token, key.decoding(), validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature
                | ErrorKind::InvalidEcdsaKey
                | ErrorKind::InvalidRsaKey(_)
                | ErrorKind::InvalidKeyFormat => BAD_SIGNATURE,
                ErrorKind::InvalidAlgorithm => ALGORITHM_NOT_ALLOWED,
                _ => rejection::MALFORMED,
            })?
            .claims;
        let claims = Claims::new(&claims);
        let expires = claims.seconds("exp").ok_or(NO_EXPIRY)?;
        claims.check_time(jsonwebtoken::get_current_timestamp(), self.leeway)?;
        claims.require_issuer(&self.issuer)?;
        claims.require_audience(&self.resource)?;
        let subject = claims
            .text("sub")
            .filter(|s| !s.is_empty())
            .ok_or(rejection::NO_SUBJECT)?;
        Ok((claims.principal(subject), expires))
    }
}

/// The header of a JWT-shaped token.
fn header(token: &str) -> Result<Header, Rejection> {
    let encoded = token.split('.').next().unwrap_or_default();
    let decoded = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| rejection::MALFORMED)?;
    serde_json::from_slice(&decoded).map_err(|_| rejection::MALFORMED)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::super::authorization_server::{AuthorizationServer, SigningKey, RESOURCE};
    use super::*;
    use crate::auth::config::checked_url;

    struct Setup {
        server: AuthorizationServer,
        key: SigningKey,
        ed: SigningKey,
        keys: Keys,
        validator: JwtValidator,
    }

    async fn setup(algorithms: &[Algorithm]) -> Setup {
        let server = AuthorizationServer::start().await;
        let key = SigningKey::es256("k1");
        let ed = SigningKey::eddsa("ed1");
        server.publish(&[&key, &ed]);
        let jwks = checked_url("jwks_uri", &server.url("/jwks")).unwrap();
        let keys = Keys::new(
            Some(jwks),
            &server.issuer(),
            Duration::from_secs(600),
            Duration::from_secs(60),
        );
        let validator = JwtValidator::new(&server.issuer(), RESOURCE, algorithms, 30);
        Setup {
            server,
            key,
            ed,
            keys,
            validator,
        }
    }

    impl Setup {
        async fn check(&self, token: &str) -> Result<(Principal, u64), Rejection> {
            self.validator.validate(token, &self.keys).await
        }

        fn claims(&self) -> Value {
            self.server.claims("alice")
        }
    }

    fn now() -> u64 {
        jsonwebtoken::get_current_timestamp()
    }

    #[test]
    fn jwt_shape() {
        assert!(is_jwt("eyJh.eyJz.c2ln"));
        assert!(
            is_jwt("eyJh.eyJz."),
            "unsecured: refused later, for its algorithm"
        );
        for token in [
            "opaque", "a.b", "a.b.c.d", ".b.c", "a..c", "a.b.c=", "a+.b.c", "a b.c.d",
        ] {
            assert!(!is_jwt(token), "{token}");
        }
    }

    #[tokio::test]
    async fn a_valid_token_gives_its_principal() {
        let s = setup(&Algorithm::ALL).await;
        let mut claims = s.claims();
        claims["email"] = json!("alice@example.com");
        let (principal, expires) = s.check(&s.key.sign(&claims)).await.unwrap();
        assert_eq!(principal.subject(), "alice");
        assert_eq!(principal.client_id(), Some("notes-app"));
        assert_eq!(
            principal.scopes().collect::<Vec<_>>(),
            ["notes:read", "notes:write"]
        );
        assert_eq!(principal.claim("email"), Some(&json!("alice@example.com")));
        assert_eq!(principal.claims(), claims.as_object().unwrap());
        assert_eq!(Some(expires), claims["exp"].as_u64());

        let (principal, _) = s.check(&s.ed.sign(&s.claims())).await.unwrap();
        assert_eq!(principal.subject(), "alice");
        // Without a kid: the one EdDSA key fits.
        let (principal, _) = s.check(&s.ed.sign_without_kid(&s.claims())).await.unwrap();
        assert_eq!(principal.subject(), "alice");
        assert_eq!(s.server.hits("/jwks"), 1);
    }

    #[tokio::test]
    async fn time_claims() {
        let s = setup(&Algorithm::ALL).await;
        let mut claims = s.claims();
        claims["exp"] = json!(now() - 120);
        assert_eq!(
            s.check(&s.key.sign(&claims)).await.unwrap_err(),
            rejection::EXPIRED
        );
        claims["exp"] = json!(now() - 10);
        assert!(
            s.check(&s.key.sign(&claims)).await.is_ok(),
            "expired within the leeway"
        );
        claims["exp"] = json!(now() + 3600);
        claims["nbf"] = json!(now() + 120);
        assert_eq!(
            s.check(&s.key.sign(&claims)).await.unwrap_err(),
            rejection::NOT_YET_VALID
        );
        claims["nbf"] = json!(now() + 10);
        assert!(
            s.check(&s.key.sign(&claims)).await.is_ok(),
            "early within the leeway"
        );
        claims.as_object_mut().unwrap().remove("exp");
        assert_eq!(s.check(&s.key.sign(&claims)).await.unwrap_err(), NO_EXPIRY);
    }

    #[tokio::test]
    async fn audience_issuer_and_subject() {
        let s = setup(&Algorithm::ALL).await;
        let mut claims = s.claims();
        claims["aud"] = json!("https://other.example.com/mcp");
        assert_eq!(
            s.check(&s.key.sign(&claims)).await.unwrap_err(),
            rejection::OTHER_RESOURCE
        );
        claims["aud"] = json!(["https://other.example.com/mcp", RESOURCE]);
        assert!(s.check(&s.key.sign(&claims)).await.is_ok());
        claims.as_object_mut().unwrap().remove("aud");
        assert_eq!(
            s.check(&s.key.sign(&claims)).await.unwrap_err(),
            rejection::OTHER_RESOURCE
        );

        let mut claims = s.claims();
        claims["iss"] = json!("https://evil.example.com");
        assert_eq!(
            s.check(&s.key.sign(&claims)).await.unwrap_err(),
            rejection::OTHER_ISSUER
        );
        claims["iss"] = json!(format!("{}/", s.server.issuer()));
        assert_eq!(
            s.check(&s.key.sign(&claims)).await.unwrap_err(),
            rejection::OTHER_ISSUER,
            "compared exactly"
        );

        let mut claims = s.claims();
        claims.as_object_mut().unwrap().remove("sub");
        assert_eq!(
            s.check(&s.key.sign(&claims)).await.unwrap_err(),
            rejection::NO_SUBJECT
        );
    }

    #[tokio::test]
    async fn unsigned_and_symmetric_tokens_are_refused_before_any_key_lookup() {
        let s = setup(&Algorithm::ALL).await;
        let claims = s.claims();
        let encode = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());

        for alg in ["none", "None", "NONE"] {
            let token = format!(
                "{}.{}.",
                encode(&json!({"alg": alg, "typ": "JWT"})),
                encode(&claims)
            );
            assert!(is_jwt(&token));
            assert_eq!(s.check(&token).await.unwrap_err(), ALGORITHM_NOT_ALLOWED);
        }

        // HMAC with the public key as the secret: the classic algorithm confusion.
        let jwks = s.server.document("/jwks");
        let secret = serde_json::to_vec(&jwks["keys"][0]).unwrap();
        for alg in [
            jsonwebtoken::Algorithm::HS256,
            jsonwebtoken::Algorithm::HS384,
            jsonwebtoken::Algorithm::HS512,
        ] {
            let mut header = jsonwebtoken::Header::new(alg);
            header.kid = Some("k1".to_owned());
            let token = jsonwebtoken::encode(
                &header,
                &claims,
                &jsonwebtoken::EncodingKey::from_secret(&secret),
            )
            .unwrap();
            assert_eq!(s.check(&token).await.unwrap_err(), ALGORITHM_NOT_ALLOWED);
        }
        assert_eq!(s.server.hits("/jwks"), 0, "no key was looked up");
    }

    #[tokio::test]
    async fn algorithms_outside_a_narrowed_allow_list_are_refused() {
        let s = setup(&[Algorithm::EdDSA]).await;
        let token = s.key.sign(&s.claims());
        assert_eq!(s.check(&token).await.unwrap_err(), ALGORITHM_NOT_ALLOWED);
        assert_eq!(s.server.hits("/jwks"), 0);
        assert!(s.check(&s.ed.sign(&s.claims())).await.is_ok());
    }

    #[tokio::test]
    async fn forged_and_mangled_tokens() {
        let s = setup(&Algorithm::ALL).await;
        // Signed by a key the authorization server does not hold, under its kid.
        let impostor = SigningKey::es256("k1");
        assert_eq!(
            s.check(&impostor.sign(&s.claims())).await.unwrap_err(),
            BAD_SIGNATURE
        );
        // A valid signature over other claims.
        let token = s.key.sign(&s.claims());
        let mut parts: Vec<&str> = token.split('.').collect();
        let mut claims = s.claims();
        claims["sub"] = json!("admin");
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        parts[1] = &forged_payload;
        assert_eq!(s.check(&parts.join(".")).await.unwrap_err(), BAD_SIGNATURE);
        // Headers that are not JSON, or name critical extensions.
        assert_eq!(
            s.check("e30.e30.c2ln").await.unwrap_err(),
            rejection::MALFORMED
        );
        assert_eq!(
            s.check("bm9wZQ.e30.c2ln").await.unwrap_err(),
            rejection::MALFORMED
        );
        let header = json!({"alg": "ES256", "kid": "k1", "crit": ["exp"], "exp": 1});
        let token = s.key.sign_with_header(&header, &s.claims());
        assert_eq!(s.check(&token).await.unwrap_err(), CRITICAL_HEADER);
    }

    #[tokio::test]
    async fn unknown_kid_and_octet_keys() {
        let s = setup(&Algorithm::ALL).await;
        let stranger = SigningKey::es256("not-published");
        assert_eq!(
            s.check(&stranger.sign(&s.claims())).await.unwrap_err(),
            UNKNOWN_KEY
        );
        // An `oct` key under the token's kid is never used, whatever the token's algorithm.
        s.server.set_document(
            "/jwks",
            json!({"keys": [
                {"kty": "oct", "kid": "k1", "k": URL_SAFE_NO_PAD.encode(b"shared secret")},
            ]}),
        );
        let fresh = Keys::new(
            Some(checked_url("jwks_uri", &s.server.url("/jwks")).unwrap()),
            &s.server.issuer(),
            Duration::from_secs(600),
            Duration::from_secs(60),
        );
        let token = s.key.sign(&s.claims());
        assert_eq!(
            s.validator.validate(&token, &fresh).await.unwrap_err(),
            UNKNOWN_KEY
        );
    }
}
