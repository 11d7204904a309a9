//! `GenericJournalEntry` as a posting: one line per item, plus a VAT line beside each item
//! with `tax_info` (two for a reverse-charge code); amounts brought to euros when the entry is
//! in another currency.

use rust_decimal::Decimal;

use crate::booking::currency::foreign;
use crate::booking::vat::{side_account, vat_account, vat_code};
use crate::domain::accounting::VatCode;
use crate::domain::journal_entry::{
    AccountToCreate, EntryLineType, GenericJournalEntry, GenericJournalItem, TaxInfo,
};
use crate::domain::posting::{label, pdf, piece, AccountRef, JournalRef, Posting, PostingLine};
use crate::domain::third_party::PartyKind;
use crate::domain::Invalid;

/// Whose account a line of this type is on; `None` for a general account.
pub fn party_kind(t: EntryLineType) -> Option<PartyKind> {
    match t {
        EntryLineType::GeneralAccount => None,
        EntryLineType::CustomerAccount => Some(PartyKind::Client),
        EntryLineType::SupplierAccount => Some(PartyKind::Supplier),
        EntryLineType::EmployeeAccount => Some(PartyKind::Employee),
    }
}

/// A partner's account by id (`given`), or a client's or supplier's to create from
/// `account_info`.
fn partner_account(
    kind: PartyKind,
    given: Option<&str>,
    info: Option<&AccountToCreate>,
    field: &str,
) -> Result<AccountRef, Invalid> {
    match (given, info, kind) {
        (Some(id), _, _) => Ok(AccountRef::Partner { kind, id: id.to_owned() }),
        (None, Some(info), PartyKind::Client | PartyKind::Supplier) => {
            if !info.account_number.trim().starts_with(kind.root()) {
                return Err(Invalid::body(
                    format!("{field}.account_info.account_number"),
                    format!("must start with {} for this line type", kind.root()),
                ));
            }
            Ok(AccountRef::NewPartner {
                kind,
                number: info.account_number.trim().to_owned(),
                name: info.account_name.trim().to_owned(),
            })
        }
        _ => Err(Invalid::body(
            format!("{field}.account"),
            "required: the partner's id (or account_info to create a client or supplier)",
        )),
    }
}

/// The account of one written line.
fn line_account(item: &GenericJournalItem, field: &str) -> Result<AccountRef, Invalid> {
    let given = item.account.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let forced = item.force_general_account.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let create = item.account_info.as_ref().map(|i| i.account_name.clone());
    match (
        party_kind(item.account_type),
        forced,
        item.prioritise_thirdparty_account.unwrap_or(false),
    ) {
        (Some(_), Some(number), false) => {
            Ok(AccountRef::General { number: number.to_owned(), create: None })
        }
        (Some(kind), _, _) => partner_account(kind, given, item.account_info.as_ref(), field),
        (None, _, _) => {
            let number = given
                .or(item.account_info.as_ref().map(|i| i.account_number.trim()))
                .ok_or_else(|| {
                    Invalid::body(format!("{field}.account"), "required: a ledger account number")
                })?;
            Ok(AccountRef::General { number: number.to_owned(), create })
        }
    }
}

/// The line of one item; the due date goes on partner lines only.
fn item_line(
    entry: &GenericJournalEntry,
    item: &GenericJournalItem,
    field: &str,
    fallback: &str,
) -> Result<PostingLine, Invalid> {
    let account = line_account(item, field)?;
    let is_partner = matches!(account, AccountRef::Partner { .. } | AccountRef::NewPartner { .. });
    Ok(PostingLine {
        field: field.to_owned(),
        account,
        label: item
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| fallback.to_owned()),
        debit: *item.debit,
        credit: *item.credit,
        due_date: entry.due_date.filter(|_| is_partner),
        currency_amount: None,
        analytics: item.analytic_distribution.clone().unwrap_or_default(),
        payment_method: None,
    })
}

/// The second account of a reverse-charge code: the one given, else the code's account that
/// `account` is not.
fn reversed_account(
    code: &VatCode,
    tax: &TaxInfo,
    account: &str,
    field: &str,
) -> Result<String, Invalid> {
    let collected = code.deductible_account.as_deref() == Some(account);
    tax.reversed_vat_account.clone().or_else(|| side_account(code, collected)).ok_or_else(|| {
        Invalid::body(
            format!("{field}.reversed_vat_account"),
            format!("required: reverse-charge VAT code {} has no second account", code.id),
        )
    })
}

/// The VAT lines of an item's `tax_info`, on the side of the item (`label` is the item's).
fn vat_lines(
    item: &GenericJournalItem,
    tax: &TaxInfo,
    field: &str,
    label: &str,
    codes: &[VatCode],
) -> Result<Vec<PostingLine>, Invalid> {
    let field = format!("{field}.tax_info");
    if item.account_type != EntryLineType::GeneralAccount {
        return Err(Invalid::body(field, "only general-account lines take tax_info"));
    }
    if tax.tax_amount.is_sign_negative() {
        return Err(Invalid::body(format!("{field}.tax_amount"), "must not be negative"));
    }
    let code = vat_code(codes, &tax.tax_code, &format!("{field}.tax_code"))?;
    if tax.tax_amount.is_zero() {
        return Ok(vec![]);
    }
    let debit_side = !item.debit.is_zero();
    let number = item.account.as_deref().unwrap_or_default().trim();
    let account = vat_account(code, tax, number, debit_side, &field)?;
    let vat_label = tax.description.clone().unwrap_or_else(|| format!("TVA {label}"));
    let (debit, credit) = if debit_side {
        (tax.tax_amount.0, Decimal::ZERO)
    } else {
        (Decimal::ZERO, tax.tax_amount.0)
    };
    // Reverse charge: the same VAT the other way, on the other account of the code, so that
    // the two lines cancel out.
    let reversal = if code.reversed {
        let other = AccountRef::General {
            number: reversed_account(code, tax, &account, &field)?,
            create: None,
        };
        Some(PostingLine::new(field.clone(), other, &vat_label, credit, debit))
    } else {
        None
    };
    let account = AccountRef::General { number: account, create: None };
    let mut lines = vec![PostingLine::new(field, account, &vat_label, debit, credit)];
    lines.extend(reversal);
    Ok(lines)
}

/// `GenericJournalEntry` as a posting, with the folder's VAT codes (needed when an item has
/// `tax_info`).
pub fn posting(entry: &GenericJournalEntry, codes: &[VatCode]) -> Result<Posting, Invalid> {
    let number = piece("number", &entry.number)?;
    let reference = entry.reference.as_deref().map(|r| piece("reference", r)).transpose()?;
    let fallback = label(&entry.number);
    let mut lines = Vec::with_capacity(entry.items.len() + 1);
    for (i, item) in entry.items.iter().enumerate() {
        let field = format!("items.{i}");
        let line = item_line(entry, item, &field, &fallback)?;
        let label = line.label.clone();
        lines.push(line);
        if let Some(tax) = &item.tax_info {
            lines.extend(vat_lines(item, tax, &field, &label, codes)?);
        }
    }
    Posting {
        journal: JournalRef::Id(entry.journal_id.clone()),
        date: entry.date,
        number: Some(number),
        reference,
        currency: foreign(&entry.currency, entry.currency_exchange_rate)?,
        lines,
        attachment: entry
            .pdf
            .as_deref()
            .map(|p| pdf(p, entry.pdf_name.as_deref(), &entry.number))
            .transpose()?,
        posted: entry.posted.unwrap_or(true),
        period: entry.start_date.zip(entry.end_date),
        metadata: serde_json::json!({
            "number": entry.number,
            "reference": entry.reference,
            "tax_codes": entry.items.iter().map(|i| i.tax_code.clone()).collect::<Vec<_>>(),
        }),
    }
    .in_euros()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(items: serde_json::Value) -> GenericJournalEntry {
        serde_json::from_value(serde_json::json!({
            "journal_id": "20", "number": "OD-2026/9", "reference": "REF 1", "currency": "EUR",
            "date": "2026-03-01", "due_date": "2026-03-31", "items": items
        }))
        .unwrap()
    }

    fn codes() -> Vec<VatCode> {
        serde_json::from_value(serde_json::json!([{
            "id": "6621", "code": "01", "active": true, "label": "TVA 20", "scope": "nat", "rate": 20,
            "type": "both", "deductible_account": "445660", "payable_account": "445712", "reversed": false
        }]))
        .unwrap()
    }

    #[test]
    fn lines_name_general_accounts_partners_and_vat() {
        let p = posting(
            &entry(serde_json::json!([
                {"account_type": "general_account", "account": "606300", "debit": 100, "credit": 0,
                 "tax_info": {"tax_code": "6621", "tax_amount": 20}},
                {"account_type": "supplier_account", "account": "1180400", "debit": 0, "credit": 120}
            ])),
            &codes(),
        )
        .unwrap();
        let accounts: Vec<&AccountRef> = p.lines.iter().map(|l| &l.account).collect();
        assert_eq!(
            accounts,
            vec![
                &AccountRef::General { number: "606300".into(), create: None },
                &AccountRef::General { number: "445660".into(), create: None },
                &AccountRef::Partner { kind: PartyKind::Supplier, id: "1180400".into() },
            ]
        );
        assert_eq!(p.lines[1].debit, Decimal::from(20), "VAT on the side of its line");
        assert_eq!(p.lines[0].label, "OD-2026/9", "no description: the entry number");
        assert_eq!(
            p.lines[2].due_date,
            "2026-03-31".parse().ok(),
            "due date on partner lines only"
        );
        assert_eq!(p.lines[0].due_date, None);
        assert_eq!((p.number.as_deref(), p.reference.as_deref()), (Some("OD20269"), Some("REF1")));
    }

    #[test]
    fn reverse_charge_vat_posts_both_accounts_and_keeps_the_entry_balanced() {
        let mut reversed = codes();
        reversed[0].reversed = true;
        let p = posting(
            &entry(serde_json::json!([
                {"account_type": "general_account", "account": "606300", "debit": 100, "credit": 0,
                 "tax_info": {"tax_code": "6621", "tax_amount": 20}},
                {"account_type": "supplier_account", "account": "1180400", "debit": 0, "credit": 100}
            ])),
            &reversed,
        )
        .unwrap();
        let vat: Vec<(&AccountRef, Decimal, Decimal)> =
            p.lines[1..3].iter().map(|l| (&l.account, l.debit, l.credit)).collect();
        assert_eq!(
            vat,
            vec![
                (
                    &AccountRef::General { number: "445660".into(), create: None },
                    Decimal::from(20),
                    Decimal::ZERO
                ),
                (
                    &AccountRef::General { number: "445712".into(), create: None },
                    Decimal::ZERO,
                    Decimal::from(20)
                ),
            ]
        );
    }

    #[test]
    fn forced_accounts_and_accounts_to_create() {
        let p = posting(
            &entry(serde_json::json!([
                {"account_type": "customer_account", "account": "77", "force_general_account": "411000", "debit": 10, "credit": 0},
                {"account_type": "customer_account", "account_info": {"account_number": "411NEW", "account_name": "NEW"}, "debit": 0, "credit": 10}
            ])),
            &[],
        )
        .unwrap();
        assert_eq!(
            p.lines[0].account,
            AccountRef::General { number: "411000".into(), create: None }
        );
        assert_eq!(
            p.lines[1].account,
            AccountRef::NewPartner {
                kind: PartyKind::Client,
                number: "411NEW".into(),
                name: "NEW".into()
            }
        );
        let missing = posting(
            &entry(serde_json::json!([
                {"account_type": "employee_account", "debit": 10, "credit": 0},
                {"account_type": "general_account", "account": "421000", "debit": 0, "credit": 10}
            ])),
            &[],
        );
        assert!(matches!(missing, Err(i) if i.field == "items.0.account"));
    }
}
