//! API client credentials: random client ids and 256-bit secrets, stored as keyed digests.
//!
//! A secret of 256 random bits cannot be guessed, so a slow password hash adds nothing but a cost
//! every `/token` attempt makes the gateway pay. Secrets are stored as HMAC-SHA256 under a key
//! derived from the JWT secret: a copy of the database alone neither reveals a secret nor lets
//! anyone plant a digest of their own. Argon2id hashes stored before still verify (see
//! [`verify_legacy`]) until their next success replaces them.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::Mac;
use secrecy::{ExposeSecret, SecretString};

use crate::crypto::{hmac_feed, hmac_sha256, HmacSha256};

const CLIENT_ID_PREFIX: &str = "pc_";
const CLIENT_ID_BYTES: usize = 12;
/// `pc_` and 16 URL-safe base64 characters.
const CLIENT_ID_LEN: usize = CLIENT_ID_PREFIX.len() + CLIENT_ID_BYTES * 4 / 3;
/// 256 bits.
const CLIENT_SECRET_BYTES: usize = 32;
/// How a stored keyed digest begins (an Argon2 PHC string begins with `$argon2`).
const DIGEST_PREFIX: &str = "hmac-sha256$";
/// What the digest key is derived for, so that it never equals the JWT signing key.
const DIGEST_KEY_LABEL: &[u8] = b"passerelle client secret digest v1";

/// `prefix` followed by `bytes` random bytes, URL-safe.
pub(crate) fn random_token(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(buf))
}

pub fn new_client_id() -> String {
    random_token(CLIENT_ID_PREFIX, CLIENT_ID_BYTES)
}

pub fn new_client_secret() -> String {
    random_token("ps_", CLIENT_SECRET_BYTES)
}

/// Whether `client_id` has the shape [`new_client_id`] gives, so that anything else is refused
/// before a lookup.
pub fn is_client_id(client_id: &str) -> bool {
    client_id.len() == CLIENT_ID_LEN
        && client_id.strip_prefix(CLIENT_ID_PREFIX).is_some_and(|rest| {
            rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Computes and checks the stored form of client secrets.
pub struct SecretDigests {
    key: HmacSha256,
    /// The digest of a secret nobody has, checked when the clientId is unknown so that an
    /// unknown clientId costs what a wrong secret does.
    decoy: String,
}

impl SecretDigests {
    /// Keyed by HMAC-SHA256(jwt_secret, label): every process that issues or checks secrets
    /// (`serve`, `account create`, `demo`) already holds the JWT secret.
    pub fn new(jwt_secret: &SecretString) -> Self {
        let key = derived_mac(jwt_secret, DIGEST_KEY_LABEL);
        let mut digests = Self { key, decoy: String::new() };
        digests.decoy = digests.digest(&new_client_secret());
        digests
    }

    /// The stored form of `secret`.
    pub fn digest(&self, secret: &str) -> String {
        let mac = hmac_feed(self.key.clone(), &[secret.as_bytes()]);
        format!("{DIGEST_PREFIX}{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    /// Checks `secret` against a stored digest in constant time (`stored: None`, an unknown
    /// client, checks it against the decoy). `None` when `stored` is not a digest: an Argon2
    /// hash from before, for [`verify_legacy`].
    pub fn verify(&self, secret: &str, stored: Option<&str>) -> Option<bool> {
        let (stored, known) = match stored {
            Some(stored) => (stored, true),
            None => (self.decoy.as_str(), false),
        };
        let encoded = stored.strip_prefix(DIGEST_PREFIX)?;
        let Ok(expected) = URL_SAFE_NO_PAD.decode(encoded) else { return Some(false) };
        let mac = hmac_feed(self.key.clone(), &[secret.as_bytes()]);
        Some(mac.verify_slice(&expected).is_ok() && known)
    }
}

/// An HMAC-SHA256 keyed by HMAC-SHA256(jwt_secret, label): one key per purpose, none equal to the
/// JWT signing key, and the same in every process that holds the JWT secret.
pub(crate) fn derived_mac(jwt_secret: &SecretString, label: &[u8]) -> HmacSha256 {
    let derived = hmac_sha256(jwt_secret.expose_secret().as_bytes(), &[label]);
    hmac_sha256(&derived.finalize().into_bytes(), &[])
}

/// Checks `secret` against an Argon2 PHC string stored before the digests (slow: run it on the
/// blocking pool). A malformed hash never matches.
pub fn verify_legacy(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(secret.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, SaltString};

    use super::*;

    fn digests(jwt: &str) -> SecretDigests {
        SecretDigests::new(&SecretString::from(jwt.to_owned()))
    }

    #[test]
    fn a_secret_verifies_against_its_digest_and_nothing_else_does() {
        let digests = digests("0123456789abcdef0123456789abcdef");
        let secret = new_client_secret();
        let stored = digests.digest(&secret);
        assert!(stored.starts_with("hmac-sha256$"));
        assert!(!stored.contains(&secret[3..]));
        assert_eq!(digests.verify(&secret, Some(&stored)), Some(true));
        assert_eq!(digests.verify("ps_wrong", Some(&stored)), Some(false));
        assert_eq!(digests.verify(&secret, Some("hmac-sha256$!!")), Some(false));
        assert_eq!(digests.verify(&secret, None), Some(false));
        // Another key makes another digest.
        let other = self::digests("another-secret-another-secret-xx");
        assert_ne!(other.digest(&secret), stored);
        assert_eq!(other.verify(&secret, Some(&stored)), Some(false));
    }

    #[test]
    fn an_argon2_hash_from_before_is_left_to_the_legacy_check() {
        let digests = digests("0123456789abcdef0123456789abcdef");
        let secret = new_client_secret();
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default().hash_password(secret.as_bytes(), &salt).unwrap().to_string();
        assert_eq!(digests.verify(&secret, Some(&hash)), None);
        assert!(verify_legacy(&secret, &hash));
        assert!(!verify_legacy("ps_wrong", &hash));
        assert!(!verify_legacy(&secret, "not a hash"));
    }

    #[test]
    fn generated_credentials_are_unique_prefixed_and_long_enough() {
        let (a, b) = (new_client_secret(), new_client_secret());
        assert_ne!(a, b);
        // 256 bits: 43 base64 characters after the prefix.
        assert!(a.starts_with("ps_") && a.len() == 3 + 43);
        let id = new_client_id();
        assert!(id.starts_with("pc_") && is_client_id(&id), "{id}");
    }

    #[test]
    fn only_the_generated_client_id_shape_is_accepted() {
        assert!(is_client_id("pc_AbCdEfGh-_012345"));
        for bad in
            ["", "pc_unknown", "pc_AbCdEfGh-_0123456", "xx_AbCdEfGh-_012345", "pc_AbCdEfGh-_01234="]
        {
            assert!(!is_client_id(bad), "{bad}");
        }
        assert!(!is_client_id("pc_AbCdEfGh-_01234é"));
    }
}
