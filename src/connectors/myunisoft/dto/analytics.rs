//! Analytic sections (`/analytics/axes/{id}/sections`, `/analytics/sections/{id}`).

use serde::{Deserialize, Serialize};

/// A section, as listed, read, created or updated.
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

/// `GET /analytics/sections/{id}`: documented as a section, shown in Postman as an array of one;
/// both are read, and an empty array is no section.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum SectionRead {
    One(Section),
    Many(Vec<Section>),
}

impl SectionRead {
    pub(crate) fn into_sections(self) -> Vec<Section> {
        match self {
            SectionRead::One(section) => vec![section],
            SectionRead::Many(sections) => sections,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(json: &str) -> Vec<(i64, i64)> {
        let read: SectionRead = serde_json::from_str(json).unwrap();
        read.into_sections().iter().map(|s| (s.id_section_analytique, s.id_axe)).collect()
    }

    #[test]
    fn one_section_reads_as_an_object_or_an_array_of_one() {
        let section = r#"{"id_section_analytique": 9052, "code": "P001", "label": "Projet 1",
                          "id_axe": 411, "account": null, "closed": false, "isdefault": false}"#;
        assert_eq!(ids(section), [(9052, 411)]);
        assert_eq!(ids(&format!("[{section}]")), [(9052, 411)]);
        assert_eq!(ids("[]"), []);
    }
}
