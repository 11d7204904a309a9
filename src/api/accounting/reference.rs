//! Reference lists: VAT codes, payment methods and terms, analytic plans, employees, schemes.

use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Accounting, ListQuery, Page};
use crate::api::extract::{ConsumerPath, ValidQuery};
use crate::domain::accounting::{
    AnalyticPlan, Employee, PaymentMethod, PaymentTerm, Scheme, VatCode,
};
use crate::error::{ErrorBody, Result};
use crate::service::accounting as service;
use crate::state::AppState;

/// Declares a paged list handler over one service function.
macro_rules! list_route {
    ($(#[$doc:meta])* $name:ident, $path:literal, $op:literal, $item:ty, $service:path) => {
        $(#[$doc])*
        #[utoipa::path(get, path = $path, tag = "Accounting", operation_id = $op, params(ConsumerPath, ListQuery),
            responses((status = 200, body = Page<$item>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
            security(("bearerAuth" = [])))]
        pub async fn $name(
            ValidQuery(q): ValidQuery<ListQuery>,
            a: Accounting,
        ) -> Result<Json<Page<$item>>> {
            let page = q.pagination()?;
            a.paged(page, $service(&a.state, &a.ctx, q.folder_id.as_deref())).await
        }
    };
}

list_route!(
    /// VAT codes (MyUnisoft VAT parameters). MyUnisoft gives them no label: it is built from the
    /// code, rate, type and exigibility. `type` is sale, purchase or both from the accounts set.
    get_vat_codes, "/consumers/{consumer_id}/accounting/vat-codes", "accounting_get_vat_codes", VatCode, service::vat_codes
);
list_route!(
    /// Payment methods (MyUnisoft payment types; ids are per folder).
    get_payment_methods, "/consumers/{consumer_id}/accounting/payment-methods", "accounting_get_payment_methods", PaymentMethod, service::payment_methods
);
list_route!(
    /// Payment terms. MyUnisoft has no list of them: these are the distinct terms set on the
    /// folder's third-party accounts.
    get_payment_terms, "/consumers/{consumer_id}/accounting/payment-terms", "accounting_get_payment_terms", PaymentTerm, service::payment_terms
);
list_route!(
    /// Analytic plans (MyUnisoft analytic axes); empty when analytics is off for the folder.
    get_analytic_plans, "/consumers/{consumer_id}/accounting/analytic-plans", "accounting_get_analytic_plans", AnalyticPlan, service::analytic_plans
);
list_route!(
    /// Employees: MyUnisoft has no employee resource; these are its personnel (421) accounts.
    get_employees, "/consumers/{consumer_id}/accounting/employees", "accounting_get_employees", Employee, service::employees
);
list_route!(
    /// Accounting schemes. MyUnisoft has no such notion: this answers 405
    /// `ERROR_RESOURCE_NOT_SUPPORTED` for MyUnisoft connections.
    get_schemes, "/consumers/{consumer_id}/accounting/schemes", "accounting_get_schemes", Scheme, service::schemes
);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_vat_codes))
        .routes(routes!(get_payment_methods))
        .routes(routes!(get_payment_terms))
        .routes(routes!(get_analytic_plans))
        .routes(routes!(get_employees))
        .routes(routes!(get_schemes))
}
