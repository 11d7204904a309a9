//! `/matching`, `/matching-multiple`: lettering lines of entries on one partner's account.

use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Accounting, FolderQuery};
use crate::api::extract::{ConsumerPath, ValidJson, ValidQuery, Validate};
use crate::domain::money::Money;
use crate::domain::Invalid;
use crate::error::{AppError, ErrorBody, Result};
use crate::service::postings;
use crate::state::AppState;

/// `MatchingIn`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MatchingIn {
    /// Ids of journal entries, invoices or financial entries (at least 2).
    pub entries: Vec<String>,
    /// The client or supplier whose lines are matched.
    pub partner_id: String,
}

impl Validate for MatchingIn {
    fn validate(&self) -> Result<(), Invalid> {
        if self.entries.len() < 2 {
            return Err(Invalid::body("entries", "at least two entries to match"));
        }
        Ok(())
    }
}

/// `MatchingOut`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchingOut {
    pub matching_number: String,
    /// What the matched lines net to (debit − credit); 0 when fully matched.
    pub balance: Money,
}

/// `MultipleMatchingIn`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MultipleMatchingIn {
    pub matchings: Vec<MatchingIn>,
}

impl Validate for MultipleMatchingIn {
    fn validate(&self) -> Result<(), Invalid> {
        if self.matchings.is_empty() {
            return Err(Invalid::body("matchings", "at least one set to match"));
        }
        Ok(())
    }
}

/// `MultipleMatchingOut`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MultipleMatchingOut {
    pub matching_number: Option<String>,
    pub processed: bool,
    /// Why the set was not matched: the Chift error body.
    #[schema(value_type = Option<Object>)]
    pub error_msg: Option<serde_json::Value>,
}

/// Match (letter) the lines of `entries` on the partner's account: they get the account's next
/// lettering code, partial when they do not net to zero. Lines already matched are refused.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/matching", tag = "Accounting",
    operation_id = "accounting_match_entries", params(ConsumerPath, FolderQuery),
    request_body = MatchingIn,
    responses((status = 200, body = MatchingOut), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn match_entries(
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<MatchingIn>,
) -> Result<Json<MatchingOut>> {
    let scope = a.ctx.folder(&a.state, q.folder_id.as_deref()).await?;
    let matched =
        postings::match_entries(&a.state, &a.ctx, scope, &body.partner_id, &body.entries).await?;
    Ok(Json(MatchingOut { matching_number: matched.code, balance: Money(matched.balance) }))
}

/// Several matchings, one after the other (codes are allocated per account); each set answers
/// on its own: a refused set does not stop the others.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/matching-multiple", tag = "Accounting",
    operation_id = "accounting_match_entries_multiple", params(ConsumerPath, FolderQuery),
    request_body = MultipleMatchingIn,
    responses((status = 200, body = Vec<MultipleMatchingOut>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn match_entries_multiple(
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<MultipleMatchingIn>,
) -> Result<Json<Vec<MultipleMatchingOut>>> {
    let scope = a.ctx.folder(&a.state, q.folder_id.as_deref()).await?;
    let mut out = Vec::with_capacity(body.matchings.len());
    for set in &body.matchings {
        let result = match set.validate() {
            Ok(()) => {
                postings::match_entries(&a.state, &a.ctx, scope, &set.partner_id, &set.entries)
                    .await
            }
            Err(invalid) => Err(AppError::Invalid(invalid)),
        };
        out.push(match result {
            Ok(m) => MultipleMatchingOut {
                matching_number: Some(m.code),
                processed: true,
                error_msg: None,
            },
            Err(e) => MultipleMatchingOut {
                matching_number: None,
                processed: false,
                error_msg: serde_json::to_value(e.body()).ok(),
            },
        });
    }
    Ok(Json(out))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(match_entries)).routes(routes!(match_entries_multiple))
}
