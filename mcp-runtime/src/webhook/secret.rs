//! The signing secret: `whsec_` followed by base64 of 24 to 64 random bytes.

use std::fmt;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;

/// The prefix of every Standard Webhooks symmetric secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// The fewest bytes a secret may decode to (Standard Webhooks, MCP Events extension).
pub const MIN_SECRET_BYTES: usize = 24;
/// The most bytes a secret may decode to (Standard Webhooks, MCP Events extension).
pub const MAX_SECRET_BYTES: usize = 64;
/// Bytes in a secret made by [`WebhookSecret::generate`].
const GENERATED_SECRET_BYTES: usize = 32;

/// Standard base64, with or without the trailing `=`.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A webhook signing secret: the HMAC-SHA256 key of Standard Webhooks `v1` signatures.
///
/// Written as `whsec_` followed by the standard base64 of 24 to 64 bytes. Under the MCP Events
/// extension the client supplies it (`delivery.secret`) and the server never makes one; a server
/// that hands out secrets itself instead (as SEP-1803 proposed) makes one with
/// [`generate`](Self::generate) and gives the client [`to_whsec`](Self::to_whsec).
///
/// `Debug` does not show the key.
///
/// ```
/// use mcp_runtime::webhook::WebhookSecret;
///
/// let secret = WebhookSecret::generate();
/// let text = secret.to_whsec();
/// assert!(text.starts_with("whsec_"));
/// assert_eq!(WebhookSecret::parse(&text).unwrap(), secret);
/// assert!(WebhookSecret::parse("hunter2").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl WebhookSecret {
    /// Reads a `whsec_…` secret; its base64 must decode to 24 to 64 bytes.
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SecretError::MissingPrefix)?;
        // Base64 of 64 bytes is 88 characters; anything much longer is refused before decoding.
        if encoded.len() > 4 * MAX_SECRET_BYTES.div_ceil(3) {
            return Err(SecretError::Length {
                bytes: encoded.len() / 4 * 3,
            });
        }
        let key = LENIENT
            .decode(encoded)
            .map_err(|_| SecretError::NotBase64)?;
        if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&key.len()) {
            return Err(SecretError::Length { bytes: key.len() });
        }
        Ok(Self { key })
    }

    /// A new secret of 32 bytes from the operating system's random source.
    pub fn generate() -> Self {
        let mut key = vec![0u8; GENERATED_SECRET_BYTES];
        OsRng.fill_bytes(&mut key);
        Self { key }
    }

    /// The secret written out: `whsec_` and the padded standard base64 of its bytes.
    pub fn to_whsec(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.key))
    }

    /// The HMAC key: the decoded bytes after `whsec_`.
    pub(crate) fn key(&self) -> &[u8] {
        &self.key
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookSecret(whsec_…, {} bytes)", self.key.len())
    }
}

/// Why a text is not a webhook secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// It does not start with `whsec_`.
    #[error("it must start with \"whsec_\" followed by base64 of 24 to 64 random bytes")]
    MissingPrefix,
    /// What follows `whsec_` is not standard base64.
    #[error("the part after \"whsec_\" is not valid standard base64")]
    NotBase64,
    /// The base64 decodes to too few or too many bytes.
    #[error("it decodes to {bytes} bytes; it must decode to 24 to 64 bytes")]
    Length {
        /// How many bytes it decodes to (about that many, when far too long to decode).
        bytes: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        let ok = format!("whsec_{}", STANDARD.encode([7u8; 24]));
        assert_eq!(WebhookSecret::parse(&ok).unwrap().key(), &[7u8; 24]);
        // Unpadded base64 is read too.
        let unpadded = format!("whsec_{}", STANDARD.encode([7u8; 32]).trim_end_matches('='));
        assert_eq!(WebhookSecret::parse(&unpadded).unwrap().key().len(), 32);

        assert_eq!(
            WebhookSecret::parse(&STANDARD.encode([7u8; 24])),
            Err(SecretError::MissingPrefix)
        );
        assert_eq!(
            WebhookSecret::parse("whsec_not base64!"),
            Err(SecretError::NotBase64)
        );
        let short = format!("whsec_{}", STANDARD.encode([7u8; 16]));
        assert_eq!(
            WebhookSecret::parse(&short),
            Err(SecretError::Length { bytes: 16 })
        );
        let long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        assert!(matches!(
            WebhookSecret::parse(&long),
            Err(SecretError::Length { .. })
        ));
        let huge = format!("whsec_{}", "A".repeat(10_000));
        assert!(matches!(
            WebhookSecret::parse(&huge),
            Err(SecretError::Length { .. })
        ));
    }

    #[test]
    fn generated_secrets_round_trip_and_differ() {
        let a = WebhookSecret::generate();
        let b = WebhookSecret::generate();
        assert_ne!(a, b);
        assert_eq!(WebhookSecret::parse(&a.to_whsec()).unwrap(), a);
        assert!(!format!("{a:?}").contains(&a.to_whsec()[6..]));
    }
}
