//! Entries: MAD reads (`GET /mad/entries`, `GET /mad/entry?id=`), the JSON import
//! (`POST /entry?type=e`, `POST /entry/temp?type=o`) and `GET /entry/id?id_origin=`.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use rust_decimal::Decimal;
use serde::Serialize;

use super::mad::{self, MadEntry};
use super::movements::Listing;
use super::wire::{AccountRef, Amount};
use crate::dates;
use crate::errors::{ApiError, ApiResult};
use crate::params::{JsonBody, Params};
use crate::scope::FolderId;
use crate::server::SharedState;
use crate::world::entries::{self, Location, NewEntry};
use crate::world::{Entry, Folder};

pub(super) fn router() -> Router<SharedState> {
    Router::new()
        .route("/mad/entries", get(mad_entries))
        .route("/mad/entry", get(mad_entry))
        .route("/entry", post(post_entry))
        .route("/entry/temp", post(post_pending_entry))
        .route("/entry/id", get(entry_id))
}

async fn mad_entries(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Response> {
    super::movements::mad_listing(&shared, id, &params, Listing::Entries)
}

/// One entry by MyUnisoft id, invoice number (`piece2`) or partner id; 404 otherwise.
async fn mad_entry(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<MadEntry>> {
    params.mad_version()?;
    let wanted = params
        .get("id")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::param("id"))?;
    let world = shared.world();
    let folder = world.folder(id)?;
    let candidates = folder.entries_in(params.switch("draft"));
    let by_id = wanted.parse::<i64>().ok().and_then(|n| candidates.iter().find(|e| e.id == n));
    let by_invoice =
        || candidates.iter().find(|e| e.lines.iter().any(|l| l.piece2.as_deref() == Some(wanted)));
    let by_partner = || candidates.iter().find(|e| e.partner_id.as_deref() == Some(wanted));
    let found = by_id
        .or_else(by_invoice)
        .or_else(by_partner)
        .ok_or_else(|| ApiError::not_found("Écriture"))?;
    let lines = found.lines.iter().map(|l| mad::movement(folder, l, None)).collect();
    Ok(Json(mad::entry(folder, found, Some(lines), params.switch("comment"))))
}

async fn post_entry(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
    JsonBody(entry): JsonBody<NewEntry>,
) -> ApiResult<Json<Imported>> {
    if !params.get("type").is_some_and(|t| t.eq_ignore_ascii_case("e")) {
        return Err(ApiError::param("type"));
    }
    import(&shared, id, entry, Location::Posted)
}

async fn post_pending_entry(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
    JsonBody(entry): JsonBody<NewEntry>,
) -> ApiResult<Json<Imported>> {
    if !params.get("type").is_some_and(|t| t.eq_ignore_ascii_case("o")) {
        return Err(ApiError::param("type"));
    }
    import(&shared, id, entry, Location::Pending)
}

fn import(
    shared: &SharedState,
    id: i64,
    entry: NewEntry,
    location: Location,
) -> ApiResult<Json<Imported>> {
    let mut world = shared.world();
    let (folder, ids) = world.folder_mut(id)?;
    let now = chrono::Utc::now().timestamp();
    let entry_id = entries::import(folder, ids, entry, location, now)?;
    let stored = folder.entries_in(location == Location::Pending).iter().find(|e| e.id == entry_id);
    let stored = stored.ok_or_else(|| ApiError::not_found("Écriture"))?;
    Ok(Json(Imported::of(folder, stored, location)))
}

/// The legacy list shape the import answers with (`type` is `IB` for pending entries, as
/// MyUnisoft answers).
#[derive(Debug, Serialize)]
struct Imported {
    #[serde(rename = "type")]
    kind: &'static str,
    debit_total: Amount,
    credit_total: Amount,
    entry_array: Vec<LegacyEntry>,
}

#[derive(Debug, Serialize)]
struct LegacyEntry {
    entry_id: i64,
    etablissement_id: i64,
    date_piece: String,
    entry_date: String,
    period_from: Option<String>,
    period_to: Option<String>,
    blocked: bool,
    comment: bool,
    last_comment: Option<String>,
    diary: LegacyDiary,
    entry_origin_partner_id: Option<String>,
    pj_list: Vec<LegacyDocument>,
    account_base_id: Option<i64>,
    transaction_qonto_id: Option<i64>,
    entry_list: Vec<LegacyLine>,
}

#[derive(Debug, Serialize)]
struct LegacyDiary {
    id: i64,
    code: String,
    label: String,
    diary_type_code: &'static str,
}

#[derive(Debug, Serialize)]
struct LegacyDocument {
    name: String,
}

#[derive(Debug, Serialize)]
struct LegacyLine {
    line_entry_id: i64,
    label: String,
    debit: Option<Amount>,
    credit: Option<Amount>,
    piece: Option<String>,
    piece2: Option<String>,
    currency: String,
    deadline: Option<String>,
    account: Option<AccountRef>,
    payment_type: Option<LegacyPaymentType>,
}

#[derive(Debug, Serialize)]
struct LegacyPaymentType {
    code: &'static str,
    name: &'static str,
    payment_type_id: i64,
}

impl Imported {
    fn of(folder: &Folder, e: &Entry, location: Location) -> Self {
        let side = |v: Decimal| (!v.is_zero()).then_some(Amount(v));
        let diary = folder.diary(e.diary_id);
        let entry = LegacyEntry {
            entry_id: e.id,
            etablissement_id: folder.id(),
            date_piece: dates::iso(e.date),
            entry_date: dates::iso(e.accounted_at),
            period_from: e.period.map(|p| dates::iso(p.0)),
            period_to: e.period.map(|p| dates::iso(p.1)),
            blocked: false,
            comment: e.comment.is_some(),
            last_comment: e.comment.clone(),
            diary: LegacyDiary {
                id: e.diary_id,
                code: diary.map(|d| d.code.clone()).unwrap_or_default(),
                label: diary.map(|d| d.name.clone()).unwrap_or_default(),
                diary_type_code: diary.map_or("", |d| d.type_code()),
            },
            entry_origin_partner_id: e.partner_id.clone(),
            pj_list: e
                .attachments
                .iter()
                .map(|d| LegacyDocument { name: d.name.clone() })
                .collect(),
            account_base_id: None,
            transaction_qonto_id: None,
            entry_list: e
                .lines
                .iter()
                .map(|l| LegacyLine {
                    line_entry_id: l.id,
                    label: l.label.clone(),
                    debit: side(l.debit),
                    credit: side(l.credit),
                    piece: l.piece.clone(),
                    piece2: l.piece2.clone(),
                    currency: l.currency.as_ref().map_or_else(|| "EUR".to_owned(), |c| c.0.clone()),
                    deadline: l.deadline.map(dates::iso),
                    account: folder.account(l.account_id).map(AccountRef::of),
                    payment_type: l.payment_type_id.and_then(|id| folder.payment_type(id)).map(
                        |p| LegacyPaymentType { code: p.code, name: p.name, payment_type_id: p.id },
                    ),
                })
                .collect(),
        };
        Imported {
            kind: if location == Location::Pending { "IB" } else { "E" },
            debit_total: Amount(e.lines.iter().map(|l| l.debit).sum()),
            credit_total: Amount(e.lines.iter().map(|l| l.credit).sum()),
            entry_array: vec![entry],
        }
    }
}

#[derive(Debug, Serialize)]
struct PartnerEntry {
    id_entry: i64,
    #[serde(rename = "type")]
    location: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    json_metadata_partners: Option<String>,
}

async fn entry_id(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<PartnerEntry>> {
    let origin = params
        .get("id_origin")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::param("id_origin"))?;
    let world = shared.world();
    let folder = world.folder(id)?;
    let (entry, location) = entries::locate_partner_id(folder, origin)
        .ok_or_else(|| ApiError::not_found("Écriture"))?;
    Ok(Json(PartnerEntry {
        id_entry: entry.id,
        location: location.name(),
        json_metadata_partners: entry.json.clone(),
    }))
}
