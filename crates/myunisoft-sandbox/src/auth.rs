//! The two credentials of every call: the partner secret (`X-Third-Party-Secret`) and the API
//! token (`Authorization: Bearer <token>`), checked in that order.

use axum::http::HeaderMap;

use super::errors::{ApiError, ApiResult};
use super::tokens::{self, Grant, Lookup};
use super::PARTNER_SECRET;

pub(crate) const SECRET_HEADER: &str = "x-third-party-secret";

pub(crate) fn authenticate(headers: &HeaderMap) -> ApiResult<Grant> {
    let secret = headers.get(SECRET_HEADER).ok_or_else(ApiError::secret_missing)?;
    if secret.as_bytes() != PARTNER_SECRET.as_bytes() {
        return Err(ApiError::secret_invalid());
    }
    let token = bearer(headers).ok_or_else(ApiError::auth_header_invalid)?;
    match tokens::lookup(token) {
        Lookup::Granted(grant) => Ok(grant),
        Lookup::NotFound { firm: true } => Err(ApiError::firm_token_not_found()),
        Lookup::NotFound { firm: false } => Err(ApiError::api_token_not_found()),
        Lookup::Malformed => Err(ApiError::jwt_invalid()),
    }
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;
    use crate::tokens::{Access, FIRM, REVOKED};

    fn headers(secret: Option<&str>, authorization: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(s) = secret {
            h.insert(SECRET_HEADER, HeaderValue::from_str(s).unwrap());
        }
        if let Some(a) = authorization {
            h.insert("authorization", HeaderValue::from_str(a).unwrap());
        }
        h
    }

    fn code(h: &HeaderMap) -> &'static str {
        authenticate(h).unwrap_err().code
    }

    #[test]
    fn the_secret_is_checked_before_the_token() {
        assert_eq!(
            code(&headers(None, Some(&format!("Bearer {FIRM}")))),
            "ERR-SECRET-HEADER-NOT-SET"
        );
        assert_eq!(code(&headers(Some("nope"), None)), "ERR-INVALID-SECRET");
    }

    #[test]
    fn the_token_needs_the_bearer_scheme_and_must_be_live() {
        let ok = Some(PARTNER_SECRET);
        assert_eq!(code(&headers(ok, Some(FIRM))), "ERR-INVALID-AUTH-HEADER");
        assert_eq!(code(&headers(ok, None)), "ERR-INVALID-AUTH-HEADER");
        assert_eq!(code(&headers(ok, Some("Bearer abc.def.ghi"))), "ERR-INVALID-JWT");
        assert_eq!(
            code(&headers(ok, Some(&format!("Bearer {REVOKED}")))),
            "ERR-API-TOKEN-NOT-FOUND"
        );
        let grant = authenticate(&headers(ok, Some(&format!("bearer {FIRM}")))).unwrap();
        assert_eq!(grant.access, Access::Firm);
    }
}
