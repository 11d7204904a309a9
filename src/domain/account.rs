//! API accounts: the software vendors that call Passerelle with a clientId and clientSecret.

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiAccount {
    pub id: Uuid,
    pub name: String,
    pub client_id: String,
    pub created_at: DateTime<Utc>,
}
