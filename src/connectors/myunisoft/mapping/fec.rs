//! A MAD movement as a FEC line (fec.md 8.2).

use fec::Line;

use super::super::dto::{FecMovement, LetteringState};

/// Journal types of opening (à-nouveaux) journals, spelled "À Nouveaux" or "A Nouveaux".
fn opening(kind: Option<&str>) -> bool {
    kind.is_some_and(|k| k.to_lowercase().contains("nouveaux"))
}

pub(crate) fn fec_line(m: FecMovement) -> Line {
    let properties = m.entry.additional_producer_properties.as_ref();
    let valid_date =
        properties.and_then(|p| p.validation_date.or(p.accounted_at)).unwrap_or(m.entry.date);
    let (account, account_name) = match m.account {
        Some(a) => (a.number.unwrap_or_default(), a.name.unwrap_or_default()),
        None => (String::new(), String::new()),
    };
    let lettering = m.lettering.and_then(|l| match l.state {
        LetteringState::Complete | LetteringState::Partial => l.value,
        LetteringState::None => None,
    });
    Line {
        entry: m.entry.producer_id,
        opening: opening(m.entry.journal.kind.as_deref()),
        journal_code: m.entry.journal.customer_reference_code,
        journal_name: m.entry.journal.name.unwrap_or_default(),
        date: m.entry.date,
        valid_date,
        account,
        account_name,
        invoice_number: m.invoice_number,
        free_number: m.free_number,
        label: m.description.unwrap_or_default(),
        debit: m.value.debit,
        credit: m.value.credit,
        lettering,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_movement_becomes_a_fec_line() {
        let m: FecMovement = serde_json::from_str(
            r#"{"producerId":"153000871","description":"DUPONT SARL","freeNumber":null,
            "invoiceNumber":"F2025031","value":{"credit":0,"debit":1200.1,"amount":-1200.1},
            "entry":{"producerId":"51000231","date":"2025-03-02","currency":{"code":"EUR"},
              "journal":{"producerId":"32170","customerReferenceCode":"02","name":"JOURNAL DE VENTES","type":"Vente"},
              "additionalProducerProperties":{"accountedAt":"2025-03-04"},"attachments":{}},
            "account":{"producerId":"7700412","number":"411DUPONT","name":"DUPONT SARL"},
            "analytics":[],"lettering":{"state":"partial","value":"*AAC"}}"#,
        )
        .unwrap();
        let line = fec_line(m);
        assert_eq!(line.entry, "51000231");
        assert_eq!(line.valid_date.to_string(), "2025-03-04");
        assert_eq!(line.debit.to_string(), "1200.1");
        assert_eq!(line.lettering.as_deref(), Some("*AAC"));
        assert!(!line.opening && opening(Some("À Nouveaux")) && opening(Some("A Nouveaux")));
    }
}
