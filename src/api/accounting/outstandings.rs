//! Open items of clients and suppliers.

use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Accounting, Page, Pagination};
use crate::api::extract::{BoolParam, ConsumerPath, ValidQuery};
use crate::domain::outstanding::{Outstanding, OutstandingFilter, OutstandingType};
use crate::error::{ErrorBody, Result};
use crate::service::outstandings as service;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutstandingQuery {
    pub page: Option<u32>,
    pub size: Option<u32>,
    pub folder_id: Option<String>,
    /// Open items of clients or of suppliers.
    pub r#type: OutstandingType,
    /// `true` adds the entries awaiting validation, with `posted: false`.
    #[param(value_type = BoolParam)]
    pub unposted_allowed: bool,
}

/// Open items of the folder's clients (411 accounts) or suppliers (401 accounts), derived from
/// MyUnisoft's movements of every open fiscal year and their lettering: a fully lettered line is
/// closed, an unlettered one is open in full, and a partially lettered group leaves its net open
/// on its invoice line(s), the newest first. `amount` and `open_amount` are in EUR, positive for
/// what a client owes or a supplier is owed (debit − credit for clients, credit − debit for
/// suppliers), negative for refunds and unmatched payments. `currency` is the entry's currency
/// and `currency_exchange_rate` MyUnisoft's rate (units of that currency per euro, 1 for EUR).
/// `partner_id` is the third party's account id, `reference` the line's piece number and
/// `matching_numbers` its lettering code. Items are sorted by date.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/outstandings", tag = "Accounting",
    operation_id = "accounting_get_outstandings", params(ConsumerPath, OutstandingQuery),
    responses((status = 200, body = Page<Outstanding>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_outstandings(
    ValidQuery(q): ValidQuery<OutstandingQuery>,
    a: Accounting,
) -> Result<Json<Page<Outstanding>>> {
    let page = Pagination::new(q.page, q.size)?;
    let filter = OutstandingFilter { kind: q.r#type, unposted_allowed: q.unposted_allowed };
    a.paged(page, service::list(&a.state, &a.ctx, q.folder_id.as_deref(), filter)).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_outstandings))
}
