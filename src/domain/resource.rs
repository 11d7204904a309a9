//! The kinds of record a request can name, so that "not found" and "already exists" answers can
//! say which one (and carry Chift's code for it).

/// A kind of record the API serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Consumer,
    Connection,
    ActiveConnection,
    Integration,
    Transaction,
    Folder,
    Account,
    Journal,
    JournalEntry,
    MiscellaneousOperation,
    Invoice,
    Client,
    Supplier,
    Employee,
    AnalyticPlan,
    AnalyticAccount,
    Webhook,
    Issue,
}

impl Resource {
    /// The record's name in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Resource::Consumer => "consumer",
            Resource::Connection => "connection",
            Resource::ActiveConnection => "active connection",
            Resource::Integration => "integration",
            Resource::Transaction => "transaction",
            Resource::Folder => "folder",
            Resource::Account => "account",
            Resource::Journal => "journal",
            Resource::JournalEntry => "journal entry",
            Resource::MiscellaneousOperation => "miscellaneous operation",
            Resource::Invoice => "invoice",
            Resource::Client => "client",
            Resource::Supplier => "supplier",
            Resource::Employee => "employee",
            Resource::AnalyticPlan => "analytic plan",
            Resource::AnalyticAccount => "analytic account",
            Resource::Webhook => "webhook",
            Resource::Issue => "issue",
        }
    }
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.noun())
    }
}
