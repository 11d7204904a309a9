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
    Ok(Some(movement(&field, treasury, account, signed, text)))
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
    let mut lines = Vec::from(movement(field, treasury, account, item.amount, text));
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
