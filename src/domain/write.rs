//! The identity of one write: what Passerelle gives the objects it sends upstream, so that a try
//! whose outcome is unknown can be settled by looking them up.

use uuid::Uuid;

/// One write, the same on every try of one client request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Write {
    pub id: Uuid,
    /// An earlier try may have written something: look before sending.
    pub resumed: bool,
}

impl Write {
    /// A write that no earlier try started.
    pub fn fresh() -> Self {
        Self { id: Uuid::new_v4(), resumed: false }
    }
}
