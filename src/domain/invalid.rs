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

/// One rejected input: which field, and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub location: Location,
    pub field: String,
    pub rule: String,
}

impl Invalid {
    pub fn body(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self { location: Location::Body, field: field.into(), rule: rule.into() }
    }

    pub fn query(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self { location: Location::Query, field: field.into(), rule: rule.into() }
    }

    pub fn path(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self { location: Location::Path, field: field.into(), rule: rule.into() }
    }

    pub fn header(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self { location: Location::Header, field: field.into(), rule: rule.into() }
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
