//! The kinds of records the data layer keeps, and the upstream id each is stored under.

use serde::{Deserialize, Serialize};

use crate::connectors::PartyContacts;
use crate::domain::accounting::{
    AnalyticPlan, BankAccount, BookYear, Employee, Folder, Journal, LedgerAccount, PaymentMethod,
    PaymentTerm, VatCode,
};
use crate::domain::analytics::AnalyticAccount;
use crate::domain::journal_entry::{JournalEntry, PaymentMethodRef};
use crate::domain::outstanding::{Outstanding, OutstandingFilter, OutstandingType};
use crate::domain::third_party::{PartyKind, ThirdParty};

/// The folder number of sets that belong to the connection, not to one folder.
pub const CONNECTION_WIDE: i64 = 0;

pub const FOLDERS: &str = "folders";
pub const BOOKYEARS: &str = "bookyears";
pub const ACCOUNTS: &str = "accounts";
pub const JOURNALS: &str = "journals";
pub const VAT_CODES: &str = "vat_codes";
pub const PAYMENT_METHODS: &str = "payment_methods";
pub const PAYMENT_TERMS: &str = "payment_terms";
pub const ANALYTIC_PLANS: &str = "analytic_plans";
pub const ANALYTIC_ACCOUNTS: &str = "analytic_accounts";
pub const BANK_ACCOUNTS: &str = "bank_accounts";
pub const EMPLOYEES: &str = "employees";
pub const CLIENTS: &str = "clients";
pub const SUPPLIERS: &str = "suppliers";
pub const ENTRIES: &str = "entries";
pub const CLIENT_CONTACTS: &str = "client_contacts";
pub const SUPPLIER_CONTACTS: &str = "supplier_contacts";

/// Every kind stored, for operators (outstandings once per filter).
pub const ALL: [&str; 20] = [
    FOLDERS,
    BOOKYEARS,
    ACCOUNTS,
    JOURNALS,
    VAT_CODES,
    PAYMENT_METHODS,
    PAYMENT_TERMS,
    ANALYTIC_PLANS,
    ANALYTIC_ACCOUNTS,
    BANK_ACCOUNTS,
    EMPLOYEES,
    CLIENTS,
    SUPPLIERS,
    ENTRIES,
    CLIENT_CONTACTS,
    SUPPLIER_CONTACTS,
    "outstandings_client",
    "outstandings_client_unposted",
    "outstandings_supplier",
    "outstandings_supplier_unposted",
];

/// The set of clients or suppliers (employees read as third parties are not kept).
pub fn parties(kind: PartyKind) -> Option<&'static str> {
    match kind {
        PartyKind::Client => Some(CLIENTS),
        PartyKind::Supplier => Some(SUPPLIERS),
        PartyKind::Employee => None,
    }
}

/// The set of the contacts of clients or suppliers.
pub fn contacts(kind: PartyKind) -> Option<&'static str> {
    match kind {
        PartyKind::Client => Some(CLIENT_CONTACTS),
        PartyKind::Supplier => Some(SUPPLIER_CONTACTS),
        PartyKind::Employee => None,
    }
}

/// The kind of the open items one filter reads.
pub fn outstandings(filter: OutstandingFilter) -> String {
    let whose = match filter.kind {
        OutstandingType::Client => "client",
        OutstandingType::Supplier => "supplier",
    };
    let pending = if filter.unposted_allowed { "_unposted" } else { "" };
    format!("outstandings_{whose}{pending}")
}

/// Every filter of open items, each kept as its own set.
pub fn outstanding_filters() -> [OutstandingFilter; 4] {
    let f = |kind, unposted_allowed| OutstandingFilter { kind, unposted_allowed };
    [
        f(OutstandingType::Client, false),
        f(OutstandingType::Client, true),
        f(OutstandingType::Supplier, false),
        f(OutstandingType::Supplier, true),
    ]
}

/// The upstream id a record is stored under.
pub trait Keyed {
    fn key(&self) -> String;
}

macro_rules! keyed_by_id {
    ($($t:ty),* $(,)?) => {
        $(impl Keyed for $t {
            fn key(&self) -> String {
                self.id.clone()
            }
        })*
    };
}

keyed_by_id!(
    Folder,
    BookYear,
    LedgerAccount,
    Journal,
    VatCode,
    PaymentMethod,
    PaymentTerm,
    AnalyticPlan,
    AnalyticAccount,
    BankAccount,
    Employee,
    ThirdParty,
    Outstanding,
);

impl Keyed for PartyContacts {
    fn key(&self) -> String {
        self.party.clone()
    }
}

/// A journal entry as stored: as answered, plus what is never answered but read by the rules
/// above (what Passerelle kept with an entry it wrote; each line's lettering state and payment
/// method).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredEntry {
    #[serde(flatten)]
    entry: JournalEntry,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passerelle_metadata: Option<serde_json::Value>,
    /// The unanswered fields of each line, by position (empty when none has any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    passerelle_lines: Vec<LineExtras>,
}

/// The fields of a line that are not answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct LineExtras {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    partial: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_method_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_method_name: Option<String>,
}

impl StoredEntry {
    pub fn of(entry: &JournalEntry) -> Self {
        let lines: Vec<LineExtras> = entry
            .items
            .iter()
            .map(|i| LineExtras {
                partial: i.matching_partial,
                payment_method_id: i.payment_method.as_ref().map(|m| m.id.clone()),
                payment_method_name: i.payment_method.as_ref().and_then(|m| m.name.clone()),
            })
            .collect();
        let any = lines.iter().any(|l| *l != LineExtras::default());
        Self {
            entry: entry.clone(),
            passerelle_metadata: entry.metadata.clone(),
            passerelle_lines: if any { lines } else { vec![] },
        }
    }

    pub fn into_entry(self) -> JournalEntry {
        let mut entry = JournalEntry { metadata: self.passerelle_metadata, ..self.entry };
        for (item, extras) in entry.items.iter_mut().zip(self.passerelle_lines) {
            item.matching_partial = extras.partial;
            item.payment_method = extras
                .payment_method_id
                .map(|id| PaymentMethodRef { id, name: extras.payment_method_name });
        }
        entry
    }
}

impl Keyed for StoredEntry {
    fn key(&self) -> String {
        // MyUnisoft's own id: a partner id can be shared by a pending and a validated entry.
        format!("{}:{}", self.entry.entry_id, self.entry.posted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field the rules read survives the store, answered or not.
    #[test]
    fn a_stored_entry_reads_back_as_it_was() {
        let json = serde_json::json!({
            "id": "e1", "reference": null, "name": null, "journal_id": "j", "journal_name": null,
            "date": "2026-01-02", "due_date": null, "due_dates": [], "posted": true,
            "attachments_info": {"status": "no"}, "items": [], "created_on": null,
            "entry_id": "7", "document_currency": null, "document_exchange_rate": null
        });
        let mut entry: JournalEntry = serde_json::from_value(json).unwrap();
        entry.metadata = Some(serde_json::json!({"invoice": {"n": 1}}));
        let text = serde_json::to_string(&StoredEntry::of(&entry)).unwrap();
        let back = serde_json::from_str::<StoredEntry>(&text).unwrap().into_entry();
        assert_eq!(back, entry);
        assert_eq!(back.metadata, entry.metadata);
    }

    #[test]
    fn each_outstanding_filter_has_its_own_listed_kind() {
        let kinds: Vec<String> = outstanding_filters().into_iter().map(outstandings).collect();
        for kind in &kinds {
            assert!(ALL.contains(&kind.as_str()), "{kind}");
        }
        let mut unique = kinds.clone();
        unique.dedup();
        assert_eq!(unique.len(), 4);
    }
}
