//! `POST /diary`: a journal code of 2 to 4 characters, unique in the folder; bank and cash
//! journals need their counterpart account (51x / 53x), which no other journal may use.

use serde::Deserialize;

use super::catalog;
use super::{Diary, Folder, Ids};
use crate::errors::{ApiError, ApiResult};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DiaryInput {
    pub(crate) code: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) diary_type_id: Option<u8>,
    pub(crate) diary_account_id: Option<i64>,
}

pub(crate) fn create(folder: &mut Folder, ids: &mut Ids, input: DiaryInput) -> ApiResult<i64> {
    let code = input.code.as_deref().map(str::trim).unwrap_or("");
    if code.is_empty() {
        return Err(ApiError::rule("JOURNAL6", "Saisie d'un code journal obligatoire."));
    }
    if !(2..=4).contains(&code.chars().count()) || !code.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(ApiError::rule(
            "JOURNAL22",
            "Un code journal doit comporter entre 2 et 4 caractères",
        ));
    }
    if folder.diaries.iter().any(|d| d.code.eq_ignore_ascii_case(code)) {
        return Err(ApiError::rule("GBL6", "Cet élément existe déjà."));
    }
    let name = input.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let name =
        name.ok_or_else(|| ApiError::rule("GBL18", "le parametre name ne peut etre etre vide"))?;
    let kind = match input.diary_type_id {
        Some(id) => Some(
            catalog::diary_type(id)
                .ok_or_else(|| ApiError::rule("JOURNAL3", "Le journal est invalide."))?,
        ),
        None => None,
    };
    let needs_root = match kind.map(|k| k.code) {
        Some("BQ") => Some("51"),
        Some("CAISSE") => Some("53"),
        _ => None,
    };
    if let Some(account_id) = input.diary_account_id {
        let account = folder
            .account(account_id)
            .ok_or_else(|| ApiError::rule("COMPTE2", "Le compte n'existe pas."))?;
        if let Some(root) = needs_root {
            if !account.number.starts_with(root) {
                return Err(ApiError::rule(
                    "COMPTE31",
                    format!("Le compte {} doit commencer par {root}", account.number),
                ));
            }
        }
        if folder.diaries.iter().any(|d| d.account_id == Some(account_id)) {
            return Err(ApiError::rule(
                "JOURNAL8",
                "Impossible d'affecter ce compte car il est déjà affecté à un autre journal.",
            ));
        }
    } else if needs_root.is_some() {
        return Err(ApiError::rule(
            "JOURNAL7",
            "Impossible de générer la contrepartie car aucun compte n'est paramétré sur ce journal.",
        ));
    }
    let diary = Diary {
        id: ids.diary.next(),
        code: code.to_owned(),
        name: name.to_owned(),
        type_id: kind.map(|k| k.id),
        account_id: input.diary_account_id,
        blocked: false,
        closed: false,
    };
    let id = diary.id;
    folder.diaries.push(diary);
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn input(code: &str, type_id: u8, account: Option<i64>) -> DiaryInput {
        DiaryInput {
            code: Some(code.into()),
            name: Some("JOURNAL TEST".into()),
            diary_type_id: Some(type_id),
            diary_account_id: account,
        }
    }

    #[test]
    fn journal_codes_are_short_and_unique() {
        let mut world = seed::world();
        let (folder, ids) = world.folder_mut(4821).unwrap();
        assert_eq!(create(folder, ids, input("BQ234", 5, None)).unwrap_err().code, "JOURNAL22");
        assert_eq!(create(folder, ids, input("X", 5, None)).unwrap_err().code, "JOURNAL22");
        assert_eq!(create(folder, ids, input("20", 5, None)).unwrap_err().code, "GBL6");
        let id = create(folder, ids, input("OD2", 5, None)).unwrap();
        assert_eq!(folder.diary(id).unwrap().type_code(), "OD");
    }

    #[test]
    fn bank_journals_need_a_free_51_account() {
        let mut world = seed::world();
        let (folder, ids) = world.folder_mut(4821).unwrap();
        let bank = folder.account_by_number("512000").unwrap().id;
        let spare = folder.account_by_number("512100").unwrap().id;
        let cash = folder.account_by_number("530000").unwrap().id;
        assert_eq!(create(folder, ids, input("BQ2", 3, None)).unwrap_err().code, "JOURNAL7");
        assert_eq!(create(folder, ids, input("BQ2", 3, Some(cash))).unwrap_err().code, "COMPTE31");
        assert_eq!(create(folder, ids, input("BQ2", 3, Some(bank))).unwrap_err().code, "JOURNAL8");
        assert!(create(folder, ids, input("BQ2", 3, Some(spare))).is_ok());
    }
}
