//! The authorization server's public keys as a JWK Set (RFC 7517) says them: [`KeySet`], and
//! which of its keys may verify a token ([`KeySet::pick`]).

use std::fmt;
use std::sync::Arc;

use jsonwebtoken::DecodingKey;
use serde_json::Value;

use super::algorithm::{Algorithm, KeyKind};

/// The usable signature keys of one JWK Set.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    keys: Vec<Arc<Key>>,
}

/// One public key fit to verify signatures.
pub(crate) struct Key {
    kid: Option<Box<str>>,
    kind: KeyKind,
    /// The `alg` the JWK restricts it to, if any.
    alg: Option<Box<str>>,
    decoding: DecodingKey,
}

/// Why no key of a set verifies a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Miss {
    /// No usable key has the token's `kid` (or, without a `kid`, none fits its algorithm).
    Unknown,
    /// The token has no `kid` and several keys fit its algorithm.
    Ambiguous,
}

impl KeySet {
    /// The usable keys of the JWK Set `document`. Keys that cannot verify signatures are left
    /// out, not refused: symmetric (`oct`) keys, keys for another `use` or without `verify` in
    /// their `key_ops`, unknown key types and curves, malformed keys.
    pub(crate) fn parse(document: &Value) -> Result<Self, &'static str> {
        let keys = document
            .get("keys")
            .and_then(Value::as_array)
            .ok_or("it has no `keys` array")?;
        let keys = keys
            .iter()
            .filter_map(Key::from_jwk)
            .map(Arc::new)
            .collect();
        Ok(Self { keys })
    }

    /// The key to verify a token signed with `alg` whose header names `kid`. Without a `kid`,
    /// the one key that fits `alg`, if exactly one does.
    pub(crate) fn pick(&self, alg: Algorithm, kid: Option<&str>) -> Result<&Arc<Key>, Miss> {
        let mut fitting = self.keys.iter().filter(|key| key.fits(alg));
        match kid {
            Some(kid) => fitting
                .find(|key| key.kid.as_deref() == Some(kid))
                .ok_or(Miss::Unknown),
            None => match (fitting.next(), fitting.next()) {
                (Some(key), None) => Ok(key),
                (None, _) => Err(Miss::Unknown),
                (Some(_), Some(_)) => Err(Miss::Ambiguous),
            },
        }
    }

    /// How many usable keys it has.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

impl Key {
    /// The key a JWK describes, if it may verify signatures.
    fn from_jwk(jwk: &Value) -> Option<Self> {
        let text = |name: &str| jwk.get(name).and_then(Value::as_str);
        if text("use").is_some_and(|u| u != "sig") {
            return None;
        }
        if let Some(ops) = jwk.get("key_ops") {
            let ops = ops.as_array()?;
            if !ops.iter().any(|op| op.as_str() == Some("verify")) {
                return None;
            }
        }
        let (kind, decoding) = match (text("kty")?, text("crv")) {
            ("RSA", _) => (
                KeyKind::Rsa,
                DecodingKey::from_rsa_components(text("n")?, text("e")?),
            ),
            ("EC", Some("P-256")) => (
                KeyKind::P256,
                DecodingKey::from_ec_components(text("x")?, text("y")?),
            ),
            ("EC", Some("P-384")) => (
                KeyKind::P384,
                DecodingKey::from_ec_components(text("x")?, text("y")?),
            ),
            ("OKP", Some("Ed25519")) => (
                KeyKind::Ed25519,
                DecodingKey::from_ed_components(text("x")?),
            ),
            // `oct` (a shared secret), other curves, other key types.
            _ => return None,
        };
        Some(Self {
            kid: text("kid").map(Into::into),
            kind,
            alg: text("alg").map(Into::into),
            decoding: decoding.ok()?,
        })
    }

    /// Whether it may verify a signature made with `alg`: its type and curve fit, and its
    /// `alg`, if it has one, is `alg`.
    fn fits(&self, alg: Algorithm) -> bool {
        self.kind == alg.key_kind() && self.alg.as_deref().is_none_or(|a| a == alg.name())
    }

    /// The key in `jsonwebtoken`'s form.
    pub(crate) fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.kid)
            .field("kind", &self.kind)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Real public keys' components are not needed to choose among keys.
    const N: &str = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";
    const E: &str = "AQAB";
    const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    fn set(keys: Value) -> KeySet {
        KeySet::parse(&json!({ "keys": keys })).unwrap()
    }

    #[test]
    fn a_key_is_used_only_for_the_algorithms_it_fits() {
        let keys = set(json!([
            {"kty": "RSA", "kid": "rsa", "n": N, "e": E},
            {"kty": "RSA", "kid": "rsa-ps", "n": N, "e": E, "alg": "PS256"},
            {"kty": "EC", "kid": "p256", "crv": "P-256", "x": X, "y": Y, "use": "sig"},
            {"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": X},
        ]));
        assert_eq!(keys.len(), 4);
        let kid = |alg, kid| keys.pick(alg, Some(kid)).map(|k| k.kid.as_deref());
        assert_eq!(kid(Algorithm::RS256, "rsa"), Ok(Some("rsa")));
        assert_eq!(kid(Algorithm::PS512, "rsa"), Ok(Some("rsa")));
        assert_eq!(kid(Algorithm::PS256, "rsa-ps"), Ok(Some("rsa-ps")));
        assert_eq!(
            kid(Algorithm::RS256, "rsa-ps"),
            Err(Miss::Unknown),
            "alg differs"
        );
        assert_eq!(kid(Algorithm::ES256, "p256"), Ok(Some("p256")));
        assert_eq!(
            kid(Algorithm::ES384, "p256"),
            Err(Miss::Unknown),
            "curve differs"
        );
        assert_eq!(
            kid(Algorithm::ES256, "rsa"),
            Err(Miss::Unknown),
            "type differs"
        );
        assert_eq!(kid(Algorithm::EdDSA, "ed"), Ok(Some("ed")));
        assert_eq!(kid(Algorithm::EdDSA, "nope"), Err(Miss::Unknown));
    }

    #[test]
    fn keys_that_cannot_verify_are_left_out() {
        let keys = set(json!([
            {"kty": "oct", "kid": "secret", "k": "c2VjcmV0", "alg": "HS256"},
            {"kty": "EC", "kid": "enc", "crv": "P-256", "x": X, "y": Y, "use": "enc"},
            {"kty": "EC", "kid": "wrap", "crv": "P-256", "x": X, "y": Y, "key_ops": ["wrapKey"]},
            {"kty": "EC", "kid": "p521", "crv": "P-521", "x": X, "y": Y},
            {"kty": "OKP", "kid": "x25519", "crv": "X25519", "x": X},
            {"kty": "EC", "kid": "no-y", "crv": "P-256", "x": X},
            {"kty": "RSA", "kid": "bad-n", "n": "***", "e": E},
            {"kid": "no-kty"},
            "not an object",
            {"kty": "EC", "kid": "ok", "crv": "P-256", "x": X, "y": Y, "key_ops": ["verify"]},
        ]));
        assert_eq!(keys.len(), 1);
        assert!(keys.pick(Algorithm::ES256, Some("ok")).is_ok());
        assert!(KeySet::parse(&json!({"keys": {}})).is_err());
        assert!(KeySet::parse(&json!([])).is_err());
    }

    #[test]
    fn without_kid_exactly_one_key_must_fit() {
        let keys = set(json!([
            {"kty": "RSA", "kid": "a", "n": N, "e": E},
            {"kty": "RSA", "kid": "b", "n": N, "e": E},
            {"kty": "EC", "kid": "p256", "crv": "P-256", "x": X, "y": Y},
        ]));
        assert!(keys.pick(Algorithm::ES256, None).is_ok());
        assert_eq!(
            keys.pick(Algorithm::RS256, None).err(),
            Some(Miss::Ambiguous)
        );
        assert_eq!(keys.pick(Algorithm::EdDSA, None).err(), Some(Miss::Unknown));
    }
}
