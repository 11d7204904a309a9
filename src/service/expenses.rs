//! Expense claims: the folder's VAT codes fetched, the claim booked by
//! [`booking::expenses`] and posted.

use crate::booking;
use crate::domain::operation::{Expense, ExpenseOut};
use crate::error::Result;
use crate::service::accounting::{ledger, Context};
use crate::service::postings;
use crate::state::AppState;

pub async fn create(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    expense: &Expense,
) -> Result<ExpenseOut> {
    booking::non_empty(&expense.lines, "lines", "at least one line")?;
    let scope = ctx.folder(s, folder).await?;
    let codes = ledger(s, ctx)?.vat_codes(scope).await?;
    let posting = booking::expenses::posting(expense, &codes)?;
    let written = postings::post(s, ctx, scope, &posting).await?;
    Ok(ExpenseOut { id: written.id, expense: expense.clone() })
}
