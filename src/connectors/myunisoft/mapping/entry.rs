//! Journal entries from MAD entries. MyUnisoft books every line in EUR (the folder's currency):
//! lines are given in EUR, and a foreign document's currency and rate are kept on the entry.

use rust_decimal::Decimal;

use crate::connectors::myunisoft::dto::{EntryMovement, LetteringState, MadEntry};
use crate::domain::journal_entry::{
    AnalyticDistribution, AnalyticShare, AttachedFile, AttachmentStatus, AttachmentsInfo, DueDate,
    JournalEntry, JournalItem, PaymentMethodRef,
};
use crate::domain::money::{Money, Rate};

/// Third-party roots: lines on them name a partner.
const PARTNER_ROOTS: [&str; 3] = ["401", "411", "421"];

fn is_partner(number: &str) -> bool {
    PARTNER_ROOTS.iter().any(|root| number.starts_with(root))
}

fn item(m: &EntryMovement, default_plan: Option<&str>) -> JournalItem {
    let number = m.account.as_ref().and_then(|a| a.number.clone()).unwrap_or_default();
    let name = m.account.as_ref().and_then(|a| a.name.clone()).unwrap_or_default();
    let partner =
        is_partner(&number).then(|| m.account.as_ref().map(|a| a.producer_id.clone())).flatten();
    let line = m.value.debit + m.value.credit;
    let distribution: Vec<AnalyticDistribution> = m
        .analytics
        .iter()
        .map(|axis| AnalyticDistribution {
            analytic_plan: axis.producer_id.clone(),
            analytic_accounts: axis
                .sections
                .iter()
                .map(|s| AnalyticShare {
                    analytic_account: s.producer_id.clone(),
                    percentage: Rate(s.rate.unwrap_or_else(|| {
                        if line.is_zero() {
                            Decimal::ZERO
                        } else {
                            (s.amount * Decimal::ONE_HUNDRED / line).round_dp(4)
                        }
                    })),
                })
                .collect(),
        })
        .collect();
    let main = default_plan
        .and_then(|plan| m.analytics.iter().find(|a| a.producer_id == plan))
        .and_then(|axis| axis.sections.iter().max_by_key(|s| s.amount));
    JournalItem {
        id: m.producer_id.clone(),
        partner_name: partner.as_ref().map(|_| name.clone()),
        partner_id: partner,
        account_number: number,
        account_name: name,
        description: m.description.clone(),
        debit: Money(m.value.debit),
        credit: Money(m.value.credit),
        currency: "EUR".into(),
        currency_exchange_rate: Rate(Decimal::ONE),
        matching_numbers: m
            .lettering
            .as_ref()
            .filter(|l| l.state != LetteringState::None)
            .and_then(|l| l.value.as_deref())
            .map(|v| vec![v.trim_start_matches('*').to_owned()])
            .unwrap_or_default(),
        analytic_distribution: distribution,
        analytic_account: main.map(|s| s.producer_id.clone()),
        analytic_account_name: main.and_then(|s| s.name.clone()),
        due_date: m.due_date,
        matching_partial: m.lettering.as_ref().is_some_and(|l| l.state == LetteringState::Partial),
        payment_method: m
            .payment
            .as_ref()
            .map(|p| PaymentMethodRef { id: p.producer_id.clone(), name: p.name.clone() }),
    }
}

/// The files of an entry, by name: their content is read through `GET /attachments`, since
/// MyUnisoft's download links carry a token.
fn attachments_info(e: &MadEntry) -> AttachmentsInfo {
    if e.attachments.is_empty() {
        return AttachmentsInfo::none();
    }
    AttachmentsInfo {
        status: AttachmentStatus::YesToRequest,
        attachments: e
            .attachments
            .keys()
            .map(|name| AttachedFile { filename: Some(name.clone()), url: None })
            .collect(),
    }
}

/// A MAD entry as a journal entry; `posted` is false for pending ones (`draft`).
pub(crate) fn journal_entry(
    e: &MadEntry,
    posted: bool,
    default_plan: Option<&str>,
) -> JournalEntry {
    let props = e.additional_producer_properties.as_ref();
    let items: Vec<JournalItem> = e.movements.iter().map(|m| item(m, default_plan)).collect();
    let due_dates = DueDate::of_lines(items.iter().filter(|i| i.partner_id.is_some()));
    let (document_currency, document_rate) = match &e.currency {
        Some(c) if c.code != "EUR" => (Some(c.code.clone()), c.rate),
        _ => (None, None),
    };
    JournalEntry {
        id: props
            .and_then(|p| p.partner_metadata.as_ref())
            .map_or_else(|| e.producer_id.clone(), |p| p.partner_id.clone()),
        reference: e.movements.iter().find_map(|m| m.free_number.clone()),
        name: e.movements.iter().find_map(|m| m.invoice_number.clone()),
        journal_id: e.journal.producer_id.clone(),
        journal_name: e.journal.name.clone(),
        date: e.date,
        due_date: e.due_date,
        due_dates,
        posted,
        attachments_info: attachments_info(e),
        items,
        created_on: props
            .and_then(|p| p.created_at)
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0)),
        entry_id: e.producer_id.clone(),
        document_currency,
        document_exchange_rate: document_rate.map(Rate),
        metadata: props
            .and_then(|p| p.partner_metadata.as_ref())
            .and_then(|p| p.json.as_deref())
            .and_then(|j| serde_json::from_str(j).ok()),
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::connectors::myunisoft::mapping::fixture;

    fn entries() -> Vec<MadEntry> {
        serde_json::from_str(fixture!("mad_entries.json")).unwrap()
    }

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn an_invoice_entry_maps_lines_partner_lettering_and_analytics() {
        let all = entries();
        let sale = all.iter().find(|e| e.producer_id == "51000243").unwrap();
        let entry = journal_entry(sale, true, Some("411"));
        assert_eq!(
            (entry.id.as_str(), entry.name.as_deref(), entry.journal_id.as_str()),
            ("sandbox-4821-FV260125", Some("FV260125"), "32162")
        );
        assert_eq!(entry.entry_id, "51000243");
        let customer = &entry.items[0];
        assert_eq!(
            (customer.account_number.as_str(), customer.partner_id.as_deref()),
            ("411CREPE", Some("1180308"))
        );
        assert_eq!((*customer.debit, *customer.credit), (d("3881.6"), Decimal::ZERO));
        let sales_line = &entry.items[1];
        assert_eq!(sales_line.partner_id, None);
        assert_eq!(sales_line.analytic_distribution[0].analytic_plan, "411");
        assert_eq!(sales_line.analytic_distribution[0].analytic_accounts[0].percentage, d("70"));
        assert_eq!(sales_line.analytic_account.as_deref(), Some("9052"));
        let debit: Decimal = entry.items.iter().map(|i| i.debit).sum();
        let credit: Decimal = entry.items.iter().map(|i| i.credit).sum();
        assert_eq!(debit, credit, "balanced to the cent");
        assert_eq!(entry.due_dates.len(), 1);
        let due = &entry.due_dates[0];
        assert_eq!(
            (due.payment_method_id.as_deref(), due.payment_method.as_deref()),
            (Some("11094"), Some("Chèque"))
        );
        assert_eq!(*due.debit, d("3881.6"));
        assert_eq!(entry.attachments_info, AttachmentsInfo::none());
    }

    #[test]
    fn attachments_are_listed_by_name_without_their_tokened_link() {
        let mut sale = entries().into_iter().find(|e| e.producer_id == "51000243").unwrap();
        sale.attachments.insert(
            "FV260125.pdf".into(),
            serde_json::json!({"type": "URL", "value": "https://x.example/ged/document/1-secret/download"}),
        );
        let info = journal_entry(&sale, true, None).attachments_info;
        assert_eq!(info.status, AttachmentStatus::YesToRequest);
        assert_eq!(
            info.attachments,
            vec![AttachedFile { filename: Some("FV260125.pdf".into()), url: None }]
        );
    }

    #[test]
    fn partner_ids_survive_and_lettering_drops_the_partial_star() {
        let all = entries();
        let with_partner = all
            .iter()
            .find(|e| {
                e.additional_producer_properties
                    .as_ref()
                    .is_some_and(|p| p.partner_metadata.is_some())
            })
            .unwrap();
        let entry = journal_entry(with_partner, false, None);
        assert!(!entry.posted);
        assert_eq!(
            &entry.id,
            &with_partner
                .additional_producer_properties
                .as_ref()
                .unwrap()
                .partner_metadata
                .as_ref()
                .unwrap()
                .partner_id
        );
        assert_eq!(entry.entry_id, with_partner.producer_id);
        let partial = all
            .iter()
            .flat_map(|e| journal_entry(e, true, None).items)
            .find(|i| i.matching_numbers.first().is_some_and(|m| !m.is_empty()))
            .expect("a lettered line");
        assert!(!partial.matching_numbers[0].starts_with('*'));
    }
}
