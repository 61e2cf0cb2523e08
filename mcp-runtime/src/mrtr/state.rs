//! The sealed `requestState` of multi round-trip requests: what earlier rounds gathered, bound
//! to the request it belongs to, encrypted and authenticated with a rotating key ring.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

const AAD: &[u8] = b"mcp-request-state-v1";
const NONCE_LEN: usize = 12;

/// The keys that seal and open request state. The first key seals; every key opens, so a key
/// can be rotated out gradually. Replicas behind one load balancer must share the ring.
///
/// ```
/// use mcp_runtime::mrtr::StateKeys;
///
/// let ring = StateKeys::new([[7u8; 32], [9u8; 32]]).unwrap();
/// # let _ = ring;
/// ```
#[derive(Clone)]
pub struct StateKeys {
    keys: Vec<(u8, ChaCha20Poly1305)>,
}

impl std::fmt::Debug for StateKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateKeys")
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl StateKeys {
    /// A ring of 32-byte keys, newest first; `None` if empty. Each sealed state names its key by
    /// a fingerprint, so keys may be added and retired in any order.
    pub fn new(keys: impl IntoIterator<Item = [u8; 32]>) -> Option<Self> {
        let keys: Vec<_> = keys
            .into_iter()
            .map(|k| {
                (
                    Sha256::digest(k)[0],
                    ChaCha20Poly1305::new(Key::from_slice(&k)),
                )
            })
            .collect();
        (!keys.is_empty()).then_some(Self { keys })
    }

    /// A ring of one random key: fine for a single process.
    pub fn random() -> Self {
        let key: [u8; 32] = ChaCha20Poly1305::generate_key(&mut OsRng).into();
        Self::new([key]).expect("one key")
    }

    fn seal(&self, plaintext: &[u8]) -> String {
        let (id, cipher) = &self.keys[0];
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: AAD,
                },
            )
            .expect("sealing cannot fail");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(*id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
    }

    fn open(&self, text: &str) -> Option<Vec<u8>> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .ok()?;
        let (&id, rest) = raw.split_first()?;
        if rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        self.keys
            .iter()
            .filter(|(k, _)| *k == id)
            .find_map(|(_, cipher)| {
                cipher
                    .decrypt(
                        Nonce::from_slice(nonce),
                        Payload {
                            msg: sealed,
                            aad: AAD,
                        },
                    )
                    .ok()
            })
    }
}

/// What a request state binds and carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RequestState {
    /// Who made the request, if the application authenticated it.
    #[serde(rename = "p", default)]
    pub(crate) principal: Option<String>,
    /// The method (`tools/call`, `prompts/get`, `resources/read`).
    #[serde(rename = "m")]
    pub(crate) method: String,
    /// The tool or prompt name, or the resource URI.
    #[serde(rename = "n")]
    pub(crate) name: String,
    /// The digest of the request's arguments.
    #[serde(rename = "d")]
    pub(crate) digest: String,
    /// Seconds since the Unix epoch after which the state is refused.
    #[serde(rename = "e")]
    pub(crate) expires: u64,
    /// The answers gathered so far, by input key.
    #[serde(rename = "a")]
    pub(crate) answers: Map<String, Value>,
}

/// Why a request state was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum StateError {
    #[error("the requestState is invalid or has been tampered with")]
    Invalid,
    #[error("the requestState belongs to another request")]
    Mismatch,
    #[error("the requestState has expired")]
    Expired,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A digest of JSON arguments that ignores key order and spacing.
pub(crate) fn digest(arguments: Option<&serde_json::value::RawValue>) -> String {
    let canonical = arguments
        .and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok())
        .map(|v| v.to_string())
        .unwrap_or_default();
    let hash = Sha256::digest(canonical.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

impl RequestState {
    /// A state for this request, valid for `ttl`.
    pub(crate) fn new(
        principal: Option<String>,
        method: &str,
        name: &str,
        digest: String,
        ttl: Duration,
        answers: Map<String, Value>,
    ) -> Self {
        Self {
            principal,
            method: method.to_owned(),
            name: name.to_owned(),
            digest,
            expires: now().saturating_add(ttl.as_secs()),
            answers,
        }
    }

    pub(crate) fn seal(&self, keys: &StateKeys) -> String {
        keys.seal(&serde_json::to_vec(self).expect("state serializes"))
    }

    /// Opens a state and checks that it belongs to this request and has not expired.
    pub(crate) fn open(
        text: &str,
        keys: &StateKeys,
        principal: Option<&str>,
        method: &str,
        name: &str,
        digest: &str,
    ) -> Result<Self, StateError> {
        let plaintext = keys.open(text).ok_or(StateError::Invalid)?;
        let state: Self = serde_json::from_slice(&plaintext).map_err(|_| StateError::Invalid)?;
        let same_request = state.principal.as_deref() == principal
            && state.method == method
            && state.name == name
            && state.digest == digest;
        if !same_request {
            return Err(StateError::Mismatch);
        }
        if state.expires < now() {
            return Err(StateError::Expired);
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> RequestState {
        let mut answers = Map::new();
        answers.insert("confirm".into(), serde_json::json!({"action": "accept"}));
        RequestState::new(
            None,
            "tools/call",
            "deploy",
            digest(None),
            Duration::from_secs(60),
            answers,
        )
    }

    #[test]
    fn round_trips_and_binds_the_request() {
        let keys = StateKeys::random();
        let sealed = state().seal(&keys);
        let opened =
            RequestState::open(&sealed, &keys, None, "tools/call", "deploy", &digest(None))
                .unwrap();
        assert_eq!(opened, state());
        assert_eq!(
            RequestState::open(&sealed, &keys, None, "tools/call", "other", &digest(None)),
            Err(StateError::Mismatch)
        );
    }

    #[test]
    fn tampering_and_foreign_keys_are_refused() {
        let keys = StateKeys::random();
        let sealed = state().seal(&keys);
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert_eq!(
            RequestState::open(
                &tampered,
                &keys,
                None,
                "tools/call",
                "deploy",
                &digest(None)
            ),
            Err(StateError::Invalid)
        );
        let other = StateKeys::random();
        assert_eq!(
            RequestState::open(
                &state().seal(&other),
                &keys,
                None,
                "tools/call",
                "deploy",
                &digest(None)
            ),
            Err(StateError::Invalid)
        );
        assert_eq!(
            RequestState::open(
                "not base64!",
                &keys,
                None,
                "tools/call",
                "deploy",
                &digest(None)
            ),
            Err(StateError::Invalid)
        );
    }

    #[test]
    fn rotation_and_expiry() {
        let old = StateKeys::new([[1u8; 32]]).unwrap();
        let sealed_with_old = state().seal(&old);
        let rotated = StateKeys::new([[2u8; 32], [1u8; 32]]).unwrap();
        assert!(RequestState::open(
            &sealed_with_old,
            &rotated,
            None,
            "tools/call",
            "deploy",
            &digest(None)
        )
        .is_ok());
        let sealed_with_new = state().seal(&rotated);
        assert!(RequestState::open(
            &sealed_with_new,
            &old,
            None,
            "tools/call",
            "deploy",
            &digest(None)
        )
        .is_err());
        let retired = StateKeys::new([[2u8; 32]]).unwrap();
        assert!(RequestState::open(
            &sealed_with_old,
            &retired,
            None,
            "tools/call",
            "deploy",
            &digest(None)
        )
        .is_err());
        let mut expired = state();
        expired.expires = 1;
        assert_eq!(
            RequestState::open(
                &expired.seal(&old),
                &old,
                None,
                "tools/call",
                "deploy",
                &digest(None)
            ),
            Err(StateError::Expired)
        );
    }
}
