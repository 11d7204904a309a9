//! The analytics of a written line when the caller names one analytic account without a plan.

use rust_decimal::Decimal;

use crate::domain::journal_entry::{AnalyticDistribution, AnalyticShare};
use crate::domain::money::Rate;
use crate::domain::Invalid;

/// One analytic account of `plan` for a whole line.
pub fn single_account(plan: &str, account: &str) -> AnalyticDistribution {
    AnalyticDistribution {
        analytic_plan: plan.to_owned(),
        analytic_accounts: vec![AnalyticShare {
            analytic_account: account.to_owned(),
            percentage: Rate(Decimal::ONE_HUNDRED),
        }],
    }
}

/// A line's `analytic_account` on the folder's default plan (none without an account); refused
/// when the folder has no plan. `field` names the line.
pub fn on_default_plan(
    account: Option<&str>,
    default_plan: Option<&str>,
    field: &str,
) -> Result<Vec<AnalyticDistribution>, Invalid> {
    match (account, default_plan) {
        (None, _) => Ok(vec![]),
        (Some(account), Some(plan)) => Ok(vec![single_account(plan, account)]),
        (Some(_), None) => Err(Invalid::body(
            format!("{field}.analytic_account"),
            "this folder has no analytic plan",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_analytic_account_takes_the_whole_line_on_the_default_plan() {
        let split = on_default_plan(Some("9051"), Some("3"), "lines.0").unwrap();
        assert_eq!(split, vec![single_account("3", "9051")]);
        assert_eq!(split[0].analytic_accounts[0].percentage, Decimal::ONE_HUNDRED);
        assert_eq!(on_default_plan(None, None, "lines.0").unwrap(), vec![]);
        let e = on_default_plan(Some("9051"), None, "lines.2").unwrap_err();
        assert_eq!(e.field, "lines.2.analytic_account");
    }
}
