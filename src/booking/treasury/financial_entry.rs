//! A financial entry (`FinancialEntryItemIn`) as a posting: each item against the journal's
//! bank or cash account, VAT (`tax_info`) on top of a general-account item.

use rust_decimal::Decimal;

use crate::booking::currency::foreign;
use crate::booking::journal_entries::party_kind;
use crate::booking::text_or;
use crate::booking::treasury::movement;
use crate::booking::vat::{vat_account, vat_code};
use crate::domain::accounting::{Journal, JournalType, VatCode};
use crate::domain::journal_entry::{EntryLineType, JournalEntry, TaxInfo};
use crate::domain::operation::{FinancialEntry, FinancialLine};
use crate::domain::posting::{pdf, piece, AccountRef, JournalRef, Posting, PostingLine};
use crate::domain::Invalid;

/// The bank or cash journal an entry goes to, and the account it is booked against.
#[derive(Debug, Clone, PartialEq)]
pub struct Treasury {
    pub journal: Journal,
    pub account: String,
}

/// Journal `id` among the folder's `journals`, which must be a bank or cash journal; its
/// account is `forced` when given, else the journal's own.
pub fn treasury(
    journals: Vec<Journal>,
    id: &str,
    forced: Option<&str>,
) -> Result<Treasury, Invalid> {
    let journal = journals.into_iter().find(|j| j.id == id.trim()).ok_or_else(|| {
        Invalid::body(
            "journal_id",
            format!("no journal {id} in this folder; list them with GET /journals"),
        )
    })?;
    if journal.journal_type != JournalType::FinancialOperation {
        return Err(Invalid::body(
            "journal_id",
            format!("journal {id} is not a bank or cash journal"),
        ));
    }
    let account = forced
        .map(str::to_owned)
        .or_else(|| journal.counterpart_account.clone())
        .ok_or_else(|| {
            Invalid::query(
                "financial_counterpart_account",
                format!("required: journal {id} has no bank or cash account"),
            )
        })?;
    Ok(Treasury { journal, account })
}

/// The VAT of a general-account item, moved against the treasury account like the item.
fn vat_movement(
    item: &FinancialLine,
    tax: &TaxInfo,
    field: &str,
    treasury: &str,
    codes: &[VatCode],
    text: &str,
) -> Result<Option<[PostingLine; 2]>, Invalid> {
    let field = format!("{field}.tax_info");
    if item.account_type != EntryLineType::GeneralAccount {
        return Err(Invalid::body(field, "only general-account lines take tax_info"));
    }
    let code = vat_code(codes, &tax.tax_code, &format!("{field}.tax_code"))?;
    if code.reversed {
        return Err(Invalid::body(
            format!("{field}.tax_code"),
            "a reverse-charge code moves no money: book it with POST /journal-entries or /invoices",
        ));
    }
    if tax.tax_amount.is_zero() {
        return Ok(None);
    }
    let received = item.amount > Decimal::ZERO;
    // Money received credits the item's account: its VAT is on the credit side too.
    let vat_account = vat_account(code, tax, item.account.trim(), !received, &field)?;
    let signed = if received { tax.tax_amount } else { -tax.tax_amount };
    let account = AccountRef::General { number: vat_account, create: None };
    Ok(Some(movement(&field, treasury, account, *signed, text)))
}

/// The lines of one item: its movement, then its VAT's.
fn item_lines(
    item: &FinancialLine,
    field: &str,
    treasury: &str,
    codes: &[VatCode],
    fallback: &str,
) -> Result<Vec<PostingLine>, Invalid> {
    if item.amount.is_zero() {
        return Err(Invalid::body(
            format!("{field}.amount"),
            "must not be 0 (positive = received, negative = paid)",
        ));
    }
    let account = match party_kind(item.account_type) {
        Some(kind) => AccountRef::Partner { kind, id: item.account.trim().to_owned() },
        None => AccountRef::General { number: item.account.trim().to_owned(), create: None },
    };
    let text = text_or(item.description.as_deref(), fallback);
    let mut lines = Vec::from(movement(field, treasury, account, *item.amount, text));
    if let Some(tax) = &item.tax_info {
        lines.extend(vat_movement(item, tax, field, treasury, codes, text)?.into_iter().flatten());
    }
    Ok(lines)
}

/// A financial entry as a posting in `treasury`'s journal, with the folder's VAT codes (needed
/// when an item has `tax_info`).
pub fn posting(
    entry: &FinancialEntry,
    treasury: &Treasury,
    codes: &[VatCode],
) -> Result<Posting, Invalid> {
    let journal = &treasury.journal;
    let number = entry.number.as_deref().map(|n| piece("number", n)).transpose()?;
    let fallback =
        entry.reference.clone().or(entry.number.clone()).unwrap_or_else(|| journal.name.clone());
    let mut lines = Vec::new();
    for (i, item) in entry.items.iter().enumerate() {
        lines.extend(item_lines(item, &format!("items.{i}"), &treasury.account, codes, &fallback)?);
    }
    Posting {
        journal: JournalRef::Id(journal.id.clone()),
        date: entry.date,
        // The currency is checked before the number and the reference.
        currency: foreign(&entry.currency, entry.currency_exchange_rate)?,
        number,
        reference: entry.reference.as_deref().map(|r| piece("reference", r)).transpose()?,
        lines,
        attachment: entry
            .pdf
            .as_deref()
            .map(|p| {
                pdf(p, entry.pdf_name.as_deref(), entry.number.as_deref().unwrap_or("document"))
            })
            .transpose()?,
        posted: true,
        period: None,
        metadata: serde_json::json!({ "number": entry.number, "reference": entry.reference }),
    }
    .in_euros()
}

/// The entry as answered once `written`: its id, its number (the one sent, else the entry's),
/// and the account each item was booked against.
pub fn written(
    entry: &FinancialEntry,
    written: JournalEntry,
    treasury: &Treasury,
) -> FinancialEntry {
    let mut out = entry.clone();
    out.id = Some(written.id.clone());
    out.number = entry.number.clone().or(written.name).or(Some(written.id));
    for item in &mut out.items {
        item.counterpart_account = Some(treasury.account.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::vat::tests::code;

    fn journal(id: &str, journal_type: JournalType, account: Option<&str>) -> Journal {
        Journal {
            id: id.into(),
            code: Some(format!("J{id}")),
            name: format!("Journal {id}"),
            journal_type,
            counterpart_account: account.map(str::to_owned),
            currency: None,
            blocked: false,
            iban: None,
            next_document_numbers: vec![],
            other_currencies_allowed: false,
            unallocated_account: None,
        }
    }

    fn bank() -> Treasury {
        Treasury {
            journal: journal("5", JournalType::FinancialOperation, Some("512000")),
            account: "512000".into(),
        }
    }

    fn entry(items: serde_json::Value) -> FinancialEntry {
        serde_json::from_value(serde_json::json!({
            "date": "2026-04-02", "journal_id": "5", "currency": "EUR", "reference": null,
            "number": "BQ-4", "items": items
        }))
        .unwrap()
    }

    #[test]
    fn the_journal_must_be_a_bank_or_cash_journal_with_an_account() {
        let journals = || {
            vec![
                journal("1", JournalType::CustomerInvoice, None),
                journal("5", JournalType::FinancialOperation, Some("512000")),
                journal("6", JournalType::FinancialOperation, None),
            ]
        };
        assert_eq!(treasury(journals(), " 5 ", None).unwrap(), bank());
        assert_eq!(treasury(journals(), "6", Some("530000")).unwrap().account, "530000");
        assert_eq!(treasury(journals(), "9", None).unwrap_err().field, "journal_id");
        assert_eq!(treasury(journals(), "1", None).unwrap_err().field, "journal_id");
        let none = treasury(journals(), "6", None).unwrap_err();
        assert_eq!(
            (none.location, none.field.as_str()),
            (crate::domain::Location::Query, "financial_counterpart_account")
        );
    }

    #[test]
    fn items_move_against_the_treasury_account_with_their_vat() {
        let p = posting(
            &entry(serde_json::json!([
                {"account_type": "general_account", "account": "706000", "amount": 100,
                 "description": "Vente comptoir", "tax_info": {"tax_code": "20", "tax_amount": 20}},
                {"account_type": "supplier_account", "account": " 77 ", "amount": -50}
            ])),
            &bank(),
            &[code("20", 20, false)],
        )
        .unwrap();
        let d = Decimal::from;
        let general = |n: &str| AccountRef::General { number: n.into(), create: None };
        let sides: Vec<(&AccountRef, Decimal, Decimal)> =
            p.lines.iter().map(|l| (&l.account, l.debit, l.credit)).collect();
        assert_eq!(
            sides,
            vec![
                (&general("512000"), d(100), d(0)),
                (&general("706000"), d(0), d(100)),
                (&general("512000"), d(20), d(0)),
                (&general("445712"), d(0), d(20)),
                (&general("512000"), d(0), d(50)),
                (
                    &AccountRef::Partner {
                        kind: crate::domain::third_party::PartyKind::Supplier,
                        id: "77".into()
                    },
                    d(50),
                    d(0)
                ),
            ]
        );
        assert_eq!(p.lines[2].field, "items.0.tax_info");
        assert_eq!(p.lines[4].label, "BQ-4", "no description: the number");
        assert_eq!(p.journal, JournalRef::Id("5".into()));
    }

    #[test]
    fn zero_amounts_vat_on_partners_and_reverse_charge_are_refused() {
        let field = |items: serde_json::Value| {
            posting(&entry(items), &bank(), &[code("20", 20, false), code("RC", 20, true)])
                .unwrap_err()
                .field
        };
        assert_eq!(
            field(
                serde_json::json!([{"account_type": "general_account", "account": "706000", "amount": 0}])
            ),
            "items.0.amount"
        );
        assert_eq!(
            field(
                serde_json::json!([{"account_type": "customer_account", "account": "7", "amount": 5,
                "tax_info": {"tax_code": "20", "tax_amount": 1}}])
            ),
            "items.0.tax_info"
        );
        assert_eq!(
            field(
                serde_json::json!([{"account_type": "general_account", "account": "606000", "amount": -5,
                "tax_info": {"tax_code": "RC", "tax_amount": 1}}])
            ),
            "items.0.tax_info.tax_code"
        );
    }

    #[test]
    fn the_answer_carries_the_entry_id_its_number_and_the_treasury_account() {
        let sent = entry(serde_json::json!([
            {"account_type": "general_account", "account": "706000", "amount": 10}
        ]));
        let back: JournalEntry = serde_json::from_value(serde_json::json!({
            "id": "E9", "reference": null, "name": "BQ4", "journal_id": "5", "journal_name": null,
            "date": "2026-04-02", "due_date": null, "due_dates": [], "posted": true,
            "attachments_info": {"status": "no"}, "created_on": null, "entry_id": "9",
            "document_currency": null, "document_exchange_rate": null, "items": []
        }))
        .unwrap();
        let out = written(&sent, back.clone(), &bank());
        assert_eq!((out.id.as_deref(), out.number.as_deref()), (Some("E9"), Some("BQ-4")));
        assert_eq!(out.items[0].counterpart_account.as_deref(), Some("512000"));
        let unnumbered = FinancialEntry { number: None, ..sent };
        assert_eq!(written(&unnumbered, back, &bank()).number.as_deref(), Some("BQ4"));
    }
}
