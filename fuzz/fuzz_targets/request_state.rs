//! Opening a sealed MRTR `requestState` never panics and never succeeds for anything but a
//! state the server's keys sealed: arbitrary text, arbitrary bytes in the state's base64 form
//! (with or without a valid key id in front, so decryption is really tried), and edits or cuts
//! of one genuinely sealed state all fail to open, while that state itself opens (a positive
//! control, checked once, that keeps the target from passing vacuously).
#![no_main]

use std::sync::OnceLock;

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use libfuzzer_sys::fuzz_target;
use mcp_runtime::__private::fuzz_open_request_state;
use mcp_runtime::mrtr::StateKeys;
use sha2::{Digest, Sha256};

const KEYS: [[u8; 32]; 2] = [[7u8; 32], [9u8; 32]];
const URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The input's first byte chooses how the rest becomes the text to open (as an ASCII digit in
/// the seeds: `0` text, `1` encoded, `2`/`3` keyed, `4` edited, `5` cut).
enum Input<'a> {
    /// Any text.
    Text(&'a [u8]),
    /// Any bytes, base64-encoded as a sealed state is.
    Encoded(&'a [u8]),
    /// A key id of the ring (the first key, or the second), then any bytes, base64-encoded.
    Keyed(bool, &'a [u8]),
    /// The genuine state with characters replaced by base64 characters: 3-byte edits, a
    /// little-endian position and a character.
    Edited(&'a [u8]),
    /// The genuine state cut short (two little-endian bytes of length), then any text appended.
    Cut(u16, &'a [u8]),
}

impl<'a> Input<'a> {
    fn read(data: &'a [u8]) -> Option<Self> {
        let (&mode, rest) = data.split_first()?;
        Some(match mode % 6 {
            0 => Input::Text(rest),
            1 => Input::Encoded(rest),
            2 => Input::Keyed(false, rest),
            3 => Input::Keyed(true, rest),
            4 => Input::Edited(rest),
            _ => {
                let (keep, tail) = rest.split_at_checked(2).unwrap_or((&[0, 0], rest));
                Input::Cut(u16::from_le_bytes([keep[0], keep[1]]), tail)
            }
        })
    }
}

fn key_id(key: &[u8; 32]) -> u8 {
    Sha256::digest(key)[0]
}

/// The ring, and a state sealed by hand with its second key the way the runtime seals one:
/// key id, 12-byte nonce, ChaCha20-Poly1305 over the state's JSON with the runtime's AAD.
fn fixture() -> &'static (StateKeys, String) {
    static FIXTURE: OnceLock<(StateKeys, String)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let keys = StateKeys::new(KEYS).expect("two keys");
        let digest: String = Sha256::digest(b"")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let plaintext = serde_json::json!({
            "m": "tools/call", "n": "fuzz", "d": digest, "e": u64::MAX, "a": {"k": 1},
        });
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&KEYS[1]));
        let nonce = [3u8; 12];
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.to_string().as_bytes(),
                    aad: b"mcp-request-state-v1",
                },
            )
            .expect("sealing");
        let mut raw = vec![key_id(&KEYS[1])];
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&sealed);
        let genuine = URL.encode(raw);
        assert!(
            fuzz_open_request_state(&keys, &genuine),
            "the positive control does not open: has the sealed format changed?"
        );
        (keys, genuine)
    })
}

fuzz_target!(|data: &[u8]| {
    let (keys, genuine) = fixture();
    let Some(input) = Input::read(data) else {
        return;
    };
    let text = match input {
        Input::Text(text) => String::from_utf8_lossy(text).into_owned(),
        Input::Encoded(bytes) => URL.encode(bytes),
        Input::Keyed(second, bytes) => {
            let mut raw = vec![key_id(&KEYS[usize::from(second)])];
            raw.extend_from_slice(bytes);
            URL.encode(raw)
        }
        Input::Edited(edits) => {
            const ALPHABET: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut bytes = genuine.clone().into_bytes();
            for edit in edits.chunks_exact(3) {
                let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % bytes.len();
                bytes[at] = ALPHABET[usize::from(edit[2]) % ALPHABET.len()];
            }
            String::from_utf8(bytes).expect("base64 is ASCII")
        }
        Input::Cut(keep, tail) => {
            let keep = usize::from(keep) % (genuine.len() + 1);
            format!("{}{}", &genuine[..keep], String::from_utf8_lossy(tail))
        }
    };
    let opened = fuzz_open_request_state(keys, &text);
    assert_eq!(
        opened,
        text == *genuine,
        "a state that is not the genuine one opened: {text:?}"
    );
});
