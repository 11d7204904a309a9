//! Ledger accounts: the PCG chart as MyUnisoft holds it.

use crate::connectors::myunisoft::dto::{DetailedAccount, UpsertAccount, UpsertedAccount};
use crate::domain::accounting::{
    AccountTaxCode, AccountTaxInformation, AccountTaxMode, AccountType, LedgerAccount,
    NewLedgerAccount,
};
use crate::domain::Invalid;

/// The account's type from its number (French PCG).
pub(crate) fn account_type(number: &str) -> AccountType {
    let digits: String = number.chars().take(3).collect();
    match digits.as_str() {
        d if d.starts_with("512") || d.starts_with("514") => AccountType::Bank,
        d if d.starts_with("53") => AccountType::Cash,
        d if d.starts_with('5') => AccountType::OtherFinancial,
        d if d.starts_with("411") || d.starts_with("413") || d.starts_with("416") => {
            AccountType::Receivable
        }
        d if d.starts_with("401") || d.starts_with("403") || d.starts_with("404") => {
            AccountType::Payable
        }
        d if d.starts_with("445") => AccountType::Vat,
        d if d.starts_with('7') => AccountType::Income,
        d if d.starts_with("66")
            || d.starts_with("67")
            || d.starts_with("68")
            || d.starts_with("69") =>
        {
            AccountType::OtherExpense
        }
        d if d.starts_with('6') => AccountType::Expense,
        _ => AccountType::Other,
    }
}

pub(crate) fn ledger_account(a: &DetailedAccount) -> LedgerAccount {
    let tax_codes: Vec<AccountTaxCode> = a
        .vat_param
        .as_ref()
        .and_then(|v| v.vat_param_id)
        .map(|id| AccountTaxCode { id: id.to_string(), default: true })
        .into_iter()
        .collect();
    LedgerAccount {
        id: a.account_id.to_string(),
        number: a.account_number.clone(),
        name: a.label.clone(),
        active: !a.closed && !a.blocked,
        r#type: account_type(&a.account_number),
        tax_information: (!tax_codes.is_empty())
            .then_some(AccountTaxInformation { tax_codes, mode: AccountTaxMode::Free }),
        accounting_category: None,
        scheme_ids: None,
    }
}

pub(crate) fn upserted_account(a: &UpsertedAccount) -> LedgerAccount {
    LedgerAccount {
        id: a.account_id.to_string(),
        number: a.account_number.clone(),
        name: a.label.clone(),
        active: true,
        r#type: account_type(&a.account_number),
        tax_information: None,
        accounting_category: None,
        scheme_ids: None,
    }
}

/// MyUnisoft's limits on a new account: 1–20 characters, the first one a digit 1–9 (COMPTE6,
/// COMPTE7), a non-empty label. Checked before anything is sent.
pub(crate) fn upsert_account(new: &NewLedgerAccount) -> Result<UpsertAccount<'_>, Invalid> {
    let number = new.number.trim();
    if number.is_empty() || number.chars().count() > 20 {
        return Err(Invalid::body("number", "must be 1 to 20 characters (MyUnisoft COMPTE7)"));
    }
    if !number.starts_with(|c: char| ('1'..='9').contains(&c)) {
        return Err(Invalid::body("number", "must start with a digit 1-9 (MyUnisoft COMPTE6)"));
    }
    if !number.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Invalid::body("number", "must be letters and digits only"));
    }
    if new.name.trim().is_empty() {
        return Err(Invalid::body("name", "must not be empty"));
    }
    Ok(UpsertAccount { account_number: number, label: new.name.trim() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::myunisoft::dto::AccountPage;
    use crate::connectors::myunisoft::mapping::fixture;

    #[test]
    fn accounts_map_with_type_activity_and_vat_code() {
        let page: AccountPage = serde_json::from_str(fixture!("account_mode2.json")).unwrap();
        let accounts: Vec<_> = page.account_array.iter().map(ledger_account).collect();
        let bank = accounts.iter().find(|a| a.number == "512000").unwrap();
        assert_eq!((bank.r#type, bank.active), (AccountType::Bank, true));
        let closed = accounts.iter().find(|a| a.number == "622600").unwrap();
        assert!(!closed.active);
        let sales = accounts.iter().find(|a| a.number == "706000").unwrap();
        assert_eq!(sales.r#type, AccountType::Income);
        assert_eq!(sales.tax_information.as_ref().unwrap().tax_codes[0].id, "6628");
        assert_eq!(sales.id, "7700101");
    }

    #[test]
    fn types_follow_the_pcg() {
        let cases = [
            ("530000", AccountType::Cash),
            ("411DUPONT", AccountType::Receivable),
            ("401ACME", AccountType::Payable),
            ("445712", AccountType::Vat),
            ("601000", AccountType::Expense),
            ("671000", AccountType::OtherExpense),
            ("101000", AccountType::Other),
            ("580000", AccountType::OtherFinancial),
        ];
        for (number, t) in cases {
            assert_eq!(account_type(number), t, "{number}");
        }
    }

    #[test]
    fn myunisoft_account_limits_are_checked_before_sending() {
        let new = |number: &str| NewLedgerAccount {
            name: "X".into(),
            number: number.into(),
            r#type: None,
        };
        assert!(upsert_account(&new("706100")).is_ok());
        assert_eq!(upsert_account(&new("A706")).unwrap_err().field, "number");
        assert_eq!(upsert_account(&new("0706")).unwrap_err().field, "number");
        assert!(upsert_account(&new(&"7".repeat(21))).unwrap_err().rule.contains("COMPTE7"));
        assert!(upsert_account(&new("706-1")).is_err());
        let unnamed = NewLedgerAccount { name: " ".into(), number: "706".into(), r#type: None };
        assert_eq!(upsert_account(&unnamed).unwrap_err().field, "name");
    }
}
