//! Analytic sections (`/analytics/axes/{id}/sections`, `/analytics/sections/{id}`).

use serde::{Deserialize, Serialize};

/// A section, as listed, read (an array of one), created or updated.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Section {
    pub id_section_analytique: i64,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    pub id_axe: i64,
    #[serde(default)]
    pub closed: bool,
}

/// `POST /analytics/axes/{id_axe}/sections`.
#[derive(Debug, Serialize)]
pub(crate) struct NewSection<'a> {
    pub code: &'a str,
    pub label: &'a str,
    pub by_default: bool,
}

/// `PUT /analytics/sections/{id}`: only what is given changes.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct SectionPatch<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<bool>,
}
