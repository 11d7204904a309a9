//! Fiscal years: `GET /society/exercice` (dates `YYYYMMDD`) and `GET /mad/exercices` (MAD,
//! `YYYY-MM-DD`). Labels (`N`, `N-1`, `N+1`…) are relative to today.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::wire::Amount;
use crate::dates;
use crate::errors::ApiResult;
use crate::params::Params;
use crate::scope::FolderId;
use crate::server::SharedState;
use crate::world::{Exercice, Folder};

pub(super) fn router() -> Router<SharedState> {
    Router::new()
        .route("/society/exercice", get(list_exercices))
        .route("/mad/exercices", get(mad_exercices))
}

/// `N` for the year holding `today`, `N-1` for the one before, and so on.
pub(super) fn label(exercice: &Exercice, today: NaiveDate) -> String {
    let offset = exercice.start.year() - today.year();
    match offset {
        0 => "N".to_owned(),
        n if n > 0 => format!("N+{n}"),
        n => format!("N{n}"),
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

#[derive(Debug, Serialize)]
struct ExerciceOut {
    exercice_id: i64,
    start_date: String,
    end_date: String,
    label: String,
    result: Amount,
    ca: Amount,
    closed: bool,
    duration: i64,
    closed_at: Option<String>,
    closed_by: Option<String>,
    review_model: ReviewModel,
    lettering_method_id: u8,
}

#[derive(Debug, Serialize)]
struct ReviewModel {
    label: &'static str,
    id_review_model: u8,
}

async fn list_exercices(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
) -> ApiResult<Json<Vec<ExerciceOut>>> {
    let world = shared.world();
    let folder = world.folder(id)?;
    let today = today();
    let list = folder.exercices.iter().map(|e| exercice_out(folder, e, today)).collect();
    Ok(Json(list))
}

fn exercice_out(folder: &Folder, e: &Exercice, today: NaiveDate) -> ExerciceOut {
    let (ca, result) = folder.revenue_and_result(e.start, e.end);
    ExerciceOut {
        exercice_id: e.id,
        start_date: dates::compact(e.start),
        end_date: dates::compact(e.end),
        label: label(e, today),
        result: Amount(result),
        ca: Amount(ca),
        closed: e.closed(),
        duration: e.duration(),
        closed_at: e.closure.as_ref().map(|c| dates::compact(c.at)),
        closed_by: e.closure.as_ref().map(|c| format!("{} {}", c.by.1, c.by.2)),
        review_model: ReviewModel { label: "Modèle Standard Myunisoft", id_review_model: 1 },
        lettering_method_id: 1,
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MadExercice {
    producer_id: String,
    name: String,
    period: Period,
    state: &'static str,
    additional_producer_properties: Lettering,
}

#[derive(Debug, Serialize)]
struct Period {
    start: String,
    end: String,
    duration: i64,
    closed: Option<Closed>,
}

#[derive(Debug, Serialize)]
struct Closed {
    at: String,
    by: Person,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Person {
    producer_id: String,
    first_name: &'static str,
    last_name: &'static str,
}

#[derive(Debug, Serialize)]
struct Lettering {
    lettering: &'static str,
}

async fn mad_exercices(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<Vec<MadExercice>>> {
    params.mad_version()?;
    let world = shared.world();
    let today = today();
    let list = world
        .folder(id)?
        .exercices
        .iter()
        .map(|e| MadExercice {
            producer_id: e.id.to_string(),
            name: label(e, today),
            period: Period {
                start: dates::iso(e.start),
                end: dates::iso(e.end),
                duration: e.duration(),
                closed: e.closure.as_ref().map(|c| Closed {
                    at: dates::iso(c.at),
                    by: Person {
                        producer_id: c.by.0.to_string(),
                        first_name: c.by.1,
                        last_name: c.by.2,
                    },
                }),
            },
            state: if e.closed() { "closed" } else { "open" },
            additional_producer_properties: Lettering { lettering: "MONO" },
        })
        .collect();
    Ok(Json(list))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::ymd;

    #[test]
    fn labels_are_relative_to_today() {
        let year = |y| Exercice { id: 1, start: ymd(y, 1, 1), end: ymd(y, 12, 31), closure: None };
        let today = ymd(2026, 11, 22);
        assert_eq!(label(&year(2026), today), "N");
        assert_eq!(label(&year(2025), today), "N-1");
        assert_eq!(label(&year(2027), today), "N+1");
    }
}
