//! Small reference lists: payment methods, payment terms, analytic plans.

use std::collections::BTreeMap;

use crate::connectors::myunisoft::dto::{AccountV2, Axis, PaymentType};
use crate::domain::accounting::{AnalyticPlan, PaymentMethod, PaymentTerm};

pub(crate) fn payment_method(p: &PaymentType) -> PaymentMethod {
    PaymentMethod { id: p.payment_type_id.to_string(), name: p.name.clone(), code: p.code.clone() }
}

/// MyUnisoft has no list of payment terms: they are the distinct terms its third parties use,
/// in id order.
pub(crate) fn payment_terms(accounts: &[AccountV2]) -> Vec<PaymentTerm> {
    let mut terms = BTreeMap::new();
    for d in accounts
        .iter()
        .filter_map(|a| a.complementary_informations.as_ref()?.payment_deadline.as_ref())
    {
        terms.entry(d.id_payment_deadline).or_insert_with(|| PaymentTerm {
            id: d.id_payment_deadline.to_string(),
            name: d.label.clone(),
            days: d.number_of_days,
            end_of_month: d.end_month,
        });
    }
    terms.into_values().collect()
}

pub(crate) fn analytic_plan(a: &Axis) -> AnalyticPlan {
    AnalyticPlan {
        id: a.id_axe.to_string(),
        name: a.label.clone().or_else(|| a.code.clone()).unwrap_or_else(|| a.id_axe.to_string()),
        active: true,
        code: a.code.clone(),
        parent_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_terms_are_the_distinct_terms_of_third_parties() {
        let accounts: Vec<AccountV2> = serde_json::from_str(
            r#"[{"complementary_informations": {"payment_deadline": {"id_payment_deadline": 3, "label": "30 jours fin de mois", "number_of_days": 30, "end_month": true, "day_number": null}}},
                {"complementary_informations": {"payment_deadline": {"id_payment_deadline": 2, "label": "45 jours net", "number_of_days": 45, "end_month": false}}},
                {"complementary_informations": {"payment_deadline": {"id_payment_deadline": 3, "label": "30 jours fin de mois"}}},
                {"complementary_informations": {"payment_deadline": null}},
                {"complementary_informations": null}]"#,
        )
        .unwrap();
        let terms = payment_terms(&accounts);
        let ids: Vec<_> = terms.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["2", "3"]);
        assert_eq!((terms[1].days, terms[1].end_of_month), (Some(30), Some(true)));
    }

    #[test]
    fn payment_types_and_axes_keep_their_ids() {
        let p: PaymentType = serde_json::from_str(
            r#"{"payment_type_id": 11094, "name": "Virement", "code": "VIRT"}"#,
        )
        .unwrap();
        assert_eq!(
            payment_method(&p),
            PaymentMethod {
                id: "11094".into(),
                name: Some("Virement".into()),
                code: Some("VIRT".into())
            }
        );
        let a: Axis = serde_json::from_str(
            r#"{"id_axe": 412, "code": "PROJ", "label": "Projets", "id_societe": 4821}"#,
        )
        .unwrap();
        assert_eq!(
            (analytic_plan(&a).id.as_str(), analytic_plan(&a).name.as_str()),
            ("412", "Projets")
        );
    }
}
