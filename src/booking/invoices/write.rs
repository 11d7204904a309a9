//! `InvoiceItemIn…` as a posting: the partner's line for the total, one line per invoice line
//! for its untaxed amount, one VAT line per VAT account for the tax, each on the side the
//! invoice type gives (fec.md / PCG practice: a customer invoice debits 411, credits 70x and
//! the collected VAT).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use uuid::Uuid;

use crate::booking::analytics::on_default_plan;
use crate::booking::currency::foreign;
use crate::booking::invoices::Journals;
use crate::booking::vat::{side_account, vat_code};
use crate::domain::accounting::{JournalType, VatCode};
use crate::domain::invoice::{InvoiceIn, InvoiceLine, InvoiceStatusIn};
use crate::domain::journal_entry::AnalyticDistribution;
use crate::domain::posting::{
    label, pdf, piece, AccountRef, JournalKind, JournalRef, Posting, PostingLine,
};
use crate::domain::third_party::PartyKind;
use crate::domain::{Invalid, Refusal};

/// Chift's options of an invoice creation that change what is booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// Merge the goods lines sharing account, VAT code and analytics (Chift's default).
    pub regroup_lines: bool,
    /// `force_financial_period` (`mmYYYY`) as sent.
    pub financial_period: Option<String>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { regroup_lines: true, financial_period: None }
    }
}

/// What MyUnisoft has no equivalent for, refused before anything is written; a shipping
/// country must be ISO 3166-1 alpha-2.
pub fn refuse_unsupported(inv: &InvoiceIn) -> Result<(), Invalid> {
    let none = |field: &str, what: &str| {
        Err(Invalid::body(
            field,
            format!("MyUnisoft has no equivalent ({what}): send null or leave it out"),
        ))
    };
    if inv.withholding_tax.is_some() {
        return none("withholding_tax", "no withholding tax on an entry");
    }
    if inv.invoice_correction.is_some() {
        return none(
            "invoice_correction",
            "no correction line: the totals must be the sums of the lines",
        );
    }
    if inv.nl_payment_terms_split.is_some() {
        return none("nl_payment_terms_split", "no Dutch G/N split payment");
    }
    match inv.shipping_country.as_deref().map(str::trim) {
        Some(c) if c.len() != 2 || !c.chars().all(|c| c.is_ascii_alphabetic()) => {
            Err(Invalid::body("shipping_country", "must be an ISO 3166-1 alpha-2 code, e.g. FR"))
        }
        _ => Ok(()),
    }
}

/// `force_financial_period` (`mmYYYY`): MyUnisoft books an entry in the period of its date and
/// has no other accounting period, so the invoice date must fall in that month.
pub fn check_period(inv: &InvoiceIn, options: &WriteOptions) -> Result<(), Invalid> {
    let Some(period) = options.financial_period.as_deref().map(str::trim) else { return Ok(()) };
    let field = "force_financial_period";
    let parsed = (period.len() == 6 && period.chars().all(|c| c.is_ascii_digit()))
        .then(|| (period[..2].parse::<u32>().ok(), period[2..].parse::<i32>().ok()))
        .and_then(|(m, y)| Some((m?, y?)))
        .filter(|(m, _)| (1..=12).contains(m));
    let Some((month, year)) = parsed else {
        return Err(Invalid::query(field, "must be a month as mmYYYY, e.g. 032026")
            .because(Refusal::InvalidFinancialPeriodFormat));
    };
    use chrono::Datelike;
    if (inv.invoice_date.month(), inv.invoice_date.year()) != (month, year) {
        return Err(Invalid::query(
            field,
            format!(
                "MyUnisoft books an entry in the period of its date and has no other: \
                 invoice_date {} is not in {month:02}/{year}",
                inv.invoice_date
            ),
        ));
    }
    Ok(())
}

/// Merges the goods lines booked on the same account with the same analytics (the VAT code
/// is part of the key through `keys`), netting their amounts; a merged line whose labels
/// differ takes `memo`.
fn regrouped(goods: Vec<(PostingLine, Option<String>)>, memo: &str) -> Vec<PostingLine> {
    let mut out: Vec<(PostingLine, Option<String>)> = Vec::new();
    for (line, code) in goods {
        let same = out.iter_mut().find(|(o, c)| {
            *c == code && o.account == line.account && o.analytics == line.analytics
        });
        match same {
            Some((merged, _)) => {
                let net = merged.debit - merged.credit + line.debit - line.credit;
                (merged.debit, merged.credit) = sided(Decimal::ONE, net);
                if merged.label != line.label {
                    merged.label = label(memo);
                }
            }
            None => out.push((line, code)),
        }
    }
    out.into_iter().map(|(l, _)| l).filter(|l| !(l.debit.is_zero() && l.credit.is_zero())).collect()
}

/// How far a line's tax may be from its untaxed amount × rate: a cent.
const TAX_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// VAT by account.
type VatTotals = BTreeMap<String, Decimal>;

/// An amount on the side `sign` gives (+1 debit, −1 credit); a negative amount (a discount
/// line) goes to the other side.
fn sided(sign: Decimal, amount: Decimal) -> (Decimal, Decimal) {
    let signed = sign * amount;
    if signed.is_sign_negative() {
        (Decimal::ZERO, -signed)
    } else {
        (signed, Decimal::ZERO)
    }
}

/// `journal_id`, when given, must be a journal of the folder of the invoice's kind.
pub fn check_journal(inv: &InvoiceIn, journals: &Journals) -> Result<(), Invalid> {
    let Some(id) = &inv.journal_id else { return Ok(()) };
    let wanted = if inv.invoice_type.is_sale() {
        JournalType::CustomerInvoice
    } else {
        JournalType::SupplierInvoice
    };
    match journals.get(id.trim()) {
        Some((kind, _)) if *kind == wanted => Ok(()),
        Some(_) => {
            let what = if inv.invoice_type.is_sale() { "a sales" } else { "a purchase" };
            Err(Invalid::body("journal_id", format!("journal {id} is not {what} journal"))
                .because(Refusal::JournalNotGoodScope))
        }
        None => Err(Invalid::body("journal_id", format!("no journal {id} in this folder"))
            .because(Refusal::JournalNotFound)),
    }
}

fn refused(field: &str, rule: String) -> Result<(), Invalid> {
    Err(Invalid::body(field, rule))
}

/// Line `i` adds up, its tax fits its code's rate (a reverse-charge code takes none), and it
/// names its account.
fn check_line(i: usize, line: &InvoiceLine, codes: &[VatCode]) -> Result<(), Invalid> {
    let f = |name: &str| format!("lines.{i}.{name}");
    if line.untaxed_amount + line.tax_amount != line.total {
        let sum = line.untaxed_amount + line.tax_amount;
        return refused(&f("total"), format!("must be untaxed_amount + tax_amount = {sum}"));
    }
    let code_id = line.tax_code.as_deref().ok_or_else(|| {
        Invalid::body(f("tax_code"), "required: a VAT code id from GET /vat-codes")
    })?;
    let code = vat_code(codes, code_id, &f("tax_code"))?;
    if code.rate != line.tax_rate {
        return Err(Invalid::body(
            f("tax_rate"),
            format!("VAT code {} is {} %, not {} %", code.id, code.rate, line.tax_rate),
        ));
    }
    let expected = if code.reversed {
        Decimal::ZERO
    } else {
        line.untaxed_amount * line.tax_rate / Decimal::ONE_HUNDRED
    };
    if (expected - *line.tax_amount).abs() > TAX_TOLERANCE {
        return Err(Invalid::body(
            f("tax_amount"),
            format!(
                "{} % of {} is {}, not {}",
                line.tax_rate,
                line.untaxed_amount,
                expected.round_dp(2),
                line.tax_amount
            ),
        ));
    }
    if line.account_number.as_deref().map(str::trim).unwrap_or_default().is_empty() {
        return Err(Invalid::body(f("account_number"), "required: the line's ledger account"));
    }
    Ok(())
}

/// The totals are the sums of the lines, positive, and the invoice is not due before it is
/// issued.
fn check_totals(inv: &InvoiceIn) -> Result<(), Invalid> {
    let untaxed: Decimal = inv.lines.iter().map(|l| l.untaxed_amount).sum();
    let tax: Decimal = inv.lines.iter().map(|l| l.tax_amount).sum();
    if untaxed != *inv.untaxed_amount {
        return refused("untaxed_amount", format!("must be the sum of the lines: {untaxed}"));
    }
    if tax != *inv.tax_amount {
        return refused("tax_amount", format!("must be the sum of the lines: {tax}"));
    }
    if inv.untaxed_amount + inv.tax_amount != inv.total {
        let sum = inv.untaxed_amount + inv.tax_amount;
        return refused("total", format!("must be untaxed_amount + tax_amount = {sum}"));
    }
    if inv.total.is_zero() {
        return Err(Invalid::body("total", "must not be 0: there is nothing to book")
            .because(Refusal::ZeroInvoice));
    }
    if inv.total.is_sign_negative() {
        return Err(Invalid::body(
            "total",
            "must be positive (a refund is an invoice_type, not a sign)",
        ));
    }
    if inv.due_date < inv.invoice_date {
        return Err(Invalid::body("due_date", "must not be before invoice_date"));
    }
    Ok(())
}

/// The checks of the amounts: every line adds up, the tax fits the code's rate, the totals are
/// the sums of the lines.
fn check_amounts(inv: &InvoiceIn, codes: &[VatCode]) -> Result<(), Invalid> {
    if inv.lines.is_empty() {
        return Err(Invalid::body("lines", "an invoice needs at least one line")
            .because(Refusal::NoInvoiceLine));
    }
    for (i, line) in inv.lines.iter().enumerate() {
        check_line(i, line, codes)?;
    }
    check_totals(inv)
}

fn partner_account(inv: &InvoiceIn) -> Result<AccountRef, Invalid> {
    let kind = if inv.invoice_type.is_sale() { PartyKind::Client } else { PartyKind::Supplier };
    match (inv.partner_id.as_deref().map(str::trim).filter(|p| !p.is_empty()), &inv.partner_info) {
        (Some(id), _) => Ok(AccountRef::Partner { kind, id: id.to_owned() }),
        (None, Some(info)) if !info.account_number.trim().starts_with(kind.root()) => {
            Err(Invalid::body(
                "partner_info.account_number",
                format!("must start with {} for this invoice type", kind.root()),
            )
            .because(Refusal::AccountNumberNotGoodScope))
        }
        (None, Some(info)) => Ok(AccountRef::NewPartner {
            kind,
            number: info.account_number.trim().to_owned(),
            name: info.account_name.trim().to_owned(),
        }),
        (None, None) => Err(Invalid::body(
            "partner_id",
            "required (or partner_info to find or create the partner's account)",
        )
        .because(Refusal::PartnerAccountMissing)),
    }
}

/// The analytic split of a line: its distribution, or its account on the default plan.
fn line_analytics(
    line: &InvoiceLine,
    multi: bool,
    default_plan: Option<&str>,
    field: &str,
) -> Result<Vec<AnalyticDistribution>, Invalid> {
    if multi {
        return Ok(line.analytic_distribution.clone().unwrap_or_default());
    }
    on_default_plan(line.analytic_account.as_deref(), default_plan, field)
}

/// The untaxed line of invoice line `field`, on the side opposite the partner's; `None` for a
/// line of 0.
fn goods_line(
    line: &InvoiceLine,
    field: &str,
    sign: Decimal,
    memo: &str,
    multi: bool,
    default_plan: Option<&str>,
) -> Result<Option<PostingLine>, Invalid> {
    let (debit, credit) = sided(-sign, *line.untaxed_amount);
    if debit.is_zero() && credit.is_zero() {
        return Ok(None);
    }
    Ok(Some(PostingLine {
        field: field.to_owned(),
        account: AccountRef::General {
            number: line.account_number.clone().unwrap_or_default().trim().to_owned(),
            create: None,
        },
        label: label(line.description.as_deref().filter(|d| !d.trim().is_empty()).unwrap_or(memo)),
        debit,
        credit,
        due_date: None,
        currency_amount: None,
        analytics: line_analytics(line, multi, default_plan, field)?,
        payment_method: None,
    }))
}

/// Adds a line's VAT to the totals by account: its tax on the account of the invoice's side,
/// or for a reverse-charge code the computed tax on both accounts (`vat` deducted, `reversed`
/// collected).
fn add_vat(
    line: &InvoiceLine,
    field: &str,
    code: &VatCode,
    sale: bool,
    vat: &mut VatTotals,
    reversed: &mut VatTotals,
) -> Result<(), Invalid> {
    if code.reversed {
        let tax = (line.untaxed_amount * line.tax_rate / Decimal::ONE_HUNDRED).round_dp(2);
        for (collected, totals) in [(false, &mut *vat), (true, &mut *reversed)] {
            let account = side_account(code, collected).ok_or_else(|| {
                Invalid::body(
                    format!("{field}.tax_code"),
                    format!("reverse-charge VAT code {} lacks an account", code.id),
                )
            })?;
            *totals.entry(account).or_default() += tax;
        }
    } else if !line.tax_amount.is_zero() {
        let account = side_account(code, sale).ok_or_else(|| {
            Invalid::body(
                format!("{field}.tax_code"),
                format!("VAT code {} has no account for this invoice type", code.id),
            )
        })?;
        *vat.entry(account).or_default() += line.tax_amount;
    }
    Ok(())
}

/// One VAT line per account: the invoice's VAT opposite the partner, the reversed VAT on the
/// partner's side.
fn vat_lines(vat: VatTotals, reversed: VatTotals, sign: Decimal, memo: &str) -> Vec<PostingLine> {
    vat.into_iter()
        .map(|(a, t)| (a, t, -sign))
        .chain(reversed.into_iter().map(|(a, t)| (a, t, sign)))
        .filter_map(|(account, tax, side)| {
            let (debit, credit) = sided(side, tax);
            if debit.is_zero() && credit.is_zero() {
                return None;
            }
            let account = AccountRef::General { number: account, create: None };
            Some(PostingLine::new("tax_amount", account, &format!("TVA {memo}"), debit, credit))
        })
        .collect()
}

/// The lines of `inv`: the partner's, the goods', the VAT's.
fn lines(
    inv: &InvoiceIn,
    codes: &[VatCode],
    default_plan: Option<&str>,
    multi: bool,
    memo: &str,
    regroup: bool,
) -> Result<Vec<PostingLine>, Invalid> {
    let sign = inv.invoice_type.partner_sign();
    let (debit, credit) = sided(sign, *inv.total);
    let mut lines = vec![PostingLine {
        due_date: Some(inv.due_date),
        payment_method: inv.payment_method_id.as_deref().map(|m| m.trim().to_owned()),
        ..PostingLine::new("partner_id", partner_account(inv)?, memo, debit, credit)
    }];
    let (mut vat, mut reversed) = (VatTotals::new(), VatTotals::new());
    let mut goods = Vec::new();
    for (i, line) in inv.lines.iter().enumerate() {
        let field = format!("lines.{i}");
        let Some(booked) = goods_line(line, &field, sign, memo, multi, default_plan)? else {
            continue;
        };
        goods.push((booked, line.tax_code.clone()));
        let tax_code = line.tax_code.as_deref().unwrap_or_default();
        let code = vat_code(codes, tax_code, &format!("{field}.tax_code"))?;
        add_vat(line, &field, code, inv.invoice_type.is_sale(), &mut vat, &mut reversed)?;
    }
    if regroup {
        lines.extend(regrouped(goods, memo));
    } else {
        lines.extend(goods.into_iter().map(|(l, _)| l));
    }
    lines.extend(vat_lines(vat, reversed, sign, memo));
    Ok(lines)
}

/// What the software has no field for, kept with the entry and read back.
fn metadata(inv: &InvoiceIn, raw_number: &str) -> serde_json::Value {
    serde_json::json!({ "invoice": {
        "invoice_type": inv.invoice_type,
        "invoice_number": raw_number,
        "reference": inv.reference,
        "currency": inv.currency.trim().to_ascii_uppercase(),
        "currency_exchange_rate": inv.currency_exchange_rate.map(|r| r.to_string()),
        "untaxed_amount": inv.untaxed_amount.to_string(),
        "tax_amount": inv.tax_amount.to_string(),
        "total": inv.total.to_string(),
        "payment_communication": inv.payment_communication,
        "customer_memo": inv.customer_memo,
        "payment_term_id": inv.payment_term_id,
        "payment_method_id": inv.payment_method_id,
        "delivery_date": inv.delivery_date,
        "shipping_country": inv.shipping_country.as_deref().map(|c| c.trim().to_ascii_uppercase()),
        "lines": inv.lines,
    }})
}

/// The posting of `inv` with the folder's VAT codes and default analytic plan; `multi` reads
/// `analytic_distribution`, else `analytic_account`. Without a number, one is drawn.
pub fn posting(
    inv: &InvoiceIn,
    codes: &[VatCode],
    default_plan: Option<&str>,
    multi: bool,
    options: &WriteOptions,
) -> Result<Posting, Invalid> {
    refuse_unsupported(inv)?;
    check_period(inv, options)?;
    check_amounts(inv, codes)?;
    let raw_number = inv.invoice_number.clone().unwrap_or_else(|| {
        format!("P{}", &Uuid::new_v4().simple().to_string()[..9]).to_uppercase()
    });
    let number = piece("invoice_number", &raw_number)
        .map_err(|e| e.because(Refusal::InvoiceNumberFormat))?;
    let reference = inv.reference.as_deref().map(|r| piece("reference", r)).transpose()?;
    let memo = inv.customer_memo.as_deref().or(inv.reference.as_deref()).unwrap_or(&raw_number);
    let lines = lines(inv, codes, default_plan, multi, memo, options.regroup_lines)?;
    Posting {
        journal: match &inv.journal_id {
            Some(id) => JournalRef::Id(id.clone()),
            None if inv.invoice_type.is_sale() => JournalRef::Default(JournalKind::Sales),
            None => JournalRef::Default(JournalKind::Purchases),
        },
        date: inv.invoice_date,
        number: Some(number),
        reference,
        currency: foreign(&inv.currency, inv.currency_exchange_rate)?,
        lines,
        attachment: inv
            .pdf
            .as_deref()
            .map(|p| pdf(p, inv.pdf_name.as_deref(), &raw_number))
            .transpose()?,
        posted: inv.status != Some(InvoiceStatusIn::Draft),
        period: inv.start_date.zip(inv.end_date),
        metadata: metadata(inv, &raw_number),
    }
    .in_euros()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::tests::sides;
    use crate::booking::vat::tests::code;
    use crate::domain::invoice::InvoiceType;
    use crate::domain::money::{Money, Rate};

    fn invoice(kind: InvoiceType) -> InvoiceIn {
        serde_json::from_value(serde_json::json!({
            "invoice_type": kind, "invoice_number": "FA-1", "currency": "EUR",
            "untaxed_amount": 110, "tax_amount": 22, "total": 132,
            "invoice_date": "2026-02-01", "due_date": "2026-03-01", "partner_id": "77",
            "lines": [
                {"unit_price": 100, "quantity": 1, "untaxed_amount": 100, "tax_rate": 20, "tax_amount": 20, "total": 120, "account_number": "706000", "tax_code": "20"},
                {"unit_price": 10, "quantity": 1, "untaxed_amount": 10, "tax_rate": 20, "tax_amount": 2, "total": 12, "account_number": "708000", "tax_code": "20"}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn each_invoice_type_books_its_sides() {
        let codes = [code("20", 20, false)];
        let d = Decimal::from;
        let sale = posting(
            &invoice(InvoiceType::CustomerInvoice),
            &codes,
            None,
            false,
            &WriteOptions::default(),
        )
        .unwrap();
        assert_eq!(
            sides(&sale),
            vec![
                ("partner 77".into(), d(132), d(0)),
                ("706000".into(), d(0), d(100)),
                ("708000".into(), d(0), d(10)),
                ("445712".into(), d(0), d(22)),
            ]
        );
        assert_eq!(sale.journal, JournalRef::Default(JournalKind::Sales));
        assert_eq!(sale.number.as_deref(), Some("FA1"));
        assert_eq!(sale.lines[0].due_date, "2026-03-01".parse().ok());
        let refund = posting(
            &invoice(InvoiceType::SupplierRefund),
            &codes,
            None,
            false,
            &WriteOptions::default(),
        )
        .unwrap();
        assert_eq!(sides(&refund)[0], ("partner 77".into(), d(132), d(0)));
        assert_eq!(sides(&refund)[3], ("445660".into(), d(0), d(22)));
        let purchase = posting(
            &invoice(InvoiceType::SupplierInvoice),
            &codes,
            None,
            false,
            &WriteOptions::default(),
        )
        .unwrap();
        assert_eq!(sides(&purchase)[0], ("partner 77".into(), d(0), d(132)));
        assert_eq!(sides(&purchase)[1], ("706000".into(), d(100), d(0)));
        assert_eq!(purchase.journal, JournalRef::Default(JournalKind::Purchases));
    }

    #[test]
    fn reverse_charge_posts_both_vat_sides_and_no_tax_to_the_partner() {
        let mut inv = invoice(InvoiceType::SupplierInvoice);
        inv.lines.truncate(1);
        inv.lines[0].tax_amount = Money(Decimal::ZERO);
        inv.lines[0].total = Money(Decimal::from(100));
        (inv.untaxed_amount, inv.tax_amount, inv.total) =
            (Money(Decimal::from(100)), Money::ZERO, Money(Decimal::from(100)));
        let p =
            posting(&inv, &[code("20", 20, true)], None, false, &WriteOptions::default()).unwrap();
        let d = Decimal::from;
        assert_eq!(
            sides(&p),
            vec![
                ("partner 77".into(), d(0), d(100)),
                ("706000".into(), d(100), d(0)),
                ("445660".into(), d(20), d(0)),
                ("445712".into(), d(0), d(20)),
            ]
        );
    }

    #[test]
    fn amounts_are_checked_line_by_line_and_in_total() {
        let codes = [code("20", 20, false)];
        let field = |f: fn(&mut InvoiceIn)| {
            let mut inv = invoice(InvoiceType::CustomerInvoice);
            f(&mut inv);
            posting(&inv, &codes, None, false, &WriteOptions::default()).unwrap_err().field
        };
        assert_eq!(field(|i| i.lines[0].total = Money(Decimal::from(121))), "lines.0.total");
        assert_eq!(field(|i| i.lines[1].tax_rate = Rate(Decimal::from(10))), "lines.1.tax_rate");
        assert_eq!(field(|i| i.lines[1].tax_code = None), "lines.1.tax_code");
        assert_eq!(field(|i| i.untaxed_amount = Money(Decimal::from(111))), "untaxed_amount");
        assert_eq!(field(|i| i.total = Money(Decimal::from(133))), "total");
        assert_eq!(field(|i| i.due_date = "2026-01-01".parse().unwrap()), "due_date");
        assert_eq!(field(|i| i.partner_id = None), "partner_id");
        assert_eq!(field(|i| i.currency = "USD".into()), "currency_exchange_rate");
        let mut off = invoice(InvoiceType::CustomerInvoice);
        off.lines[0].tax_amount = Money(Decimal::new(2001, 2));
        off.lines[0].total = Money(Decimal::new(12001, 2));
        off.tax_amount = Money(Decimal::new(2201, 2));
        off.total = Money(Decimal::new(13201, 2));
        assert!(
            posting(&off, &codes, None, false, &WriteOptions::default()).is_ok(),
            "a cent of rounding is allowed"
        );
    }

    #[test]
    fn an_invoice_of_zero_is_refused_with_chifts_code() {
        let codes = [code("20", 20, false)];
        let zero = serde_json::from_value::<InvoiceIn>(serde_json::json!({
            "invoice_type": "customer_invoice", "invoice_number": "FA-0", "currency": "EUR",
            "untaxed_amount": 0, "tax_amount": 0, "total": 0,
            "invoice_date": "2026-02-01", "due_date": "2026-03-01", "partner_id": "77",
            "lines": [
                {"unit_price": 0, "quantity": 1, "untaxed_amount": 0, "tax_rate": 20, "tax_amount": 0, "total": 0, "account_number": "706000", "tax_code": "20"}
            ]
        }))
        .unwrap();
        let refused = posting(&zero, &codes, None, false, &WriteOptions::default()).unwrap_err();
        assert_eq!(
            (refused.field.as_str(), refused.refusal),
            ("total", Some(Refusal::ZeroInvoice))
        );
    }

    #[test]
    fn lines_on_one_account_vat_code_and_analytics_are_regrouped_unless_asked_not_to() {
        let codes = [code("20", 20, false)];
        let mut inv = invoice(InvoiceType::CustomerInvoice);
        inv.lines[1].account_number = Some("706000".into());
        let d = Decimal::from;
        let grouped = posting(&inv, &codes, None, false, &WriteOptions::default()).unwrap();
        assert_eq!(sides(&grouped)[1], ("706000".into(), d(0), d(110)));
        assert_eq!(grouped.lines.len(), 3, "partner, one sales line, VAT");
        let apart = WriteOptions { regroup_lines: false, ..WriteOptions::default() };
        assert_eq!(posting(&inv, &codes, None, false, &apart).unwrap().lines.len(), 4);
        inv.lines[0].analytic_account = Some("9051".into());
        let split = posting(&inv, &codes, Some("411"), false, &WriteOptions::default()).unwrap();
        assert_eq!(split.lines.len(), 4, "other analytics, other line");
    }

    #[test]
    fn a_forced_period_must_be_the_invoice_dates_month() {
        let inv = invoice(InvoiceType::CustomerInvoice);
        let with = |p: &str| {
            let options = WriteOptions { financial_period: Some(p.into()), ..Default::default() };
            check_period(&inv, &options)
        };
        assert!(with("022026").is_ok());
        let other = with("032026").unwrap_err();
        assert_eq!(other.field, "force_financial_period");
        assert!(other.rule.contains("2026-02-01 is not in 03/2026"), "{}", other.rule);
        assert_eq!(other.refusal, None, "a well-formed period of another month");
        let malformed = with("2026-02").unwrap_err();
        assert!(malformed.rule.contains("mmYYYY"));
        assert_eq!(malformed.refusal, Some(Refusal::InvalidFinancialPeriodFormat));
        assert_eq!(
            with("132026").unwrap_err().refusal,
            Some(Refusal::InvalidFinancialPeriodFormat)
        );
    }

    #[test]
    fn what_myunisoft_has_no_equivalent_for_is_refused_by_name() {
        let mut inv = invoice(InvoiceType::CustomerInvoice);
        inv.shipping_country = Some("be".into());
        assert!(refuse_unsupported(&inv).is_ok());
        inv.nl_payment_terms_split = serde_json::from_value(serde_json::json!({
            "g_account": {"amount": 1, "iban": "NL02ABNA0123456789"},
            "n_account": {"amount": 2, "iban": "NL91ABNA0417164300"}
        }))
        .unwrap();
        let refused = refuse_unsupported(&inv).unwrap_err();
        assert_eq!(refused.field, "nl_payment_terms_split");
        assert!(refused.rule.starts_with("MyUnisoft has no equivalent"));
    }

    #[test]
    fn a_journal_given_must_be_one_of_the_invoice_kind() {
        let journals: Journals = [
            ("1".to_owned(), (JournalType::CustomerInvoice, "Ventes".to_owned())),
            ("2".to_owned(), (JournalType::SupplierInvoice, "Achats".to_owned())),
        ]
        .into();
        let with = |kind, id: Option<&str>| {
            let mut inv = invoice(kind);
            inv.journal_id = id.map(str::to_owned);
            check_journal(&inv, &journals)
        };
        assert!(with(InvoiceType::CustomerInvoice, None).is_ok());
        assert!(with(InvoiceType::CustomerRefund, Some(" 1 ")).is_ok());
        assert!(with(InvoiceType::SupplierInvoice, Some("2")).is_ok());
        let wrong = with(InvoiceType::SupplierRefund, Some("1")).unwrap_err();
        assert_eq!(
            (wrong.field.as_str(), wrong.rule.as_str()),
            ("journal_id", "journal 1 is not a purchase journal")
        );
        let missing = with(InvoiceType::CustomerInvoice, Some("9")).unwrap_err();
        assert_eq!(missing.rule, "no journal 9 in this folder");
    }
}
