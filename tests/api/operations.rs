//! Miscellaneous operations, financial entries, expense claims, bank statements and invoice
//! payments written into the sandbox and read back as entries.

use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::entry_writes::{accounting, journal, partner, sale_of_120, society, written};
use crate::support::decimal as d;
use crate::support::{chift_error, Tenant, TestApp};

/// `(account, debit, credit)` of every line of entry `id`.
async fn lines(
    app: &TestApp,
    tenant: &Tenant,
    cid: &str,
    id: &str,
) -> Vec<(String, Decimal, Decimal)> {
    let (status, entry) =
        app.get_json(tenant, &accounting(cid, &format!("journal/entries/{id}"))).await;
    assert_eq!(status, 200, "{entry}");
    entry["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (i["account_number"].as_str().unwrap().to_owned(), d(&i["debit"]), d(&i["credit"]))
        })
        .collect()
}

fn cents(v: i64) -> Decimal {
    Decimal::new(v, 2)
}

#[tokio::test]
async fn a_miscellaneous_operation_is_written_listed_and_read() {
    let (app, tenant, cid) = society().await;
    let body = json!({
        "operation_number": "OD-2026-07",
        "currency": "EUR",
        "operation_date": "2026-07-31",
        "lines": [
            {"amount": -250.5, "type": "general_account", "account_number": "615500", "description": "Réparation four"},
            {"amount": 250.5, "type": "general_account", "account_number": "408100", "description": "Facture non parvenue"}
        ]
    });
    let res = app
        .send_json(Method::POST, &accounting(&cid, "miscellaneous-operation"), &tenant, &body)
        .await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["operation_number"], "OD-2026-07");
    assert_eq!(created["status"], "posted");
    let amounts: Vec<Decimal> =
        created["lines"].as_array().unwrap().iter().map(|l| d(&l["amount"])).collect();
    assert_eq!(amounts, vec![cents(-25050), cents(25050)]);
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        lines(&app, &tenant, &cid, id).await,
        vec![
            ("615500".into(), cents(25050), Decimal::ZERO),
            ("408100".into(), Decimal::ZERO, cents(25050))
        ]
    );
    let (status, read) =
        app.get_json(&tenant, &accounting(&cid, &format!("miscellaneous-operation/{id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(read["lines"], created["lines"]);
    let listed = app
        .all_pages(
            &tenant,
            &accounting(&cid, "miscellaneous-operation?date_from=2026-07-01&date_to=2026-07-31"),
        )
        .await;
    assert!(listed.iter().any(|o| o["id"] == id));
    let journals = app.all_pages(&tenant, &accounting(&cid, "journals")).await;
    let od: Vec<&Value> = journals
        .iter()
        .filter(|j| j["journal_type"] == "miscellaneous_operation")
        .map(|j| &j["id"])
        .collect();
    assert!(listed.iter().all(|o| od.contains(&&o["journal_id"])), "only miscellaneous journals");
    let mut zero = body.clone();
    zero["lines"][0]["amount"] = json!(0);
    let res = app
        .send_json(Method::POST, &accounting(&cid, "miscellaneous-operation"), &tenant, &zero)
        .await;
    let error = chift_error(res, 422, "ERROR_INVALID_BODY").await;
    assert_eq!(error["detail"][0]["loc"][1], "lines.0.amount");
    let mut unbalanced = body.clone();
    unbalanced["lines"][1]["amount"] = json!(250);
    let mut empty = body.clone();
    empty["lines"] = json!([]);
    for (refused, code) in
        [(unbalanced, "ERROR_OPERATION_NOT_BALANCED"), (empty, "ERROR_NO_OPERATION_LINE")]
    {
        let res = app
            .send_json(
                Method::POST,
                &accounting(&cid, "miscellaneous-operation"),
                &tenant,
                &refused,
            )
            .await;
        let error = chift_error(res, 400, code).await;
        assert_eq!(error["detail"][0]["loc"][1], "lines", "{error}");
    }
    let sales = journal(&app, &tenant, &cid, "02").await;
    let invoice_entry = app
        .all_pages(
            &tenant,
            &accounting(
                &cid,
                &format!("journal/entries?unposted_allowed=false&journal_id={sales}"),
            ),
        )
        .await;
    let some_sale = invoice_entry[0]["id"].as_str().unwrap();
    let (status, _) = app
        .get_json(&tenant, &accounting(&cid, &format!("miscellaneous-operation/{some_sale}")))
        .await;
    assert_eq!(status, 404, "a sale is not a miscellaneous operation");
}

#[tokio::test]
async fn a_financial_entry_books_each_item_against_the_bank() {
    let (app, tenant, cid) = society().await;
    let bank = journal(&app, &tenant, &cid, "15").await;
    let client = partner(&app, &tenant, &cid, "clients", "411CREPE").await;
    let body = json!({
        "date": "2026-08-03", "journal_id": bank, "currency": "EUR", "number": "REL-0803",
        "items": [
            {"account_type": "customer_account", "account": client, "amount": 300, "description": "Règlement CREPE"},
            {"account_type": "general_account", "account": "627000", "amount": -4.2, "description": "Frais tenue de compte"}
        ]
    });
    let res =
        app.send_json(Method::POST, &accounting(&cid, "financial-entries"), &tenant, &body).await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["items"][0]["counterpart_account"], "512000");
    let id = created["id"].as_str().unwrap();
    let booked = lines(&app, &tenant, &cid, id).await;
    assert_eq!(
        booked,
        vec![
            ("512000".into(), cents(30000), Decimal::ZERO),
            ("411CREPE".into(), Decimal::ZERO, cents(30000)),
            ("512000".into(), Decimal::ZERO, cents(420)),
            ("627000".into(), cents(420), Decimal::ZERO),
        ]
    );
    let od = journal(&app, &tenant, &cid, "20").await;
    let mut wrong = body.clone();
    wrong["journal_id"] = json!(od);
    let res =
        app.send_json(Method::POST, &accounting(&cid, "financial-entries"), &tenant, &wrong).await;
    let error = chift_error(res, 422, "ERROR_INVALID_BODY").await;
    assert_eq!(error["detail"][0]["loc"][1], "journal_id");
}

#[tokio::test]
async fn an_expense_claim_credits_the_employee_and_splits_the_vat() {
    let (app, tenant, cid) = society().await;
    let employees = app.all_pages(&tenant, &accounting(&cid, "employees")).await;
    let employee = employees[0]["id"].as_str().unwrap();
    let codes = app.all_pages(&tenant, &accounting(&cid, "vat-codes")).await;
    let vat = codes
        .iter()
        .find(|c| c["rate"].as_f64() == Some(20.0) && c["deductible_account"].is_string())
        .unwrap();
    let body = json!({
        "employee_id": employee, "total": 60, "untaxed_amount": 50, "tax_amount": 10, "currency": "EUR",
        "date": "2026-09-12", "number": "NDF-12",
        "lines": [{"total": 60, "untaxed_amount": 50, "tax_amount": 10, "description": "Déplacement Lyon",
                   "account_number": "625100", "tax_rate": 20, "tax_id": vat["id"]}]
    });
    let res = app.send_json(Method::POST, &accounting(&cid, "expenses"), &tenant, &body).await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    let booked = lines(&app, &tenant, &cid, id).await;
    assert_eq!(booked.len(), 3);
    assert!(booked[0].0.starts_with("421") && booked[0].2 == Decimal::from(60), "{booked:?}");
    assert_eq!(booked[1], ("625100".into(), Decimal::from(50), Decimal::ZERO));
    assert_eq!(
        booked[2],
        (vat["deductible_account"].as_str().unwrap().to_owned(), Decimal::from(10), Decimal::ZERO)
    );
}

#[tokio::test]
async fn a_bank_statement_books_transactions_fees_and_unknown_counterparts() {
    let (app, tenant, cid) = society().await;
    let banks = app.all_pages(&tenant, &accounting(&cid, "bank-accounts")).await;
    let bank = &banks[0];
    let supplier = partner(&app, &tenant, &cid, "suppliers", "401MINOT").await;
    let body = json!({
        "bank_statement_date": "2026-10-31", "bank_account_id": bank["id"], "currency": "EUR",
        "external_bank_statement_id": "2026103",
        "items": [
            {"amount": -480, "description": "Prélèvement MINOTERIE", "counterpart": {"counterpart_type": "supplier", "id": supplier}},
            {"amount": 1000, "fee_amount": 1.5, "description": "Remise chèques", "general_ledger_account": "580000"},
            {"amount": 12.34, "description": "Inconnu"},
            {"amount": -50, "fee_amount": 1, "description": "Virement émis", "general_ledger_account": "467000"}
        ]
    });
    let res =
        app.send_json(Method::POST, &accounting(&cid, "bank-transactions"), &tenant, &body).await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    let booked = lines(&app, &tenant, &cid, created["id"].as_str().unwrap()).await;
    let ledger = bank["ledger_account"].as_str().unwrap();
    let on = |n: &str| -> (Decimal, Decimal) {
        booked
            .iter()
            .filter(|l| l.0 == n)
            .fold((Decimal::ZERO, Decimal::ZERO), |a, l| (a.0 + l.1, a.1 + l.2))
    };
    assert_eq!(on(ledger), (cents(99850) + cents(1234), Decimal::from(530)), "gross out, net in");
    assert_eq!(on("401MINOT"), (Decimal::from(480), Decimal::ZERO));
    assert_eq!(on("580000"), (Decimal::ZERO, Decimal::from(1000)));
    assert_eq!(on("627000"), (cents(250), Decimal::ZERO));
    assert_eq!(
        on("467000"),
        (Decimal::from(49), Decimal::ZERO),
        "the fee is part of the amount paid"
    );
    assert_eq!(on("471000"), (Decimal::ZERO, cents(1234)));
}

#[tokio::test]
async fn paying_an_invoice_writes_the_payment_and_matches_it() {
    let (app, tenant, cid) = society().await;
    let id = sale_of_120(&app, &tenant, &cid, "FV9001").await;
    let methods = app.all_pages(&tenant, &accounting(&cid, "payment-methods")).await;
    let pay = |amount: f64| {
        json!({"date": "2026-09-20", "payment_method_id": methods[0]["id"], "currency": "EUR",
        "reference": "VIR-9001", "items": [{"invoice_id": id, "amount": amount}]})
    };
    let res = app
        .send_json(Method::POST, &accounting(&cid, "invoices/payments"), &tenant, &pay(50.0))
        .await;
    assert_eq!(res.status(), 204);
    let (_, read) = app
        .get_json(&tenant, &accounting(&cid, &format!("invoices/{id}?include_payments=true")))
        .await;
    assert_eq!(read["status"], "posted", "half paid");
    assert_eq!(d(&read["payments"][0]["amount"]), Decimal::from(50));
    assert_eq!(read["payments"][0]["reconciled"], false);
    let res = app
        .send_json(Method::POST, &accounting(&cid, "invoices/payments"), &tenant, &pay(0.0))
        .await;
    let error = chift_error(res, 422, "ERROR_INVALID_BODY").await;
    assert_eq!(error["detail"][0]["loc"][1], "items.0.amount");
    assert_eq!(written(&app).len(), 2, "the invoice and one payment");
}
