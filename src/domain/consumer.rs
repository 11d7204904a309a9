//! Consumers: the end customers of an API account, each with its own accounting connections.

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    pub id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub internal_reference: Option<String>,
    pub redirect_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsumer {
    pub name: String,
    pub email: Option<String>,
    pub internal_reference: Option<String>,
    pub redirect_url: Option<String>,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumerPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub internal_reference: Option<String>,
    pub redirect_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumerFilter {
    /// Case-insensitive substring of the name or the email.
    pub search: Option<String>,
    pub internal_reference: Option<String>,
}
