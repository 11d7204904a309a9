//! An entry of a sales or purchase journal read as an invoice. The partner's lines give the
//! type (which side), the total, the due dates and the payment status; VAT lines (on the VAT
//! codes' accounts) the tax; the other lines the untaxed amount. What Passerelle wrote itself
//! comes back with the lines as they were sent.

use rust_decimal::Decimal;

use crate::booking::invoices::Journals;
use crate::domain::accounting::{JournalType, VatCode};
use crate::domain::invoice::{
    AccountingInfo, ApprovalStatus, Invoice, InvoiceDueDate, InvoiceLine, InvoiceStatus,
    InvoiceType,
};
use crate::domain::journal_entry::{JournalEntry, JournalItem};
use crate::domain::money::{Money, Rate};
use crate::domain::third_party::PartyKind;

fn is_partner(item: &JournalItem, sale: bool) -> bool {
    let kind = if sale { PartyKind::Client } else { PartyKind::Supplier };
    item.partner_id.is_some() && item.account_number.starts_with(kind.root())
}

fn is_vat(item: &JournalItem, codes: &[VatCode]) -> bool {
    let n = item.account_number.as_str();
    n.starts_with("4456")
        || n.starts_with("4457")
        || codes.iter().any(|c| {
            c.payable_account.as_deref() == Some(n) || c.deductible_account.as_deref() == Some(n)
        })
}

/// The VAT code whose account one of the entry's VAT lines is on, when they all agree.
fn only_code<'c>(vat: &[&JournalItem], codes: &'c [VatCode], sale: bool) -> Option<&'c VatCode> {
    let mut found: Option<&VatCode> = None;
    for item in vat {
        let n = Some(item.account_number.as_str());
        let code = codes.iter().find(|c| {
            if sale {
                c.payable_account.as_deref() == n
            } else {
                c.deductible_account.as_deref() == n
            }
        })?;
        if found.is_some_and(|f| f.id != code.id) {
            return None;
        }
        found = Some(code);
    }
    found
}

/// Lines of an entry Passerelle did not write: one per revenue or expense line, the tax spread
/// by amount (the last line takes the rounding) at the VAT code's rate when there is one code.
fn derived_lines(
    goods: &[(&JournalItem, Decimal)],
    tax: Decimal,
    code: Option<&VatCode>,
) -> Vec<InvoiceLine> {
    let untaxed: Decimal = goods.iter().map(|(_, a)| *a).sum();
    let mut left = tax;
    let count = goods.len();
    goods
        .iter()
        .enumerate()
        .map(|(i, (item, amount))| {
            let share = if i + 1 == count || untaxed.is_zero() {
                left
            } else {
                (tax * amount / untaxed).round_dp(2)
            };
            left -= share;
            let rate = match code {
                Some(c) => c.rate,
                None if amount.is_zero() => Rate(Decimal::ZERO),
                None => Rate((share * Decimal::ONE_HUNDRED / amount).round_dp(2)),
            };
            InvoiceLine {
                line_number: Some(i as i64 + 1),
                unit_price: Money(*amount),
                unit_of_measure: None,
                quantity: Decimal::ONE,
                untaxed_amount: Money(*amount),
                tax_rate: rate,
                tax_amount: Money(share),
                total: Money(amount + share),
                account_number: Some(item.account_number.clone()),
                tax_code: code.map(|c| c.id.clone()),
                description: item.description.clone(),
                analytic_account: item.analytic_account.clone(),
                analytic_distribution: Some(item.analytic_distribution.clone()),
            }
        })
        .collect()
}

/// What Passerelle kept with an entry it wrote as an invoice (`metadata.invoice`).
#[derive(Clone, Copy)]
struct Sent<'m>(Option<&'m serde_json::Value>);

impl Sent<'_> {
    fn text(self, key: &str) -> Option<String> {
        self.0.and_then(|m| m.get(key)).and_then(|v| v.as_str()).map(str::to_owned)
    }

    /// An amount as sent, else the one the lines give.
    fn amount(self, key: &str, from_lines: Decimal) -> Decimal {
        self.text(key).and_then(|t| t.parse().ok()).unwrap_or(from_lines)
    }

    fn lines(self) -> Option<Vec<InvoiceLine>> {
        let lines = self.0.and_then(|m| m.get("lines"))?;
        serde_json::from_value(lines.clone()).ok()
    }
}

/// Whether a journal of this type holds sales (`Some(true)`) or purchases; `None` for others.
fn sale_journal(journal: JournalType) -> Option<bool> {
    match journal {
        JournalType::CustomerInvoice | JournalType::CustomerRefund => Some(true),
        JournalType::SupplierInvoice | JournalType::SupplierRefund => Some(false),
        _ => None,
    }
}

/// The type the partner's side gives: debited on a sale, it is an invoice, else a refund.
fn invoice_type(sale: bool, net: Decimal) -> InvoiceType {
    match (sale, net > Decimal::ZERO) {
        (true, true) => InvoiceType::CustomerInvoice,
        (true, false) => InvoiceType::CustomerRefund,
        (false, false) => InvoiceType::SupplierInvoice,
        (false, true) => InvoiceType::SupplierRefund,
    }
}

/// The invoice's lines: as sent when Passerelle wrote it, else derived from the non-partner
/// lines, in the document's currency.
fn lines(
    entry: &JournalEntry,
    sent: Sent,
    codes: &[VatCode],
    sale: bool,
    sign: Decimal,
) -> Vec<InvoiceLine> {
    if let Some(lines) = sent.lines() {
        return lines;
    }
    let own = |i: &JournalItem| -sign * (i.debit - i.credit);
    let others = || entry.items.iter().filter(|i| !is_partner(i, sale));
    let vat: Vec<&JournalItem> = others().filter(|i| is_vat(i, codes)).collect();
    let goods: Vec<(&JournalItem, Decimal)> =
        others().filter(|i| !is_vat(i, codes)).map(|i| (i, own(i))).collect();
    let tax: Decimal = vat.iter().map(|i| own(i)).sum();
    let in_currency =
        |euros: Decimal| match (&entry.document_currency, entry.document_exchange_rate) {
            (Some(_), Some(rate)) => (euros * rate).round_dp(2),
            _ => euros,
        };
    let mut lines = derived_lines(&goods, tax, only_code(&vat, codes, sale));
    for line in &mut lines {
        line.untaxed_amount = Money(in_currency(*line.untaxed_amount));
        line.unit_price = line.untaxed_amount;
        line.tax_amount = Money(in_currency(*line.tax_amount));
        line.total = line.untaxed_amount + line.tax_amount;
    }
    lines
}

/// Draft until posted; paid when every partner line is fully lettered.
fn status(entry: &JournalEntry, partners: &[&JournalItem]) -> InvoiceStatus {
    let paid = partners.iter().all(|p| !p.matching_numbers.is_empty() && !p.matching_partial);
    match (entry.posted, paid) {
        (false, _) => InvoiceStatus::Draft,
        (true, true) => InvoiceStatus::Paid,
        (true, false) => InvoiceStatus::Posted,
    }
}

fn due_dates(partners: &[&JournalItem], sign: Decimal) -> Vec<InvoiceDueDate> {
    partners
        .iter()
        .filter_map(|p| {
            p.due_date.map(|due_date| InvoiceDueDate {
                due_date,
                payment_method: p.payment_method.as_ref().and_then(|m| m.name.clone()),
                payment_method_id: p.payment_method.as_ref().map(|m| m.id.clone()),
                amount: Money(sign * (p.debit - p.credit)),
            })
        })
        .collect()
}

/// The invoice an entry of a journal of type `journal` is, if it is one (it has a partner line).
pub fn invoice(entry: &JournalEntry, journal: JournalType, codes: &[VatCode]) -> Option<Invoice> {
    let sale = sale_journal(journal)?;
    let partners: Vec<&JournalItem> = entry.items.iter().filter(|i| is_partner(i, sale)).collect();
    let net: Decimal = partners.iter().map(|i| i.debit - i.credit).sum();
    if partners.is_empty() || net.is_zero() {
        return None;
    }
    let invoice_type = invoice_type(sale, net);
    let sign = invoice_type.partner_sign();
    let sent = Sent(entry.metadata.as_ref().and_then(|m| m.get("invoice")));
    let lines = lines(entry, sent, codes, sale, sign);
    let due_dates = due_dates(&partners, sign);
    let untaxed: Decimal = lines.iter().map(|l| l.untaxed_amount).sum();
    let line_tax: Decimal = lines.iter().map(|l| l.tax_amount).sum();
    Some(Invoice {
        id: entry.id.clone(),
        invoice_type,
        invoice_number: sent.text("invoice_number").or_else(|| entry.name.clone()),
        currency: entry.document_currency.clone().unwrap_or_else(|| "EUR".into()),
        untaxed_amount: Money(sent.amount("untaxed_amount", untaxed)),
        tax_amount: Money(sent.amount("tax_amount", line_tax)),
        total: Money(sent.amount("total", untaxed + line_tax)),
        reference: sent.text("reference").or_else(|| entry.reference.clone()),
        payment_communication: sent.text("payment_communication"),
        customer_memo: sent.text("customer_memo"),
        payment_term_id: sent.text("payment_term_id"),
        invoice_date: entry.date,
        due_date: due_dates
            .iter()
            .map(|d| d.due_date)
            .max()
            .or(entry.due_date)
            .unwrap_or(entry.date),
        partner_id: partners.first().and_then(|p| p.partner_id.clone()),
        journal_id: entry.journal_id.clone(),
        status: status(entry, &partners),
        lines,
        payments: None,
        last_updated_on: entry.created_on,
        partner: None,
        due_dates,
        attachments_info: entry.attachments_info.clone(),
        accounting_info: AccountingInfo {
            main_currency: "EUR".into(),
            main_currency_total: Money(sign * net),
            account_number: partners.first().map(|p| p.account_number.clone()),
        },
        approval_status: ApprovalStatus::Unknown,
        payment_method_id: sent.text("payment_method_id").or_else(|| {
            partners.iter().find_map(|p| p.payment_method.as_ref().map(|m| m.id.clone()))
        }),
        withholding_tax: None,
        delivery_date: sent.text("delivery_date").and_then(|d| d.parse().ok()),
    })
}

/// The invoice `entry` is, given the folder's journals: `None` when its journal is not a sales
/// or purchase journal of the folder, or when it is not an invoice.
pub fn as_invoice(entry: &JournalEntry, journals: &Journals, codes: &[VatCode]) -> Option<Invoice> {
    let (kind, _) = journals.get(&entry.journal_id)?;
    invoice(entry, *kind, codes)
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::journal_entry::AttachmentsInfo;

    fn item(account: &str, partner: bool, debit: i64, credit: i64) -> JournalItem {
        JournalItem {
            id: account.into(),
            account_number: account.into(),
            account_name: account.into(),
            partner_id: partner.then(|| "77".to_owned()),
            partner_name: None,
            description: Some(format!("line {account}")),
            debit: Money(Decimal::new(debit, 2)),
            credit: Money(Decimal::new(credit, 2)),
            currency: "EUR".into(),
            currency_exchange_rate: Rate(Decimal::ONE),
            matching_numbers: vec![],
            analytic_distribution: vec![],
            analytic_account: None,
            analytic_account_name: None,
            due_date: None,
            matching_partial: false,
            payment_method: None,
        }
    }

    fn entry(items: Vec<JournalItem>) -> JournalEntry {
        JournalEntry {
            id: "E1".into(),
            reference: None,
            name: Some("FV1".into()),
            journal_id: "J".into(),
            journal_name: None,
            date: "2026-02-01".parse().unwrap(),
            due_date: None,
            due_dates: vec![],
            posted: true,
            attachments_info: AttachmentsInfo::none(),
            items,
            created_on: None,
            entry_id: "51".into(),
            document_currency: None,
            document_exchange_rate: None,
            metadata: None,
        }
    }

    fn codes() -> Vec<VatCode> {
        vec![crate::booking::vat::tests::code("20", 20, false)]
    }

    #[test]
    fn a_sale_reads_with_totals_lines_and_tax_spread_to_the_cent() {
        let e = entry(vec![
            item("411A", true, 13333, 0),
            item("706000", false, 0, 6667),
            item("706100", false, 0, 4444),
            item("445712", false, 0, 2222),
        ]);
        let inv = invoice(&e, JournalType::CustomerInvoice, &codes()).unwrap();
        assert_eq!(inv.invoice_type, InvoiceType::CustomerInvoice);
        assert_eq!(
            (*inv.untaxed_amount, *inv.tax_amount, *inv.total),
            (Decimal::new(11111, 2), Decimal::new(2222, 2), Decimal::new(13333, 2))
        );
        let taxes: Vec<Decimal> = inv.lines.iter().map(|l| *l.tax_amount).collect();
        assert_eq!(taxes, vec![Decimal::new(1333, 2), Decimal::new(889, 2)]);
        assert!(inv
            .lines
            .iter()
            .all(|l| l.tax_rate == Decimal::from(20) && l.tax_code.as_deref() == Some("20")));
        assert_eq!(inv.status, InvoiceStatus::Posted);
    }

    #[test]
    fn the_partner_side_gives_the_type_and_lettering_the_status() {
        let mut refund = vec![
            item("411A", true, 0, 1200),
            item("706000", false, 1000, 0),
            item("445712", false, 200, 0),
        ];
        let inv = invoice(&entry(refund.clone()), JournalType::CustomerInvoice, &codes()).unwrap();
        assert_eq!(
            (inv.invoice_type, *inv.total),
            (InvoiceType::CustomerRefund, Decimal::from(12))
        );
        refund[0].matching_numbers = vec!["AAB".into()];
        let paid = invoice(&entry(refund.clone()), JournalType::CustomerInvoice, &codes()).unwrap();
        assert_eq!(paid.status, InvoiceStatus::Paid);
        refund[0].matching_partial = true;
        let partly = invoice(&entry(refund), JournalType::CustomerInvoice, &codes()).unwrap();
        assert_eq!(partly.status, InvoiceStatus::Posted);
        let purchase = vec![
            item("401B", true, 0, 600),
            item("606300", false, 500, 0),
            item("445660", false, 100, 0),
        ];
        let inv = invoice(&entry(purchase), JournalType::SupplierInvoice, &codes()).unwrap();
        assert_eq!(
            (inv.invoice_type, *inv.untaxed_amount, *inv.tax_amount),
            (InvoiceType::SupplierInvoice, Decimal::from(5), Decimal::from(1))
        );
        let no_partner = vec![item("606300", false, 500, 0), item("512000", false, 0, 500)];
        assert!(
            invoice(&entry(no_partner.clone()), JournalType::SupplierInvoice, &codes()).is_none()
        );
        assert!(invoice(&entry(no_partner), JournalType::FinancialOperation, &codes()).is_none());
    }
}
