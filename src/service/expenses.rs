//! Expense claims: the employee's account credited with the total, each expense line debited
//! with its untaxed amount and the deductible VAT on the code's account.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::domain::operation::Expense;
use crate::domain::posting::{
    pdf, piece, AccountRef, JournalKind, JournalRef, Posting, PostingLine,
};
use crate::domain::third_party::PartyKind;
use crate::domain::Invalid;
use crate::error::Result;
use crate::service::accounting::{ledger, Context};
use crate::service::journal_entries::{foreign, vat_code};
use crate::service::postings;
use crate::state::AppState;

pub async fn create(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    expense: &Expense,
) -> Result<Expense> {
    if expense.lines.is_empty() {
        return Err(Invalid::body("lines", "at least one line").into());
    }
    let scope = ctx.folder(s, folder).await?;
    let codes = ledger(s, ctx)?.vat_codes(scope).await?;
    let title = expense
        .reference
        .clone()
        .or(expense.number.clone())
        .unwrap_or_else(|| format!("Note de frais {}", expense.date));
    let mut lines = vec![PostingLine::new(
        "employee_id",
        AccountRef::Partner {
            kind: PartyKind::Employee,
            id: expense.employee_id.trim().to_owned(),
        },
        &title,
        Decimal::ZERO,
        expense.total,
    )];
    let mut vat: BTreeMap<String, Decimal> = BTreeMap::new();
    for (i, l) in expense.lines.iter().enumerate() {
        let field = format!("lines.{i}");
        if l.untaxed_amount + l.tax_amount != l.total {
            return Err(Invalid::body(
                format!("{field}.total"),
                "must be untaxed_amount + tax_amount",
            )
            .into());
        }
        let code = vat_code(&codes, &l.tax_id, &format!("{field}.tax_id"))?;
        if code.rate != l.tax_rate {
            return Err(Invalid::body(
                format!("{field}.tax_rate"),
                format!("VAT code {} is {} %, not {} %", code.id, code.rate, l.tax_rate),
            )
            .into());
        }
        lines.push(PostingLine::new(
            field.clone(),
            AccountRef::General { number: l.account_number.trim().to_owned(), create: None },
            l.description.as_deref().unwrap_or(&title),
            l.untaxed_amount,
            Decimal::ZERO,
        ));
        if !l.tax_amount.is_zero() {
            let account = code.deductible_account.clone().ok_or_else(|| {
                Invalid::body(
                    format!("{field}.tax_id"),
                    format!("VAT code {} has no deductible account", code.id),
                )
            })?;
            *vat.entry(account).or_default() += l.tax_amount;
        }
    }
    for (account, tax) in vat {
        lines.push(PostingLine::new(
            "tax_amount",
            AccountRef::General { number: account, create: None },
            &format!("TVA {title}"),
            tax,
            Decimal::ZERO,
        ));
    }
    let untaxed: Decimal = expense.lines.iter().map(|l| l.untaxed_amount).sum();
    let tax: Decimal = expense.lines.iter().map(|l| l.tax_amount).sum();
    if untaxed != expense.untaxed_amount
        || tax != expense.tax_amount
        || untaxed + tax != expense.total
    {
        return Err(Invalid::body(
            "total",
            format!("must match the lines: untaxed {untaxed} + tax {tax}"),
        )
        .into());
    }
    let currency = foreign(&expense.currency, expense.currency_exchange_rate)?;
    let posting = Posting {
        journal: JournalRef::Default(JournalKind::Expenses),
        date: expense.date,
        number: expense.number.as_deref().map(|n| piece("number", n)).transpose()?,
        reference: expense.reference.as_deref().map(|r| piece("reference", r)).transpose()?,
        currency,
        lines,
        attachment: expense
            .pdf
            .as_deref()
            .map(|p| pdf(p, expense.pdf_name.as_deref(), "note-de-frais"))
            .transpose()?,
        posted: true,
        period: None,
        metadata: serde_json::json!({ "number": expense.number, "reference": expense.reference }),
    }
    .in_euros()?;
    let written = postings::post(s, ctx, scope, &posting).await?;
    Ok(Expense { id: Some(written.id), ..expense.clone() })
}
