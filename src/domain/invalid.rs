//! A rejected input: where it came from, which field, and the rule it broke. The HTTP layer maps
//! it to a 422; the domain and the connectors only say what is wrong.

/// Where a rejected input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Body,
    Query,
    Path,
    Header,
}

impl Location {
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Body => "body",
            Location::Query => "query",
            Location::Path => "path",
            Location::Header => "header",
        }
    }
}

/// The refusals Chift names with a code of their own (an unknown journal, an entry that does not
/// balance…); any other broken rule is a plain validation error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    EntryNotBalanced,
    NoInvoiceLine,
    JournalNotFound,
    /// The journal exists but is of the wrong kind, or closed, for this write.
    JournalNotGoodScope,
    AccountNumberNotFound,
    /// The account exists but its class does not fit the journal or the line.
    AccountNumberNotGoodScope,
    PartnerNotFound,
    TaxCodeNotFound,
    AnalyticPlanNotFound,
    AnalyticAccountNotFound,
    AnalyticAccountAlreadyExists,
    BookyearNotFound,
    InvalidBase64,
    /// An entry to match does not exist.
    EntryNotFound,
    /// An entry to match has no line on the partner named.
    EntryNotLinkedToPartner,
    /// An entry to match is already matched.
    EntryHasInvalidStatus,
    /// A currency that is not an ISO 4217 code.
    InvalidCurrencyFormat,
    /// A negative debit or credit.
    DebitCreditValue,
    /// A bank account whose IBAN the folder already has.
    BankCodeAlreadyUsed,
    /// A partner line (or invoice) without its client or supplier.
    PartnerAccountMissing,
    /// An account of the wrong kind for the type of its line.
    WrongAccountType,
    /// A document to replace where one exists and cannot be removed.
    AttachmentAlreadyExists,
    /// An invoice number the accounting software cannot hold (too long, other characters).
    InvoiceNumberFormat,
    /// A journal code the folder already has.
    JournalAlreadyExists,
    /// A miscellaneous operation whose lines do not sum to zero.
    OperationNotBalanced,
    /// A miscellaneous operation without lines.
    NoOperationLine,
    /// A forced financial period that is not `mmYYYY`.
    InvalidFinancialPeriodFormat,
    /// An invoice whose total is zero.
    ZeroInvoice,
}

/// One rejected input: which field, the rule it broke, and Chift's name for the refusal when it
/// has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub location: Location,
    pub field: String,
    pub rule: String,
    pub refusal: Option<Refusal>,
}

impl Invalid {
    pub fn body(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self { location: Location::Body, field: field.into(), rule: rule.into(), refusal: None }
    }

    pub fn query(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self { location: Location::Query, field: field.into(), rule: rule.into(), refusal: None }
    }

    pub fn path(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self { location: Location::Path, field: field.into(), rule: rule.into(), refusal: None }
    }

    pub fn header(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self { location: Location::Header, field: field.into(), rule: rule.into(), refusal: None }
    }

    /// Names the refusal, for Chift's code.
    pub fn because(self, refusal: Refusal) -> Self {
        Self { refusal: Some(refusal), ..self }
    }
}

impl std::error::Error for Invalid {}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "invalid {}: {}", self.location.as_str(), self.rule)
        } else {
            write!(f, "invalid {} field `{}`: {}", self.location.as_str(), self.field, self.rule)
        }
    }
}
