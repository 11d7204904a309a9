//! Journals: `GET /diary[?q=&type=&code=]` and `POST /diary`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::errors::ApiResult;
use crate::params::{JsonBody, Params};
use crate::scope::FolderId;
use crate::server::SharedState;
use crate::world::journals::{self, DiaryInput};
use crate::world::{Diary, Folder};

pub(super) fn router() -> Router<SharedState> {
    Router::new().route("/diary", get(list_diaries).post(create_diary))
}

#[derive(Debug, Serialize)]
struct DiaryOut {
    diary_id: i64,
    code: String,
    name: String,
    diary_type_id: Option<u8>,
    diary_type_code: &'static str,
    diary_type_name: &'static str,
    account: Option<DiaryAccount>,
    blocked: bool,
    closed: bool,
}

#[derive(Debug, Serialize)]
struct DiaryAccount {
    id: i64,
    number: String,
    label: String,
}

impl DiaryOut {
    fn of(folder: &Folder, d: &Diary) -> Self {
        DiaryOut {
            diary_id: d.id,
            code: d.code.clone(),
            name: d.name.clone(),
            diary_type_id: d.type_id,
            diary_type_code: d.type_code(),
            diary_type_name: d.kind().map_or("", |k| k.label),
            account: d.account_id.and_then(|id| folder.account(id)).map(|a| DiaryAccount {
                id: a.id,
                number: a.number.clone(),
                label: a.label.clone(),
            }),
            blocked: d.blocked,
            closed: d.closed,
        }
    }
}

async fn list_diaries(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<Vec<DiaryOut>>> {
    let world = shared.world();
    let folder = world.folder(id)?;
    let q = params.get("q").map(str::to_lowercase);
    let list = folder
        .diaries
        .iter()
        .filter(|d| {
            q.as_deref().is_none_or(|q| {
                d.name.to_lowercase().contains(q) || d.code.to_lowercase().contains(q)
            })
        })
        .filter(|d| params.get("type").is_none_or(|t| d.type_code() == t))
        .filter(|d| params.get("code").is_none_or(|c| d.code == c))
        .map(|d| DiaryOut::of(folder, d))
        .collect();
    Ok(Json(list))
}

#[derive(Debug, Serialize)]
struct Created {
    diary_id: i64,
}

async fn create_diary(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    JsonBody(input): JsonBody<DiaryInput>,
) -> ApiResult<Json<Created>> {
    let mut world = shared.world();
    let (folder, ids) = world.folder_mut(id)?;
    Ok(Json(Created { diary_id: journals::create(folder, ids, input)? }))
}
