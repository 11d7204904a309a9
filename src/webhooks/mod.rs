//! Outbound webhooks: the events Passerelle announces ([`events`]), the outbox they wait in
//! ([`outbox`]), the checks on where they may go ([`guard`]), the issues
//! whose opening they announce ([`issues`]), signed delivery ([`delivery`]) and
//! the workers of every replica that deliver them ([`worker`]).

pub mod delivery;
pub mod events;
pub mod guard;
pub mod issues;
pub mod outbox;
pub mod settings;
pub mod worker;

pub use events::{Change, Event, RecordKind};
pub use settings::WebhookSettings;
