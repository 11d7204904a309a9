//! The FEC export: resolve the folder, its fiscal years and SIREN, read every movement of the
//! window (split into windows the software accepts) into a spool, check the whole, number it.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use fec::{Export, FecError, Progress, Spool};

use crate::connectors::{movement_windows, Movements};
use crate::domain::Invalid;
use crate::error::{AppError, Result};
use crate::service::accounting::{self, ledger, unsupported, Context};
use crate::state::AppState;

/// A checked export and the legal name of its file.
pub struct FecFile {
    pub export: Export,
    /// `{SIREN}FEC{closing date}.txt`; `None` when the folder has no SIREN.
    pub file_name: Result<String, FecError>,
}

/// The 9-digit SIREN at the start of a SIRET (or a SIREN as is).
fn siren(company_number: Option<&str>) -> Option<String> {
    let digits: String = company_number?.chars().filter(|c| !c.is_whitespace()).collect();
    let siren = digits.get(..9)?;
    (siren.chars().all(|c| c.is_ascii_digit()) && (digits.len() == 9 || digits.len() == 14))
        .then(|| siren.to_owned())
}

pub async fn export_fec(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
    progress: Arc<Progress>,
) -> Result<FecFile> {
    if from > to {
        return Err(Invalid::query("date_to", "must not be before date_from").into());
    }
    let scope = ctx.folder(s, folder).await?;
    let movements: &dyn Movements = s
        .connectors
        .movements(ctx.kind())
        .ok_or_else(|| unsupported("the FEC export", ctx.kind()))?;
    let mut years: Vec<(NaiveDate, NaiveDate)> =
        ledger(s, ctx)?.bookyears(scope).await?.iter().map(|y| (y.start, y.end)).collect();
    years.sort();
    let closing = years.iter().find(|(a, b)| *a <= to && to <= *b).map_or(to, |y| y.1);
    let folder_id = scope.folder;
    let company = accounting::folder(s, ctx, &folder_id.to_string()).await?.company_number;
    let file_name = siren(company.as_deref())
        .map(|siren| {
            format!("{siren}FEC{:04}{:02}{:02}.txt", closing.year(), closing.month(), closing.day())
        })
        .ok_or(FecError::NoSiren { folder: folder_id });
    let mut spool = Spool::with_budget(&s.fec_spool);
    for (a, b) in movement_windows(&years, from, to, movements.max_window_months()) {
        spool = movements.read_movements(scope, a, b, spool, progress.clone()).await?;
    }
    let export = tokio::task::spawn_blocking(move || spool.finish(from, to))
        .await
        .map_err(|e| AppError::Internal(format!("FEC checks: {e}")))??;
    Ok(FecFile { export, file_name })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_siren_is_the_start_of_the_siret() {
        assert_eq!(siren(Some("91234567800011")).as_deref(), Some("912345678"));
        assert_eq!(siren(Some("798765432")).as_deref(), Some("798765432"));
        assert_eq!(siren(Some("12AB")), None);
        assert_eq!(siren(None), None);
    }
}
