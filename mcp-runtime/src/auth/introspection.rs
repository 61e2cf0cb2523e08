//! Opaque access tokens: [`Introspector`] asks the authorization server about them (RFC 7662).

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::HeaderValue;
use serde_json::{Map, Value};

use super::claims::Claims;
use super::config::Introspection;
use super::fetch;
use super::flight::Flights;
use super::rejection::{self, Rejection};
use super::verified::Verified;
use super::Principal;
use crate::outbound::Destination;

/// The authorization server says the token is not active: revoked, expired, or never issued.
const INACTIVE: Rejection = Rejection::invalid("the token is not active");
/// How long a refused token's answer is remembered, so that a flood of one bad token does not
/// flood the introspection endpoint.
const REFUSED_TTL: Duration = Duration::from_secs(10);
/// The most refused tokens remembered.
const REFUSED_ENTRIES: usize = 1024;

/// Asks the introspection endpoint about opaque tokens, as a confidential client, and judges
/// the answers. Concurrent questions about one token share one request; answers are
/// remembered (accepted tokens in the authenticator's cache, until they expire; refused ones
/// here, briefly).
pub(crate) struct Introspector {
    endpoint: Destination,
    /// `Basic` with the client id and secret, each form-encoded (RFC 6749 section 2.3.1).
    authorization: HeaderValue,
    issuer: String,
    resource: String,
    leeway: u64,
    refused: Verified<Rejection>,
    flights: Flights<Result<Principal, Rejection>>,
}

impl Introspector {
    /// Introspects at `endpoint` (the checked URL of `client`'s endpoint) as `client`, for
    /// tokens that must be from `issuer` (when they say) for `resource` (when they say), with
    /// `leeway` seconds of clock skew.
    pub(crate) fn new(
        client: &Introspection,
        endpoint: Destination,
        issuer: &str,
        resource: &str,
        leeway: u64,
    ) -> Self {
        let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let credentials = format!(
            "{}:{}",
            encode(&client.client_id),
            encode(&client.client_secret)
        );
        let mut authorization =
            HeaderValue::try_from(format!("Basic {}", STANDARD.encode(credentials)))
                .expect("base64 is a valid header value");
        authorization.set_sensitive(true);
        Self {
            endpoint,
            authorization,
            issuer: issuer.to_owned(),
            resource: resource.to_owned(),
            leeway,
            refused: Verified::new(REFUSED_ENTRIES, REFUSED_TTL),
            flights: Flights::new(),
        }
    }

    /// The principal `token` establishes, or why it is refused. An accepted token goes into
    /// `verified` until it expires.
    pub(crate) async fn authenticate(
        &self,
        token: &str,
        verified: &Verified<Principal>,
    ) -> Result<Principal, Rejection> {
        if let Some(refused) = self.refused.get(token) {
            return Err(refused);
        }
        self.flights
            .join(token, || async {
                // Answered while this caller waited to start?
                if let Some(principal) = verified.get(token) {
                    return Ok(principal);
                }
                match self.introspect(token).await {
                    Ok((principal, expires)) => {
                        verified.insert(token, principal.clone(), expires);
                        Ok(principal)
                    }
                    Err(rejection) => {
                        if !rejection.is_unavailable() {
                            self.refused.insert(token, rejection, None);
                        }
                        Err(rejection)
                    }
                }
            })
            .await
    }

    /// Asks about `token` and judges the answer.
    async fn introspect(&self, token: &str) -> Result<(Principal, Option<u64>), Rejection> {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("token", token)
            .append_pair("token_type_hint", "access_token")
            .finish();
        let answer: Map<String, Value> =
            fetch::post_form(&self.endpoint, &self.authorization, form)
                .await
                .map_err(|error| {
                    tracing::warn!(
                        %error,
                        host = %self.endpoint.host,
                        "OAuth: token introspection failed"
                    );
                    rejection::UNAVAILABLE
                })?;
        self.judge(&answer, jsonwebtoken::get_current_timestamp())
    }

    /// The principal an introspection `answer` establishes at `now`, and when it expires. Only
    /// `"active": true` is active; `exp` and `nbf`, when present, are checked with the same
    /// leeway as a JWT's; `iss` and `aud`, when present, must name the issuer and the resource.
    fn judge(
        &self,
        answer: &Map<String, Value>,
        now: u64,
    ) -> Result<(Principal, Option<u64>), Rejection> {
        if answer.get("active") != Some(&Value::Bool(true)) {
            return Err(INACTIVE);
        }
        let claims = Claims::new(answer);
        claims.check_time(now, self.leeway)?;
        claims.check_issuer(&self.issuer)?;
        claims.check_audience(&self.resource)?;
        let subject = ["sub", "username", "client_id"]
            .into_iter()
            .find_map(|name| claims.text(name).filter(|s| !s.is_empty()))
            .ok_or(rejection::NO_SUBJECT)?;
        Ok((claims.principal(subject), claims.seconds("exp")))
    }
}

impl std::fmt::Debug for Introspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Introspector")
            .field("endpoint", &self.endpoint)
            .field("issuer", &self.issuer)
            .field("resource", &self.resource)
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::authorization_server::{
        AuthorizationServer, CLIENT_ID, CLIENT_SECRET, RESOURCE,
    };
    use super::*;
    use crate::auth::config::checked_url;

    fn introspector(server: &AuthorizationServer, secret: &str) -> Introspector {
        let client = Introspection {
            endpoint: server.url("/introspect"),
            client_id: CLIENT_ID.to_owned(),
            client_secret: secret.to_owned(),
        };
        let endpoint = checked_url("introspection endpoint", &client.endpoint).unwrap();
        Introspector::new(&client, endpoint, &server.issuer(), RESOURCE, 30)
    }

    fn active(server: &AuthorizationServer) -> Value {
        let mut answer = server.claims("alice");
        answer["active"] = json!(true);
        answer["token_type"] = json!("Bearer");
        answer
    }

    #[tokio::test]
    async fn an_active_token_is_accepted_and_remembered() {
        let server = AuthorizationServer::start().await;
        let answer = active(&server);
        server.answer("opaque-1", answer.clone());
        let introspector = introspector(&server, CLIENT_SECRET);
        let verified = Verified::new(100, Duration::from_secs(300));

        let principal = introspector
            .authenticate("opaque-1", &verified)
            .await
            .unwrap();
        assert_eq!(principal.subject(), "alice");
        assert_eq!(principal.client_id(), Some("notes-app"));
        assert_eq!(
            principal.scopes().collect::<Vec<_>>(),
            ["notes:read", "notes:write"]
        );
        assert_eq!(principal.claims(), answer.as_object().unwrap());
        assert_eq!(
            server.last_form(),
            [
                ("token".to_owned(), "opaque-1".to_owned()),
                ("token_type_hint".to_owned(), "access_token".to_owned()),
            ]
        );
        assert_eq!(server.hits("/introspect"), 1);
        assert_eq!(verified.get("opaque-1"), Some(principal));
    }

    #[tokio::test]
    async fn refused_tokens_are_remembered_briefly() {
        let server = AuthorizationServer::start().await;
        let introspector = introspector(&server, CLIENT_SECRET);
        let verified = Verified::new(100, Duration::from_secs(300));
        server.answer("revoked", json!({"active": false}));
        for _ in 0..3 {
            assert_eq!(
                introspector
                    .authenticate("revoked", &verified)
                    .await
                    .unwrap_err(),
                INACTIVE
            );
        }
        assert_eq!(server.hits("/introspect"), 1);
        assert_eq!(verified.get("revoked"), None);
    }

    #[tokio::test]
    async fn the_client_authenticates_with_its_form_encoded_credentials() {
        let server = AuthorizationServer::start().await;
        server.answer("opaque-1", active(&server));
        let verified = Verified::new(100, Duration::from_secs(300));
        // The endpoint answers 401 to a wrong secret: the token cannot be judged.
        let wrong = introspector(&server, "not the secret");
        let refused = wrong.authenticate("opaque-1", &verified).await.unwrap_err();
        assert_eq!(refused, rejection::UNAVAILABLE);
        // Not remembered: the next request asks again.
        assert!(wrong.authenticate("opaque-1", &verified).await.is_err());
        assert_eq!(server.hits("/introspect"), 2);

        let right = introspector(&server, CLIENT_SECRET);
        assert!(right.authenticate("opaque-1", &verified).await.is_ok());
    }

    #[tokio::test]
    async fn concurrent_introspections_of_one_token_share_one_request() {
        let server = AuthorizationServer::start().await;
        server.answer("opaque-1", active(&server));
        server.delay_introspection(Duration::from_millis(200));
        let introspector = introspector(&server, CLIENT_SECRET);
        let verified = Verified::new(100, Duration::from_secs(300));
        let answers = futures_util::future::join_all(
            (0..20).map(|_| introspector.authenticate("opaque-1", &verified)),
        )
        .await;
        assert!(answers
            .iter()
            .all(|a| a.as_ref().is_ok_and(|p| p.subject() == "alice")));
        assert_eq!(server.hits("/introspect"), 1);
    }

    #[tokio::test]
    async fn answers_are_judged() {
        let server = AuthorizationServer::start().await;
        let introspector = introspector(&server, CLIENT_SECRET);
        let now = jsonwebtoken::get_current_timestamp();
        let judge = |change: &dyn Fn(&mut Value)| {
            let mut answer = active(&server);
            change(&mut answer);
            introspector.judge(answer.as_object().unwrap(), now)
        };
        assert!(judge(&|_| {}).is_ok());
        assert_eq!(
            judge(&|a| a["aud"] = json!("https://other.example.com")).unwrap_err(),
            rejection::OTHER_RESOURCE
        );
        assert!(judge(&|a| a["aud"] = json!(["x", RESOURCE])).is_ok());
        assert_eq!(
            judge(&|a| a["iss"] = json!("https://evil.example.com")).unwrap_err(),
            rejection::OTHER_ISSUER
        );
        assert_eq!(
            judge(&|a| a["exp"] = json!(now - 3600)).unwrap_err(),
            rejection::EXPIRED
        );
        assert_eq!(
            judge(&|a| a["active"] = json!("true")).unwrap_err(),
            INACTIVE,
            "only the boolean true is active"
        );
        // Optional members may be absent; the subject falls back to username, then client_id.
        let (principal, expires) = judge(&|a| {
            let a = a.as_object_mut().unwrap();
            for name in ["iss", "aud", "exp", "sub"] {
                a.remove(name);
            }
            a.insert("username".to_owned(), json!("alice@example.com"));
        })
        .unwrap();
        assert_eq!((principal.subject(), expires), ("alice@example.com", None));
        let (principal, _) = judge(&|a| {
            a.as_object_mut().unwrap().remove("sub");
        })
        .unwrap();
        assert_eq!(principal.subject(), "notes-app");
        assert_eq!(
            judge(&|a| {
                let a = a.as_object_mut().unwrap();
                a.remove("sub");
                a.remove("client_id");
            })
            .unwrap_err(),
            rejection::NO_SUBJECT
        );
    }
}
