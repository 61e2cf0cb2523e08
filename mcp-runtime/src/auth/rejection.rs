//! Why a bearer token was not accepted: [`Rejection`].

/// Why a bearer token was not accepted: the token is invalid (answer 401 with
/// `error="invalid_token"` and the [`description`](Self::description)), or it could not be
/// checked because the authorization server is unavailable (answer 503).
///
/// The description is one of a few fixed phrases, fit for `error_description`; it never
/// contains the token or anything read from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{description}")]
pub(crate) struct Rejection {
    unavailable: bool,
    description: &'static str,
}

/// The token is not a well-formed bearer token or JWT.
pub(crate) const MALFORMED: Rejection = Rejection::invalid("the token is malformed");
/// The token's `exp` has passed (beyond the leeway).
pub(crate) const EXPIRED: Rejection = Rejection::invalid("the token has expired");
/// The token's `nbf` has not come yet (beyond the leeway).
pub(crate) const NOT_YET_VALID: Rejection = Rejection::invalid("the token is not valid yet");
/// The token's `iss` is not the configured issuer.
pub(crate) const OTHER_ISSUER: Rejection = Rejection::invalid("the token is from another issuer");
/// The token's `aud` does not contain this resource.
pub(crate) const OTHER_RESOURCE: Rejection =
    Rejection::invalid("the token is for another resource");
/// The token names nobody.
pub(crate) const NO_SUBJECT: Rejection = Rejection::invalid("the token has no subject");
/// The authorization server (its keys, its metadata or its introspection endpoint) could not
/// be reached or gave no usable answer.
pub(crate) const UNAVAILABLE: Rejection = Rejection {
    unavailable: true,
    description: "the authorization server is unavailable",
};

impl Rejection {
    /// The token is invalid, for the reason `description` gives.
    pub(crate) const fn invalid(description: &'static str) -> Self {
        Self {
            unavailable: false,
            description,
        }
    }

    /// Whether the token could not be checked (503) rather than found invalid (401).
    pub(crate) fn is_unavailable(&self) -> bool {
        self.unavailable
    }

    /// What is wrong, in a few words fit for `error_description`.
    pub(crate) fn description(&self) -> &'static str {
        self.description
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_or_unavailable() {
        assert!(!EXPIRED.is_unavailable());
        assert_eq!(EXPIRED.description(), "the token has expired");
        assert_eq!(EXPIRED.to_string(), "the token has expired");
        assert!(UNAVAILABLE.is_unavailable());
    }
}
