//! `/consumers/{consumer_id}/accounting/…`: the Chift accounting API, served by the consumer's
//! active connection.

mod analytics;
mod attachments;
mod banking;
mod budget;
mod context;
mod fec;
mod folders;
mod invoices;
mod journal_entries;
mod journals;
mod ledger;
mod matching;
mod operations;
mod outstandings;
mod reference;
mod third_parties;

use axum::handler::Handler;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

pub use context::{Accounting, ChiftHeaders};

use crate::domain::accounting::AccountTypeFilter;
use crate::domain::invoice::PaymentStatus;
use crate::domain::outstanding::OutstandingType;
use crate::domain::third_party::PartyKind;
use crate::domain::Invalid;
use crate::error::Result;
use crate::state::AppState;

/// `folder_id`: the MyUnisoft society id. Optional with a society token, required with a firm token
/// unless the customer kept exactly one folder on the connect page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FolderQuery {
    pub folder_id: Option<String>,
}

/// `folder_id` and Chift's options of the writes that become entries. Both options are accepted
/// as no-ops (see the README): Passerelle always waits for MyUnisoft's id, and always books the
/// `currency_exchange_rate` sent (MyUnisoft applies no rate of its own to imported lines).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryWriteQuery {
    pub folder_id: Option<String>,
    /// No-op: the answer always carries the id MyUnisoft gave.
    #[serde(default)]
    #[param(default = false)]
    #[allow(dead_code)] // accepted as a no-op (README)
    pub ignore_accounting_id: bool,
    /// No-op: the `currency_exchange_rate` sent is always the one booked.
    #[serde(default)]
    #[param(default = false)]
    #[allow(dead_code)] // accepted as a no-op (README)
    pub force_currency_exchange: bool,
}

/// Chift pagination: `page` ≥ 1 (default 1), `size` 1..100 (default 50).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub page: Option<u32>,
    pub size: Option<u32>,
    pub folder_id: Option<String>,
}

/// A validated page request.
#[derive(Debug, Clone, Copy)]
pub struct Pagination {
    pub page: u32,
    pub size: u32,
}

impl Pagination {
    /// How many items come before the page.
    pub fn skip(&self) -> usize {
        (self.page as usize - 1).saturating_mul(self.size as usize)
    }

    /// Chift's bounds and defaults, for any query that carries `page` and `size`.
    pub fn new(page: Option<u32>, size: Option<u32>) -> Result<Self, Invalid> {
        let page = page.unwrap_or(1);
        let size = size.unwrap_or(50);
        if page < 1 {
            return Err(Invalid::query("page", "must be at least 1"));
        }
        if !(1..=100).contains(&size) {
            return Err(Invalid::query("size", "must be between 1 and 100"));
        }
        Ok(Self { page, size })
    }
}

impl ListQuery {
    pub fn pagination(&self) -> Result<Pagination, Invalid> {
        Pagination::new(self.page, self.size)
    }
}

/// `ChiftPage_<T>`: one page of a list and the total across all pages.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub size: u32,
    /// With `x-chift-raw-data: true`: the upstream calls made and their answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_data: Option<Value>,
}

impl<T> Page<T> {
    /// Page `p` of `all`, counting them all.
    fn of(all: Vec<T>, p: Pagination, raw_data: Option<Value>) -> Self {
        let total = all.len() as u64;
        let items = all.into_iter().skip(p.skip()).take(p.size as usize).collect();
        Page { items, total, page: p.page, size: p.size, raw_data }
    }
}

/// One object, with `raw_data` beside its fields when asked for.
#[derive(Debug, Serialize)]
pub struct WithRaw<T> {
    #[serde(flatten)]
    pub item: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_data: Option<Value>,
}

/// The methods an alias route is served with.
#[derive(Debug, Clone, Copy)]
enum Verb {
    Get,
    Post,
}

/// Serves `handler` under `alias` too, documented as a copy of the `verb` operation at `path`
/// (which must be routed already) named `operation_id` and summed up by `summary`.
fn alias<H, T>(
    mut router: OpenApiRouter<AppState>,
    verb: Verb,
    (path, alias): (&str, &str),
    (operation_id, summary): (&str, &str),
    handler: H,
) -> OpenApiRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let paths = &mut router.get_openapi_mut().paths.paths;
    let original = paths.get_mut(path).and_then(|item| slot(item, verb).clone());
    let Some(mut copy) = original else {
        panic!("{path} has no {verb:?} operation to alias");
    };
    copy.operation_id = Some(operation_id.to_owned());
    copy.summary = Some(summary.to_owned());
    copy.description = None;
    *slot(paths.entry(alias.to_owned()).or_default(), verb) = Some(copy);
    router.route(
        alias,
        match verb {
            Verb::Get => get(handler),
            Verb::Post => post(handler),
        },
    )
}

fn slot(item: &mut PathItem, verb: Verb) -> &mut Option<Operation> {
    match verb {
        Verb::Get => &mut item.get,
        Verb::Post => &mut item.post,
    }
}

/// The enums of query parameters: utoipa collects the schemas of bodies and responses only, so
/// these are named here for the parameters' `$ref`s to resolve.
#[derive(OpenApi)]
#[openapi(components(schemas(
    AccountTypeFilter,
    invoices::ApprovalFilter,
    attachments::DocumentType,
    ::fec::Encoding,
    fec::FecFormat,
    OutstandingType,
    PartyKind,
    PaymentStatus,
    ::fec::Separator,
)))]
struct QueryEnums;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(QueryEnums::openapi())
        .merge(folders::router())
        .merge(ledger::router())
        .merge(journals::router())
        .merge(journal_entries::router())
        .merge(reference::router())
        .merge(banking::router())
        .merge(fec::router())
        .merge(analytics::router())
        .merge(outstandings::router())
        .merge(matching::router())
        .merge(invoices::router())
        .merge(operations::router())
        .merge(attachments::router())
        .merge(third_parties::router())
        .layer(axum::middleware::from_fn(budget::report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_follows_chift_bounds() {
        let q = |page, size| ListQuery { page, size, folder_id: None };
        let p = q(None, None).pagination().unwrap();
        assert_eq!((p.page, p.size), (1, 50));
        assert_eq!(q(Some(0), None).pagination().unwrap_err().field, "page");
        assert_eq!(q(None, Some(101)).pagination().unwrap_err().field, "size");
        assert_eq!(q(None, Some(0)).pagination().unwrap_err().field, "size");
        assert!(q(Some(3), Some(100)).pagination().is_ok());
    }

    #[test]
    fn pages_slice_the_list_and_count_it_all() {
        let page = Page::of(vec![1, 2, 3, 4, 5], Pagination { page: 2, size: 2 }, None);
        assert_eq!((page.items.clone(), page.total), (vec![3, 4], 5));
        let past = Page::of(vec![1], Pagination { page: 9, size: 2 }, None);
        assert!(past.items.is_empty() && past.total == 1);
    }
}
