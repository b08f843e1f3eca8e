//! Sealing case notes: authenticated encryption (ChaCha20-Poly1305, from `ring`) with a key that
//! lives outside the database (`WCL_CASE_KEY`, or a key file at `WCL_CASE_KEY_FILE`).
//!
//! A sealed value is `key_id:base64(nonce || ciphertext || tag)`. Every value gets a fresh random
//! nonce, and its associated data names the case and the note (see [`domain::support::note_aad`]),
//! so a ciphertext copied onto another case or note fails to open. Several keys may be configured:
//! the first seals, all of them open, so that old notes stay readable while `wcl support
//! rotate-key` re-seals them with the current key. A key's id is a hash of the key, never the key.
//! Nothing here logs, and no error message carries plaintext or key material.
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ring::aead::{self, Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};
use std::path::Path;

pub const KEY_LEN: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error(
        "a case key must be 32 bytes, written as 64 hex digits or 44 base64 characters (generate one with `wcl support new-key`)"
    )]
    BadKey,
    #[error("no case key is configured (set WCL_CASE_KEY or WCL_CASE_KEY_FILE)")]
    NoKey,
    #[error("sealed with key {0}, which is not configured")]
    UnknownKey(String),
    /// Wrong key, a changed byte, or a value moved from another case or note.
    #[error("the sealed value does not open: it was altered, or belongs to another record")]
    Tampered,
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("the random generator failed")]
    Random,
    #[error("cannot read the key file {0}: {1}")]
    File(String, String),
}

struct Key {
    id: String,
    key: LessSafeKey,
}

/// The configured keys: the first seals, every one opens.
pub struct Keyring {
    keys: Vec<Key>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Ids only: key bytes never reach a log or an error message.
        f.debug_struct("Keyring").field("ids", &self.ids()).finish()
    }
}

/// Decodes a key written as 64 hex digits or as base64 (with or without padding).
pub fn decode_key(s: &str) -> Result<[u8; KEY_LEN], SealError> {
    let s = s.trim();
    let bytes = if s.len() == 2 * KEY_LEN && s.chars().all(|c| c.is_ascii_hexdigit()) {
        hex::decode(s).map_err(|_| SealError::BadKey)?
    } else {
        B64.decode(s)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(s))
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(s))
            .map_err(|_| SealError::BadKey)?
    };
    bytes.try_into().map_err(|_| SealError::BadKey)
}

/// The id of a key: the first 12 hex digits of a hash of it (safe to store and show).
pub fn key_id(key: &[u8; KEY_LEN]) -> String {
    let mut h = Sha256::new();
    h.update(b"wcl-case-key-id:");
    h.update(key);
    hex::encode(h.finalize())[..12].to_string()
}

/// A new random key, base64, for `wcl support new-key` and the demo.
pub fn generate_key() -> Result<String, SealError> {
    let mut k = [0u8; KEY_LEN];
    SystemRandom::new()
        .fill(&mut k)
        .map_err(|_| SealError::Random)?;
    Ok(B64.encode(k))
}

impl Keyring {
    /// From keys as text, the current one first. Blank entries and `#` comments are skipped.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<Self, SealError> {
        let mut keys: Vec<Key> = vec![];
        for t in texts {
            let t = t.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let raw = decode_key(t)?;
            let id = key_id(&raw);
            if keys.iter().any(|k| k.id == id) {
                continue;
            }
            let key = LessSafeKey::new(
                UnboundKey::new(&CHACHA20_POLY1305, &raw).map_err(|_| SealError::BadKey)?,
            );
            keys.push(Key { id, key });
        }
        if keys.is_empty() {
            return Err(SealError::NoKey);
        }
        Ok(Self { keys })
    }

    /// `WCL_CASE_KEY` may hold several keys separated by commas or spaces, the current one first.
    pub fn from_list(s: &str) -> Result<Self, SealError> {
        Self::from_texts(s.split([',', ' ', '\n']))
    }

    /// A key file holds one key per line, the current one first; `#` starts a comment line.
    pub fn from_file(path: &Path) -> Result<Self, SealError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| SealError::File(path.display().to_string(), e.to_string()))?;
        Self::from_texts(text.lines())
    }

    /// The id of the key new values are sealed with.
    pub fn current_id(&self) -> &str {
        &self.keys[0].id
    }

    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.id.as_str()).collect()
    }

    /// Seals `plaintext` with the current key, bound to `aad`. Returns the stored form and the
    /// key id.
    pub fn seal(&self, plaintext: &str, aad: &[u8]) -> Result<(String, String), SealError> {
        let k = &self.keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SealError::Random)?;
        let mut buf = plaintext.as_bytes().to_vec();
        k.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut buf,
            )
            .map_err(|_| SealError::Random)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok((format!("{}:{}", k.id, B64.encode(out)), k.id.clone()))
    }

    /// Opens a stored value with the key it names.
    pub fn open(&self, stored: &str, aad: &[u8]) -> Result<String, SealError> {
        let (id, body) = stored.split_once(':').ok_or(SealError::Malformed)?;
        let k = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| SealError::UnknownKey(id.to_string()))?;
        let mut bytes = B64.decode(body).map_err(|_| SealError::Malformed)?;
        if bytes.len() < NONCE_LEN + aead::MAX_TAG_LEN {
            return Err(SealError::Malformed);
        }
        let mut ct = bytes.split_off(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = bytes.try_into().map_err(|_| SealError::Malformed)?;
        let plain = k
            .key
            .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut ct)
            .map_err(|_| SealError::Tampered)?;
        String::from_utf8(plain.to_vec()).map_err(|_| SealError::Malformed)
    }

    /// Whether a stored value was sealed with an older key.
    pub fn is_current(&self, stored: &str) -> bool {
        stored
            .split_once(':')
            .is_some_and(|(id, _)| id == self.current_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(keys: &[&str]) -> Keyring {
        Keyring::from_texts(keys.iter().copied()).unwrap()
    }

    #[test]
    fn seals_and_opens_with_a_fresh_nonce_each_time() {
        let k = generate_key().unwrap();
        let r = ring(&[&k]);
        let (a, id) = r.seal("Жолугушуу болду", b"case1:note1").unwrap();
        let (b, _) = r.seal("Жолугушуу болду", b"case1:note1").unwrap();
        assert_ne!(a, b, "a random nonce per value");
        assert!(a.starts_with(&format!("{id}:")));
        assert!(!a.contains("Жолугушуу"));
        assert_eq!(r.open(&a, b"case1:note1").unwrap(), "Жолугушуу болду");
        assert!(!format!("{r:?}").contains(&k), "Debug shows ids only");
    }

    #[test]
    fn tampering_moving_and_wrong_keys_fail_cleanly() {
        let r = ring(&[&generate_key().unwrap()]);
        let (s, _) = r.seal("secret", b"case1:note1").unwrap();
        assert_eq!(r.open(&s, b"case2:note1"), Err(SealError::Tampered));
        let (id, body) = s.split_once(':').unwrap();
        let mut bytes = B64.decode(body).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let bad = format!("{id}:{}", B64.encode(&bytes));
        assert_eq!(r.open(&bad, b"case1:note1"), Err(SealError::Tampered));
        assert_eq!(r.open("nonsense", b""), Err(SealError::Malformed));
        assert_eq!(
            r.open(&format!("{id}:AAAA"), b""),
            Err(SealError::Malformed)
        );
        let other = ring(&[&generate_key().unwrap()]);
        assert!(matches!(
            other.open(&s, b"case1:note1"),
            Err(SealError::UnknownKey(_))
        ));
    }

    #[test]
    fn old_keys_still_open_after_rotation() {
        let (old, new) = (generate_key().unwrap(), generate_key().unwrap());
        let before = ring(&[&old]);
        let (s, _) = before.seal("note", b"a").unwrap();
        let after = Keyring::from_list(&format!("{new},{old}")).unwrap();
        assert!(!after.is_current(&s));
        assert_eq!(after.open(&s, b"a").unwrap(), "note");
        let (s2, id2) = after.seal("note", b"a").unwrap();
        assert_eq!(id2, after.current_id());
        assert!(after.is_current(&s2));
    }

    #[test]
    fn keys_are_read_as_hex_or_base64_and_checked() {
        let hex_key = "00".repeat(32);
        assert_eq!(decode_key(&hex_key).unwrap(), [0u8; 32]);
        assert_eq!(decode_key(&B64.encode([7u8; 32])).unwrap(), [7u8; 32]);
        assert_eq!(decode_key("short"), Err(SealError::BadKey));
        assert_eq!(decode_key(&B64.encode([7u8; 16])), Err(SealError::BadKey));
        assert!(matches!(
            Keyring::from_texts(["# only a comment", ""]),
            Err(SealError::NoKey)
        ));
    }
}
