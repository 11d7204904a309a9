//! Money in and out: financial entries (bank and cash journals), bank statements and invoice
//! payments, each written as an entry against the journal's bank or cash account (the rules
//! are in [`booking::treasury`]).

use crate::booking;
use crate::booking::treasury::invoice_payment::{self, Settlement};
use crate::booking::treasury::{bank_statement, financial_entry};
use crate::connectors::{ConnectorError, FolderScope};
use crate::domain::invoice::Invoice;
use crate::domain::journal_entry::JournalEntry;
use crate::domain::operation::{
    BankStatement, FinancialEntry, FinancialEntryOut, InvoicePayment, InvoicePaymentItem,
};
use crate::domain::Invalid;
use crate::error::{AppError, Result};
use crate::service::accounting::{ledger, unsupported, Context};
use crate::service::{invoices, postings};
use crate::state::AppState;

/// Posts a financial entry: each item against the journal's account, VAT (`tax_info`) on top
/// of a general-account item.
pub async fn financial_entry(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    counterpart: Option<&str>,
    entry: &FinancialEntry,
) -> Result<FinancialEntryOut> {
    booking::non_empty(&entry.items, "items", "at least one line")?;
    let scope = ctx.folder(s, folder).await?;
    let journals = ledger(s, ctx)?.journals(scope).await?;
    let treasury = financial_entry::treasury(journals, &entry.journal_id, counterpart)?;
    let codes = if entry.items.iter().any(|i| i.tax_info.is_some()) {
        ledger(s, ctx)?.vat_codes(scope).await?
    } else {
        vec![]
    };
    let posting = financial_entry::posting(entry, &treasury, &codes)?;
    let written = postings::post(s, ctx, scope, &posting).await?;
    Ok(financial_entry::written(entry, written, &treasury))
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
    booking::non_empty(&statement.items, "items", "at least one transaction")?;
    let scope = ctx.folder(s, folder).await?;
    let banking =
        s.connectors.banking(ctx.kind()).ok_or_else(|| unsupported("bank accounts", ctx.kind()))?;
    let accounts = banking.bank_accounts(scope).await?;
    let posting = bank_statement::posting(statement, &accounts)?;
    let written = postings::post(s, ctx, scope, &posting).await?;
    Ok(BankStatement { id: Some(written.id), ..statement.clone() })
}

/// Invoice `item` pays, and the entry it is; an unknown invoice is an invalid `field`.
async fn paid_invoice(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    item: &InvoicePaymentItem,
    field: &str,
) -> Result<(Invoice, JournalEntry)> {
    match invoices::with_entry(s, ctx, folder, &item.invoice_id).await {
        Ok((invoice, entry, _)) => Ok((invoice, entry)),
        Err(AppError::NotFound { .. } | AppError::Connector(ConnectorError::NotFound { .. })) => {
            Err(AppError::Invalid(Invalid::body(
                format!("{field}.invoice_id"),
                format!("no invoice `{}`", item.invoice_id),
            )))
        }
        Err(other) => Err(other),
    }
}

/// Letters each partner's lines of the payment entry `written` with its invoices; a failure
/// then is partial: the entry is written.
async fn letter(
    s: &AppState,
    ctx: &Context,
    scope: FolderScope<'_>,
    settled: &[Settlement],
    written: &str,
) -> Result<()> {
    for (partner, entries) in invoice_payment::lettering(settled, written) {
        postings::match_entries(s, ctx, scope, &partner, &entries).await.map_err(|e| match e {
            AppError::Connector(error) => {
                AppError::Partial { created: vec![format!("payment entry {written}")], error }
            }
            other => other,
        })?;
    }
    Ok(())
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
    booking::non_empty(&payment.items, "items", "at least one invoice")?;
    let scope = ctx.folder(s, folder).await?;
    // A resumed payment whose entry landed and was matched is done; one not yet matched goes on
    // (its entry is found, not sent again).
    let landed = postings::landed(s, ctx, scope).await?;
    if let Some(entry) = &landed {
        let mut partner_lines = entry.items.iter().filter(|l| l.partner_id.is_some()).peekable();
        if partner_lines.peek().is_some() && partner_lines.all(|l| !l.matching_numbers.is_empty()) {
            return Ok(entry.id.clone());
        }
    }
    let journals = ledger(s, ctx)?.journals(scope).await?;
    let bank = invoice_payment::bank_journal(&journals)?;
    let mut settled = Vec::with_capacity(payment.items.len());
    for (i, item) in payment.items.iter().enumerate() {
        let field = format!("items.{i}");
        invoice_payment::check_amount(item, &field)?;
        let (invoice, entry) = paid_invoice(s, ctx, folder, item, &field).await?;
        settled.push(invoice_payment::settlement(payment, item, &field, &invoice, &entry)?);
    }
    let posting = invoice_payment::posting(payment, bank, &settled)?;
    // An entry found above is not looked up again by the post.
    let written = match landed {
        Some(entry) => entry,
        None => postings::post(s, ctx, scope, &posting).await?,
    };
    letter(s, ctx, scope, &settled, &written.id).await?;
    Ok(written.id)
}
