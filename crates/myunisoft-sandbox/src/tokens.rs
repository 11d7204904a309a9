//! The API tokens the sandbox knows. They are JWT-shaped (`header.payload.signature`, base64url)
//! and carry MyUnisoft's claims: society tokens `{"type":"api","m":<schema>,"t":<third party>,
//! "s":<society id>,"iat"}`, firm tokens `{"type":"firm","m","p":<person id>,"t","iat"}`. The
//! signature is a SHA-256 over a sandbox key, so any edit of a token makes it invalid.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Firm access (schema 80): reaches every folder; needs `society-id` on folder routes.
pub const FIRM: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXBlIjoiZmlybSIsIm0iOjgwLCJwIjozMTEsInQiOiIxMDEiLCJpYXQiOjE3NjcyMjU2MDB9.5AjG4HeS-ahvhQxr9WeSLrvoKV_S3abs5ZCzBy0NJzk";
/// Society access to folder 4821 (BOULANGERIE DU PORT).
pub const SOCIETY_PORT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXBlIjoiYXBpIiwibSI6ODAsInQiOiIxMDEiLCJzIjoiNDgyMSIsImlhdCI6MTc2NzIyNTYwMH0.HrPsIjhe5KBw6zBeCUxfvfVYxWD8y2c3GgS034E0iik";
/// Society access to folder 4822 (GARAGE DES ALPES).
pub const SOCIETY_GARAGE: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXBlIjoiYXBpIiwibSI6ODAsInQiOiIxMDEiLCJzIjoiNDgyMiIsImlhdCI6MTc2NzIyNTYwMH0.k6FkCCtLSLf8AGZo5Pt10V149pwggxu8H3Cc2X-NpH8";
/// A well-formed society token for 4821 that was revoked: `ERR-API-TOKEN-NOT-FOUND`.
pub const REVOKED: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXBlIjoiYXBpIiwibSI6ODAsInQiOiIxMDEiLCJzIjoiNDgyMSIsImlhdCI6MTczNTY4OTYwMH0.2VEqcWb44xHf-FuICU0F02rOcW70gAe0b_XHuzBRc9o";

const SIGNING_KEY: &str = "passerelle-sandbox-signing-key";

/// The schema (MyUnisoft customer) every sandbox token belongs to.
pub(crate) const SCHEMA_ID: i64 = 80;
/// Our partner id as MyUnisoft knows it.
pub(crate) const THIRD_PARTY_ID: i64 = 101;

/// What a token may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Every folder of the schema, chosen per call with `society-id`.
    Firm,
    /// Exactly one folder.
    Society(i64),
}

/// An issued, live token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub(crate) token: String,
    pub(crate) access: Access,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    Granted(Grant),
    /// Well-formed and signed by us, but revoked or never issued.
    NotFound {
        firm: bool,
    },
    /// Not a token we could have signed.
    Malformed,
}

#[derive(Deserialize)]
struct Claims {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    s: Option<String>,
}

pub(crate) fn lookup(token: &str) -> Lookup {
    let Some(claims) = verified_claims(token) else {
        return Lookup::Malformed;
    };
    let firm = claims.kind == "firm";
    let access = match token {
        FIRM => Access::Firm,
        SOCIETY_PORT | SOCIETY_GARAGE => match claims.s.as_deref().and_then(|s| s.parse().ok()) {
            Some(id) => Access::Society(id),
            None => return Lookup::Malformed,
        },
        _ => return Lookup::NotFound { firm },
    };
    Lookup::Granted(Grant { token: token.to_owned(), access })
}

fn verified_claims(token: &str) -> Option<Claims> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || signature != sign(header, payload) {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

fn sign(header: &str, payload: &str) -> String {
    let digest = Sha256::digest(format!("{SIGNING_KEY}.{header}.{payload}"));
    URL_SAFE_NO_PAD.encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(claims: &str) -> String {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims);
        let signature = sign(&header, &payload);
        format!("{header}.{payload}.{signature}")
    }

    #[test]
    fn the_published_tokens_are_signed_claims() {
        let iat = 1_767_225_600;
        assert_eq!(
            FIRM,
            issue(&format!(r#"{{"type":"firm","m":80,"p":311,"t":"101","iat":{iat}}}"#))
        );
        assert_eq!(
            SOCIETY_PORT,
            issue(&format!(r#"{{"type":"api","m":80,"t":"101","s":"4821","iat":{iat}}}"#))
        );
        assert_eq!(
            SOCIETY_GARAGE,
            issue(&format!(r#"{{"type":"api","m":80,"t":"101","s":"4822","iat":{iat}}}"#))
        );
        assert_eq!(
            REVOKED,
            issue(r#"{"type":"api","m":80,"t":"101","s":"4821","iat":1735689600}"#)
        );
    }

    #[test]
    fn tokens_resolve_to_their_access() {
        assert_eq!(
            lookup(FIRM),
            Lookup::Granted(Grant { token: FIRM.into(), access: Access::Firm })
        );
        assert!(
            matches!(lookup(SOCIETY_GARAGE), Lookup::Granted(g) if g.access == Access::Society(4822))
        );
        assert_eq!(lookup(REVOKED), Lookup::NotFound { firm: false });
        assert_eq!(lookup("not-a-jwt"), Lookup::Malformed);
        let tampered = FIRM.replace("5AjG", "5BjG");
        assert_eq!(lookup(&tampered), Lookup::Malformed);
    }
}
