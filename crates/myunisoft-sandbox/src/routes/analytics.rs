//! Analytics: axes (`GET /analytics/axes[/{id}]`), sections (list, create, read, update,
//! default) and the MAD view `GET /mad/analytics`. A company without analytics has no axes.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::errors::{ApiError, ApiResult};
use crate::params::{JsonBody, Params};
use crate::scope::FolderId;
use crate::server::SharedState;
use crate::world::analytics::{self as rules, NewSection, SectionPatch};
use crate::world::{Axis, Folder, Section};

pub(super) fn router() -> Router<SharedState> {
    Router::new()
        .route("/analytics/axes", get(list_axes))
        .route("/analytics/axes/{id_axe}", get(get_axis))
        .route("/analytics/axes/{id_axe}/sections", get(list_sections).post(create_section))
        .route("/analytics/axes/{id_axe}/defaultsection", get(default_section))
        .route("/analytics/sections/{id_section}", get(get_section).put(update_section))
        .route("/mad/analytics", get(mad_analytics))
}

/// A numeric path segment; anything else names the parameter in a `GBL10`.
fn path_id(raw: &str, name: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| ApiError::param(name))
}

#[derive(Debug, Serialize)]
struct AxisOut {
    id_axe: i64,
    code: String,
    label: String,
    id_societe: i64,
    id_section_default: Option<i64>,
}

impl AxisOut {
    fn of(folder: &Folder, a: &Axis) -> Self {
        AxisOut {
            id_axe: a.id,
            code: a.code.clone(),
            label: a.label.clone(),
            id_societe: folder.id(),
            id_section_default: a.default_section,
        }
    }
}

#[derive(Debug, Serialize)]
struct SectionOut {
    id_section_analytique: i64,
    code: String,
    label: String,
    id_axe: i64,
    account: Option<String>,
    closed: bool,
    isdefault: bool,
}

impl SectionOut {
    fn of(folder: &Folder, s: &Section) -> Self {
        let isdefault = folder.axis(s.axis_id).is_some_and(|a| a.default_section == Some(s.id));
        SectionOut {
            id_section_analytique: s.id,
            code: s.code.clone(),
            label: s.label.clone(),
            id_axe: s.axis_id,
            account: s.account.clone(),
            closed: s.closed,
            isdefault,
        }
    }
}

async fn list_axes(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
) -> ApiResult<Json<Vec<AxisOut>>> {
    let world = shared.world();
    let folder = world.folder(id)?;
    Ok(Json(folder.axes.iter().map(|a| AxisOut::of(folder, a)).collect()))
}

async fn get_axis(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    Path(axis): Path<String>,
) -> ApiResult<Json<AxisOut>> {
    let axis = path_id(&axis, "id_axe")?;
    let world = shared.world();
    let folder = world.folder(id)?;
    let found = folder.axis(axis).ok_or_else(|| rules::axis_missing(axis))?;
    Ok(Json(AxisOut::of(folder, found)))
}

async fn list_sections(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    Path(axis): Path<String>,
    params: Params,
) -> ApiResult<Json<Vec<SectionOut>>> {
    let axis = path_id(&axis, "id_axe")?;
    let with_closed = params.boolean("closed_section")?;
    let world = shared.world();
    let folder = world.folder(id)?;
    folder.axis(axis).ok_or_else(|| rules::axis_missing(axis))?;
    let list = folder
        .sections
        .iter()
        .filter(|s| s.axis_id == axis && (with_closed || !s.closed))
        .map(|s| SectionOut::of(folder, s))
        .collect();
    Ok(Json(list))
}

async fn create_section(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    Path(axis): Path<String>,
    JsonBody(input): JsonBody<NewSection>,
) -> ApiResult<Json<SectionOut>> {
    let axis = path_id(&axis, "id_axe")?;
    let mut world = shared.world();
    let (folder, ids) = world.folder_mut(id)?;
    let section = rules::create_section(folder, ids, axis, input)?;
    let created = folder.section(section).ok_or_else(|| rules::section_missing(section))?;
    Ok(Json(SectionOut::of(folder, created)))
}

#[derive(Debug, Serialize)]
struct DefaultSection {
    id_section_analytique: i64,
    code: String,
    label: String,
    id_axe: i64,
}

async fn default_section(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    Path(axis): Path<String>,
) -> ApiResult<Json<Option<DefaultSection>>> {
    let axis = path_id(&axis, "id_axe")?;
    let world = shared.world();
    let folder = world.folder(id)?;
    let found = folder.axis(axis).ok_or_else(|| rules::axis_missing(axis))?;
    let section = found.default_section.and_then(|s| folder.section(s)).map(|s| DefaultSection {
        id_section_analytique: s.id,
        code: s.code.clone(),
        label: s.label.clone(),
        id_axe: s.axis_id,
    });
    Ok(Json(section))
}

/// One section, in an array (as MyUnisoft answers this route).
async fn get_section(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    Path(section): Path<String>,
) -> ApiResult<Json<Vec<SectionOut>>> {
    let section = path_id(&section, "id_section")?;
    let world = shared.world();
    let folder = world.folder(id)?;
    let found = folder.section(section).ok_or_else(|| rules::section_missing(section))?;
    Ok(Json(vec![SectionOut::of(folder, found)]))
}

async fn update_section(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    Path(section): Path<String>,
    JsonBody(patch): JsonBody<SectionPatch>,
) -> ApiResult<Json<SectionOut>> {
    let section = path_id(&section, "id_section")?;
    let mut world = shared.world();
    let (folder, _) = world.folder_mut(id)?;
    rules::update_section(folder, section, patch)?;
    let updated = folder.section(section).ok_or_else(|| rules::section_missing(section))?;
    Ok(Json(SectionOut::of(folder, updated)))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MadAxis {
    producer_id: String,
    code: String,
    name: String,
    sections: Vec<MadSection>,
    additional_producer_properties: MadAxisProperties,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MadSection {
    producer_id: String,
    code: String,
    name: String,
    account: Option<String>,
    additional_producer_properties: Closed,
}

#[derive(Debug, Serialize)]
struct Closed {
    closed: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MadAxisProperties {
    default_section_id: Option<String>,
}

async fn mad_analytics(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<Vec<MadAxis>>> {
    params.mad_version()?;
    let world = shared.world();
    let folder = world.folder(id)?;
    let axes = folder
        .axes
        .iter()
        .map(|a| MadAxis {
            producer_id: a.id.to_string(),
            code: a.code.clone(),
            name: a.label.clone(),
            sections: folder
                .sections
                .iter()
                .filter(|s| s.axis_id == a.id)
                .map(|s| MadSection {
                    producer_id: s.id.to_string(),
                    code: s.code.clone(),
                    name: s.label.clone(),
                    account: s.account.clone(),
                    additional_producer_properties: Closed { closed: s.closed },
                })
                .collect(),
            additional_producer_properties: MadAxisProperties {
                default_section_id: a.default_section.map(|s| s.to_string()),
            },
        })
        .collect();
    Ok(Json(axes))
}
