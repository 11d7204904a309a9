//! Bank accounts: MyUnisoft RIBs, each tied to a bank journal whose account is the 512 ledger
//! account.

use formats::iban;

use crate::connectors::myunisoft::dto::{Diary, Rib};
use crate::domain::accounting::{BankAccount, SUSPENSE_ACCOUNT};

/// A BIC: 4 letters (bank), the IBAN's country, 2 characters (place), optionally 3 (branch).
pub(crate) fn bic_error(bic: &str, iban: &str) -> Option<&'static str> {
    let shaped = matches!(bic.len(), 8 | 11)
        && bic.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && bic.chars().take(6).all(|c| c.is_ascii_uppercase());
    if !shaped {
        return Some("is not a BIC (8 or 11 characters, e.g. PSSTFRPPXXX) (MyUnisoft BIC1)");
    }
    (bic.get(4..6) != iban.get(..2))
        .then_some("names another country than the IBAN (MyUnisoft BIC2)")
}

pub(crate) fn bank_account(r: &Rib, journals: &[Diary]) -> BankAccount {
    let journal = r.diary_id.and_then(|id| journals.iter().find(|d| d.diary_id == id));
    BankAccount {
        id: r.rib_id.to_string(),
        code: journal.and_then(|j| j.code.clone()),
        currency: Some("EUR".into()),
        account_name: r.owner.clone().or_else(|| r.diary_label.clone()),
        account_number: r.iban.as_deref().map(iban::compact),
        iban: r.iban.as_deref().map(iban::compact),
        bank_name: r.rib_label.clone().or_else(|| r.bic.clone()),
        journal_id: r.diary_id.map(|id| id.to_string()),
        ledger_account: journal.and_then(|j| j.account.as_ref()?.number.clone()),
        unallocated_account: Some(SUSPENSE_ACCOUNT.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::myunisoft::mapping::fixture;

    #[test]
    fn bics_are_checked_against_the_iban_country() {
        assert_eq!(bic_error("PSSTFRPPXXX", "FR1420041010050500013M02606"), None);
        assert_eq!(bic_error("BNPAFRPP", "FR7630004000031234567890143"), None);
        assert!(bic_error("BNPAFRP", "FR76").is_some());
        assert!(bic_error("COBADEFF", "FR7630004000031234567890143").unwrap().contains("BIC2"));
    }

    #[test]
    fn a_rib_takes_its_journal_code_and_ledger_account() {
        let journals: Vec<Diary> = serde_json::from_str(fixture!("diary.json")).unwrap();
        let rib: Rib = serde_json::from_str(
            r#"{"rib_id": 10665, "diary_id": 32173, "diary_label": "15 - JOURNAL BANQUE", "society_id": 4821,
                "start_date": "20250101", "owner": "BOULANGERIE DU PORT", "iban": "FR76 3000 4000 0312 3456 7890 143",
                "bic": "BNPAFRPP", "is_default": true}"#,
        )
        .unwrap();
        let b = bank_account(&rib, &journals);
        assert_eq!(b.iban.as_deref(), Some("FR7630004000031234567890143"));
        assert_eq!((b.code.as_deref(), b.ledger_account.as_deref()), (Some("15"), Some("512000")));
        assert_eq!(b.journal_id.as_deref(), Some("32173"));
    }
}
