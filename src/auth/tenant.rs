//! The only reader of `Authorization`: a valid bearer token becomes the calling account.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::AppError;

/// The API account a request acts for. Every store query is filtered on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantContext {
    pub account_id: Uuid,
}

impl FromRequestParts<AppState> for TenantContext {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
        let token = header
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or(AppError::Unauthenticated)?;
        let account_id = state.jwt.verify(token).ok_or(AppError::Unauthenticated)?;
        tracing::Span::current().record("tenant.id", tracing::field::display(account_id));
        Ok(Self { account_id })
    }
}
