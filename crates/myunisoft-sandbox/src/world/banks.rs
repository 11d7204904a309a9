//! `POST /rib`: a company bank account (IBAN/BIC) linked to a bank journal. One IBAN per
//! folder (`RIB11`), one IBAN per journal (`RIB8`), valid IBANs only (`RIB9`, `RIB14`).

use chrono::NaiveDate;
use formats::iban;
use serde::Deserialize;

use super::{Folder, Ids, Rib};
use crate::dates;
use crate::errors::{ApiError, ApiResult};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RibInput {
    pub(crate) banking_integration: Option<bool>,
    pub(crate) bic: Option<String>,
    pub(crate) diary_id: Option<i64>,
    pub(crate) iban: Option<String>,
    pub(crate) is_default: Option<bool>,
    pub(crate) owner: Option<String>,
    pub(crate) rib_label: Option<String>,
    pub(crate) start_date: Option<String>,
}

pub(crate) fn create(folder: &mut Folder, ids: &mut Ids, input: RibInput) -> ApiResult<i64> {
    let iban = iban::compact(input.iban.as_deref().unwrap_or(""));
    if iban.is_empty() {
        return Err(ApiError::rule("RIB1", "Veuillez saisir un IBAN."));
    }
    if !(15..=34).contains(&iban.len()) {
        return Err(ApiError::rule("RIB9", "Taille IBAN invalid"));
    }
    if !iban::checksum_ok(&iban) {
        return Err(ApiError::rule("RIB14", "L'IBAN du RIB n'est pas valide"));
    }
    let bic = input.bic.as_deref().map(str::trim).unwrap_or("").to_uppercase();
    if bic.is_empty() {
        return Err(ApiError::rule("RIB2", "Veuillez saisir un BIC."));
    }
    let owner = input.owner.as_deref().map(str::trim).filter(|o| !o.is_empty());
    let owner = owner.ok_or_else(|| {
        ApiError::rule(
            "RIB12",
            "Merci de bien vouloir renseigner le titulaire du compte par défaut.",
        )
    })?;
    let diary_id = input.diary_id.ok_or_else(|| ApiError::param("diary_id"))?;
    let diary = folder
        .diary(diary_id)
        .ok_or_else(|| ApiError::rule("JOURNAL3", "Le journal est invalide."))?;
    if diary.type_code() != "BQ" {
        return Err(ApiError::rule("JOURNAL3", "Le journal est invalide."));
    }
    if folder.ribs.iter().any(|r| r.iban == iban) {
        return Err(ApiError::rule("RIB11", "Cet IBAN existe déjà."));
    }
    if folder.ribs.iter().any(|r| r.diary_id == diary_id) {
        return Err(ApiError::rule(
            "RIB8",
            "Impossible de paramétrer ce journal car il est déjà lié à un autre IBAN",
        ));
    }
    let start_date: Option<NaiveDate> = match input.start_date.as_deref().filter(|s| !s.is_empty())
    {
        Some(s) => Some(
            dates::parse_iso(s).ok_or_else(|| ApiError::rule("GBL2", "Date saisie invalide"))?,
        ),
        None => None,
    };
    let is_default = input.is_default.unwrap_or(false) || folder.ribs.is_empty();
    if is_default {
        folder.ribs.iter_mut().for_each(|r| r.is_default = false);
    }
    let rib = Rib {
        id: ids.rib.next(),
        diary_id,
        start_date,
        owner: owner.to_owned(),
        iban,
        bic,
        is_default,
        label: input.rib_label.filter(|l| !l.trim().is_empty()),
        banking_integration: input.banking_integration.unwrap_or(false),
    };
    let id = rib.id;
    folder.ribs.push(rib);
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn a_rib_needs_a_free_bank_journal_and_a_new_iban() {
        let mut world = seed::world();
        let (folder, ids) = world.folder_mut(4821).unwrap();
        let linked = folder.ribs[0].clone();
        let od = folder.diary_by_code("20").unwrap().id;
        let rib = |iban: &str, diary_id: i64| RibInput {
            iban: Some(iban.into()),
            bic: Some("BNPAFRPP".into()),
            owner: Some("BOULANGERIE DU PORT".into()),
            diary_id: Some(diary_id),
            ..RibInput::default()
        };
        let fresh = iban::with_checksum("FR", "30004000039876543210143");
        assert_eq!(
            create(folder, ids, rib(&linked.iban, linked.diary_id)).unwrap_err().code,
            "RIB11"
        );
        assert_eq!(create(folder, ids, rib(&fresh, linked.diary_id)).unwrap_err().code, "RIB8");
        assert_eq!(create(folder, ids, rib(&fresh, od)).unwrap_err().code, "JOURNAL3");
        assert_eq!(create(folder, ids, rib("FR76", od)).unwrap_err().code, "RIB9");
        assert_eq!(create(folder, ids, rib("", od)).unwrap_err().code, "RIB1");
    }
}
