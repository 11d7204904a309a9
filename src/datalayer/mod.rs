//! The data layer: each enabled connection's books kept in Passerelle's own database, read by
//! a sync engine inside `serve`, refreshed by MyUnisoft's signed webhooks and by Passerelle's
//! own writes, and served to reads that ask for it (`x-chift-datalayer`). What a sync sees
//! change is announced to webhooks ([`announce`]).

pub mod announce;
pub mod kinds;
pub mod metrics;
pub mod read;
pub mod sync;
pub mod webhooks;
