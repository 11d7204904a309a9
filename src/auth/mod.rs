//! Who is calling: client credentials → `POST /token` → JWT → [`tenant::TenantContext`].

pub mod secrets;
pub mod tenant;
pub mod throttle;
pub mod token;
