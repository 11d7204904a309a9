//! The only reader of `Authorization`: a valid bearer token becomes the calling account.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use uuid::Uuid;

use crate::auth::token::JwtKeys;
use crate::error::AppError;

/// The API account a request acts for. Every store query is filtered on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantContext {
    pub account_id: Uuid,
}

impl<S> FromRequestParts<S> for TenantContext
where
    S: Send + Sync,
    Arc<JwtKeys>: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
        let token = header
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or(AppError::Unauthenticated)?;
        let account_id =
            Arc::<JwtKeys>::from_ref(state).verify(token).ok_or(AppError::Unauthenticated)?;
        tracing::Span::current().record("tenant.id", tracing::field::display(account_id));
        Ok(Self { account_id })
    }
}
