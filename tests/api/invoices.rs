//! Invoices: written as entries and read back equal; seeded sales and purchases read as
//! invoices that reconcile with their entries; payments from lettering; matching.

use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::entry_writes::{accounting, journal, partner, society, written};
use crate::support::decimal as d;
use crate::support::{chift_error, Tenant, TestApp};

/// Every field that was sent comes back with the same value (numbers compared as decimals).
fn same_lines(read: &Value, sent: &Value) {
    let (read, sent) = (read.as_array().unwrap(), sent.as_array().unwrap());
    assert_eq!(read.len(), sent.len());
    for (r, s) in read.iter().zip(sent) {
        for (key, value) in s.as_object().unwrap() {
            match value {
                Value::Number(_) => assert_eq!(d(&r[key]), d(value), "{key}: {r}"),
                Value::Array(_) => {
                    assert_eq!(r[key].to_string().replace(".0", ""), value.to_string(), "{key}")
                }
                _ => assert_eq!(&r[key], value, "{key}: {r}"),
            }
        }
    }
}

/// A VAT code of `rate` % usable for sales and purchases.
async fn vat_code(app: &TestApp, tenant: &Tenant, cid: &str, rate: f64) -> String {
    let codes = app.all_pages(tenant, &accounting(cid, "vat-codes")).await;
    let code = codes
        .iter()
        .find(|c| {
            c["rate"].as_f64() == Some(rate)
                && c["payable_account"].is_string()
                && c["deductible_account"].is_string()
        })
        .expect("a seeded VAT code");
    code["id"].as_str().unwrap().to_owned()
}

fn sale(client: &str, vat: &str, number: &str) -> Value {
    json!({
        "invoice_type": "customer_invoice",
        "invoice_number": number,
        "currency": "EUR",
        "untaxed_amount": 150.35,
        "tax_amount": 30.07,
        "total": 180.42,
        "invoice_date": "2026-05-04",
        "due_date": "2026-06-03",
        "partner_id": client,
        "customer_memo": "Commande 88",
        "lines": [
            {"line_number": 1, "unit_price": 12.5, "quantity": 10, "untaxed_amount": 125.0, "tax_rate": 20.0, "tax_amount": 25.0, "total": 150.0,
             "account_number": "706000", "tax_code": vat, "description": "Viennoiseries livrées chaque matin pendant le mois de mai 2026"},
            {"line_number": 2, "unit_price": 25.35, "quantity": 1, "untaxed_amount": 25.35, "tax_rate": 20.0, "tax_amount": 5.07, "total": 30.42,
             "account_number": "706000", "tax_code": vat, "description": "Livraison"}
        ]
    })
}

#[tokio::test]
async fn an_invoice_reads_back_as_it_was_sent_and_its_entry_balances() {
    let (app, tenant, cid) = society().await;
    let client = partner(&app, &tenant, &cid, "clients", "411CREPE").await;
    let vat = vat_code(&app, &tenant, &cid, 20.0).await;
    let sent = sale(&client, &vat, "FV-2026-0501");
    let res = app.send_json(Method::POST, &accounting(&cid, "invoices"), &tenant, &sent).await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    same_lines(&created["lines"], &sent["lines"]);
    for key in [
        "invoice_type",
        "invoice_number",
        "currency",
        "invoice_date",
        "due_date",
        "partner_id",
        "customer_memo",
    ] {
        assert_eq!(created[key], sent[key], "{key}: {created}");
    }
    for key in ["untaxed_amount", "tax_amount", "total"] {
        assert_eq!(d(&created[key]), d(&sent[key]), "{key}");
    }
    assert_eq!(created["status"], "posted");
    let id = created["id"].as_str().unwrap();
    let (status, read) = app.get_json(&tenant, &accounting(&cid, &format!("invoices/{id}"))).await;
    assert_eq!(status, 200);
    same_lines(&read["lines"], &sent["lines"]);
    let (_, entry) =
        app.get_json(&tenant, &accounting(&cid, &format!("journal/entries/{id}"))).await;
    let items = entry["items"].as_array().unwrap();
    let side = |prefix: &str, key: &str| -> Decimal {
        items
            .iter()
            .filter(|i| i["account_number"].as_str().unwrap().starts_with(prefix))
            .map(|i| d(&i[key]))
            .sum()
    };
    assert_eq!(side("411", "debit"), d(&sent["total"]), "the client is debited the total");
    assert_eq!(side("706", "credit"), d(&sent["untaxed_amount"]));
    assert_eq!(side("4457", "credit"), d(&sent["tax_amount"]));
    assert!(items.iter().all(|i| i["description"].as_str().unwrap().chars().count() <= 50));
    let listed = app
        .all_pages(&tenant, &accounting(&cid, "invoices/type/customer_invoice?include_invoice_lines=true&date_from=2026-05-01&date_to=2026-05-31"))
        .await;
    let found = listed.iter().find(|i| i["id"] == id).expect("listed by type");
    same_lines(&found["lines"], &sent["lines"]);
    let supplier_side =
        app.all_pages(&tenant, &accounting(&cid, "invoices/type/supplier_invoice")).await;
    assert!(supplier_side.iter().all(|i| i["id"] != id));
}

#[tokio::test]
async fn an_unknown_invoice_is_chifts_invoice_not_found() {
    let (app, tenant, cid) = society().await;
    for route in ["invoices/999999999", "invoices/id/999999999/payments"] {
        let res = app.request(Method::GET, &accounting(&cid, route), &tenant.token).send().await;
        chift_error(res.unwrap(), 404, "ERROR_INVOICE_NOT_FOUND").await;
    }
}

#[tokio::test]
async fn bad_invoices_name_the_field_and_write_nothing() {
    let (app, tenant, cid) = society().await;
    let od = journal(&app, &tenant, &cid, "20").await;
    let client = partner(&app, &tenant, &cid, "clients", "411CREPE").await;
    let vat = vat_code(&app, &tenant, &cid, 20.0).await;
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut b = sale(&client, &vat, "F1");
                b["total"] = json!(180.43);
                b
            },
            "total",
        ),
        (
            {
                let mut b = sale(&client, &vat, "F1");
                b["lines"][0]["tax_amount"] = json!(24.0);
                b["lines"][0]["total"] = json!(149.0);
                b["tax_amount"] = json!(29.07);
                b["total"] = json!(179.42);
                b
            },
            "lines.0.tax_amount",
        ),
        (
            {
                let mut b = sale(&client, &vat, "F1");
                b["lines"][1]["tax_rate"] = json!(10.0);
                b
            },
            "lines.1.tax_rate",
        ),
        (
            {
                let mut b = sale(&client, &vat, "F1");
                b["due_date"] = json!("2026-05-01");
                b
            },
            "due_date",
        ),
        (
            {
                let mut b = sale(&client, &vat, "F1");
                b["lines"][0]["tax_code"] = json!("nope");
                b
            },
            "lines.0.tax_code",
        ),
        (
            {
                let mut b = sale(&client, &vat, "F1");
                b["partner_id"] = json!(null);
                b
            },
            "partner_id",
        ),
        (
            {
                let mut b = sale(&client, &vat, "F1");
                b["lines"][0]["account_number"] = json!("401MINOT");
                b
            },
            "lines.0.account",
        ),
        (
            {
                let mut b = sale(&client, &vat, "F1");
                b["partner_id"] = json!(null);
                b["partner_info"] = json!({"account_number": "C00042", "account_name": "X"});
                b
            },
            "partner_info.account_number",
        ),
        (
            {
                let mut b = sale(&client, &vat, "F1");
                b["journal_id"] = json!(od);
                b
            },
            "journal_id",
        ),
    ];
    for (body, field) in cases {
        let res = app.send_json(Method::POST, &accounting(&cid, "invoices"), &tenant, &body).await;
        // Chift's own code and status where it names the refusal.
        let (status, code) = match field {
            "lines.0.tax_code" => (404, "ERROR_TAX_CODE_NOT_FOUND"),
            "lines.0.account" | "partner_info.account_number" => {
                (400, "ERROR_ACCOUNT_NUMBER_NOT_GOOD_SCOPE")
            }
            "journal_id" => (400, "ERROR_JOURNAL_NOT_GOOD_SCOPE"),
            "partner_id" => (422, "ERROR_PARTNER_ACCOUNT_MISSING"),
            _ => (422, "ERROR_INVALID_BODY"),
        };
        let error = chift_error(res, status, code).await;
        assert_eq!(error["detail"][0]["loc"][1], field, "{error}");
    }
    assert!(written(&app).is_empty());
}

#[tokio::test]
async fn a_new_partner_is_created_before_a_purchase_and_multi_plan_lines_keep_their_split() {
    let (app, tenant, cid) = society().await;
    let vat = vat_code(&app, &tenant, &cid, 20.0).await;
    let plans = app.all_pages(&tenant, &accounting(&cid, "analytic-plans")).await;
    let plan = plans[0]["id"].as_str().unwrap().to_owned();
    let sections: Vec<Value> = app
        .all_pages(&tenant, &accounting(&cid, "analytic-accounts/multi-analytic-plans"))
        .await
        .into_iter()
        .filter(|a| a["analytic_plan"] == plan.as_str())
        .collect();
    let (a, b) = (sections[0]["id"].as_str().unwrap(), sections[1]["id"].as_str().unwrap());
    let body = json!({
        "invoice_type": "supplier_invoice",
        "invoice_number": "ACME-2026-77",
        "currency": "EUR",
        "untaxed_amount": 500, "tax_amount": 100, "total": 600,
        "invoice_date": "2026-06-10", "due_date": "2026-07-10",
        "partner_info": {"account_number": "401ACMENEW", "account_name": "ACME NOUVEAU"},
        "lines": [{"unit_price": 500, "quantity": 1, "untaxed_amount": 500, "tax_rate": 20, "tax_amount": 100, "total": 600,
                   "account_number": "606300", "tax_code": vat, "description": "Outillage",
                   "analytic_distribution": [{"analytic_plan": plan, "analytic_accounts": [
                       {"analytic_account": a, "percentage": 60}, {"analytic_account": b, "percentage": 40}]}]}]
    });
    let res = app
        .send_json(Method::POST, &accounting(&cid, "invoices/multi-analytic-plans"), &tenant, &body)
        .await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["invoice_type"], "supplier_invoice");
    let supplier = partner(&app, &tenant, &cid, "suppliers", "401ACMENEW").await;
    assert_eq!(
        created["partner_id"],
        supplier.as_str(),
        "the supplier's account was created first"
    );
    let id = created["id"].as_str().unwrap();
    let (_, entry) =
        app.get_json(&tenant, &accounting(&cid, &format!("journal/entries/{id}"))).await;
    let expense = entry["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["account_number"] == "606300")
        .unwrap();
    let split = &expense["analytic_distribution"][0]["analytic_accounts"];
    assert_eq!(
        (d(&split[0]["percentage"]), d(&split[1]["percentage"])),
        (Decimal::from(60), Decimal::from(40))
    );
    let (_, read) = app
        .get_json(&tenant, &accounting(&cid, &format!("invoices/multi-analytic-plans/{id}")))
        .await;
    same_lines(&read["lines"], &body["lines"]);
}

#[tokio::test]
async fn seeded_invoices_reconcile_with_their_entries_and_payments_come_from_lettering() {
    let (app, tenant, cid) = society().await;
    let sales = app
        .all_pages(&tenant, &accounting(&cid, "invoices/type/customer_invoice?include_invoice_lines=true&include_payments=true&date_from=2026-01-01&date_to=2026-12-31"))
        .await;
    assert!(!sales.is_empty());
    for invoice in &sales {
        assert_eq!(
            d(&invoice["untaxed_amount"]) + d(&invoice["tax_amount"]),
            d(&invoice["total"]),
            "{invoice}"
        );
        let lines = invoice["lines"].as_array().unwrap();
        let untaxed: Decimal = lines.iter().map(|l| d(&l["untaxed_amount"])).sum();
        let tax: Decimal = lines.iter().map(|l| d(&l["tax_amount"])).sum();
        assert_eq!(
            (untaxed, tax),
            (d(&invoice["untaxed_amount"]), d(&invoice["tax_amount"])),
            "{invoice}"
        );
        let id = invoice["id"].as_str().unwrap();
        let (_, entry) =
            app.get_json(&tenant, &accounting(&cid, &format!("journal/entries/{id}"))).await;
        let client_debit: Decimal = entry["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["account_number"].as_str().unwrap().starts_with("411"))
            .map(|i| d(&i["debit"]) - d(&i["credit"]))
            .sum();
        assert_eq!(
            client_debit,
            d(&invoice["accounting_info"]["main_currency_total"]),
            "the books are in EUR"
        );
        if invoice["currency"] == "EUR" {
            assert_eq!(client_debit, d(&invoice["total"]));
        }
    }
    let paid = sales.iter().find(|i| i["status"] == "paid").expect("a fully lettered invoice");
    let payments = paid["payments"].as_array().unwrap();
    assert!(!payments.is_empty(), "{paid}");
    let settled: Decimal = payments.iter().map(|p| d(&p["dedicated_amount"])).sum();
    assert_eq!(settled, d(&paid["total"]), "payments settle the invoice to the cent");
    let id = paid["id"].as_str().unwrap();
    let (status, page) =
        app.get_json(&tenant, &accounting(&cid, &format!("invoices/id/{id}/payments"))).await;
    assert_eq!(status, 200);
    assert_eq!(page["items"], paid["payments"].clone());
    let year = "date_from=2026-01-01&date_to=2026-12-31";
    let unpaid = app
        .all_pages(
            &tenant,
            &accounting(
                &cid,
                &format!("invoices/type/customer_invoice?payment_status=unpaid&{year}"),
            ),
        )
        .await;
    let paid = app
        .all_pages(
            &tenant,
            &accounting(
                &cid,
                &format!("invoices/type/customer_invoice?payment_status=paid&{year}"),
            ),
        )
        .await;
    assert!(
        unpaid.iter().all(|i| i["status"] != "paid") && paid.iter().all(|i| i["status"] == "paid")
    );
    assert!(!unpaid.is_empty());
    assert_eq!(unpaid.len() + paid.len(), sales.len());
    let approved = format!("invoices/type/customer_invoice?approval_status=approved&{year}");
    assert!(
        app.all_pages(&tenant, &accounting(&cid, &approved)).await.is_empty(),
        "no approval workflow"
    );
}

#[tokio::test]
async fn an_invoice_and_its_payment_are_matched() {
    let (app, tenant, cid) = society().await;
    let client = partner(&app, &tenant, &cid, "clients", "411CREPE").await;
    let vat = vat_code(&app, &tenant, &cid, 20.0).await;
    let res = app
        .send_json(
            Method::POST,
            &accounting(&cid, "invoices"),
            &tenant,
            &sale(&client, &vat, "FV777"),
        )
        .await;
    let invoice: Value = res.json().await.unwrap();
    let bank = journal(&app, &tenant, &cid, "15").await;
    let payment = json!({
        "journal_id": bank, "number": "VIR777", "currency": "EUR", "date": "2026-05-20",
        "items": [
            {"account_type": "general_account", "account": "512000", "description": "Virement CREPE", "debit": 180.42, "credit": 0},
            {"account_type": "customer_account", "account": client, "description": "Virement CREPE", "debit": 0, "credit": 180.42}
        ]
    });
    let res =
        app.send_json(Method::POST, &accounting(&cid, "journal-entries"), &tenant, &payment).await;
    assert_eq!(res.status(), 200);
    let paid: Value = res.json().await.unwrap();
    let body = json!({"entries": [invoice["id"], paid["id"]], "partner_id": client});
    let twice = json!({"entries": [invoice["id"], invoice["id"]], "partner_id": client});
    let res = app.send_json(Method::POST, &accounting(&cid, "matching"), &tenant, &twice).await;
    assert_eq!(
        chift_error(res, 422, "ERROR_INVALID_BODY").await["detail"][0]["loc"][1],
        "entries.1"
    );
    let res = app.send_json(Method::POST, &accounting(&cid, "matching"), &tenant, &body).await;
    assert_eq!(res.status(), 200);
    let matched: Value = res.json().await.unwrap();
    assert_eq!(d(&matched["balance"]), Decimal::ZERO);
    let code = matched["matching_number"].as_str().unwrap();
    let id = invoice["id"].as_str().unwrap();
    let (_, read) = app
        .get_json(&tenant, &accounting(&cid, &format!("invoices/{id}?include_payments=true")))
        .await;
    assert_eq!(read["status"], "paid");
    assert_eq!(read["payments"][0]["id"], paid["id"]);
    assert_eq!(read["payments"][0]["matching_number"], code);
    let again = app.send_json(Method::POST, &accounting(&cid, "matching"), &tenant, &body).await;
    let error = chift_error(again, 400, "ERROR_ENTRY_HAS_INVALID_STATUS").await;
    assert!(error["message"].as_str().unwrap().contains("already matched"), "{error}");
    let multiple = json!({"matchings": [body, {"entries": ["x", "y"], "partner_id": client}]});
    let res = app
        .send_json(Method::POST, &accounting(&cid, "matching-multiple"), &tenant, &multiple)
        .await;
    let sets: Value = res.json().await.unwrap();
    assert_eq!(
        (sets[0]["processed"].as_bool(), sets[1]["processed"].as_bool()),
        (Some(false), Some(false))
    );
    assert!(sets[1]["error_msg"]["message"].as_str().unwrap().contains("`x`"), "{sets}");
    assert_eq!(sets[1]["error_msg"]["error_code"], "ERROR_ENTRY_NOT_FOUND", "{sets}");
}

#[tokio::test]
async fn pdfs_sent_with_an_invoice_or_after_it_are_read_back_byte_for_byte() {
    use base64::Engine;
    let (app, tenant, cid) = society().await;
    let client = partner(&app, &tenant, &cid, "clients", "411CREPE").await;
    let vat = vat_code(&app, &tenant, &cid, 20.0).await;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let first = b64(b"%PDF-1.7\nfacture FV-PDF-1\n%%EOF");
    let mut body = sale(&client, &vat, "FV-PDF-1");
    body["pdf"] = json!(first);
    body["pdf_name"] = json!("Facture FV-PDF-1");
    let res = app.send_json(Method::POST, &accounting(&cid, "invoices"), &tenant, &body).await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["attachments_info"]["status"], "yes_to_request");
    let id = created["id"].as_str().unwrap();
    let listing = accounting(&cid, &format!("attachments?type=invoice&document_id={id}"));
    let files = app.all_pages(&tenant, &listing).await;
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["base64_string"], first.as_str());

    let second = b64(b"%PDF-1.7\nbon de livraison\n%%EOF");
    let add = |overwrite: bool, content: &str| {
        let path = accounting(&cid, &format!("invoices/pdf/{id}?overwrite_existing={overwrite}"));
        let body = json!({"base64_string": content, "name": "Bon de livraison"});
        let app = &app;
        let tenant = &tenant;
        async move { app.send_json(Method::POST, &path, tenant, &body).await }
    };
    assert_eq!(add(false, &second).await.status(), 204);
    let files = app.all_pages(&tenant, &listing).await;
    let contents: Vec<&str> = files.iter().map(|f| f["base64_string"].as_str().unwrap()).collect();
    assert!(contents.contains(&first.as_str()) && contents.contains(&second.as_str()), "{files:?}");
    let refused =
        chift_error(add(true, &second).await, 400, "ERROR_ATTACHMENT_ALREADY_EXISTS").await;
    assert_eq!(refused["detail"][0]["loc"][1], "overwrite_existing");
    let not_pdf = chift_error(add(false, &b64(b"hello")).await, 422, "ERROR_INVALID_BODY").await;
    assert_eq!(not_pdf["detail"][0]["loc"][1], "pdf");
    assert_eq!(app.all_pages(&tenant, &listing).await.len(), 2, "refused files were not sent");
}

#[tokio::test]
async fn an_attachment_page_downloads_only_its_files_within_its_bytes() {
    use base64::Engine;
    let app = TestApp::spawn_with(|s| {
        s.limits.attachments_per_page = 1;
        s.limits.attachment_page_bytes = 32;
    })
    .await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) =
        app.consumer_with_connection(&tenant, crate::support::tokens::SOCIETY_PORT).await;
    let client = partner(&app, &tenant, &cid, "clients", "411CREPE").await;
    let vat = vat_code(&app, &tenant, &cid, 20.0).await;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let small = b"%PDF-1.7\nfacture FV-PDF-2\n%%EOF"; // 31 bytes
    let large = b"%PDF-1.7\nbon de livraison 2\n%%EOF"; // 33 bytes
    let mut body = sale(&client, &vat, "FV-PDF-2");
    body["pdf"] = json!(b64(small));
    let res = app.send_json(Method::POST, &accounting(&cid, "invoices"), &tenant, &body).await;
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let add = json!({"base64_string": b64(large), "name": "Bon de livraison"});
    let path = accounting(&cid, &format!("invoices/pdf/{id}?overwrite_existing=false"));
    assert_eq!(app.send_json(Method::POST, &path, &tenant, &add).await.status(), 204);

    let mut contents = vec![];
    for page in [1, 2] {
        app.sandbox.clear_requests();
        let listing = format!("attachments?type=invoice&document_id={id}&page={page}&size=50");
        let (status, body) = app.get_json(&tenant, &accounting(&cid, &listing)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["size"].as_u64(), body["total"].as_u64()), (Some(1), Some(2)), "{body}");
        assert_eq!(body["items"].as_array().unwrap().len(), 1);
        let downloads =
            app.sandbox.requests().iter().filter(|r| r.path.ends_with("/download")).count();
        assert_eq!(downloads, 1, "only the page's file is fetched");
        contents.push(body["items"][0].clone());
    }
    let fitted = contents.iter().find(|f| f.get("too_large").is_none()).unwrap();
    assert_eq!(fitted["base64_string"], b64(small));
    let left_out = contents.iter().find(|f| f["too_large"] == true).unwrap();
    assert_eq!(left_out["base64_string"], "");
}

#[tokio::test]
async fn a_document_link_off_myunisoft_is_neither_followed_nor_shown() {
    use base64::Engine;
    let (app, tenant, cid) = society().await;
    let client = partner(&app, &tenant, &cid, "clients", "411CREPE").await;
    let vat = vat_code(&app, &tenant, &cid, 20.0).await;
    let mut body = sale(&client, &vat, "FV-LINK-1");
    body["pdf"] = json!(base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.7\n%%EOF"));
    let res = app.send_json(Method::POST, &accounting(&cid, "invoices"), &tenant, &body).await;
    assert_eq!(res.status(), 200);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    assert!(app.sandbox.link_documents_to("https://files.elsewhere.example") > 0);
    app.sandbox.clear_requests();

    let listing = accounting(&cid, &format!("attachments?type=invoice&document_id={id}"));
    let res = app
        .request(Method::GET, &listing, &tenant.token)
        .header("x-chift-raw-data", "true")
        .send()
        .await
        .unwrap();
    let error = chift_error(res, 502, "ERROR_TECHNICAL_MAPPING").await;
    let text = error.to_string();
    assert!(!text.contains("elsewhere") && !text.contains("/download"), "{text}");
    let fetched = app.sandbox.requests().into_iter().filter(|r| r.path.contains("/ged/")).count();
    assert_eq!(fetched, 0, "nothing was downloaded");

    // The entry's raw answer withholds the link too.
    let res = app
        .request(Method::GET, &accounting(&cid, &format!("journal/entries/{id}")), &tenant.token)
        .header("x-chift-raw-data", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(text.contains("raw_data") && text.contains("attachments"), "{text}");
    assert!(!text.contains("elsewhere") && !text.contains("/download"), "{text}");
}
