//! What can go wrong talking to an accounting software, sorted by who has to act.

use std::time::Duration;

use crate::domain::Resource;

/// A connector failure. `Display` is safe to show a client and says what to do; upstream codes and
/// messages are carried in fields for the error detail and the logs.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ConnectorError {
    #[error("{software} refused the connection's credentials ({code}): ask the customer for a new API token and update the connection")]
    Unauthorized { software: &'static str, code: String, message: String },
    #[error("{software} refuses this call for this token ({code}): the token lacks the right or the folder is not reachable with it")]
    Forbidden { software: &'static str, code: String, message: String },
    #[error(
        "the fiscal year is closed in {software} ({code}): reopen it or post into an open year"
    )]
    BookyearClosed { software: &'static str, code: String, message: String },
    #[error("the ledger account is closed in {software} ({code}): reactivate it or post to another account")]
    AccountNotActive { software: &'static str, code: String, message: String },
    #[error("{software} rejected the request ({code}): {message}")]
    Rejected { software: &'static str, status: u16, code: String, message: String },
    #[error("{software} is rate limiting this token; retry in {} s", retry_after.as_secs().max(1))]
    RateLimited { software: &'static str, retry_after: Duration },
    #[error("{software} is unavailable ({reason}); retry later")]
    Unavailable { software: &'static str, reason: String },
    #[error("{software} did not answer in time; retry later")]
    Timeout { software: &'static str },
    #[error("{software} answered something Passerelle cannot read at {path}")]
    Decode { software: &'static str, path: String, reason: String },
    #[error("{resource} `{id}` does not exist in {software}")]
    NotFound { software: &'static str, resource: Resource, id: String },
    /// The operator's side of the connection is refused (the partner secret): no retry mends it.
    #[error("{software} refuses the gateway itself: {reason}")]
    Misconfigured { software: &'static str, reason: String },
    /// An answer larger than the gateway reads into memory: nothing past `limit` was kept.
    #[error("{software} answered more than {limit} bytes at {path}; ask for a narrower window or a smaller page")]
    TooLarge { software: &'static str, path: String, limit: usize },
    /// Too many calls already wait for this token's upstream budget, or the wait would outlast
    /// the request: refused at once rather than queued.
    #[error("too many calls to {software} are waiting for this token's budget ({reason}); retry in {} s", retry_after.as_secs().max(1))]
    Saturated { software: &'static str, reason: String, retry_after: Duration },
}

impl ConnectorError {
    /// The upstream code and message, for the error `detail`.
    pub fn upstream(&self) -> Option<(&str, &str)> {
        match self {
            ConnectorError::Unauthorized { code, message, .. }
            | ConnectorError::Forbidden { code, message, .. }
            | ConnectorError::BookyearClosed { code, message, .. }
            | ConnectorError::AccountNotActive { code, message, .. }
            | ConnectorError::Rejected { code, message, .. } => Some((code, message)),
            _ => None,
        }
    }

    /// Whether a read may be tried again.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ConnectorError::RateLimited { .. }
                | ConnectorError::Unavailable { .. }
                | ConnectorError::Timeout { .. }
        )
    }
}
