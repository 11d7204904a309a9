//! Money in and out: financial entries (bank and cash journals), bank statements and invoice
//! payments, each written as an entry against the journal's bank or cash account.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::domain::accounting::{Journal, JournalType};
use crate::domain::journal_entry::EntryLineType;
use crate::domain::operation::{BankStatement, FinancialEntry, InvoicePayment};
use crate::domain::posting::{pdf, piece, AccountRef, JournalRef, Posting, PostingLine};
use crate::domain::third_party::PartyKind;
use crate::domain::Invalid;
use crate::error::{AppError, Result};
use crate::service::accounting::{ledger, Context};
use crate::service::journal_entries::{foreign, vat_account, vat_code};
use crate::service::{invoices, postings};
use crate::state::AppState;

/// Suspense account for bank lines whose counterpart is unknown.
const SUSPENSE: &str = "471000";
/// Bank charges.
const BANK_FEES: &str = "627000";

/// The caller's text, else `fallback`.
fn text_or<'a>(text: Option<&'a str>, fallback: &'a str) -> &'a str {
    text.filter(|t| !t.trim().is_empty()).unwrap_or(fallback)
}

/// Two lines moving `amount` (positive = received) between the treasury account and `other`.
fn movement(
    field: &str,
    treasury: &str,
    other: AccountRef,
    amount: Decimal,
    label: &str,
) -> [PostingLine; 2] {
    let (bank_debit, bank_credit) =
        if amount > Decimal::ZERO { (amount, Decimal::ZERO) } else { (Decimal::ZERO, -amount) };
    let line = |account, debit, credit| PostingLine::new(field, account, label, debit, credit);
    [
        line(
            AccountRef::General { number: treasury.to_owned(), create: None },
            bank_debit,
            bank_credit,
        ),
        line(other, bank_credit, bank_debit),
    ]
}

/// A bank or cash journal of the folder and its account.
async fn treasury_journal(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    id: &str,
    forced: Option<&str>,
) -> Result<(Journal, String)> {
    let journals = ledger(s, ctx)?.journals(ctx.folder(s, folder).await?).await?;
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
        )
        .into());
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
    Ok((journal, account))
}

fn partner_kind(t: EntryLineType) -> Option<PartyKind> {
    match t {
        EntryLineType::GeneralAccount => None,
        EntryLineType::CustomerAccount => Some(PartyKind::Client),
        EntryLineType::SupplierAccount => Some(PartyKind::Supplier),
        EntryLineType::EmployeeAccount => Some(PartyKind::Employee),
    }
}

/// Posts a financial entry: each item against the journal's account, VAT (`tax_info`) on top
/// of a general-account item.
pub async fn financial_entry(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    counterpart: Option<&str>,
    entry: &FinancialEntry,
) -> Result<FinancialEntry> {
    if entry.items.is_empty() {
        return Err(Invalid::body("items", "at least one line").into());
    }
    let (journal, treasury) =
        treasury_journal(s, ctx, folder, &entry.journal_id, counterpart).await?;
    let scope = ctx.folder(s, folder).await?;
    let codes = if entry.items.iter().any(|i| i.tax_info.is_some()) {
        ledger(s, ctx)?.vat_codes(scope).await?
    } else {
        vec![]
    };
    let number = entry.number.as_deref().map(|n| piece("number", n)).transpose()?;
    let fallback =
        entry.reference.clone().or(entry.number.clone()).unwrap_or_else(|| journal.name.clone());
    let mut lines = Vec::new();
    for (i, item) in entry.items.iter().enumerate() {
        let field = format!("items.{i}");
        if item.amount.is_zero() {
            return Err(Invalid::body(
                format!("{field}.amount"),
                "must not be 0 (positive = received, negative = paid)",
            )
            .into());
        }
        let account = match partner_kind(item.account_type) {
            Some(kind) => AccountRef::Partner { kind, id: item.account.trim().to_owned() },
            None => AccountRef::General { number: item.account.trim().to_owned(), create: None },
        };
        let text = text_or(item.description.as_deref(), &fallback);
        lines.extend(movement(&field, &treasury, account, item.amount, text));
        if let Some(tax) = &item.tax_info {
            let field = format!("{field}.tax_info");
            if item.account_type != EntryLineType::GeneralAccount {
                return Err(Invalid::body(field, "only general-account lines take tax_info").into());
            }
            let code = vat_code(&codes, &tax.tax_code, &format!("{field}.tax_code"))?;
            if code.reversed {
                return Err(Invalid::body(
                    format!("{field}.tax_code"),
                    "a reverse-charge code moves no money: book it with POST /journal-entries or /invoices",
                )
                .into());
            }
            if tax.tax_amount.is_zero() {
                continue;
            }
            let received = item.amount > Decimal::ZERO;
            // Money received credits the item's account: its VAT is on the credit side too.
            let vat_account = vat_account(code, tax, item.account.trim(), !received, &field)?;
            let signed = if received { tax.tax_amount } else { -tax.tax_amount };
            lines.extend(movement(
                &field,
                &treasury,
                AccountRef::General { number: vat_account, create: None },
                signed,
                text,
            ));
        }
    }
    let currency = foreign(&entry.currency, entry.currency_exchange_rate)?;
    let posting = Posting {
        journal: JournalRef::Id(journal.id.clone()),
        date: entry.date,
        number,
        reference: entry.reference.as_deref().map(|r| piece("reference", r)).transpose()?,
        currency,
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
    .in_euros()?;
    let written = postings::post(s, ctx, scope, &posting).await?;
    let mut out = entry.clone();
    out.id = Some(written.id.clone());
    out.number = entry.number.clone().or(written.name).or(Some(written.id));
    for item in &mut out.items {
        item.counterpart_account = Some(treasury.clone());
    }
    Ok(out)
}

/// Posts a bank statement as one entry in the bank account's journal: per transaction, the
/// bank line, the counterpart (a partner, `general_ledger_account`, else suspense 471000) and
/// the fee on 627000.
pub async fn bank_statement(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    statement: &BankStatement,
) -> Result<BankStatement> {
    if statement.items.is_empty() {
        return Err(Invalid::body("items", "at least one transaction").into());
    }
    let scope = ctx.folder(s, folder).await?;
    let banking = s
        .connectors
        .banking(ctx.kind())
        .ok_or_else(|| crate::service::accounting::unsupported("bank accounts", ctx.kind()))?;
    let accounts = banking.bank_accounts(scope).await?;
    let bank =
        accounts.iter().find(|b| b.id == statement.bank_account_id.trim()).ok_or_else(|| {
            Invalid::body(
                "bank_account_id",
                format!(
                    "no bank account {} in this folder; list them with GET /bank-accounts",
                    statement.bank_account_id
                ),
            )
        })?;
    let journal = bank
        .journal_id
        .clone()
        .ok_or_else(|| Invalid::body("bank_account_id", "this bank account has no journal"))?;
    let treasury = bank.ledger_account.clone().ok_or_else(|| {
        Invalid::body("bank_account_id", "this bank account has no ledger account")
    })?;
    if statement.currency.trim().to_ascii_uppercase()
        != bank.currency.clone().unwrap_or_else(|| "EUR".into())
    {
        return Err(Invalid::body("currency", "must be the bank account's currency").into());
    }
    let number = statement
        .external_bank_statement_id
        .as_deref()
        .map(|n| piece("external_bank_statement_id", n))
        .transpose()?;
    let fallback = format!("Relevé {}", statement.bank_statement_date);
    let mut lines = Vec::new();
    for (i, item) in statement.items.iter().enumerate() {
        let field = format!("items.{i}");
        if item.amount.is_zero() {
            return Err(Invalid::body(format!("{field}.amount"), "must not be 0").into());
        }
        if item.tax_amount.is_some_and(|t| !t.is_zero()) {
            return Err(Invalid::body(
                format!("{field}.tax_amount"),
                "VAT on a bank line is not booked by MyUnisoft: record the invoice instead",
            )
            .into());
        }
        let partner = item.counterpart.as_ref().and_then(|c| {
            let kind = match c.counterpart_type.as_deref() {
                Some("customer") | Some("client") => PartyKind::Client,
                Some("supplier") => PartyKind::Supplier,
                Some("employee") => PartyKind::Employee,
                _ => return None,
            };
            c.id.clone().map(|id| AccountRef::Partner { kind, id })
        });
        let other = partner.unwrap_or_else(|| AccountRef::General {
            number: item.general_ledger_account.clone().unwrap_or_else(|| SUSPENSE.into()),
            create: None,
        });
        let text = text_or(item.description.as_deref(), &fallback);
        let fee = item.fee_amount.unwrap_or_default();
        if fee.is_sign_negative() {
            return Err(Invalid::body(format!("{field}.fee_amount"), "must not be negative").into());
        }
        if fee > item.amount.abs() {
            return Err(
                Invalid::body(format!("{field}.fee_amount"), "must not exceed the amount").into()
            );
        }
        let [mut bank_line, mut counterpart] =
            movement(&field, &treasury, other, item.amount, text);
        // `amount` is gross, the fee included: money received reaches the bank less the fee;
        // money paid leaves the bank whole, the fee part of it going to charges.
        if !fee.is_zero() {
            if item.amount > Decimal::ZERO {
                bank_line.debit -= fee;
            } else {
                counterpart.debit -= fee;
            }
            let [_, charge] = movement(
                &field,
                &treasury,
                AccountRef::General { number: BANK_FEES.into(), create: None },
                -fee,
                text,
            );
            lines.push(charge);
        }
        lines.extend([bank_line, counterpart]);
    }
    lines.retain(|l| !(l.debit.is_zero() && l.credit.is_zero()));
    let posting = Posting {
        journal: JournalRef::Id(journal),
        date: statement.bank_statement_date,
        number,
        reference: None,
        currency: None,
        lines,
        attachment: statement
            .pdf
            .as_deref()
            .map(|p| pdf(p, statement.pdf_name.as_deref(), "releve"))
            .transpose()?,
        posted: true,
        period: None,
        metadata: serde_json::json!({ "external_bank_statement_id": statement.external_bank_statement_id }),
    };
    let written = postings::post(s, ctx, scope, &posting).await?;
    let mut out = statement.clone();
    out.id = Some(written.id);
    Ok(out)
}

/// Records a payment of invoices: one entry in the first open bank journal (the bank debited
/// for money received), one line per invoice on its partner's account, then each partner's
/// lines matched with its invoices (partially when not fully paid).
pub async fn invoice_payment(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    payment: &InvoicePayment,
) -> Result<String> {
    if payment.items.is_empty() {
        return Err(Invalid::body("items", "at least one invoice").into());
    }
    let scope = ctx.folder(s, folder).await?;
    let journals = ledger(s, ctx)?.journals(scope).await?;
    let mut banks: Vec<&Journal> = journals
        .iter()
        .filter(|j| j.journal_type == JournalType::FinancialOperation && !j.blocked)
        .filter(|j| j.counterpart_account.as_deref().is_some_and(|a| a.starts_with("512")))
        .collect();
    banks.sort_by(|a, b| a.code.cmp(&b.code));
    let bank = banks.first().ok_or_else(|| {
        Invalid::body(
            "payment_method_id",
            "this folder has no open bank journal to record the payment in",
        )
    })?;
    let treasury = bank.counterpart_account.clone().unwrap_or_default();
    let mut lines = Vec::new();
    let mut by_partner: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, item) in payment.items.iter().enumerate() {
        let field = format!("items.{i}");
        if item.amount <= Decimal::ZERO {
            return Err(Invalid::body(format!("{field}.amount"), "must be positive").into());
        }
        let (invoice, entry, _) =
            invoices::with_entry(s, ctx, folder, &item.invoice_id).await.map_err(|e| match e {
                AppError::NotFound { .. }
                | AppError::Connector(crate::connectors::ConnectorError::NotFound { .. }) => {
                    AppError::Invalid(Invalid::body(
                        format!("{field}.invoice_id"),
                        format!("no invoice `{}`", item.invoice_id),
                    ))
                }
                other => other,
            })?;
        // MyUnisoft letters a line once: an invoice already (partly) matched cannot take this
        // payment's lettering, so it is refused before anything is written.
        if let Some(done) = entry
            .items
            .iter()
            .filter(|l| l.partner_id.is_some())
            .find_map(|l| l.matching_numbers.first())
        {
            return Err(Invalid::body(
                format!("{field}.invoice_id"),
                format!("invoice `{}` is already matched ({done}): MyUnisoft cannot letter its line again; record the payment with POST /journal-entries", item.invoice_id),
            )
            .into());
        }
        let partner = invoice.partner_id.clone().ok_or_else(|| {
            Invalid::body(format!("{field}.invoice_id"), "the invoice has no partner")
        })?;
        let kind =
            if invoice.invoice_type.is_sale() { PartyKind::Client } else { PartyKind::Supplier };
        // Money comes in when the partner was debited (customer invoice, supplier refund).
        let received = invoice.invoice_type.partner_sign() * item.amount;
        let settles = format!("Règlement {}", invoice.invoice_number.clone().unwrap_or_default());
        let text = text_or(payment.reference.as_deref(), &settles);
        lines.extend(movement(
            &field,
            &treasury,
            AccountRef::Partner { kind, id: partner.clone() },
            received,
            text,
        ));
        by_partner.entry(partner).or_default().push(invoice.id.clone());
    }
    let currency = foreign(&payment.currency, payment.currency_exchange_rate)?;
    let posting = Posting {
        journal: JournalRef::Id(bank.id.clone()),
        date: payment.date,
        number: payment.number.as_deref().map(|n| piece("number", n)).transpose()?,
        reference: payment.reference.as_deref().map(|r| piece("reference", r)).transpose()?,
        currency,
        lines,
        attachment: None,
        posted: true,
        period: None,
        metadata: serde_json::json!({ "payment_method_id": payment.payment_method_id, "number": payment.number }),
    }
    .in_euros()?;
    let written = postings::post(s, ctx, scope, &posting).await?;
    for (partner, mut entries) in by_partner {
        entries.push(written.id.clone());
        postings::match_entries(s, ctx, scope, &partner, &entries).await.map_err(|e| match e {
            AppError::Connector(error) => {
                AppError::Partial { created: vec![format!("payment entry {}", written.id)], error }
            }
            other => other,
        })?;
    }
    Ok(written.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_received_debits_the_bank_and_money_paid_credits_it() {
        let other = || AccountRef::General { number: "411X".into(), create: None };
        let [bank, counterpart] = movement("items.0", "512000", other(), Decimal::from(30), "x");
        assert_eq!(
            (bank.debit, bank.credit, counterpart.debit, counterpart.credit),
            (Decimal::from(30), Decimal::ZERO, Decimal::ZERO, Decimal::from(30))
        );
        let [bank, counterpart] = movement("items.0", "512000", other(), Decimal::from(-30), "x");
        assert_eq!(
            (bank.debit, bank.credit, counterpart.debit, counterpart.credit),
            (Decimal::ZERO, Decimal::from(30), Decimal::from(30), Decimal::ZERO)
        );
        assert_eq!(bank.account, AccountRef::General { number: "512000".into(), create: None });
    }
}
