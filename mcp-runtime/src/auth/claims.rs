//! Reading a token's claims (from a JWT or an introspection answer): the checks both kinds of
//! token share, and the [`Principal`] they establish.

use serde_json::{Map, Value};

use super::rejection::{self, Rejection};
use super::Principal;

/// The claims of a token that was found genuine, checked against this resource server.
pub(crate) struct Claims<'a> {
    claims: &'a Map<String, Value>,
}

impl<'a> Claims<'a> {
    pub(crate) fn new(claims: &'a Map<String, Value>) -> Self {
        Self { claims }
    }

    /// A string claim.
    pub(crate) fn text(&self, name: &str) -> Option<&'a str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A NumericDate claim (`exp`, `nbf`), in whole seconds.
    pub(crate) fn seconds(&self, name: &str) -> Option<u64> {
        let value = self.claims.get(name)?;
        value.as_u64().or_else(|| {
            value
                .as_f64()
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(|s| s as u64)
        })
    }

    /// Checks that `iss`, which a JWT must have, is exactly `issuer`.
    pub(crate) fn require_issuer(&self, issuer: &str) -> Result<(), Rejection> {
        match self.text("iss") {
            Some(iss) if iss == issuer => Ok(()),
            _ => Err(rejection::OTHER_ISSUER),
        }
    }

    /// Checks `iss`, if present, is exactly `issuer`.
    pub(crate) fn check_issuer(&self, issuer: &str) -> Result<(), Rejection> {
        match self.claims.get("iss") {
            None => Ok(()),
            Some(_) => self.require_issuer(issuer),
        }
    }

    /// Checks that `aud`, which a JWT must have, is `resource` or an array containing it.
    pub(crate) fn require_audience(&self, resource: &str) -> Result<(), Rejection> {
        let addressed = match self.claims.get("aud") {
            Some(Value::String(aud)) => aud == resource,
            Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(resource)),
            _ => false,
        };
        if addressed {
            Ok(())
        } else {
            Err(rejection::OTHER_RESOURCE)
        }
    }

    /// Checks `aud`, if present, is `resource` or an array containing it.
    pub(crate) fn check_audience(&self, resource: &str) -> Result<(), Rejection> {
        match self.claims.get("aud") {
            None => Ok(()),
            Some(_) => self.require_audience(resource),
        }
    }

    /// Checks the token is not expired (`exp`) nor early (`nbf`) at `now`, give or take
    /// `leeway` seconds. Absent claims are not checked.
    pub(crate) fn check_time(&self, now: u64, leeway: u64) -> Result<(), Rejection> {
        if self
            .seconds("exp")
            .is_some_and(|exp| exp.saturating_add(leeway) <= now)
        {
            return Err(rejection::EXPIRED);
        }
        if self
            .seconds("nbf")
            .is_some_and(|nbf| nbf > now.saturating_add(leeway))
        {
            return Err(rejection::NOT_YET_VALID);
        }
        Ok(())
    }

    /// The granted scopes: `scope` (space-separated, RFC 9068 and RFC 7662), else `scp` (an
    /// array of strings, or space-separated).
    fn scopes(&self) -> Vec<&'a str> {
        let words = |s: &'a str| s.split(' ').filter(|w| !w.is_empty());
        match (self.claims.get("scope"), self.claims.get("scp")) {
            (Some(Value::String(scope)), _) => words(scope).collect(),
            (_, Some(Value::String(scp))) => words(scp).collect(),
            (_, Some(Value::Array(scp))) => scp.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The principal these claims establish for `subject`: its client (`client_id`, else
    /// `azp`), its scopes, and every claim.
    pub(crate) fn principal(&self, subject: &str) -> Principal {
        let mut principal = Principal::new(subject).with_scopes(self.scopes());
        if let Some(client) = self.text("client_id").or_else(|| self.text("azp")) {
            principal = principal.with_client_id(client);
        }
        principal.with_claims(self.claims.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with<T>(claims: Value, check: impl FnOnce(Claims<'_>) -> T) -> T {
        check(Claims::new(claims.as_object().unwrap()))
    }

    #[test]
    fn audience_is_a_string_or_an_array() {
        let resource = "https://mcp.example.com/mcp";
        with(json!({"aud": resource}), |c| {
            assert!(c.require_audience(resource).is_ok())
        });
        with(json!({"aud": ["other", resource]}), |c| {
            assert!(c.require_audience(resource).is_ok())
        });
        for aud in [
            json!("https://mcp.example.com/mcp/"),
            json!(["other"]),
            json!([]),
            json!(7),
        ] {
            with(json!({ "aud": aud }), |c| {
                assert_eq!(c.require_audience(resource), Err(rejection::OTHER_RESOURCE));
                assert_eq!(c.check_audience(resource), Err(rejection::OTHER_RESOURCE));
            });
        }
        with(json!({}), |c| {
            assert_eq!(c.require_audience(resource), Err(rejection::OTHER_RESOURCE));
            assert_eq!(c.check_audience(resource), Ok(()));
        });
    }

    #[test]
    fn time_with_leeway() {
        let now = 1_800_000_000;
        with(json!({"exp": now + 1}), |c| {
            assert!(c.check_time(now, 0).is_ok())
        });
        with(json!({"exp": now}), |c| {
            assert_eq!(c.check_time(now, 0), Err(rejection::EXPIRED));
            assert!(c.check_time(now, 30).is_ok());
        });
        with(json!({"exp": now as f64 - 0.5}), |c| {
            assert_eq!(c.check_time(now, 0), Err(rejection::EXPIRED))
        });
        with(json!({"nbf": now + 10}), |c| {
            assert_eq!(c.check_time(now, 0), Err(rejection::NOT_YET_VALID));
            assert!(c.check_time(now, 30).is_ok());
        });
    }

    #[test]
    fn principal_from_claims() {
        let claims = json!({"sub": "alice", "client_id": "app", "azp": "other", "scope": "b a  c", "scp": ["x"]});
        let p = with(claims, |c| c.principal("alice"));
        assert_eq!(p.subject(), "alice");
        assert_eq!(p.client_id(), Some("app"));
        assert_eq!(p.scopes().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(p.claim("azp"), Some(&json!("other")));

        let p = with(json!({"azp": "spa", "scp": ["read", "write"]}), |c| {
            c.principal("bob")
        });
        assert_eq!(p.client_id(), Some("spa"));
        assert_eq!(p.scopes().collect::<Vec<_>>(), ["read", "write"]);
        let p = with(json!({"scp": "read write"}), |c| c.principal("bob"));
        assert_eq!(p.scopes().collect::<Vec<_>>(), ["read", "write"]);
        let p = with(json!({}), |c| c.principal("bob"));
        assert_eq!((p.client_id(), p.scopes().len()), (None, 0));
    }
}
