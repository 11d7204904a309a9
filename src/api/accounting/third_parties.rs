//! `/clients`, `/suppliers` and `/contacts`: MyUnisoft 411 and 401 accounts with their
//! complementary information.

use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Accounting, Page, Pagination, WithRaw};
use crate::api::detach::detached;
use crate::api::extract::{
    max_chars, not_blank, ConsumerPath, ValidJson, ValidPath, ValidQuery, Validate,
};
use crate::domain::third_party::{Contact, NewThirdParty, PartyKind, ThirdParty, ThirdPartyPatch};
use crate::domain::Invalid;
use crate::error::{ErrorBody, Result};
use crate::service::third_parties as service;
use crate::state::AppState;
use crate::webhooks::Change;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartnerListQuery {
    pub page: Option<u32>,
    pub size: Option<u32>,
    pub folder_id: Option<String>,
    /// Case-insensitive part of the name, email, account number, SIREN or contact name.
    pub search: Option<String>,
    /// Accepted for compatibility. MyUnisoft keeps no modification date on accounts, so the list
    /// is not narrowed: every record is returned (never fewer than changed).
    pub updated_after: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartnerCreateQuery {
    pub folder_id: Option<String>,
    /// Id of the supplier (when creating a client) or client (when creating a supplier) whose
    /// details start the new record; the new account takes the same code after its root.
    pub force_merge: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FolderOnly {
    pub folder_id: Option<String>,
}

/// `{client_id}` or `{supplier_id}`: the MyUnisoft account id.
#[derive(Debug, Deserialize)]
pub struct PartnerPath {
    #[serde(alias = "client_id", alias = "supplier_id")]
    pub id: String,
}

impl Validate for NewThirdParty {
    fn validate(&self) -> Result<(), Invalid> {
        not_blank("name", Some(&self.name))?;
        max_chars("name", Some(&self.name), 255)?;
        for (i, a) in self.addresses.iter().enumerate() {
            for (field, value) in [
                ("street", &a.street),
                ("city", &a.city),
                ("postal_code", &a.postal_code),
                ("country", &a.country),
            ] {
                not_blank(&format!("addresses[{i}].{field}"), Some(value))?;
            }
        }
        Ok(())
    }
}

impl Validate for ThirdPartyPatch {
    fn validate(&self) -> Result<(), Invalid> {
        not_blank("name", self.name.as_deref())?;
        max_chars("name", self.name.as_deref(), 255)
    }
}

/// The four routes of one kind of third party.
macro_rules! partner_routes {
    ($kind:expr, $noun:literal, $list:ident, $create:ident, $get:ident, $update:ident, $path:literal, $item_path:literal, $id:literal) => {
        #[doc = concat!("The folder's ", $noun, "s (MyUnisoft ", $noun, " accounts with their complementary information; \
            fields without a Chift equivalent are extra keys). One upstream list call per cache lifetime, whatever the page.")]
        #[utoipa::path(get, path = $path, tag = "Accounting", operation_id = concat!("accounting_get_", $noun, "s"),
            params(ConsumerPath, PartnerListQuery),
            responses((status = 200, body = Page<ThirdParty>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
            security(("bearerAuth" = [])))]
        pub async fn $list(
            ValidQuery(q): ValidQuery<PartnerListQuery>,
            a: Accounting,
        ) -> Result<Json<Page<ThirdParty>>> {
            let page = Pagination::new(q.page, q.size)?;
            let filter = service::Filter { search: q.search.as_deref(), updated_after: q.updated_after };
            a.paged(page, service::list(&a.state, &a.ctx, q.folder_id.as_deref(), $kind, &filter)).await
        }

        #[doc = concat!("Create a ", $noun, ": its account (root + letters of the name, or `account_number`) with \
            its complementary information. A record with the same number, SIREN or name answers 409 naming it. \
            `vat`, `website`, `external_reference` and `company_id` have no MyUnisoft field and are not stored; \
            only the main (or first) address is kept.")]
        #[utoipa::path(post, path = $path, tag = "Accounting", operation_id = concat!("accounting_create_", $noun),
            params(ConsumerPath, PartnerCreateQuery), request_body = NewThirdParty,
            responses((status = 200, body = ThirdParty), (status = 409, body = ErrorBody), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
            security(("bearerAuth" = [])))]
        pub async fn $create(
            ValidQuery(q): ValidQuery<PartnerCreateQuery>,
            a: Accounting,
            ValidJson(body): ValidJson<NewThirdParty>,
        ) -> Result<Json<WithRaw<ThirdParty>>> {
            // On its own task: a client gone after the upstream write does not lose the event.
            detached(async move {
                let (merge, folder) = (q.force_merge.as_deref(), q.folder_id.as_deref());
                let answer = a.single(service::create(&a.state, &a.ctx, folder, $kind, &body, merge)).await;
                a.announced(folder, super::events::party($kind), Change::Created, |t: &ThirdParty| t.id.clone(), answer).await
            })
            .await
        }

        #[doc = concat!("One ", $noun, ".")]
        #[utoipa::path(get, path = $item_path, tag = "Accounting", operation_id = concat!("accounting_get_", $noun),
            params(ConsumerPath, ($id = String, Path, description = "The MyUnisoft account id."), FolderOnly),
            responses((status = 200, body = ThirdParty), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
            security(("bearerAuth" = [])))]
        pub async fn $get(
            ValidPath(p): ValidPath<PartnerPath>,
            ValidQuery(q): ValidQuery<FolderOnly>,
            a: Accounting,
        ) -> Result<Json<WithRaw<ThirdParty>>> {
            a.single(service::get(&a.state, &a.ctx, q.folder_id.as_deref(), $kind, &p.id)).await
        }

        #[doc = concat!("Update the fields given (MyUnisoft replaces the whole account: it is read, merged and written \
            back, so the other fields and the contacts stay). MyUnisoft allows this with a firm token only. \
            `active: false` archives the ", $noun, ".")]
        #[utoipa::path(patch, path = $item_path, tag = "Accounting", operation_id = concat!("accounting_update_", $noun),
            params(ConsumerPath, ($id = String, Path, description = "The MyUnisoft account id."), FolderOnly), request_body = ThirdPartyPatch,
            responses((status = 200, body = ThirdParty), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
            security(("bearerAuth" = [])))]
        pub async fn $update(
            ValidPath(p): ValidPath<PartnerPath>,
            ValidQuery(q): ValidQuery<FolderOnly>,
            a: Accounting,
            ValidJson(body): ValidJson<ThirdPartyPatch>,
        ) -> Result<Json<WithRaw<ThirdParty>>> {
            detached(async move {
                let folder = q.folder_id.as_deref();
                let answer = a.single(service::update(&a.state, &a.ctx, folder, $kind, &p.id, &body)).await;
                a.announced(folder, super::events::party($kind), Change::Updated, |t: &ThirdParty| t.id.clone(), answer).await
            })
            .await
        }
    };
}

partner_routes!(
    PartyKind::Client,
    "client",
    list_clients,
    create_client,
    get_client,
    update_client,
    "/consumers/{consumer_id}/accounting/clients",
    "/consumers/{consumer_id}/accounting/clients/{client_id}",
    "client_id"
);
partner_routes!(
    PartyKind::Supplier,
    "supplier",
    list_suppliers,
    create_supplier,
    get_supplier,
    update_supplier,
    "/consumers/{consumer_id}/accounting/suppliers",
    "/consumers/{consumer_id}/accounting/suppliers/{supplier_id}",
    "supplier_id"
);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactsQuery {
    pub page: Option<u32>,
    pub size: Option<u32>,
    pub folder_id: Option<String>,
    pub partner_type: PartyKind,
    pub partner_id: String,
}

/// The contacts of a client or supplier: its main contact first, then its contact list in
/// MyUnisoft's order.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/contacts", tag = "Accounting",
    operation_id = "accounting_get_partner_contacts", params(ConsumerPath, ContactsQuery),
    responses((status = 200, body = Page<Contact>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_contacts(
    ValidQuery(q): ValidQuery<ContactsQuery>,
    a: Accounting,
) -> Result<Json<Page<Contact>>> {
    let page = Pagination::new(q.page, q.size)?;
    a.paged(
        page,
        service::contacts(&a.state, &a.ctx, q.folder_id.as_deref(), q.partner_type, &q.partner_id),
    )
    .await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_clients, create_client))
        .routes(routes!(get_client, update_client))
        .routes(routes!(list_suppliers, create_supplier))
        .routes(routes!(get_supplier, update_supplier))
        .routes(routes!(get_contacts))
}
