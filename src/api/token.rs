//! `POST /token`: client credentials in, a 30-minute JWT out (chift-conventions.md §e).

use std::time::Instant;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::extract::{ValidJson, Validate};
use crate::auth::secrets;
use crate::auth::token::Token;
use crate::domain::Invalid;
use crate::error::{AppError, ErrorBody, Result};
use crate::state::AppState;

/// `AuthItem`. Unknown keys (the SDK's `envId`) are ignored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthItem {
    pub client_id: String,
    pub client_secret: String,
    pub account_id: Uuid,
    pub marketplace_id: Option<Uuid>,
}

impl Validate for AuthItem {
    fn validate(&self) -> Result<(), Invalid> {
        if self.client_id.is_empty() {
            return Err(Invalid::body("clientId", "must not be empty"));
        }
        Ok(())
    }
}

/// Exchange client credentials for an access token.
#[utoipa::path(post, path = "/token", tag = "Token", operation_id = "generate_access_token",
    request_body = AuthItem,
    responses((status = 200, body = Token),
              (status = 401, description = "Unknown client or wrong secret", body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, description = "Too many failed attempts for this clientId", body = ErrorBody)),
    security())]
pub async fn generate_access_token(
    State(state): State<AppState>,
    ValidJson(auth): ValidJson<AuthItem>,
) -> Result<Json<Token>> {
    let started = Instant::now();
    state
        .throttle
        .check(&auth.client_id, started)
        .map_err(|retry_after| AppError::TooManyAttempts { retry_after })?;
    let found = state.store.accounts().find_by_client_id(&auth.client_id).await?;
    let (account, hash) = match found {
        Some((account, hash)) if account.id == auth.account_id => (Some(account), hash),
        _ => (None, secrets::decoy_hash().to_owned()),
    };
    let secret = auth.client_secret;
    let matches = tokio::task::spawn_blocking(move || secrets::verify_secret(&secret, &hash))
        .await
        .map_err(|e| AppError::Internal(format!("secret check panicked: {e}")))?;
    match account {
        Some(account) if matches => {
            state.throttle.succeeded(&auth.client_id);
            let token = state.jwt.issue(account.id, chrono::Utc::now().timestamp())?;
            Ok(Json(token))
        }
        _ => {
            state.throttle.failed(&auth.client_id, Instant::now());
            tracing::warn!(client_id = %auth.client_id, "token refused");
            Err(AppError::BadClientCredentials)
        }
    }
}
