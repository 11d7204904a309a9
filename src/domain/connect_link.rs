//! Activation links: a customer's one-time way to the connect page, where they give their own
//! credentials for a connection of one consumer.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::connection::ConnectorKind;

/// Keys one link may have checked upstream: past this, the link is spent (a link is not a way to
/// try keys against MyUnisoft).
pub const MAX_KEY_ATTEMPTS: i64 = 10;

/// What completing a link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Creates the connection under the id the link reserved.
    Create,
    /// Gives an existing connection new credentials (and folders), keeping its id and history.
    Update,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Create => "create",
            LinkPurpose::Update => "update",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "create" => Some(LinkPurpose::Create),
            "update" => Some(LinkPurpose::Update),
            _ => None,
        }
    }
}

/// A link as stored: known by the hash of its token, never by the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectLink {
    pub hash: String,
    pub consumer_id: Uuid,
    pub connection_id: Uuid,
    pub purpose: LinkPurpose,
    pub kind: ConnectorKind,
    /// The connection's name.
    pub name: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    /// Keys submitted so far.
    pub key_attempts: i64,
}

impl ConnectLink {
    /// Neither used, nor expired at `now`, nor out of key attempts.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.used_at.is_none() && now < self.expires_at && self.key_attempts < MAX_KEY_ATTEMPTS
    }

    /// Why a link that is not open is not: `link_used`, `too_many_attempts` or `link_expired`.
    pub fn spent_because(&self) -> &'static str {
        if self.used_at.is_some() {
            "link_used"
        } else if self.key_attempts >= MAX_KEY_ATTEMPTS {
            "too_many_attempts"
        } else {
            "link_expired"
        }
    }
}
