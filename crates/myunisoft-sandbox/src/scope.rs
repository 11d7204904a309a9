//! Which folder a call works on. A society token names its folder; a firm token must name one
//! with the `society-id` header on folder routes. Naming a folder the token cannot reach is
//! `DROIT1` (403).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;

use super::errors::{ApiError, ApiResult};
use super::server::SharedState;
use super::tokens::{Access, Grant};

pub(crate) const SOCIETY_HEADER: &str = "society-id";

/// The authenticated token (put in the request by the pipeline).
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub(crate) Grant);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        parts.extensions.get::<Grant>().cloned().map(Caller).ok_or_else(ApiError::jwt_invalid)
    }
}

/// A caller with a firm token: routes documented as "firm access only".
#[derive(Debug, Clone)]
pub(crate) struct FirmCaller;

impl<S: Send + Sync> FromRequestParts<S> for FirmCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        match Caller::from_request_parts(parts, state).await?.0.access {
            Access::Firm => Ok(FirmCaller),
            Access::Society(_) => Err(ApiError::forbidden_route()),
        }
    }
}

/// The folder of a folder-scoped route, known to exist and to be reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FolderId(pub(crate) i64);

impl FromRequestParts<SharedState> for FolderId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> ApiResult<Self> {
        match MaybeFolder::from_request_parts(parts, state).await?.0 {
            Some(folder) => Ok(folder),
            None => Err(ApiError::folder_id_missing()),
        }
    }
}

/// The folder if one is named (or implied by a society token); `None` for a firm token
/// without `society-id` (firm-level calls such as the folder list).
#[derive(Debug, Clone, Copy)]
pub(crate) struct MaybeFolder(pub(crate) Option<FolderId>);

impl FromRequestParts<SharedState> for MaybeFolder {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> ApiResult<Self> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let Some(id) = resolve(caller.0.access, &parts.headers)? else {
            return Ok(MaybeFolder(None));
        };
        if !state.world().folders.contains_key(&id) {
            return Err(ApiError::no_access());
        }
        Ok(MaybeFolder(Some(FolderId(id))))
    }
}

fn resolve(access: Access, headers: &HeaderMap) -> ApiResult<Option<i64>> {
    let named = match headers.get(SOCIETY_HEADER) {
        None => None,
        Some(value) => {
            let text = value.to_str().map_err(|_| ApiError::no_access())?.trim();
            Some(text.parse::<i64>().map_err(|_| ApiError::no_access())?)
        }
    };
    match (access, named) {
        (Access::Firm, named) => Ok(named),
        (Access::Society(own), None) => Ok(Some(own)),
        (Access::Society(own), Some(id)) if id == own => Ok(Some(own)),
        (Access::Society(_), Some(_)) => Err(ApiError::no_access()),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn named(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(SOCIETY_HEADER, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn a_firm_token_names_its_folder_and_a_society_token_implies_it() {
        assert_eq!(resolve(Access::Firm, &HeaderMap::new()), Ok(None));
        assert_eq!(resolve(Access::Firm, &named("4822")), Ok(Some(4822)));
        assert_eq!(resolve(Access::Society(4821), &HeaderMap::new()), Ok(Some(4821)));
        assert_eq!(resolve(Access::Society(4821), &named("4821")), Ok(Some(4821)));
    }

    #[test]
    fn another_or_a_malformed_folder_is_refused() {
        assert_eq!(resolve(Access::Society(4821), &named("4822")).unwrap_err().code, "DROIT1");
        assert_eq!(resolve(Access::Firm, &named("4821;")).unwrap_err().code, "DROIT1");
    }
}
