//! `GET …/accounting/export-fec`: the FEC of a window, as Chift's JSON or as the legal file.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use fec::writer::{ChannelWriter, FecItem};
use fec::{Encoding, Format, Progress, Separator};
use serde::Deserialize;
use tokio_stream::wrappers::ReceiverStream;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Accounting;
use crate::api::extract::{ConsumerPath, ValidQuery};
use crate::error::{AppError, ErrorBody, Result};
use crate::service::fec as service;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FecFormat {
    Json,
    Txt,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FecQuery {
    pub folder_id: Option<String>,
    /// First accounting date, inclusive.
    pub date_from: NaiveDate,
    /// Last accounting date, inclusive.
    pub date_to: NaiveDate,
    /// `txt` for the legal file (same as `Accept: text/plain`); JSON by default.
    pub format: Option<FecFormat>,
    /// Legal file only: `pipe` (default) or `tab`.
    pub separator: Option<Separator>,
    /// Legal file only: `utf-8` (default) or `latin9` (ISO 8859-15, characters outside it
    /// transliterated).
    pub encoding: Option<Encoding>,
}

/// The FEC (Fichier des Écritures Comptables) of `date_from..date_to`, every journal, validated
/// entries only.
///
/// By default Chift's `FECItemOut[]` JSON (ISO dates, amounts as numbers, plus `EcritureLib`,
/// the line label Chift's schema lacks). With `Accept: text/plain` or `format=txt`: the legal
/// DGFiP file (A47 A-1 LPF): header line, the 18 standard columns, `|` (or `separator=tab`),
/// CR LF, dates `AAAAMMJJ`, decimal comma, UTF-8 without BOM (or `encoding=latin9`), sent as
/// `{SIREN}FEC{closing date of the fiscal year containing date_to}.txt`.
///
/// How the file is built: every movement of the window is read (windows longer than a fiscal
/// year or 12 months are split into several upstream reads) and checked before the first byte
/// is sent: every entry and the whole file balance, every account starts with three digits of
/// classes 1–8, every date lies in the window. A failure answers 422 `ERROR_TECHNICAL_MAPPING`
/// naming the entries at fault (`detail`); an empty window answers 404; an upstream failure,
/// even mid-transfer, answers an error and never a shorter file. Lines with neither debit nor
/// credit are left out; a line with both is written net on its larger side. Entries are sorted
/// by accounting date, opening (à-nouveaux) entries first on their date, then validation date,
/// journal code and MyUnisoft entry id, and numbered `1…N` (`EcritureNum`) in that order: the
/// same data always gives the same numbers. `PieceRef` is the entry's first invoice number, else
/// its first free piece number, else the MyUnisoft entry id; `PieceDate` is the entry date;
/// `ValidDate` is MyUnisoft's validation date, else its accounting date, else the entry date.
/// `CompAuxNum`/`CompAuxLib` are blank: third-party accounts (`411…`, `401…`) are written whole
/// in `CompteNum`, as MyUnisoft's own export does. `DateLet` is blank (MyUnisoft does not expose
/// lettering dates); `Montantdevise`/`Idevise` are blank (JSON: 0 and "") until MyUnisoft's
/// currency rate direction is confirmed. A journal or account label is the first one read for
/// its code. Text values have separators and control characters replaced by spaces.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/export-fec", tag = "Accounting",
    operation_id = "accounting_export_fec", params(ConsumerPath, FecQuery),
    responses(
        (status = 200, description = "`application/json` (the default, and with `Accept: \
            application/json`): Chift's `FECItemOut[]`. `text/plain` (with `Accept: text/plain` or \
            `format=txt`): the legal file, as an attachment named {SIREN}FEC{AAAAMMJJ}.txt. Both \
            carry the same lines in the same order.",
            content((Vec<FecItem> = "application/json"), (String = "text/plain"))),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn export_fec(
    headers: HeaderMap,
    ValidQuery(q): ValidQuery<FecQuery>,
    a: Accounting,
) -> Result<Response> {
    let accepts_text =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(prefers_text);
    let format = match q.format {
        Some(FecFormat::Txt) => Format::Text {
            separator: q.separator.unwrap_or_default(),
            encoding: q.encoding.unwrap_or_default(),
        },
        None if accepts_text => Format::Text {
            separator: q.separator.unwrap_or_default(),
            encoding: q.encoding.unwrap_or_default(),
        },
        Some(FecFormat::Json) | None => Format::Json,
    };
    let seat = a.state.fec_exports.try_take(a.ctx.connection.id).ok_or(AppError::Busy {
        what: "FEC exports of this connection",
        limit: a.state.fec_exports.limit(),
    })?;
    let progress = Arc::new(Progress::default());
    let file = service::export_fec(
        &a.state,
        &a.ctx,
        q.folder_id.as_deref(),
        q.date_from,
        q.date_to,
        progress.clone(),
    )
    .await?;
    let (content_type, disposition) = match format {
        Format::Json => ("application/json".to_owned(), None),
        Format::Text { encoding, .. } => {
            let name = file.file_name?;
            let charset = if encoding == Encoding::Latin9 { "iso-8859-15" } else { "utf-8" };
            (
                format!("text/plain; charset={charset}"),
                Some(format!("attachment; filename=\"{name}\"")),
            )
        }
    };
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let export = file.export;
    let stall = a.state.limits.fec_stall;
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter::new(tx, stall);
        if let Err(e) = export.write(format, &mut out, &progress) {
            tracing::error!(error = %e, "FEC export stopped while writing");
            out.fail(e);
        }
        // The export and its spool file are gone (consumed by `write`): the connection may
        // start another.
        drop(seat);
    });
    let mut response = Body::from_stream(ReceiverStream::new(rx)).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Some(v) = disposition.and_then(|d| HeaderValue::from_str(&d).ok()) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// Whether an `Accept` header asks for the legal file: `text/plain` ranked above
/// `application/json` (by `q`, then by order). Anything else, `*/*` included, gets the JSON.
fn prefers_text(accept: &str) -> bool {
    let rank = |wanted: &str| {
        accept.split(',').enumerate().find_map(|(i, range)| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim();
            if !media.eq_ignore_ascii_case(wanted) {
                return None;
            }
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((q, i))
        })
    };
    match (rank("text/plain"), rank("application/json")) {
        (Some((q, _)), None) => q > 0.0,
        (Some((qt, it)), Some((qj, ij))) => qt > 0.0 && (qt > qj || (qt == qj && it < ij)),
        (None, _) => false,
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_fec))
}

#[cfg(test)]
mod tests {
    use super::prefers_text;

    #[test]
    fn the_legal_file_is_sent_only_when_text_is_preferred() {
        assert!(prefers_text("text/plain"));
        assert!(prefers_text("text/plain; charset=utf-8"));
        assert!(prefers_text("text/plain, application/json;q=0.5"));
        assert!(!prefers_text("application/json, text/plain, */*"));
        assert!(!prefers_text("application/json;q=0.5, text/plain;q=0"));
        assert!(!prefers_text("*/*"));
        assert!(!prefers_text("application/json"));
    }
}
