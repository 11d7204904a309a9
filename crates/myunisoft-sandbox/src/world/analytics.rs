//! Analytic sections: creation on an axis (code unique on the axis, `UNIK1`) and partial
//! updates (`code`, `label`, `account` filter like `601;602;-601A`, `closed`).

use serde::Deserialize;

use super::{Folder, Ids, Section};
use crate::errors::{ApiError, ApiResult};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewSection {
    pub(crate) code: Option<String>,
    pub(crate) label: Option<String>,
    pub(crate) by_default: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SectionPatch {
    pub(crate) code: Option<String>,
    pub(crate) label: Option<String>,
    pub(crate) account: Option<String>,
    pub(crate) closed: Option<bool>,
}

pub(crate) fn axis_missing(id: i64) -> ApiError {
    ApiError::rule("AXE2", format!("l'axe {id} n'a pas été trouvé"))
}

pub(crate) fn section_missing(id: i64) -> ApiError {
    ApiError::rule("SECTION002", format!("la section {id} n'a pas été trouvé"))
}

pub(crate) fn create_section(
    folder: &mut Folder,
    ids: &mut Ids,
    axis_id: i64,
    input: NewSection,
) -> ApiResult<i64> {
    folder.axis(axis_id).ok_or_else(|| axis_missing(axis_id))?;
    let code = non_empty(input.code, "code")?;
    let label = non_empty(input.label, "label")?;
    ensure_unique_code(folder, axis_id, &code, None)?;
    let section =
        Section { id: ids.section.next(), axis_id, code, label, account: None, closed: false };
    let id = section.id;
    folder.sections.push(section);
    if input.by_default.unwrap_or(false) {
        if let Some(axis) = folder.axes.iter_mut().find(|a| a.id == axis_id) {
            axis.default_section = Some(id);
        }
    }
    Ok(id)
}

pub(crate) fn update_section(folder: &mut Folder, id: i64, patch: SectionPatch) -> ApiResult<()> {
    let axis_id = folder.section(id).ok_or_else(|| section_missing(id))?.axis_id;
    if let Some(code) = &patch.code {
        ensure_unique_code(folder, axis_id, code.trim(), Some(id))?;
    }
    if let Some(filter) = &patch.account {
        if !filter.is_empty() && !valid_filter(filter) {
            return Err(ApiError::rule(
                "FORMAT1",
                "Les comptes de la section ne sont pas au bon format. Ex : (60;61;-611)",
            ));
        }
    }
    let section =
        folder.sections.iter_mut().find(|s| s.id == id).ok_or_else(|| section_missing(id))?;
    if let Some(code) = patch.code {
        section.code = non_empty(Some(code), "code")?;
    }
    if let Some(label) = patch.label {
        section.label = non_empty(Some(label), "label")?;
    }
    if let Some(filter) = patch.account {
        section.account = Some(filter).filter(|f| !f.is_empty());
    }
    if let Some(closed) = patch.closed {
        section.closed = closed;
    }
    Ok(())
}

fn non_empty(value: Option<String>, name: &str) -> ApiResult<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).ok_or_else(|| {
        ApiError::rule("GBL18", format!("le parametre {name} ne peut etre etre vide"))
    })
}

fn ensure_unique_code(
    folder: &Folder,
    axis_id: i64,
    code: &str,
    except: Option<i64>,
) -> ApiResult<()> {
    let taken = folder
        .sections
        .iter()
        .any(|s| s.axis_id == axis_id && s.code.eq_ignore_ascii_case(code) && Some(s.id) != except);
    if taken {
        return Err(ApiError::rule("UNIK1", "Ce code section existe déjà pour cette société"));
    }
    Ok(())
}

/// `;`-separated account roots, each optionally prefixed by `-`.
fn valid_filter(filter: &str) -> bool {
    filter.split(';').all(|part| {
        let root = part.strip_prefix('-').unwrap_or(part);
        !root.is_empty() && root.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn section_codes_are_unique_and_filters_well_formed() {
        let mut world = seed::world();
        let (folder, ids) = world.folder_mut(4821).unwrap();
        let axis = folder.axes[0].id;
        let input = |code: &str| NewSection {
            code: Some(code.into()),
            label: Some("Projet".into()),
            by_default: None,
        };
        let id = create_section(folder, ids, axis, input("P001")).unwrap();
        assert_eq!(create_section(folder, ids, axis, input("p001")).unwrap_err().code, "UNIK1");
        assert_eq!(create_section(folder, ids, 1, input("P002")).unwrap_err().code, "AXE2");
        let bad = SectionPatch { account: Some("60;;61".into()), ..SectionPatch::default() };
        assert_eq!(update_section(folder, id, bad).unwrap_err().code, "FORMAT1");
        let good = SectionPatch {
            account: Some("601;602;-601A".into()),
            closed: Some(true),
            ..SectionPatch::default()
        };
        update_section(folder, id, good).unwrap();
        assert!(folder.section(id).unwrap().closed);
        assert_eq!(
            update_section(folder, 1, SectionPatch::default()).unwrap_err().code,
            "SECTION002"
        );
    }
}
