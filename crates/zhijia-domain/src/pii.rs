//! Protection of personal data at rest: AES-256-GCM encryption and an HMAC blind index.
//!
//! The ciphertext holds the value; the blind index (a keyed hash) lets the store find a row by
//! the value and refuse duplicates without ever holding the plaintext. Two independent keys are
//! used so that leaking the index key does not weaken the encryption.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

const NONCE_LEN: usize = 12;
/// Bytes of the HMAC kept as the index: 128 bits make an accidental collision between two
/// people practically impossible at any national scale.
pub const INDEX_LEN: usize = 16;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("个人信息加密密钥应为128位十六进制字符(运行 zhijia keygen 生成)")]
    Malformed,
    #[error("个人信息密文已损坏，或不是用当前密钥加密的")]
    Undecryptable,
}

/// The two keys, loaded from configuration. `Debug` never shows them.
#[derive(Clone)]
pub struct PiiKeys {
    cipher: Aes256Gcm,
    /// Keyed once at load; cloned per value, which skips the key schedule.
    index_mac: Hmac<Sha256>,
}

impl fmt::Debug for PiiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PiiKeys(<redacted>)")
    }
}

impl PiiKeys {
    /// Reads the 64 key bytes written as 128 hexadecimal characters.
    pub fn from_hex(s: &str) -> Result<Self, KeyError> {
        let bytes = hex::decode(s.trim()).map_err(|_| KeyError::Malformed)?;
        if bytes.len() != 64 {
            return Err(KeyError::Malformed);
        }
        let cipher = Aes256Gcm::new_from_slice(&bytes[..32]).map_err(|_| KeyError::Malformed)?;
        let index_mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&bytes[32..]).map_err(|_| KeyError::Malformed)?;
        Ok(Self { cipher, index_mac })
    }

    /// Fresh random key material, as 128 hexadecimal characters.
    pub fn generate_hex() -> String {
        let a = Aes256Gcm::generate_key(OsRng);
        let b = Aes256Gcm::generate_key(OsRng);
        format!("{}{}", hex::encode(a), hex::encode(b))
    }

    /// Encrypts with a fresh random nonce; the output is nonce followed by ciphertext and tag.
    pub fn encrypt(&self, plaintext: &str) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(OsRng);
        let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + 16);
        out.extend_from_slice(&nonce);
        // Encryption with a valid key and an in-memory buffer cannot fail; an empty result would
        // simply fail to decrypt later rather than panic here.
        if let Ok(ct) = self.cipher.encrypt(&nonce, plaintext.as_bytes()) {
            out.extend_from_slice(&ct);
        }
        out
    }

    pub fn decrypt(&self, data: &[u8]) -> Result<String, KeyError> {
        if data.len() < NONCE_LEN + 16 {
            return Err(KeyError::Undecryptable);
        }
        let (nonce, ct) = data.split_at(NONCE_LEN);
        let pt = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| KeyError::Undecryptable)?;
        String::from_utf8(pt).map_err(|_| KeyError::Undecryptable)
    }

    /// Keyed hash of a normalised value, for lookup and duplicate detection.
    pub fn blind_index(&self, value: &str) -> [u8; INDEX_LEN] {
        let mut mac = self.index_mac.clone();
        mac.update(value.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; INDEX_LEN];
        out.copy_from_slice(&full[..INDEX_LEN]);
        out
    }

    /// A 32-byte key for another purpose (signing member-card QR codes, say), derived from the
    /// blind-index key so deployments keep configuring one secret.
    ///
    /// Each `label` (e.g. `"card/v1"`) gives an independent key: HMAC-SHA256 is a PRF, so
    /// outputs for different labels reveal nothing about each other. The input is prefixed with
    /// a fixed tag holding a NUL byte, which no normalised value ever fed to
    /// [`blind_index`](Self::blind_index) contains, so a derived key is never equal to (or a
    /// prefix of) a stored index, and an index leaked from the database is never a usable key.
    pub fn derive_key(&self, label: &str) -> [u8; 32] {
        let mut mac = self.index_mac.clone();
        mac.update(DERIVE_TAG);
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// Domain separation between [`PiiKeys::derive_key`] and [`PiiKeys::blind_index`] inputs.
const DERIVE_TAG: &[u8] = b"zhijia/derive-key\0";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_never_repeats_a_ciphertext() {
        let keys = PiiKeys::from_hex(&PiiKeys::generate_hex()).unwrap();
        let a = keys.encrypt("11010519491231002X");
        let b = keys.encrypt("11010519491231002X");
        assert_ne!(a, b, "a fresh nonce per value");
        assert_eq!(keys.decrypt(&a).unwrap(), "11010519491231002X");
        assert!(!a.windows(8).any(|w| w == b"19491231"));
    }

    #[test]
    fn another_key_cannot_decrypt_and_tampering_is_detected() {
        let k1 = PiiKeys::from_hex(&PiiKeys::generate_hex()).unwrap();
        let k2 = PiiKeys::from_hex(&PiiKeys::generate_hex()).unwrap();
        let mut ct = k1.encrypt("secret");
        assert_eq!(k2.decrypt(&ct), Err(KeyError::Undecryptable));
        let last = ct.len() - 1;
        ct[last] ^= 1;
        assert_eq!(k1.decrypt(&ct), Err(KeyError::Undecryptable));
    }

    #[test]
    fn blind_index_is_stable_per_key() {
        let k1 = PiiKeys::from_hex(&PiiKeys::generate_hex()).unwrap();
        let k2 = PiiKeys::from_hex(&PiiKeys::generate_hex()).unwrap();
        assert_eq!(k1.blind_index("x"), k1.blind_index("x"));
        assert_ne!(k1.blind_index("x"), k2.blind_index("x"));
        assert_ne!(k1.blind_index("x"), k1.blind_index("y"));
    }

    #[test]
    fn derived_keys_are_stable_and_independent() {
        let k1 = PiiKeys::from_hex(&PiiKeys::generate_hex()).unwrap();
        let k2 = PiiKeys::from_hex(&PiiKeys::generate_hex()).unwrap();
        assert_eq!(k1.derive_key("card/v1"), k1.derive_key("card/v1"));
        assert_ne!(k1.derive_key("card/v1"), k1.derive_key("coupon/v1"));
        assert_ne!(k1.derive_key("card/v1"), k2.derive_key("card/v1"));
        assert_ne!(
            k1.derive_key("card/v1")[..INDEX_LEN],
            k1.blind_index("card/v1")
        );
    }

    #[test]
    fn malformed_keys_are_refused() {
        assert_eq!(PiiKeys::from_hex("abcd").unwrap_err(), KeyError::Malformed);
        assert!(
            format!("{:?}", PiiKeys::from_hex(&PiiKeys::generate_hex()).unwrap())
                .contains("redacted")
        );
    }
}
