//! Invoices: entries of sales and purchase journals read as invoices, their payments (the
//! entries lettered with them), and invoices written as entries; the rules are in
//! [`crate::booking::invoices`].

use crate::booking::invoices::payments::payments_of;
use crate::booking::invoices::read::as_invoice;
pub use crate::booking::invoices::write::{refuse_unsupported, WriteOptions};
use crate::booking::invoices::{write, Journals};
use crate::connectors::ConnectorError;
use crate::domain::accounting::VatCode;
use crate::domain::invoice::{
    Invoice, InvoiceIn, InvoiceStatus, InvoiceType, Payment, PaymentStatus,
};
use crate::domain::journal_entry::{EntryFilter, JournalEntry};
use crate::domain::third_party::PartyKind;
use crate::domain::{Invalid, Resource};
use crate::error::{AppError, Result};
use crate::service::accounting::{ledger, Context};
use crate::service::{journal_entries, postings, third_parties};
use crate::state::AppState;

/// What narrows a list of invoices, and what each carries.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub date_from: Option<chrono::NaiveDate>,
    pub date_to: Option<chrono::NaiveDate>,
    pub journal_ids: Option<Vec<String>>,
    pub payment_status: PaymentStatus,
    pub updated_after: Option<chrono::DateTime<chrono::Utc>>,
    pub include_payments: bool,
    pub include_invoice_lines: bool,
    pub include_partner_info: bool,
}

/// The folder's journal types by id, and its VAT codes.
async fn reference(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
) -> Result<(Journals, Vec<VatCode>)> {
    let scope = ctx.folder(s, folder).await?;
    let ledger = ledger(s, ctx)?;
    let journals = ledger
        .journals(scope)
        .await?
        .into_iter()
        .map(|j| (j.id, (j.journal_type, j.name)))
        .collect();
    Ok((journals, ledger.vat_codes(scope).await?))
}

/// Every entry of the folder, pending ones included (payments can be in any year).
async fn all_entries(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
) -> Result<Vec<JournalEntry>> {
    journal_entries::list(
        s,
        ctx,
        folder,
        &EntryFilter { unposted_allowed: true, ..EntryFilter::default() },
    )
    .await
}

/// Adds the partner's record to each invoice.
async fn with_partners(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    invoices: &mut [Invoice],
) -> Result<()> {
    let Some(first) = invoices.first() else { return Ok(()) };
    let kind = if first.invoice_type.is_sale() { PartyKind::Client } else { PartyKind::Supplier };
    let partners =
        third_parties::list(s, ctx, folder, kind, &third_parties::Filter::default()).await?;
    for invoice in invoices {
        invoice.partner =
            partners.iter().find(|p| Some(&p.id) == invoice.partner_id.as_ref()).cloned();
    }
    Ok(())
}

pub async fn list(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    invoice_type: InvoiceType,
    f: &InvoiceFilter,
) -> Result<Vec<Invoice>> {
    let (journals, codes) = reference(s, ctx, folder).await?;
    let window = EntryFilter {
        unposted_allowed: true,
        date_from: f.date_from,
        date_to: f.date_to,
        updated_after: f.updated_after,
        ..EntryFilter::default()
    };
    let entries = if f.include_payments {
        all_entries(s, ctx, folder).await?
    } else {
        journal_entries::list(s, ctx, folder, &window).await?
    };
    let mut out = Vec::new();
    // With payments, every entry was read: the window still applies to the invoices.
    for entry in entries.iter().filter(|e| window.admits(e)) {
        if f.journal_ids.as_ref().is_some_and(|ids| !ids.contains(&entry.journal_id)) {
            continue;
        }
        let Some(mut invoice) = as_invoice(entry, &journals, &codes) else { continue };
        let paid = invoice.status == InvoiceStatus::Paid;
        let wanted = match f.payment_status {
            PaymentStatus::All => true,
            PaymentStatus::Paid => paid,
            PaymentStatus::Unpaid => !paid,
        };
        if invoice.invoice_type != invoice_type || !wanted {
            continue;
        }
        if f.include_payments {
            invoice.payments = Some(payments_of(entry, &entries, &journals));
        }
        if !f.include_invoice_lines {
            invoice.lines.clear();
        }
        out.push(invoice);
    }
    if f.include_partner_info {
        with_partners(s, ctx, folder, &mut out).await?;
    }
    Ok(out)
}

/// One invoice with its lines; payments and partner when asked.
pub async fn get(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    id: &str,
    f: &InvoiceFilter,
) -> Result<Invoice> {
    let (mut invoice, entry, journals) = with_entry(s, ctx, folder, id).await?;
    if f.include_payments {
        invoice.payments =
            Some(payments_of(&entry, &all_entries(s, ctx, folder).await?, &journals));
    }
    if f.include_partner_info {
        with_partners(s, ctx, folder, std::slice::from_mut(&mut invoice)).await?;
    }
    Ok(invoice)
}

/// Invoice `id`, the entry it is and the folder's journals.
pub(crate) async fn with_entry(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    id: &str,
) -> Result<(Invoice, JournalEntry, Journals)> {
    let (journals, codes) = reference(s, ctx, folder).await?;
    let not_found = || AppError::NotFound { resource: Resource::Invoice, id: id.to_owned() };
    // An invoice is an entry: no entry, no invoice.
    let entry = journal_entries::get(s, ctx, folder, id).await.map_err(|e| match e {
        AppError::NotFound { .. } | AppError::Connector(ConnectorError::NotFound { .. }) => {
            not_found()
        }
        e => e,
    })?;
    let invoice = as_invoice(&entry, &journals, &codes).ok_or_else(not_found)?;
    Ok((invoice, entry, journals))
}

/// The payments lettered with invoice `id`.
pub async fn payments(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    id: &str,
) -> Result<Vec<Payment>> {
    let filter = InvoiceFilter { include_payments: true, ..InvoiceFilter::default() };
    Ok(get(s, ctx, folder, id, &filter).await?.payments.unwrap_or_default())
}

/// Writes `inv` as an entry and answers the invoice as read back.
pub async fn create(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    inv: &InvoiceIn,
    multi: bool,
    options: &WriteOptions,
) -> Result<Invoice> {
    write::check_period(inv, options)?;
    let (journals, codes) = reference(s, ctx, folder).await?;
    if let Some(id) = inv.payment_method_id.as_deref().map(str::trim) {
        let methods = ledger(s, ctx)?.payment_methods(ctx.folder(s, folder).await?).await?;
        if !methods.iter().any(|m| m.id == id) {
            return Err(Invalid::body(
                "payment_method_id",
                format!("no payment method {id} in this folder (GET /payment-methods)"),
            )
            .into());
        }
    }
    let wanted = !multi && inv.lines.iter().any(|l| l.analytic_account.is_some());
    let default_plan = postings::default_plan(s, ctx, folder, wanted).await?;
    write::check_journal(inv, &journals)?;
    let posting = write::posting(inv, &codes, default_plan.as_deref(), multi, options)?;
    let scope = ctx.folder(s, folder).await?;
    let entry = postings::post(s, ctx, scope, &posting).await?;
    as_invoice(&entry, &journals, &codes).ok_or_else(|| {
        AppError::Internal(format!(
            "entry {} was written but does not read as an invoice",
            entry.id
        ))
    })
}
