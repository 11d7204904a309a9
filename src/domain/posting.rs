//! An entry to post, whatever Chift shape it came from (journal entry, invoice, operation,
//! financial entry, expense, payment): lines in the folder's currency, checked here for what
//! holds in every software (balance, one side per line, due dates), then handed to a connector.

use crate::domain::{Invalid, Refusal};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::journal_entry::AnalyticDistribution;
use super::third_party::PartyKind;

/// The journal an entry goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalRef {
    /// A journal id of the software.
    Id(String),
    /// The first open journal of this kind in the folder (by code).
    Default(JournalKind),
}

/// What a journal is for, where the caller lets Passerelle pick it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalKind {
    Sales,
    Purchases,
    Miscellaneous,
    Expenses,
}

/// The account a line is booked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRef {
    /// A general ledger account number; `create` names it when it may be created.
    General { number: String, create: Option<String> },
    /// A client's, supplier's or employee's account, by its id.
    Partner { kind: PartyKind, id: String },
    /// A client's or supplier's account by number, created with `name` when missing.
    NewPartner { kind: PartyKind, number: String, name: String },
}

/// One line, in the folder's currency (EUR).
#[derive(Debug, Clone, PartialEq)]
pub struct PostingLine {
    /// Where the line came from in the request (`items.2`), for errors.
    pub field: String,
    pub account: AccountRef,
    pub label: String,
    pub debit: Decimal,
    pub credit: Decimal,
    pub due_date: Option<NaiveDate>,
    /// The amount in the document's currency when it is not the folder's.
    pub currency_amount: Option<Decimal>,
    pub analytics: Vec<AnalyticDistribution>,
    /// The payment method id the line is to be paid with (a partner line's).
    pub payment_method: Option<String>,
}

impl PostingLine {
    /// A line with no due date, no analytics, its label cut to [`MAX_LABEL`].
    pub fn new(
        field: impl Into<String>,
        account: AccountRef,
        text: &str,
        debit: Decimal,
        credit: Decimal,
    ) -> Self {
        Self {
            field: field.into(),
            account,
            label: label(text),
            debit,
            credit,
            due_date: None,
            currency_amount: None,
            analytics: vec![],
            payment_method: None,
        }
    }
}

/// A text as a line label: trimmed and cut to [`MAX_LABEL`] characters.
pub fn label(text: &str) -> String {
    text.trim().chars().take(MAX_LABEL).collect()
}

/// A file sent with an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub mime: String,
    /// Base64 of the content, checked.
    pub base64: String,
}

/// A file read back from the software.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub id: String,
    pub name: String,
    /// Where the connector downloads it from (opaque here; it may carry a download token).
    pub link: String,
}

/// Leaves the link out: it may carry a token.
impl std::fmt::Debug for StoredFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredFile").field("id", &self.id).field("name", &self.name).finish()
    }
}

/// An entry to post.
#[derive(Debug, Clone, PartialEq)]
pub struct Posting {
    pub journal: JournalRef,
    pub date: NaiveDate,
    /// The document number (invoice number, entry number): alphanumeric, ≤ 25.
    pub number: Option<String>,
    /// A free reference: alphanumeric, ≤ 25.
    pub reference: Option<String>,
    /// The document's currency and its rate (units per euro) when it is not EUR.
    pub currency: Option<(String, Decimal)>,
    pub lines: Vec<PostingLine>,
    pub attachment: Option<Attachment>,
    /// `false` posts it for review (a pending entry).
    pub posted: bool,
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// What the caller sent that the software has no field for, kept with the entry and read back.
    pub metadata: serde_json::Value,
}

/// Lines lettered together: the code given and what they net to (0 when fully matched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub code: String,
    pub balance: Decimal,
}

/// The longest line label MyUnisoft (and most French software) keeps.
pub const MAX_LABEL: usize = 50;
/// The longest document number or reference.
pub const MAX_PIECE: usize = 25;

impl Posting {
    /// Checks the posting as the document gave it, then brings a foreign document's amounts to
    /// euros (see [`to_euros`]).
    pub fn in_euros(mut self) -> Result<Self, Invalid> {
        self.check()?;
        if let Some((_, rate)) = self.currency {
            to_euros(&mut self.lines, rate);
        }
        Ok(self)
    }

    /// The rules every software shares: at least two lines, each on one side with a positive
    /// amount, due dates not before the entry date, labels that fit, and a balanced entry to
    /// the cent.
    pub fn check(&self) -> Result<(), Invalid> {
        if self.lines.len() < 2 {
            return Err(Invalid::body("items", "an entry needs at least two lines"));
        }
        for line in &self.lines {
            let f = |name: &str| format!("{}.{name}", line.field);
            if line.debit.is_sign_negative() || line.credit.is_sign_negative() {
                return Err(Invalid::body(f("debit"), "amounts must not be negative"));
            }
            match (line.debit.is_zero(), line.credit.is_zero()) {
                (true, true) => {
                    return Err(Invalid::body(
                        f("debit"),
                        "one of debit or credit must be non-zero",
                    ))
                }
                (false, false) => {
                    return Err(Invalid::body(
                        f("credit"),
                        "a line is either a debit or a credit: one of them must be 0",
                    ))
                }
                _ => {}
            }
            if line.debit.normalize().scale() > 2 || line.credit.normalize().scale() > 2 {
                return Err(Invalid::body(f("debit"), "amounts have at most two decimals"));
            }
            if line.label.trim().is_empty() {
                return Err(Invalid::body(f("description"), "a line label must not be empty"));
            }
            if line.label.chars().count() > MAX_LABEL {
                return Err(Invalid::body(
                    f("description"),
                    format!("at most {MAX_LABEL} characters (the software's line label)"),
                ));
            }
            if line.due_date.is_some_and(|d| d < self.date) {
                return Err(Invalid::body(
                    f("due_date"),
                    format!("must not be before the entry date {}", self.date),
                ));
            }
            for plan in &line.analytics {
                let total: Decimal = plan.analytic_accounts.iter().map(|a| a.percentage).sum();
                if total != Decimal::ONE_HUNDRED {
                    return Err(Invalid::body(
                        f("analytic_distribution"),
                        format!(
                            "plan {}: percentages add up to {total}, not 100",
                            plan.analytic_plan
                        ),
                    ));
                }
            }
        }
        let debit: Decimal = self.lines.iter().map(|l| l.debit).sum();
        let credit: Decimal = self.lines.iter().map(|l| l.credit).sum();
        if debit != credit {
            return Err(Invalid::body(
                "items",
                format!("the entry is not balanced: debit {debit} ≠ credit {credit}"),
            )
            .because(Refusal::EntryNotBalanced));
        }
        if let Some(number) = &self.number {
            piece("number", number)?;
        }
        if let Some(reference) = &self.reference {
            piece("reference", reference)?;
        }
        if let Some((from, to)) = self.period {
            if to < from {
                return Err(Invalid::body("end_date", "must not be before start_date"));
            }
        }
        Ok(())
    }
}

/// A document number as the software stores it: separators (`-`, `/`, `.`, `_`, spaces) are
/// dropped; what is left must be 1 to 25 letters or digits.
pub fn piece(field: &str, text: &str) -> Result<String, Invalid> {
    let kept: String =
        text.chars().filter(|c| !matches!(c, '-' | '/' | '.' | '_' | ' ' | '\\')).collect();
    if kept.is_empty() || kept.chars().count() > MAX_PIECE {
        return Err(Invalid::body(
            field,
            format!("1 to {MAX_PIECE} letters or digits once separators are dropped"),
        ));
    }
    if !kept.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Invalid::body(field, "only letters, digits and - / . _ separators"));
    }
    Ok(kept)
}

/// Base64 content of an attachment, checked: decodable and at most `max` bytes once decoded.
pub fn attachment(
    field: &str,
    base64: &str,
    name: &str,
    mime: &str,
    max: usize,
) -> Result<Attachment, Invalid> {
    use base64::Engine;
    let compact: String = base64.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()).map_err(|_| {
            Invalid::body(field, "must be base64 (RFC 4648)").because(Refusal::InvalidBase64)
        })?;
    if bytes.is_empty() {
        return Err(Invalid::body(field, "the file is empty"));
    }
    if bytes.len() > max {
        return Err(Invalid::body(field, format!("the file is larger than {} MB", max >> 20)));
    }
    if mime == "application/pdf" && !bytes.starts_with(b"%PDF") {
        return Err(Invalid::body(field, "is not a PDF file (no %PDF header)"));
    }
    Ok(Attachment { name: name.to_owned(), mime: mime.to_owned(), base64: compact })
}

/// The largest attachment the software takes.
pub const MAX_ATTACHMENT: usize = 50 << 20;

/// Chift's `pdf` / `pdf_name` as an attachment. The name keeps Chift's pattern but is cut to
/// the software's 50 characters (`.pdf` kept); without one the document number names it.
pub fn pdf(base64: &str, name: Option<&str>, number: &str) -> Result<Attachment, Invalid> {
    let fallback: String = number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') { c } else { '-' })
        .collect();
    let stem = name
        .map(str::trim)
        .map(|n| n.strip_suffix(".pdf").unwrap_or(n))
        .filter(|n| !n.is_empty())
        .unwrap_or(&fallback);
    if !stem.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' ')) {
        return Err(Invalid::body(
            "pdf_name",
            "letters, digits, -, _ and spaces only (optionally .pdf)",
        ));
    }
    let stem: String = stem.chars().take(MAX_LABEL - 4).collect();
    attachment("pdf", base64, &format!("{stem}.pdf"), "application/pdf", MAX_ATTACHMENT)
}

/// Amounts of a document in a foreign currency brought to euros at `rate` (units per euro),
/// to the cent; each line keeps its own amount as `currency_amount`. Rounding can leave the
/// entry a cent off: the difference goes to the largest line of the short side.
pub fn to_euros(lines: &mut [PostingLine], rate: Decimal) {
    for line in lines.iter_mut() {
        line.currency_amount = Some(line.debit + line.credit);
        line.debit = (line.debit / rate).round_dp(2);
        line.credit = (line.credit / rate).round_dp(2);
    }
    let debit: Decimal = lines.iter().map(|l| l.debit).sum();
    let credit: Decimal = lines.iter().map(|l| l.credit).sum();
    let gap = debit - credit;
    if gap.is_zero() {
        return;
    }
    let short_is_credit = gap > Decimal::ZERO;
    let largest = lines
        .iter_mut()
        .filter(|l| if short_is_credit { !l.credit.is_zero() } else { !l.debit.is_zero() })
        .max_by_key(|l| l.debit + l.credit);
    if let Some(line) = largest {
        if short_is_credit {
            line.credit += gap;
        } else {
            line.debit -= gap;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_never_shows_a_stored_files_link() {
        let file = StoredFile {
            id: "7".into(),
            name: "facture".into(),
            link: "/ged/document/7-secret-token/download".into(),
        };
        let shown = format!("{file:?}");
        assert!(shown.contains("facture") && !shown.contains("secret-token"), "{shown}");
    }

    use super::*;
    use crate::domain::money::Rate;

    fn line(field: &str, debit: i64, credit: i64) -> PostingLine {
        PostingLine {
            field: field.into(),
            account: AccountRef::General { number: "606000".into(), create: None },
            label: "Fournitures".into(),
            debit: Decimal::new(debit, 2),
            credit: Decimal::new(credit, 2),
            due_date: None,
            currency_amount: None,
            analytics: vec![],
            payment_method: None,
        }
    }

    fn posting(lines: Vec<PostingLine>) -> Posting {
        Posting {
            journal: JournalRef::Id("1".into()),
            date: "2026-03-01".parse().unwrap(),
            number: Some("FA-2026/001".into()),
            reference: None,
            currency: None,
            lines,
            attachment: None,
            posted: true,
            period: None,
            metadata: serde_json::Value::Null,
        }
    }

    #[test]
    fn a_balanced_entry_passes_and_an_unbalanced_one_names_the_totals() {
        assert!(posting(vec![line("items.0", 1000, 0), line("items.1", 0, 1000)]).check().is_ok());
        let e =
            posting(vec![line("items.0", 1000, 0), line("items.1", 0, 999)]).check().unwrap_err();
        assert_eq!(e.field, "items");
        assert!(e.rule.contains("10.00") && e.rule.contains("9.99"), "{}", e.rule);
    }

    #[test]
    fn each_line_is_one_sided_positive_and_labelled() {
        let both = posting(vec![line("items.0", 1000, 1000), line("items.1", 0, 0)]);
        assert_eq!(both.check().unwrap_err().field, "items.0.credit");
        let zero = posting(vec![line("items.0", 0, 0), line("items.1", 0, 0)]);
        assert_eq!(zero.check().unwrap_err().field, "items.0.debit");
        let negative = posting(vec![line("items.0", -5, 0), line("items.1", 0, -5)]);
        assert!(negative.check().unwrap_err().rule.contains("negative"));
        let mut long = posting(vec![line("items.0", 100, 0), line("items.1", 0, 100)]);
        long.lines[1].label = "x".repeat(51);
        assert_eq!(long.check().unwrap_err().field, "items.1.description");
        let mut early = posting(vec![line("items.0", 100, 0), line("items.1", 0, 100)]);
        early.lines[0].due_date = Some("2026-02-28".parse().unwrap());
        assert_eq!(early.check().unwrap_err().field, "items.0.due_date");
        assert_eq!(posting(vec![line("items.0", 100, 0)]).check().unwrap_err().field, "items");
    }

    #[test]
    fn analytic_percentages_add_up_to_one_hundred() {
        use crate::domain::journal_entry::AnalyticShare;
        let mut p = posting(vec![line("items.0", 100, 0), line("items.1", 0, 100)]);
        p.lines[0].analytics = vec![AnalyticDistribution {
            analytic_plan: "411".into(),
            analytic_accounts: vec![AnalyticShare {
                analytic_account: "9051".into(),
                percentage: Rate(Decimal::new(90, 0)),
            }],
        }];
        assert_eq!(p.check().unwrap_err().field, "items.0.analytic_distribution");
    }

    #[test]
    fn pieces_drop_separators_and_refuse_the_rest() {
        assert_eq!(piece("number", "FA-2026/001").unwrap(), "FA2026001");
        assert_eq!(piece("number", "---").unwrap_err().field, "number");
        assert!(piece("number", "FACTURE№1").is_err());
        assert!(piece("number", &"9".repeat(26)).is_err());
        assert!(piece("number", &"9".repeat(25)).is_ok());
    }

    #[test]
    fn foreign_amounts_become_euros_and_stay_balanced() {
        let mut lines =
            vec![line("items.0", 10000, 0), line("items.1", 0, 3333), line("items.2", 0, 6667)];
        to_euros(&mut lines, Decimal::new(3, 0));
        let debit: Decimal = lines.iter().map(|l| l.debit).sum();
        let credit: Decimal = lines.iter().map(|l| l.credit).sum();
        assert_eq!(debit, credit);
        assert_eq!(lines[0].debit, Decimal::new(3333, 2));
        assert_eq!(lines[0].currency_amount, Some(Decimal::new(10000, 2)));
        assert_eq!(lines[2].credit, Decimal::new(2222, 2), "the largest credit absorbs the cent");
    }

    #[test]
    fn pdf_names_fit_the_software() {
        let a = pdf("JVBERi0xLjQK", Some(&"n".repeat(120)), "FA1").unwrap();
        assert_eq!(a.name.chars().count(), MAX_LABEL);
        assert!(a.name.ends_with(".pdf"));
        assert_eq!(pdf("JVBERi0xLjQK", None, "FA1").unwrap().name, "FA1.pdf");
        assert_eq!(pdf("JVBERi0xLjQK", None, "FA-2026/001").unwrap().name, "FA-2026-001.pdf");
        assert_eq!(pdf("JVBERi0xLjQK", Some("a/b"), "FA1").unwrap_err().field, "pdf_name");
    }

    #[test]
    fn attachments_must_decode_and_fit() {
        let pdf = "JVBERi0xLjQK"; // "%PDF-1.4\n"
        assert!(attachment("pdf", pdf, "a.pdf", "application/pdf", 1 << 20).is_ok());
        assert_eq!(
            attachment("pdf", "not base64!", "a.pdf", "application/pdf", 1 << 20).unwrap_err().rule,
            "must be base64 (RFC 4648)"
        );
        assert!(attachment("pdf", "aGVsbG8=", "a.pdf", "application/pdf", 1 << 20).is_err());
        assert!(attachment("pdf", pdf, "a.pdf", "application/pdf", 4).is_err());
    }
}
