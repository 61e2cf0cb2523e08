//! Who is calling: the identity every session, request state, handle and task is bound to.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde_json::{Map, Value};

/// Who is calling: the subject of a validated access token (see [`OAuth`](crate::auth::OAuth)),
/// or what the application's own authentication established. Sessions, request state, handles
/// and tasks are bound to it: a request naming another principal's session, handle or task is
/// answered as if it did not exist. Two principals are the same caller when their subjects are
/// equal.
///
/// A handler takes it as a parameter (`Option<Principal>` where a caller may be anonymous). An
/// application that authenticates requests itself puts one into the request's extensions in an
/// axum middleware:
///
/// ```
/// use axum::{extract::Request, middleware::Next, response::Response};
/// use mcp_runtime::auth::Principal;
///
/// async fn authenticate(mut request: Request, next: Next) -> Response {
///     // A real application verifies a token here.
///     let user = request.headers().get("x-user").and_then(|v| v.to_str().ok()).unwrap_or("anonymous");
///     let principal = Principal::new(user).with_scopes(["notes:read"]);
///     request.extensions_mut().insert(principal);
///     next.run(request).await
/// }
///
/// let app = mcp_runtime::Server::new()
///     .router()
///     .unwrap()
///     .layer(axum::middleware::from_fn(authenticate));
/// # let _ = app;
/// ```
#[derive(Clone)]
pub struct Principal {
    subject: Arc<str>,
    grant: Option<Arc<Grant>>,
}

/// What a token granted besides the subject, shared by every clone.
#[derive(Debug, Default)]
struct Grant {
    client_id: Option<Box<str>>,
    /// Sorted, without duplicates.
    scopes: Box<[Box<str>]>,
    claims: Map<String, Value>,
}

impl Principal {
    /// A caller known by `subject` (a user id, a service account's name), with no scopes.
    ///
    /// ```
    /// # use mcp_runtime::auth::Principal;
    /// assert_eq!(Principal::new("alice").subject(), "alice");
    /// ```
    pub fn new(subject: impl Into<Arc<str>>) -> Self {
        Self {
            subject: subject.into(),
            grant: None,
        }
    }

    /// The same caller, acting through the OAuth client `client_id`.
    ///
    /// ```
    /// # use mcp_runtime::auth::Principal;
    /// let p = Principal::new("alice").with_client_id("notes-app");
    /// assert_eq!(p.client_id(), Some("notes-app"));
    /// ```
    pub fn with_client_id(self, client_id: impl Into<Box<str>>) -> Self {
        let client_id = Some(client_id.into());
        self.granting(|grant| grant.client_id = client_id)
    }

    /// The same caller, granted `scopes` (replacing any it had).
    ///
    /// ```
    /// # use mcp_runtime::auth::Principal;
    /// let p = Principal::new("alice").with_scopes(["notes:write", "notes:read"]);
    /// assert!(p.has_scope("notes:read"));
    /// assert!(!p.has_scope("admin"));
    /// ```
    pub fn with_scopes<S: Into<Box<str>>>(self, scopes: impl IntoIterator<Item = S>) -> Self {
        let mut scopes: Vec<Box<str>> = scopes.into_iter().map(Into::into).collect();
        scopes.sort_unstable();
        scopes.dedup();
        self.granting(|grant| grant.scopes = scopes.into_boxed_slice())
    }

    /// The same caller, with the claims of the token that established it (replacing any it had).
    ///
    /// ```
    /// # use mcp_runtime::auth::Principal;
    /// let claims = serde_json::json!({"email": "alice@example.com"});
    /// let p = Principal::new("alice").with_claims(claims.as_object().unwrap().clone());
    /// assert_eq!(p.claim("email").and_then(|v| v.as_str()), Some("alice@example.com"));
    /// ```
    pub fn with_claims(self, claims: Map<String, Value>) -> Self {
        self.granting(|grant| grant.claims = claims)
    }

    fn granting(mut self, change: impl FnOnce(&mut Grant)) -> Self {
        let mut grant = match self.grant.take() {
            Some(grant) => Arc::try_unwrap(grant).unwrap_or_else(|shared| Grant {
                client_id: shared.client_id.clone(),
                scopes: shared.scopes.clone(),
                claims: shared.claims.clone(),
            }),
            None => Grant::default(),
        };
        change(&mut grant);
        self.grant = Some(Arc::new(grant));
        self
    }

    /// Who the caller is: the token's `sub`, or what the application named it.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The OAuth client the caller acts through (the token's `client_id`), if known.
    pub fn client_id(&self) -> Option<&str> {
        self.grant.as_ref()?.client_id.as_deref()
    }

    /// The scopes the caller was granted, sorted.
    ///
    /// ```
    /// # use mcp_runtime::auth::Principal;
    /// let p = Principal::new("alice").with_scopes(["b", "a", "b"]);
    /// assert_eq!(p.scopes().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn scopes(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.granted().iter().map(|s| &**s)
    }

    /// Whether the caller was granted `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.granted()
            .binary_search_by(|s| (**s).cmp(scope))
            .is_ok()
    }

    /// The first of `required` the caller was not granted, if any.
    ///
    /// ```
    /// # use mcp_runtime::auth::Principal;
    /// let p = Principal::new("alice").with_scopes(["notes:read"]);
    /// assert_eq!(p.missing(&["notes:read", "notes:write"]), Some("notes:write"));
    /// assert_eq!(p.missing(&["notes:read"]), None);
    /// ```
    pub fn missing<'a>(&self, required: &[&'a str]) -> Option<&'a str> {
        required.iter().copied().find(|s| !self.has_scope(s))
    }

    /// Every claim of the token that established the caller (empty when the application
    /// named it).
    pub fn claims(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        match &self.grant {
            Some(grant) => &grant.claims,
            None => EMPTY.get_or_init(Map::new),
        }
    }

    /// One claim of the token that established the caller.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.grant.as_ref()?.claims.get(name)
    }

    fn granted(&self) -> &[Box<str>] {
        self.grant.as_ref().map_or(&[], |g| &g.scopes)
    }
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Claims may hold personal data: only their names are shown.
        let mut debug = f.debug_struct("Principal");
        debug.field("subject", &self.subject);
        if let Some(grant) = &self.grant {
            debug
                .field("client_id", &grant.client_id)
                .field("scopes", &grant.scopes)
                .field("claims", &grant.claims.keys().collect::<Vec<_>>());
        }
        debug.finish()
    }
}

impl PartialEq for Principal {
    fn eq(&self, other: &Self) -> bool {
        self.subject == other.subject
    }
}

impl Eq for Principal {}

impl Hash for Principal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.subject.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_caller_whatever_it_was_granted() {
        let a = Principal::new("alice").with_scopes(["x"]);
        let b = Principal::new("alice");
        assert_eq!(a, b);
        assert_ne!(a, Principal::new("bob").with_scopes(["x"]));
    }

    #[test]
    fn changing_a_shared_grant_leaves_the_other_clone_alone() {
        let a = Principal::new("alice")
            .with_client_id("app")
            .with_scopes(["x"]);
        let b = a.clone().with_scopes(["y"]);
        assert!(a.has_scope("x") && !a.has_scope("y"));
        assert!(b.has_scope("y") && !b.has_scope("x"));
        assert_eq!(b.client_id(), Some("app"));
    }

    #[test]
    fn debug_shows_claim_names_only() {
        let claims = serde_json::json!({"email": "alice@example.com"});
        let p = Principal::new("alice").with_claims(claims.as_object().unwrap().clone());
        let shown = format!("{p:?}");
        assert!(shown.contains("email") && !shown.contains("example.com"));
    }
}
