//! Credentials at rest: AES-256-GCM under the master key, a random nonce per encryption, the key id
//! stored beside each ciphertext so that the master key can be rotated without losing a row.

use std::collections::HashMap;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// A keyed HMAC-SHA256.
pub type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 keyed by `key` over `parts` in order, ready to finalize or verify (in constant
/// time, with `verify_slice`).
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    let mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    hmac_feed(mac, parts)
}

/// `mac` (keyed, perhaps fed already) fed `parts` in order.
pub fn hmac_feed(mut mac: HmacSha256, parts: &[&[u8]]) -> HmacSha256 {
    for part in parts {
        mac.update(part);
    }
    mac
}

/// Lower-case hex HMAC-SHA256 keyed by `key` over `parts` in order.
pub fn hmac_sha256_hex(key: &[u8], parts: &[&[u8]]) -> String {
    hex(&hmac_sha256(key, parts).finalize().into_bytes())
}

/// One 32-byte master key and the id derived from it (never the key itself).
#[derive(Clone)]
pub struct MasterKey {
    id: String,
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl MasterKey {
    /// Parses base64 of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| "is not valid base64 (generate one with `openssl rand -base64 32`)")?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            format!("must decode to 32 bytes, not {} (use `openssl rand -base64 32`)", b.len())
        })?;
        Ok(Self::from_bytes(&bytes))
    }

    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        let digest = Sha256::new().chain_update(b"passerelle-master-key-id").chain_update(bytes);
        let id = digest.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self { id, cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(bytes)) }
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// A ciphertext as stored: which key sealed it, its nonce, and the sealed bytes (tag included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("no master key with id {0} is configured (set it in PASSERELLE_PREVIOUS_MASTER_KEYS)")]
    UnknownKey(String),
    #[error("ciphertext failed authentication")]
    Tampered,
    #[error("encryption failed")]
    Encrypt,
}

/// The current key, which seals, and the previous ones, which still open older rows.
#[derive(Debug, Clone)]
pub struct Keyring {
    current: MasterKey,
    previous: HashMap<String, MasterKey>,
}

impl Keyring {
    pub fn new(current: MasterKey, previous: Vec<MasterKey>) -> Self {
        let previous = previous.into_iter().map(|k| (k.id.clone(), k)).collect();
        Self { current, previous }
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plaintext` under the current key; `context` (e.g. the row id) is bound as associated
    /// data, so a ciphertext copied onto another row does not open.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Sealed, CryptoError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .current
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad: context.as_bytes() })
            .map_err(|_| CryptoError::Encrypt)?;
        Ok(Sealed { key_id: self.current.id.clone(), nonce: nonce.to_vec(), ciphertext })
    }

    pub fn open(&self, context: &str, sealed: &Sealed) -> Result<Vec<u8>, CryptoError> {
        let key = if sealed.key_id == self.current.id {
            &self.current
        } else {
            self.previous
                .get(&sealed.key_id)
                .ok_or_else(|| CryptoError::UnknownKey(sealed.key_id.clone()))?
        };
        if sealed.nonce.len() != 12 {
            return Err(CryptoError::Tampered);
        }
        key.cipher
            .decrypt(
                Nonce::from_slice(&sealed.nonce),
                Payload { msg: &sealed.ciphertext, aad: context.as_bytes() },
            )
            .map_err(|_| CryptoError::Tampered)
    }
}

/// Lower-case hex SHA-256 of `data`: what is stored of a value that is only ever compared.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Lower-case hexadecimal.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(2 * bytes.len()), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> MasterKey {
        MasterKey::from_bytes(&[byte; 32])
    }

    #[test]
    fn a_sealed_secret_opens_with_the_same_context_only() {
        let ring = Keyring::new(key(1), vec![]);
        let sealed = ring.seal("row-1", b"token").unwrap();
        assert_eq!(ring.open("row-1", &sealed).unwrap(), b"token");
        assert_eq!(ring.open("row-2", &sealed), Err(CryptoError::Tampered));
        assert!(!sealed.ciphertext.windows(5).any(|w| w == b"token"));
    }

    #[test]
    fn every_encryption_uses_a_fresh_nonce() {
        let ring = Keyring::new(key(1), vec![]);
        let a = ring.seal("c", b"same").unwrap();
        let b = ring.seal("c", b"same").unwrap();
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.ciphertext, b.ciphertext);
    }

    #[test]
    fn rows_sealed_under_a_previous_key_still_open() {
        let old = Keyring::new(key(1), vec![]);
        let sealed = old.seal("c", b"secret").unwrap();
        let rotated = Keyring::new(key(2), vec![key(1)]);
        assert_eq!(rotated.open("c", &sealed).unwrap(), b"secret");
        let forgotten = Keyring::new(key(2), vec![]);
        assert!(matches!(forgotten.open("c", &sealed), Err(CryptoError::UnknownKey(_))));
    }

    #[test]
    fn a_malformed_master_key_is_refused_with_the_reason() {
        assert!(MasterKey::from_base64("not base64!").unwrap_err().contains("base64"));
        let short = STANDARD.encode([0u8; 16]);
        assert!(MasterKey::from_base64(&short).unwrap_err().contains("32 bytes, not 16"));
        let good = STANDARD.encode([7u8; 32]);
        assert_eq!(MasterKey::from_base64(&good).unwrap().id(), key(7).id());
    }
}
