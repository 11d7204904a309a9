//! API client credentials: random client ids and secrets, stored only as Argon2id hashes.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// `prefix` followed by `bytes` random bytes, URL-safe.
fn random_token(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(buf))
}

pub fn new_client_id() -> String {
    random_token("pc_", 12)
}

pub fn new_client_secret() -> String {
    random_token("ps_", 32)
}

pub fn hash_secret(secret: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(secret.as_bytes(), &salt)?.to_string())
}

/// Constant-time check of `secret` against a stored PHC string. A malformed hash never matches.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(secret.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A hash of a secret nobody has, so that an unknown clientId costs as much as a wrong secret.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        hash_secret(&new_client_secret()).unwrap_or_else(|_| "$argon2id$invalid".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_verifies_against_its_hash_and_nothing_else_does() {
        let secret = new_client_secret();
        let hash = hash_secret(&secret).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains(&secret));
        assert!(verify_secret(&secret, &hash));
        assert!(!verify_secret("ps_wrong", &hash));
        assert!(!verify_secret(&secret, "not a hash"));
        assert!(!verify_secret(&secret, decoy_hash()));
    }

    #[test]
    fn generated_credentials_are_unique_and_prefixed() {
        let (a, b) = (new_client_secret(), new_client_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("ps_") && a.len() > 40);
        assert!(new_client_id().starts_with("pc_"));
    }
}
