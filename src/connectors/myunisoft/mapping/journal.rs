//! Journals: MyUnisoft diaries and their types.

use crate::connectors::myunisoft::dto::Diary;
use crate::connectors::{ConnectorError, WriteError};
use crate::domain::accounting::{Journal, JournalInType, JournalType, SUSPENSE_ACCOUNT};
use crate::domain::{Invalid, Refusal};

/// MyUnisoft's journal type code → the normalized (read side) type.
pub(crate) fn journal_type(code: Option<&str>) -> JournalType {
    match code.unwrap_or_default() {
        "VTE" => JournalType::CustomerInvoice,
        "ACH" | "NDF" | "NFD" => JournalType::SupplierInvoice,
        "BQ" | "CAISSE" => JournalType::FinancialOperation,
        "OD" | "OD_AUDIT" | "OD_SIMUL" | "A_EXT" | "EXT" | "OD_PAIE" | "AD_PAIE" | "OD_LET"
        | "OD_DECL_FISCALE" => JournalType::MiscellaneousOperation,
        _ => JournalType::Unknown,
    }
}

/// The normalized (create side) type → MyUnisoft's `diary_type_id`. MyUnisoft has no refund
/// journals: refunds go to the sales or purchase journal.
pub(crate) fn diary_type_id(t: JournalInType) -> i64 {
    match t {
        JournalInType::SupplierInvoice | JournalInType::SupplierRefund => 1,
        JournalInType::CustomerInvoice | JournalInType::CustomerRefund => 2,
        JournalInType::Bank => 3,
        JournalInType::Cash => 4,
        JournalInType::MiscellaneousOperation => 5,
    }
}

/// A journal code as MyUnisoft accepts it: 1 to 4 letters or digits (JOURNAL22).
pub(crate) fn journal_code(code: &str) -> Result<&str, Invalid> {
    let code = code.trim();
    if code.is_empty()
        || code.chars().count() > 4
        || !code.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(Invalid::body(
            "code",
            "must be 1 to 4 letters or digits (MyUnisoft JOURNAL22)",
        ));
    }
    Ok(code)
}

/// MyUnisoft's `GBL6` ("item already exists") on `POST /diary`: the folder has a journal with
/// this code already (Chift: `ERROR_JOURNAL_ALREADY_EXISTS`).
pub(crate) fn code_taken(e: ConnectorError, code: &str) -> WriteError {
    match &e {
        ConnectorError::Rejected { code: upstream, .. } if upstream == "GBL6" => Invalid::body(
            "code",
            format!(
                "this folder already has a journal {code} (MyUnisoft GBL6); list them with GET /journals"
            ),
        )
        .because(Refusal::JournalAlreadyExists)
        .into(),
        _ => e.into(),
    }
}

pub(crate) fn journal(d: &Diary) -> Journal {
    let kind = journal_type(d.diary_type_code.as_deref());
    Journal {
        id: d.diary_id.to_string(),
        code: d.code.clone().filter(|c| !c.is_empty()),
        name: d.name.clone(),
        journal_type: kind,
        counterpart_account: d.account.as_ref().and_then(|a| a.number.clone()),
        currency: Some("EUR".into()),
        blocked: d.blocked || d.closed,
        iban: None,
        next_document_numbers: Vec::new(),
        other_currencies_allowed: false,
        unallocated_account: (kind == JournalType::FinancialOperation)
            .then(|| SUSPENSE_ACCOUNT.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::myunisoft::mapping::fixture;

    #[test]
    fn diaries_map_to_journals_of_the_right_type() {
        let diaries: Vec<Diary> = serde_json::from_str(fixture!("diary.json")).unwrap();
        let journals: Vec<Journal> = diaries.iter().map(journal).collect();
        let types: Vec<_> = journals.iter().map(|j| j.journal_type).collect();
        assert_eq!(
            types,
            [
                JournalType::SupplierInvoice,
                JournalType::CustomerInvoice,
                JournalType::FinancialOperation,
                JournalType::Unknown
            ]
        );
        assert_eq!(journals[2].counterpart_account.as_deref(), Some("512000"));
        assert!(journals[3].blocked);
        assert_eq!(journals[3].code.as_deref(), Some("CT"));
    }

    #[test]
    fn journal_codes_follow_myunisoft_rules() {
        assert_eq!(journal_code(" BQ2 ").unwrap(), "BQ2");
        for bad in ["", "TOOLONG", "B-2"] {
            assert_eq!(journal_code(bad).unwrap_err().field, "code", "{bad}");
        }
    }

    #[test]
    fn a_taken_code_names_the_field_and_other_refusals_pass_through() {
        let rejected = |code: &str| ConnectorError::Rejected {
            software: "MyUnisoft",
            status: 400,
            code: code.into(),
            message: "Cet élément existe déjà.".into(),
        };
        let WriteError::Invalid(taken) = code_taken(rejected("GBL6"), "VT") else {
            panic!("GBL6 is a refusal of the code")
        };
        assert_eq!(taken.field, "code");
        assert_eq!(taken.refusal, Some(Refusal::JournalAlreadyExists));
        assert!(taken.rule.contains("journal VT"), "{}", taken.rule);
        assert!(matches!(code_taken(rejected("GBL18"), "VT"), WriteError::Connector(_)));
    }

    #[test]
    fn every_journal_in_type_has_a_myunisoft_type() {
        assert_eq!(diary_type_id(JournalInType::Bank), 3);
        assert_eq!(diary_type_id(JournalInType::CustomerRefund), 2);
        assert_eq!(journal_type(Some("OD_PAIE")), JournalType::MiscellaneousOperation);
        assert_eq!(journal_type(Some("AN")), JournalType::Unknown);
    }
}
