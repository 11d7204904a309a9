//! Fiscal years: MyUnisoft exercices (dates `YYYYMMDD`).

use chrono::NaiveDate;

use crate::connectors::myunisoft::dto::Exercice;
use crate::domain::accounting::BookYear;

fn date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y%m%d")
        .map_err(|_| format!("`{text}` is not a YYYYMMDD date"))
}

/// Names a year by its calendar span (`2025`, or `2024/2025` when it straddles two), which
/// stays true, unlike MyUnisoft's relative labels (`N`, `N-1`).
pub(crate) fn bookyear(e: &Exercice) -> Result<BookYear, String> {
    let (start, end) = (date(&e.start_date)?, date(&e.end_date)?);
    let name = if chrono::Datelike::year(&start) == chrono::Datelike::year(&end) {
        chrono::Datelike::year(&start).to_string()
    } else {
        format!("{}/{}", chrono::Datelike::year(&start), chrono::Datelike::year(&end))
    };
    Ok(BookYear { id: e.exercice_id.to_string(), name, start, end, closed: e.closed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::myunisoft::mapping::fixture;

    #[test]
    fn exercices_become_bookyears_with_iso_dates() {
        let list: Vec<Exercice> = serde_json::from_str(fixture!("exercices.json")).unwrap();
        let years: Vec<BookYear> = list.iter().map(|e| bookyear(e).unwrap()).collect();
        assert_eq!(years[0].name, "2025");
        assert_eq!(years[0].start.to_string(), "2025-01-01");
        assert!(!years[0].closed);
        assert_eq!(years[1].name, "2023/2024");
        assert!(years[1].closed);
        let bad = Exercice {
            exercice_id: 1,
            start_date: "2025-01-01".into(),
            end_date: "x".into(),
            closed: false,
        };
        assert!(bookyear(&bad).is_err());
    }
}
