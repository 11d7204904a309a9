//! Who is calling: client credentials → `POST /token` → JWT → [`tenant::TenantContext`].

pub mod connect_link;
pub mod secrets;
pub mod tenant;
pub mod throttle;
pub mod token;
