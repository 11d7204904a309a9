//! The tokens of the connect page: activation links and the CSRF tokens of their forms.
//!
//! A link token is 18 random bytes and an HMAC of them, so a token this gateway never issued is
//! refused before any database lookup. The database keeps only a SHA-256 of the token
//! ([`link_hash`]): a copy of it opens no link. The form's CSRF token is an HMAC of the link and
//! of a random nonce that the browser also holds in a cookie (double submit): a form posted from
//! another site carries neither, and a token copied from one link does not open another. Both keys
//! derive from the JWT secret, which every replica shares.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::Mac;
use secrecy::SecretString;

use crate::auth::secrets::{derived_mac, random_token};
use crate::crypto::{hmac_feed, HmacSha256};

const LINK_KEY_LABEL: &[u8] = b"passerelle connect link v1";
const CSRF_KEY_LABEL: &[u8] = b"passerelle connect csrf v1";
/// Random bytes of a link token (144 bits) and of a CSRF nonce.
const RANDOM_BYTES: usize = 18;
/// The random part in URL-safe base64.
const RANDOM_CHARS: usize = RANDOM_BYTES * 4 / 3;
/// An HMAC-SHA256 in URL-safe base64 without padding.
const MAC_CHARS: usize = 43;
/// A link token: the random part, `.`, its MAC.
pub const LINK_TOKEN_CHARS: usize = RANDOM_CHARS + 1 + MAC_CHARS;

pub struct ConnectKeys {
    link: HmacSha256,
    csrf: HmacSha256,
}

impl ConnectKeys {
    pub fn new(jwt_secret: &SecretString) -> Self {
        Self {
            link: derived_mac(jwt_secret, LINK_KEY_LABEL),
            csrf: derived_mac(jwt_secret, CSRF_KEY_LABEL),
        }
    }

    /// A new link token, URL-safe.
    pub fn new_link_token(&self) -> String {
        let random = random_token("", RANDOM_BYTES);
        let mac = sign(&self.link, &[random.as_bytes()]);
        format!("{random}.{mac}")
    }

    /// Whether this gateway issued `token` (in constant time; nothing else is looked at).
    pub fn issued(&self, token: &str) -> bool {
        if token.len() != LINK_TOKEN_CHARS {
            return false;
        }
        let Some((random, mac)) = token.split_once('.') else { return false };
        verify(&self.link, &[random.as_bytes()], mac)
    }

    /// A new nonce for the CSRF cookie.
    pub fn new_nonce() -> String {
        random_token("", RANDOM_BYTES)
    }

    /// The CSRF token of the forms of the link whose hash is `link_hash`, for `nonce`.
    pub fn csrf_token(&self, link_hash: &str, nonce: &str) -> String {
        sign(&self.csrf, &[link_hash.as_bytes(), b".", nonce.as_bytes()])
    }

    /// Whether `given` is the CSRF token of this link and nonce (in constant time).
    pub fn csrf_ok(&self, link_hash: &str, nonce: &str, given: &str) -> bool {
        nonce.len() == RANDOM_CHARS
            && verify(&self.csrf, &[link_hash.as_bytes(), b".", nonce.as_bytes()], given)
    }
}

fn sign(key: &HmacSha256, parts: &[&[u8]]) -> String {
    URL_SAFE_NO_PAD.encode(hmac_feed(key.clone(), parts).finalize().into_bytes())
}

fn verify(key: &HmacSha256, parts: &[&[u8]], given: &str) -> bool {
    let Ok(given) = URL_SAFE_NO_PAD.decode(given) else { return false };
    hmac_feed(key.clone(), parts).verify_slice(&given).is_ok()
}

/// What the database keeps of a link token: its SHA-256, in hex.
pub fn link_hash(token: &str) -> String {
    crate::crypto::sha256_hex(token.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> ConnectKeys {
        ConnectKeys::new(&SecretString::from(secret.to_owned()))
    }

    #[test]
    fn a_link_token_is_recognised_by_its_issuer_only() {
        let keys = keys("0123456789abcdef0123456789abcdef");
        let token = keys.new_link_token();
        assert_eq!(token.len(), LINK_TOKEN_CHARS);
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        assert!(keys.issued(&token));
        assert!(!self::keys("another-secret-another-secret-xx").issued(&token));
        let mut forged = token.clone().into_bytes();
        forged[0] = if forged[0] == b'A' { b'B' } else { b'A' };
        assert!(!keys.issued(&String::from_utf8(forged).unwrap()));
        assert!(!keys.issued("short"));
        assert_ne!(keys.new_link_token(), token);
    }

    #[test]
    fn a_csrf_token_is_bound_to_its_link_and_nonce() {
        let keys = keys("0123456789abcdef0123456789abcdef");
        let nonce = ConnectKeys::new_nonce();
        let csrf = keys.csrf_token("hash-a", &nonce);
        assert!(keys.csrf_ok("hash-a", &nonce, &csrf));
        assert!(!keys.csrf_ok("hash-b", &nonce, &csrf));
        assert!(!keys.csrf_ok("hash-a", &ConnectKeys::new_nonce(), &csrf));
        assert!(!keys.csrf_ok("hash-a", &nonce, "not-base64!"));
        assert!(!keys.csrf_ok("hash-a", "", &keys.csrf_token("hash-a", "")));
    }

    #[test]
    fn the_stored_hash_is_a_sha256_of_the_token() {
        let hash = link_hash("abc");
        assert_eq!(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
