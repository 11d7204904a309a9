//! The VAT rules every document shares: a VAT code by id, and which of its accounts a VAT line
//! is booked on.

use crate::domain::accounting::VatCode;
use crate::domain::journal_entry::TaxInfo;
use crate::domain::{Invalid, Refusal};

/// A VAT code by id, for the VAT lines Passerelle adds.
pub fn vat_code<'v>(codes: &'v [VatCode], id: &str, field: &str) -> Result<&'v VatCode, Invalid> {
    codes.iter().find(|c| c.id == id.trim()).ok_or_else(|| {
        Invalid::body(field, format!("no VAT code `{id}`; list them with GET /vat-codes"))
            .because(Refusal::TaxCodeNotFound)
    })
}

/// The code's collected (payable) account, or its deductible one.
pub fn side_account(code: &VatCode, collected: bool) -> Option<String> {
    if collected {
        code.payable_account.clone()
    } else {
        code.deductible_account.clone()
    }
}

/// The VAT account of a `tax_info` beside a line on `account`: the one given, else the
/// code's collected account for revenue (class 7), its deductible account for expenses and
/// assets (classes 6 and 2), else by side (a debit deducts, a credit collects). A refund keeps
/// the VAT account of the invoice it reverses.
pub fn vat_account(
    code: &VatCode,
    tax: &TaxInfo,
    account: &str,
    debit: bool,
    field: &str,
) -> Result<String, Invalid> {
    let collected = match account.chars().next() {
        Some('7') => true,
        Some('6' | '2') => false,
        _ => !debit,
    };
    tax.vat_account.clone().or_else(|| side_account(code, collected)).ok_or_else(|| {
        Invalid::body(
            format!("{field}.vat_account"),
            format!(
                "required: VAT code {} has no {} account",
                code.id,
                if collected { "collected" } else { "deductible" }
            ),
        )
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::domain::money::{Money, Rate};
    use rust_decimal::Decimal;

    use super::*;
    use crate::domain::accounting::{VatCodeScope, VatCodeType};

    pub(crate) fn code(id: &str, rate: i64, reversed: bool) -> VatCode {
        VatCode {
            id: id.into(),
            code: None,
            active: true,
            label: format!("TVA {rate}"),
            scope: VatCodeScope::Nat,
            rate: Rate(Decimal::from(rate)),
            r#type: VatCodeType::Both,
            deductible_account: Some("445660".into()),
            payable_account: Some("445712".into()),
            reversed,
            country: None,
            withholding_tax: false,
        }
    }

    fn tax(vat_account: Option<&str>) -> TaxInfo {
        TaxInfo {
            tax_code: "20".into(),
            tax_amount: Money(Decimal::from(20)),
            vat_account: vat_account.map(str::to_owned),
            reversed_vat_account: None,
            description: None,
        }
    }

    #[test]
    fn codes_are_found_by_trimmed_id() {
        let codes = [code("20", 20, false)];
        assert_eq!(vat_code(&codes, " 20 ", "tax_code").unwrap().id, "20");
        assert_eq!(
            vat_code(&codes, "5", "lines.0.tax_code").unwrap_err().field,
            "lines.0.tax_code"
        );
    }

    #[test]
    fn the_account_class_then_the_side_picks_the_vat_account() {
        let c = code("20", 20, false);
        let pick = |account, debit| vat_account(&c, &tax(None), account, debit, "f").unwrap();
        assert_eq!(pick("706000", true), "445712", "revenue collects, whatever the side");
        assert_eq!(pick("606300", false), "445660", "expenses deduct, whatever the side");
        assert_eq!(pick("218000", false), "445660", "assets deduct");
        assert_eq!(pick("467000", true), "445660", "otherwise a debit deducts");
        assert_eq!(pick("467000", false), "445712", "and a credit collects");
        assert_eq!(vat_account(&c, &tax(Some("445800")), "706000", true, "f").unwrap(), "445800");
    }

    #[test]
    fn a_code_without_the_account_needed_asks_for_one() {
        let mut c = code("20", 20, false);
        c.payable_account = None;
        let e = vat_account(&c, &tax(None), "706000", false, "items.0.tax_info").unwrap_err();
        assert_eq!(e.field, "items.0.tax_info.vat_account");
        assert!(e.rule.contains("collected"), "{}", e.rule);
        assert_eq!(side_account(&c, false).as_deref(), Some("445660"));
        assert_eq!(side_account(&c, true), None);
    }
}
