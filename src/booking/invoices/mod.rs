//! Invoices ⇄ entries of the sales and purchase journals: an entry read as an invoice
//! ([`read`]), the entries lettered with it as its payments ([`payments`]), and an invoice
//! written as a posting ([`write`]).

pub mod payments;
pub mod read;
pub mod write;

use std::collections::HashMap;

use crate::domain::accounting::JournalType;

/// The folder's journals by id: their type and name.
pub type Journals = HashMap<String, (JournalType, String)>;
