//! The two date formats of the API: `YYYY-MM-DD` (MAD, JSON import, RIB creation) and
//! `YYYYMMDD` (exercise lists, RIB lists).

use chrono::NaiveDate;

/// Parses exactly `YYYY-MM-DD`.
pub(crate) fn parse_iso(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shaped.then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()).flatten()
}

pub(crate) fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

pub(crate) fn compact(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// A date known to be valid (seed data).
pub(crate) fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_iso_shape_is_accepted() {
        assert_eq!(parse_iso("2026-03-01"), Some(ymd(2026, 3, 1)));
        for bad in ["2026-3-1", "20260301", "2026-02-30", "2026/03/01", ""] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
        assert_eq!(compact(ymd(2026, 3, 1)), "20260301");
        assert_eq!(iso(ymd(2026, 3, 1)), "2026-03-01");
    }
}
