//! Chift's fields filled from MyUnisoft (bank accounts, due-date payment methods, attachments,
//! journals' bank data) and Chift's options honoured or refused by a 422 that names them.

use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use crate::entry_writes::{accounting, partner, society, written};
use crate::support::{chift_error, Tenant, TestApp};

/// The folder's 20 % VAT code usable for sales and purchases.
async fn vat20(app: &TestApp, tenant: &Tenant, cid: &str) -> String {
    let codes = app.all_pages(tenant, &accounting(cid, "vat-codes")).await;
    let code = codes
        .iter()
        .find(|c| c["rate"].as_f64() == Some(20.0) && c["payable_account"].is_string())
        .expect("a seeded 20 % code");
    code["id"].as_str().unwrap().to_owned()
}

/// A sale of three lines: two on 706000 with the same VAT code, one on 708500.
fn sale(client: &str, vat: &str, number: &str) -> Value {
    json!({
        "invoice_type": "customer_invoice", "invoice_number": number, "currency": "EUR",
        "untaxed_amount": 175, "tax_amount": 35, "total": 210,
        "invoice_date": "2026-05-04", "due_date": "2026-06-03", "partner_id": client,
        "lines": [
            {"unit_price": 100, "quantity": 1, "untaxed_amount": 100, "tax_rate": 20, "tax_amount": 20, "total": 120,
             "account_number": "706000", "tax_code": vat, "description": "Pain"},
            {"unit_price": 50, "quantity": 1, "untaxed_amount": 50, "tax_rate": 20, "tax_amount": 10, "total": 60,
             "account_number": "706000", "tax_code": vat, "description": "Viennoiseries"},
            {"unit_price": 25, "quantity": 1, "untaxed_amount": 25, "tax_rate": 20, "tax_amount": 5, "total": 30,
             "account_number": "708500", "tax_code": vat, "description": "Livraison"}
        ]
    })
}

/// The entry lines of `id` on accounts starting with `prefix`: (debit, credit, label).
async fn booked(
    app: &TestApp,
    tenant: &Tenant,
    cid: &str,
    id: &str,
    prefix: &str,
) -> Vec<(f64, f64, String)> {
    let (status, entry) =
        app.get_json(tenant, &accounting(cid, &format!("journal/entries/{id}"))).await;
    assert_eq!(status, 200, "{entry}");
    entry["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["account_number"].as_str().unwrap().starts_with(prefix))
        .map(|i| {
            let label = i["description"].as_str().unwrap_or_default().to_owned();
            (i["debit"].as_f64().unwrap(), i["credit"].as_f64().unwrap(), label)
        })
        .collect()
}

async fn post_invoice(
    app: &TestApp,
    tenant: &Tenant,
    cid: &str,
    query: &str,
    body: &Value,
) -> reqwest::Response {
    app.send_json(Method::POST, &accounting(cid, &format!("invoices{query}")), tenant, body).await
}

#[tokio::test]
async fn invoice_lines_are_regrouped_by_account_vat_and_analytics_unless_asked_not_to() {
    let (app, tenant, cid) = society().await;
    let client = partner(&app, &tenant, &cid, "clients", "411CREPE").await;
    let vat = vat20(&app, &tenant, &cid).await;
    let res = post_invoice(&app, &tenant, &cid, "", &sale(&client, &vat, "FV-RG-1")).await;
    assert_eq!(res.status(), 200);
    let grouped: Value = res.json().await.unwrap();
    assert_eq!(grouped["lines"].as_array().unwrap().len(), 3, "the invoice keeps its lines");
    let id = grouped["id"].as_str().unwrap();
    let sales = booked(&app, &tenant, &cid, id, "706").await;
    assert_eq!(sales.len(), 1, "one line per account and VAT code: {sales:?}");
    assert_eq!((sales[0].0, sales[0].1), (0.0, 150.0));
    assert_eq!(booked(&app, &tenant, &cid, id, "7085").await.len(), 1);

    let query = "?regroup_lines=false";
    let res = post_invoice(&app, &tenant, &cid, query, &sale(&client, &vat, "FV-RG-2")).await;
    assert_eq!(res.status(), 200);
    let apart: Value = res.json().await.unwrap();
    let sales = booked(&app, &tenant, &cid, apart["id"].as_str().unwrap(), "706").await;
    let labels: Vec<&str> = sales.iter().map(|l| l.2.as_str()).collect();
    assert_eq!(labels, ["Pain", "Viennoiseries"], "each line booked as sent");
}

#[tokio::test]
async fn options_and_fields_myunisoft_cannot_honour_are_refused_by_name_and_write_nothing() {
    let (app, tenant, cid) = society().await;
    let client = partner(&app, &tenant, &cid, "clients", "411CREPE").await;
    let vat = vat20(&app, &tenant, &cid).await;
    let with = |key: &str, value: Value| {
        let mut body = sale(&client, &vat, "FV-NO-1");
        body[key] = value;
        body
    };
    let body_cases = [
        (
            "withholding_tax",
            with(
                "withholding_tax",
                json!({"tax_rate": -19, "tax_code": vat, "tax_amount": -33.25}),
            ),
        ),
        (
            "invoice_correction",
            with("invoice_correction", json!({"sale_invoice_correction_tax_code": vat})),
        ),
        (
            "nl_payment_terms_split",
            with(
                "nl_payment_terms_split",
                json!({"g_account": {"amount": 35, "iban": "NL02ABNA0123456789"}, "n_account": {"amount": 175, "iban": "NL91ABNA0417164300"}}),
            ),
        ),
        ("shipping_country", with("shipping_country", json!("France"))),
        ("payment_method_id", with("payment_method_id", json!("999999"))),
    ];
    for (field, body) in body_cases {
        let error = chift_error(
            post_invoice(&app, &tenant, &cid, "", &body).await,
            422,
            "ERROR_INVALID_BODY",
        )
        .await;
        assert_eq!(error["detail"][0]["loc"][1], field, "{error}");
        if field != "shipping_country" && field != "payment_method_id" {
            assert!(
                error["message"].as_str().unwrap().contains("MyUnisoft has no equivalent"),
                "{error}"
            );
        }
    }
    for (period, status, code) in [
        ("062026", 422, "ERROR_INVALID_QUERY_PARAMETER"),
        ("13-2026", 400, "ERROR_INVALID_FINANCIAL_PERIOD_FORMAT"),
        ("2026-05", 400, "ERROR_INVALID_FINANCIAL_PERIOD_FORMAT"),
    ] {
        let query = format!("?force_financial_period={period}");
        let res = post_invoice(&app, &tenant, &cid, &query, &sale(&client, &vat, "FV-NO-2")).await;
        let error = chift_error(res, status, code).await;
        assert_eq!(error["detail"][0]["loc"][1], "force_financial_period", "{error}");
    }
    let mut zero = sale(&client, &vat, "FV-NO-3");
    zero["lines"] = json!([{"unit_price": 0, "quantity": 1, "untaxed_amount": 0, "tax_rate": 20,
        "tax_amount": 0, "total": 0, "account_number": "706000", "tax_code": vat}]);
    for key in ["untaxed_amount", "tax_amount", "total"] {
        zero[key] = json!(0);
    }
    let error =
        chift_error(post_invoice(&app, &tenant, &cid, "", &zero).await, 400, "ERROR_ZERO_INVOICE")
            .await;
    assert_eq!(error["detail"][0]["loc"][1], "total", "{error}");
    let banks = app.all_pages(&tenant, &accounting(&cid, "bank-accounts")).await;
    let statement = json!({
        "bank_statement_date": "2026-10-31", "bank_account_id": banks[0]["id"], "currency": "EUR",
        "external_bank_statement_id": "2026104", "opening_balance": 1000,
        "items": [{"amount": 12.34, "description": "Inconnu"}]
    });
    let res = app
        .send_json(Method::POST, &accounting(&cid, "bank-transactions"), &tenant, &statement)
        .await;
    let error = chift_error(res, 422, "ERROR_INVALID_BODY").await;
    assert_eq!(error["detail"][0]["loc"][1], "opening_balance", "{error}");
    assert!(written(&app).is_empty(), "nothing reached MyUnisoft");

    let res = post_invoice(
        &app,
        &tenant,
        &cid,
        "?force_financial_period=052026&ignore_accounting_id=true&force_currency_exchange=true",
        &sale(&client, &vat, "FV-NO-3"),
    )
    .await;
    assert_eq!(res.status(), 200, "the invoice date's own period is honoured");
}

#[tokio::test]
async fn an_invoices_payment_method_and_delivery_date_read_back_on_its_due_dates() {
    let (app, tenant, cid) = society().await;
    let client = partner(&app, &tenant, &cid, "clients", "411CREPE").await;
    let vat = vat20(&app, &tenant, &cid).await;
    let methods = app.all_pages(&tenant, &accounting(&cid, "payment-methods")).await;
    let transfer = methods.iter().find(|m| m["code"] == "VIRT").expect("a transfer method");
    let mut body = sale(&client, &vat, "FV-PM-1");
    body["payment_method_id"] = transfer["id"].clone();
    body["delivery_date"] = json!("2026-05-02");
    body["shipping_country"] = json!("be");
    let res = post_invoice(&app, &tenant, &cid, "", &body).await;
    assert_eq!(res.status(), 200);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let path = accounting(&cid, &format!("invoices/{id}?include_invoice_lines=true"));
    let (status, invoice) = app.get_json(&tenant, &path).await;
    assert_eq!(status, 200, "{invoice}");
    let due = &invoice["due_dates"][0];
    assert_eq!(due["due_date"], "2026-06-03");
    assert_eq!(due["payment_method_id"], transfer["id"]);
    assert_eq!(due["payment_method"], transfer["name"]);
    assert_eq!(invoice["payment_method_id"], transfer["id"]);
    assert_eq!(invoice["delivery_date"], "2026-05-02");
    assert_eq!(invoice["withholding_tax"], Value::Null);
    let (_, entry) =
        app.get_json(&tenant, &accounting(&cid, &format!("journal/entries/{id}"))).await;
    let due = &entry["due_dates"][0];
    assert_eq!(
        (due["payment_method_id"].clone(), due["debit"].as_f64()),
        (transfer["id"].clone(), Some(210.0))
    );
}

#[tokio::test]
async fn third_parties_list_their_ibans_as_chift_bank_accounts() {
    let (app, tenant, cid) = society().await;
    let suppliers = app.all_pages(&tenant, &accounting(&cid, "suppliers")).await;
    let minot = suppliers.iter().find(|s| s["account_number"] == "401MINOT").unwrap();
    let accounts = minot["bank_accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{minot}");
    assert_eq!(accounts[0]["iban"], minot["iban"]);
    assert!(accounts[0]["iban"].as_str().unwrap().starts_with("FR"));
    assert_eq!(accounts[0]["bic_swift"], "CCBPFRPPBRT");
    assert_eq!(accounts[0]["is_primary"], true);
    let clients = app.all_pages(&tenant, &accounting(&cid, "clients")).await;
    let without = clients.iter().find(|c| c["iban"].is_null()).expect("a client without IBAN");
    assert_eq!(without["bank_accounts"], json!([]));
}

#[tokio::test]
async fn journals_carry_their_bank_iban_and_suspense_account() {
    let (app, tenant, cid) = society().await;
    let banks = app.all_pages(&tenant, &accounting(&cid, "bank-accounts")).await;
    let journals = app.all_pages(&tenant, &accounting(&cid, "journals")).await;
    for bank in &banks {
        let journal = journals.iter().find(|j| j["id"] == bank["journal_id"]).unwrap();
        assert_eq!(journal["iban"], bank["iban"], "{journal}");
        assert_eq!(journal["unallocated_account"], "471000");
        assert_eq!(bank["unallocated_account"], "471000");
    }
    let sales = journals.iter().find(|j| j["journal_type"] == "customer_invoice").unwrap();
    assert_eq!(
        (sales["iban"].clone(), sales["unallocated_account"].clone()),
        (Value::Null, Value::Null)
    );
    assert!(
        journals
            .iter()
            .all(|j| j["next_document_numbers"] == json!([])
                && j["other_currencies_allowed"] == false)
    );
}

#[tokio::test]
async fn pdfs_of_financial_entries_expenses_and_statements_are_attached_and_named() {
    let (app, tenant, cid) = society().await;
    let b64 = |text: &str| {
        base64::engine::general_purpose::STANDARD.encode(format!("%PDF-1.7\n{text}\n%%EOF"))
    };
    let bank = crate::entry_writes::journal(&app, &tenant, &cid, "15").await;
    let employees = app.all_pages(&tenant, &accounting(&cid, "employees")).await;
    let codes = app.all_pages(&tenant, &accounting(&cid, "vat-codes")).await;
    let vat = codes
        .iter()
        .find(|c| c["rate"].as_f64() == Some(20.0) && c["deductible_account"].is_string())
        .unwrap();
    let banks = app.all_pages(&tenant, &accounting(&cid, "bank-accounts")).await;
    let cases = [
        (
            "financial-entries",
            json!({
                "date": "2026-08-03", "journal_id": bank, "currency": "EUR", "number": "REL-PDF",
                "pdf": b64("releve"), "pdf_name": "Releve aout",
                "items": [{"account_type": "general_account", "account": "627000", "amount": -4.2, "description": "Frais"}]
            }),
            "Releve aout.pdf",
        ),
        (
            "expenses",
            json!({
                "employee_id": employees[0]["id"], "total": 60, "untaxed_amount": 50, "tax_amount": 10, "currency": "EUR",
                "date": "2026-09-12", "number": "NDF-PDF", "pdf": b64("ticket"), "pdf_name": "Ticket taxi",
                "lines": [{"total": 60, "untaxed_amount": 50, "tax_amount": 10, "description": "Taxi",
                           "account_number": "625100", "tax_rate": 20, "tax_id": vat["id"]}]
            }),
            "Ticket taxi.pdf",
        ),
        (
            "bank-transactions",
            json!({
                "bank_statement_date": "2026-10-31", "bank_account_id": banks[0]["id"], "currency": "EUR",
                "external_bank_statement_id": "2026105", "opening_balance": null, "pdf": b64("extrait"), "pdf_name": "Extrait 105",
                "items": [{"amount": 12.34, "description": "Inconnu"}]
            }),
            "Extrait 105.pdf",
        ),
    ];
    for (route, body, name) in cases {
        let res = app.send_json(Method::POST, &accounting(&cid, route), &tenant, &body).await;
        assert_eq!(res.status(), 200, "{route}");
        let created: Value = res.json().await.unwrap();
        assert!(created.get("pdf").is_none(), "the file is not echoed: {created}");
        let id = created["id"].as_str().unwrap();
        let (_, entry) =
            app.get_json(&tenant, &accounting(&cid, &format!("journal/entries/{id}"))).await;
        assert_eq!(entry["attachments_info"]["status"], "yes_to_request", "{route}");
        assert_eq!(
            entry["attachments_info"]["attachments"],
            json!([{"filename": name, "url": null}]),
            "{route}"
        );
        let files = app
            .all_pages(
                &tenant,
                &accounting(&cid, &format!("attachments?type=entry&document_id={id}")),
            )
            .await;
        assert_eq!(files[0]["base64_string"], body["pdf"], "{route}");
    }
}
