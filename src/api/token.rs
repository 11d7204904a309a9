//! `POST /token`: client credentials in, a 30-minute JWT out (chift-conventions.md §e).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::middleware;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::extract::{limit_body, ValidJson, Validate};
use crate::auth::secrets;
use crate::auth::token::Token;
use crate::domain::Invalid;
use crate::error::{AppError, ErrorBody, Result};
use crate::service::accounts::{self, AccountError};
use crate::state::AppState;

/// `AuthItem`. Unknown keys (the SDK's `envId`) are ignored.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthItem {
    pub client_id: String,
    pub client_secret: String,
    pub account_id: Uuid,
    pub marketplace_id: Option<Uuid>,
}

/// Never shows the secret.
impl std::fmt::Debug for AuthItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthItem")
            .field("client_id", &self.client_id)
            .field("account_id", &self.account_id)
            .field("marketplace_id", &self.marketplace_id)
            .finish_non_exhaustive()
    }
}

/// The longest clientId read; a longer one is refused before anything else.
const MAX_CLIENT_ID: usize = 64;

impl Validate for AuthItem {
    fn validate(&self) -> Result<(), Invalid> {
        if self.client_id.is_empty() {
            return Err(Invalid::body("clientId", "must not be empty"));
        }
        if self.client_id.len() > MAX_CLIENT_ID {
            return Err(Invalid::body("clientId", format!("at most {MAX_CLIENT_ID} characters")));
        }
        Ok(())
    }
}

/// The largest `/token` body read: credentials take a few hundred bytes.
pub const TOKEN_BODY_LIMIT: usize = 4 * 1024;

/// `POST /token`, its body limited to [`TOKEN_BODY_LIMIT`].
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(generate_access_token))
        .route_layer(middleware::from_fn_with_state(TOKEN_BODY_LIMIT, limit_body))
}

/// Exchange client credentials for an access token.
#[utoipa::path(post, path = "/token", tag = "Token", operation_id = "generate_access_token_token_post",
    request_body = AuthItem,
    responses((status = 200, body = Token),
              (status = 401, description = "Unknown client or wrong secret", body = ErrorBody),
              (status = 413, description = "Body larger than 4 KiB", body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, description = "Too many failed attempts from this address, or for this clientId from this address", body = ErrorBody)),
    security())]
pub async fn generate_access_token(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ValidJson(auth): ValidJson<AuthItem>,
) -> Result<Json<Token>> {
    let addr = peer.ip();
    let now = chrono::Utc::now().timestamp_millis();
    state
        .throttle
        .check(&auth.client_id, addr, now)
        .await
        .map_err(|retry_after| AppError::TooManyAttempts { retry_after })?;
    let well_formed = secrets::is_client_id(&auth.client_id);
    let account = if well_formed {
        accounts::authenticate(
            &state.store,
            &state.secrets,
            &auth.client_id,
            &auth.client_secret,
            auth.account_id,
        )
        .await
        .map_err(|e| match e {
            AccountError::Store(e) => AppError::Store(e),
            other => AppError::Internal(other.to_string()),
        })?
    } else {
        None
    };
    match account {
        Some(account) => {
            state.throttle.succeeded(&auth.client_id, addr).await;
            let token = state.jwt.issue(account.id, chrono::Utc::now().timestamp())?;
            Ok(Json(token))
        }
        None => {
            state.throttle.failed(&auth.client_id, addr, now).await;
            // A malformed clientId is whatever the caller sent: it stays out of the logs.
            let client_id = if well_formed { auth.client_id.as_str() } else { "(malformed)" };
            tracing::warn!(client_id, %addr, "token refused");
            Err(AppError::BadClientCredentials)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_client_secret() {
        let item = AuthItem {
            client_id: "pc_abc".into(),
            client_secret: "ps_s3cr3t".into(),
            account_id: Uuid::nil(),
            marketplace_id: None,
        };
        let shown = format!("{item:?}");
        assert!(!shown.contains("s3cr3t") && shown.contains("pc_abc"), "{shown}");
    }
}
