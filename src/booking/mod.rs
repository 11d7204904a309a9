//! Pure booking rules: a Chift document (journal entry, invoice, miscellaneous operation,
//! financial entry, bank statement, invoice payment, expense) turned into a
//! [`Posting`](crate::domain::posting::Posting), and an entry of the software read back as a
//! Chift document (invoice, operation). Each rule is a function of the document and of the
//! reference data the service fetched beforehand (journals, VAT codes, bank accounts, the
//! default analytic plan, the invoices a payment settles); nothing here does I/O.

pub mod analytics;
pub mod currency;
pub mod expenses;
pub mod invoices;
pub mod journal_entries;
pub mod operations;
pub mod treasury;
pub mod vat;

use crate::domain::Invalid;

/// Refuses a document without lines: `field` names them, `rule` says what is wanted.
pub fn non_empty<T>(items: &[T], field: &str, rule: &str) -> Result<(), Invalid> {
    if items.is_empty() {
        return Err(Invalid::body(field, rule));
    }
    Ok(())
}

/// The caller's text, else `fallback`.
pub fn text_or<'a>(text: Option<&'a str>, fallback: &'a str) -> &'a str {
    text.filter(|t| !t.trim().is_empty()).unwrap_or(fallback)
}

#[cfg(test)]
pub(crate) mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::domain::posting::{AccountRef, Posting};

    /// Each line of a posting as (account, debit, credit); a partner's account reads
    /// `partner <id>`.
    pub(crate) fn sides(p: &Posting) -> Vec<(String, Decimal, Decimal)> {
        p.lines
            .iter()
            .map(|l| {
                let account = match &l.account {
                    AccountRef::General { number, .. } => number.clone(),
                    AccountRef::Partner { id, .. } => format!("partner {id}"),
                    AccountRef::NewPartner { number, .. } => number.clone(),
                };
                (account, l.debit, l.credit)
            })
            .collect()
    }

    #[test]
    fn a_document_without_lines_is_refused_on_the_field_named() {
        assert!(non_empty(&[1], "items", "at least one line").is_ok());
        let e = non_empty::<u8>(&[], "lines", "at least one line").unwrap_err();
        assert_eq!((e.field.as_str(), e.rule.as_str()), ("lines", "at least one line"));
    }

    #[test]
    fn blank_texts_fall_back() {
        assert_eq!(text_or(Some("Loyer"), "Relevé"), "Loyer");
        assert_eq!(text_or(Some("  "), "Relevé"), "Relevé");
        assert_eq!(text_or(None, "Relevé"), "Relevé");
    }
}
