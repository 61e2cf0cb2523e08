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
    /// Shared: every handle minter holds the ring.
    keys: std::sync::Arc<[(u8, ChaCha20Poly1305)]>,
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
        let keys: std::sync::Arc<[_]> = keys
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

    /// A ring read from text, as processes that serve one endpoint share it through their
    /// configuration: comma-separated keys, newest first, each 32 bytes in base64 (standard or
    /// URL-safe, padded or not; `openssl rand -base64 32` makes one). To rotate, put a new key
    /// first, deploy, and drop the old one once the states and handles it sealed have expired.
    ///
    /// ```
    /// use mcp_runtime::mrtr::StateKeys;
    ///
    /// let ring = StateKeys::from_base64(
    ///     "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=, AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
    /// )
    /// .unwrap();
    /// # let _ = ring;
    /// assert!(StateKeys::from_base64("too-short").is_err());
    /// ```
    pub fn from_base64(text: &str) -> Result<Self, crate::Error> {
        use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
        let keys = text
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .enumerate()
            .map(|(i, key)| {
                let unpadded = key.trim_end_matches('=');
                let bytes = STANDARD_NO_PAD
                    .decode(unpadded)
                    .or_else(|_| URL_SAFE_NO_PAD.decode(unpadded))
                    .map_err(|_| {
                        crate::Error::Config(format!("state key {} is not base64", i + 1))
                    })?;
                <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                    crate::Error::Config(format!(
                        "state key {} is {} bytes; each key is 32",
                        i + 1,
                        bytes.len()
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(keys).ok_or_else(|| crate::Error::Config("no state key given".into()))
    }

    /// A ring of one random key: fine for a single process.
    pub fn random() -> Self {
        let key: [u8; 32] = ChaCha20Poly1305::generate_key(&mut OsRng).into();
        Self::new([key]).expect("one key")
    }

    fn seal(&self, plaintext: &[u8]) -> String {
        self.seal_for(AAD, plaintext)
    }

    fn open(&self, text: &str) -> Option<Vec<u8>> {
        self.open_for(AAD, text)
    }

    /// Seals `plaintext` for one purpose (`aad`): what is sealed for one opens for no other.
    pub(crate) fn seal_for(&self, aad: &[u8], plaintext: &[u8]) -> String {
        let (id, cipher) = &self.keys[0];
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .expect("sealing cannot fail");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(*id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
    }

    /// Opens what [`seal_for`](Self::seal_for) sealed for `aad`.
    pub(crate) fn open_for(&self, aad: &[u8], text: &str) -> Option<Vec<u8>> {
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
                    .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
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
    /// The keys of the inputs this round asked for: the only answers the next round takes.
    #[serde(rename = "q", default)]
    pub(crate) asked: Vec<String>,
    /// The results of the steps that ran once ([`Steps`](crate::extract::Steps)), by key.
    #[serde(rename = "s", default)]
    pub(crate) steps: Map<String, Value>,
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

/// A digest of JSON arguments that ignores key order and spacing, in time linear in their size
/// whatever their shape and without building a tree of values.
///
/// Arguments that cannot be read as plain JSON values (a number out of range such as `1e400`, a
/// lone surrogate, nesting deeper than the parser allows) are digested as the exact text sent,
/// so that they never share a digest with other arguments.
pub(crate) fn digest(arguments: Option<&serde_json::value::RawValue>) -> String {
    let mut hasher = Sha256::new();
    if let Some(raw) = arguments {
        let mut canonical = Sha256::new();
        let mut de = serde_json::Deserializer::from_str(raw.get());
        let read = serde::de::DeserializeSeed::deserialize(Canonical(&mut canonical), &mut de)
            .and_then(|()| de.end());
        match read {
            Ok(()) => {
                hasher.update(b"c");
                hasher.update(canonical.finalize());
            }
            Err(_) => {
                hasher.update(b"r");
                hasher.update(raw.get().as_bytes());
            }
        }
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Feeds one JSON value into a hash in canonical form: every value tagged and length-prefixed
/// (so no two values feed the same bytes), object members sorted by key, each member's value
/// hashed on its own first (so sorting moves 32-byte digests, not subtrees).
struct Canonical<'h>(&'h mut Sha256);

impl<'de> serde::de::DeserializeSeed<'de> for Canonical<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Canonical<'_> {
    fn tagged(self, tag: u8, bytes: &[u8]) {
        self.0.update([tag]);
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }
}

impl<'de> serde::de::Visitor<'de> for Canonical<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.tagged(b'n', &[]);
        Ok(())
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.tagged(b'b', &[u8::from(v)]);
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.tagged(b'i', &v.to_le_bytes());
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.tagged(b'u', &v.to_le_bytes());
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.tagged(b'f', &v.to_bits().to_le_bytes());
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.tagged(b's', v.as_bytes());
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.update(b"[");
        while seq.next_element_seed(Canonical(self.0))?.is_some() {}
        self.0.update(b"]");
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut members: Vec<(String, [u8; 32])> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let mut value = Sha256::new();
            map.next_value_seed(Canonical(&mut value))?;
            members.push((key, value.finalize().into()));
        }
        members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if let Some(pair) = members.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(serde::de::Error::custom(format_args!(
                "duplicate key `{}`",
                pair[0].0
            )));
        }
        self.0.update(b"{");
        for (key, value) in &members {
            self.0.update((key.len() as u64).to_le_bytes());
            self.0.update(key.as_bytes());
            self.0.update(value);
        }
        self.0.update(b"}");
        Ok(())
    }
}

impl RequestState {
    /// A state for this request, valid for `ttl`, carrying nothing yet.
    pub(crate) fn new(
        principal: Option<String>,
        method: &str,
        name: &str,
        digest: String,
        ttl: Duration,
    ) -> Self {
        Self {
            principal,
            method: method.to_owned(),
            name: name.to_owned(),
            digest,
            expires: now().saturating_add(ttl.as_secs()),
            answers: Map::new(),
            asked: Vec::new(),
            steps: Map::new(),
        }
    }

    /// The same state carrying what a round gathered: the answers, the keys it asked for, and
    /// the results of the steps that ran.
    pub(crate) fn carrying(
        mut self,
        answers: Map<String, Value>,
        asked: Vec<String>,
        steps: Map<String, Value>,
    ) -> Self {
        self.answers = answers;
        self.asked = asked;
        self.steps = steps;
        self
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
        )
        .carrying(answers, vec!["confirm".into()], Map::new())
    }

    fn raw(json: &str) -> Box<serde_json::value::RawValue> {
        serde_json::value::RawValue::from_string(json.to_owned()).unwrap()
    }

    #[test]
    fn digests_ignore_order_and_spacing_but_nothing_else() {
        let d = |json: &str| digest(Some(&raw(json)));
        assert_eq!(
            d(r#"{"a":1,"b":[1,{"x":"y","w":null}]}"#),
            d(r#" { "b" : [1, {"w":null,"x":"y"}], "a":1 } "#)
        );
        let distinct = [
            r#"{"a":1}"#,
            r#"{"a":-1}"#,
            r#"{"a":1.5}"#,
            r#"{"a":"1"}"#,
            r#"{"a":[1]}"#,
            r#"{"a":{}}"#,
            r#"{"a":null}"#,
            r#"{"a":true}"#,
            r#"{"ab":1}"#,
            r#"{"a":1,"b":1}"#,
            r#"{"a":"x","b":"y"}"#,
            r#"{"a":"xb","":"y"}"#,
            "{}",
        ];
        let digests: std::collections::HashSet<_> = distinct.iter().map(|j| d(j)).collect();
        assert_eq!(digests.len(), distinct.len());
        assert_ne!(d("{}"), digest(None));
    }

    #[test]
    fn arguments_a_value_parser_refuses_are_digested_as_sent() {
        // Each of these once digested as "no arguments", so a state sealed for one call
        // opened for any other.
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        let unreadable = [
            r#"{"a":1e400}"#.to_owned(),
            r#"{"a":"\ud800"}"#.to_owned(),
            deep,
            r#"{"a":1,"a":2}"#.to_owned(),
        ];
        let mut seen = std::collections::HashSet::new();
        for json in &unreadable {
            let d = digest(Some(&raw(json)));
            assert_ne!(d, digest(None), "{json}");
            assert_ne!(d, digest(Some(&raw("{}"))), "{json}");
            assert!(seen.insert(d), "{json}");
        }
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
