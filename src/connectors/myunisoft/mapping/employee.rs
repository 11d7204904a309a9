//! Employees: MyUnisoft has no employee resource; its 421 personnel accounts carry them.

use crate::connectors::myunisoft::dto::MadAccount;
use crate::domain::accounting::Employee;

pub(crate) fn employee(a: &MadAccount) -> Employee {
    let e = a.employee.as_ref();
    let first = e.and_then(|e| e.first_name.clone()).filter(|s| !s.is_empty());
    let last = e.and_then(|e| e.last_name.clone()).filter(|s| !s.is_empty());
    let full =
        [first.as_deref(), last.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let name = if full.is_empty() {
        a.name.clone().unwrap_or_else(|| a.producer_id.clone())
    } else {
        full
    };
    Employee {
        id: a.producer_id.clone(),
        name,
        first_name: first,
        last_name: last,
        function: e.and_then(|e| e.profession.clone()),
        phone: e.and_then(|e| e.phone_number.clone()),
        mobile: e.and_then(|e| e.phone_number_bis.clone()),
        email: e.and_then(|e| e.email.clone()),
        active: !a.closed,
        reference: a.number.clone(),
        account_number: a.number.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_personnel_account_becomes_an_employee() {
        let a: MadAccount = serde_json::from_str(
            r#"{"producerId": "7700501", "number": "421MARTIN", "name": "MARTIN Léa", "closed": false,
                "employee": {"firstName": "Léa", "lastName": "MARTIN", "email": "lea@port.example", "phoneNumber": "0298000000",
                             "phoneNumberBis": null, "NIR": "2850629019123", "profession": "Vendeuse"}}"#,
        )
        .unwrap();
        let e = employee(&a);
        assert_eq!((e.id.as_str(), e.name.as_str()), ("7700501", "Léa MARTIN"));
        assert_eq!(
            (e.function.as_deref(), e.account_number.as_deref()),
            (Some("Vendeuse"), Some("421MARTIN"))
        );
        let bare: MadAccount = serde_json::from_str(
            r#"{"producerId": "9", "number": "421000", "name": "PERSONNEL", "closed": true}"#,
        )
        .unwrap();
        let e = employee(&bare);
        assert_eq!((e.name.as_str(), e.active), ("PERSONNEL", false));
    }
}
