//! Journal entries written through the gateway into the sandbox: checks before anything is
//! sent, exactly-once posting under faults, idempotent replays, MyUnisoft's refusals mapped.

use std::collections::HashSet;
use std::time::Duration;

use myunisoft_sandbox::{FaultKind, Faults, SandboxConfig};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{chift_error, sandbox, tokens, Tenant, TestApp};

/// Folder 4821 (society token), with a one-second rate window so that tests do not wait.
pub async fn society() -> (TestApp, Tenant, String) {
    let window = Duration::from_secs(1);
    let sb =
        sandbox(SandboxConfig { rate_limit: 40, rate_window: window, ..SandboxConfig::default() })
            .await;
    let app = TestApp::spawn_over(sb, |s| {
        s.myunisoft.rate_window = window;
        s.myunisoft.rate_calls = 40;
    })
    .await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    (app, tenant, cid)
}

pub fn accounting(cid: &str, path: &str) -> String {
    format!("/consumers/{cid}/accounting/{path}")
}

/// The id of the journal with `code`.
pub async fn journal(app: &TestApp, tenant: &Tenant, cid: &str, code: &str) -> String {
    let journals = app.all_pages(tenant, &accounting(cid, "journals")).await;
    let found = journals.iter().find(|j| j["code"] == code).expect("seeded journal");
    found["id"].as_str().unwrap().to_owned()
}

/// The id of the supplier or client whose account number is `number`.
pub async fn partner(
    app: &TestApp,
    tenant: &Tenant,
    cid: &str,
    kind: &str,
    number: &str,
) -> String {
    let list = app.all_pages(tenant, &accounting(cid, kind)).await;
    let found = list.iter().find(|p| p["account_number"] == number).expect("seeded partner");
    found["id"].as_str().unwrap().to_owned()
}

/// Creates a 120 € (100 + 20 % VAT) sales invoice `number` to the client 411CREPE, dated
/// 2026-09-01; returns its id.
pub async fn sale_of_120(app: &TestApp, tenant: &Tenant, cid: &str, number: &str) -> String {
    let client = partner(app, tenant, cid, "clients", "411CREPE").await;
    let codes = app.all_pages(tenant, &accounting(cid, "vat-codes")).await;
    let vat = codes
        .iter()
        .find(|c| c["rate"].as_f64() == Some(20.0) && c["payable_account"].is_string())
        .unwrap();
    let invoice = json!({
        "invoice_type": "customer_invoice", "invoice_number": number, "currency": "EUR",
        "untaxed_amount": 100, "tax_amount": 20, "total": 120,
        "invoice_date": "2026-09-01", "due_date": "2026-09-30", "partner_id": client,
        "lines": [{"unit_price": 100, "quantity": 1, "untaxed_amount": 100, "tax_rate": 20, "tax_amount": 20, "total": 120,
                   "account_number": "706000", "tax_code": vat["id"]}]
    });
    let res = app.send_json(Method::POST, &accounting(cid, "invoices"), tenant, &invoice).await;
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

pub fn purchase(journal: &str, supplier: &str, number: &str) -> Value {
    json!({
        "journal_id": journal,
        "number": number,
        "reference": "BL-77",
        "currency": "EUR",
        "date": "2026-03-10",
        "due_date": "2026-04-09",
        "items": [
            {"account_type": "general_account", "account": "606300", "description": "Petit équipement", "debit": 100.10, "credit": 0},
            {"account_type": "general_account", "account": "445660", "description": "TVA 20 %", "debit": 20.02, "credit": 0},
            {"account_type": "supplier_account", "account": supplier, "description": "MINOTERIE", "debit": 0, "credit": 120.12}
        ]
    })
}

/// `(partner id, number)` of the entries Passerelle wrote into folder 4821.
pub fn written(app: &TestApp) -> Vec<(String, Option<String>)> {
    app.sandbox.partner_entries(4821).into_iter().filter(|(p, _)| p.starts_with("psrl-")).collect()
}

async fn post_entry(app: &TestApp, tenant: &Tenant, cid: &str, body: &Value) -> reqwest::Response {
    app.send_json(Method::POST, &accounting(cid, "journal-entries"), tenant, body).await
}

#[tokio::test]
async fn an_entry_is_posted_once_and_reads_back_as_sent() {
    let (app, tenant, cid) = society().await;
    let od = journal(&app, &tenant, &cid, "20").await;
    let supplier = partner(&app, &tenant, &cid, "suppliers", "401MINOT").await;
    let res = post_entry(&app, &tenant, &cid, &purchase(&od, &supplier, "FA-2026/0042")).await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("psrl-"), "{created}");
    assert_eq!(created["name"], "FA20260042");
    assert_eq!(created["reference"], "BL77");
    assert_eq!(created["posted"], true);
    let items = created["items"].as_array().unwrap();
    let lines: Vec<(&str, f64, f64)> = items
        .iter()
        .map(|i| {
            (
                i["account_number"].as_str().unwrap(),
                i["debit"].as_f64().unwrap(),
                i["credit"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![("606300", 100.10, 0.0), ("445660", 20.02, 0.0), ("401MINOT", 0.0, 120.12)]
    );
    assert_eq!(items[2]["partner_id"], supplier.as_str());
    assert_eq!(items[2]["due_date"], "2026-04-09");
    assert_eq!(items[0]["due_date"], "2026-03-10", "other lines fall due on the entry date");
    let (status, read) =
        app.get_json(&tenant, &accounting(&cid, &format!("journal/entries/{id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(read, created);
    let stored: Vec<_> = written(&app).into_iter().filter(|(p, _)| p == id).collect();
    assert_eq!(stored.len(), 1);

    let sdk_path = accounting(&cid, "journal/entries");
    let mut draft = purchase(&od, &supplier, "FA-2026/0043");
    draft["posted"] = json!(false);
    let res = app.send_json(Method::POST, &sdk_path, &tenant, &draft).await;
    assert_eq!(res.status(), 200);
    let pending: Value = res.json().await.unwrap();
    assert_eq!(pending["posted"], false);
}

#[tokio::test]
async fn bad_entries_name_the_field_and_nothing_reaches_myunisoft() {
    let (app, tenant, cid) = society().await;
    let od = journal(&app, &tenant, &cid, "20").await;
    let sales = journal(&app, &tenant, &cid, "02").await;
    let supplier = partner(&app, &tenant, &cid, "suppliers", "401MINOT").await;
    let before = written(&app).len();
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            {
                let mut b = purchase(&od, &supplier, "F1");
                b["items"][2]["credit"] = json!(120.11);
                b
            },
            "items",
            "not balanced",
        ),
        (
            {
                let mut b = purchase(&od, &supplier, "F1");
                b["items"][0]["credit"] = json!(5);
                b
            },
            "items.0.credit",
            "either a debit or a credit",
        ),
        (
            {
                let mut b = purchase(&od, &supplier, "F1");
                b["due_date"] = json!("2026-03-01");
                b
            },
            "items.2.due_date",
            "not be before",
        ),
        (
            {
                let mut b = purchase(&od, &supplier, "F1");
                b["items"][0]["description"] = json!("x".repeat(51));
                b
            },
            "items.0.description",
            "50",
        ),
        (purchase(&od, &supplier, "FACTURE№1"), "number", "letters"),
        (purchase(&sales, &supplier, "F1"), "items.2.account", "sales journal"),
        (
            {
                let mut b = purchase(&od, &supplier, "F1");
                b["items"][0]["account"] = json!("606999");
                b
            },
            "items.0.account",
            "POST /accounts",
        ),
        (
            {
                let mut b = purchase(&od, &supplier, "F1");
                b["currency"] = json!("USD");
                b
            },
            "currency_exchange_rate",
            "required",
        ),
        (
            {
                let mut b = purchase(&od, &supplier, "F1");
                b["date"] = json!("2024-03-10");
                b["due_date"] = json!(null);
                b
            },
            "date",
            "fiscal year",
        ),
    ];
    for (body, field, rule) in cases {
        let res = post_entry(&app, &tenant, &cid, &body).await;
        // Chift's own code and status where it names the refusal.
        let (status, code) = match rule {
            "not balanced" => (422, "ERROR_ENTRY_NOT_BALANCED"),
            "sales journal" => (400, "ERROR_ACCOUNT_NUMBER_NOT_GOOD_SCOPE"),
            "POST /accounts" => (404, "ERROR_ACCOUNT_NUMBER_NOT_FOUND"),
            "fiscal year" => (400, "ERROR_BOOKYEAR_NOT_FOUND"),
            _ => (422, "ERROR_INVALID_BODY"),
        };
        let error = chift_error(res, status, code).await;
        let detail = &error["detail"][0];
        assert_eq!(detail["loc"][1], field, "{error}");
        assert!(detail["msg"].as_str().unwrap().contains(rule), "{error}");
    }
    assert_eq!(written(&app).len(), before, "nothing was written");
}

#[tokio::test]
async fn closed_years_and_closed_accounts_get_chift_codes() {
    let (app, tenant, cid) = society().await;
    let od = journal(&app, &tenant, &cid, "20").await;
    let supplier = partner(&app, &tenant, &cid, "suppliers", "401MINOT").await;
    let mut closed_year = purchase(&od, &supplier, "F2");
    closed_year["date"] = json!("2025-06-10");
    closed_year["due_date"] = json!("2025-07-10");
    let res = post_entry(&app, &tenant, &cid, &closed_year).await;
    chift_error(res, 400, "ERROR_BOOKYEAR_CLOSED").await;
    let mut closed_account = purchase(&od, &supplier, "F3");
    closed_account["items"][0]["account"] = json!("618500");
    let res = post_entry(&app, &tenant, &cid, &closed_account).await;
    let error = chift_error(res, 400, "ERROR_ACCOUNT_NUMBER_NOT_ACTIVE").await;
    assert!(error["detail"].to_string().contains("COMPTE32"), "{error}");
    assert!(written(&app).is_empty());
}

#[tokio::test]
async fn a_replayed_request_id_answers_409_and_its_outcome_can_be_looked_up() {
    let (app, tenant, cid) = society().await;
    let connection = {
        let (_, list) = app.get_json(&tenant, &format!("/consumers/{cid}/connections")).await;
        list[0]["connectionid"].as_str().unwrap().to_owned()
    };
    let od = journal(&app, &tenant, &cid, "20").await;
    let supplier = partner(&app, &tenant, &cid, "suppliers", "401MINOT").await;
    let body = purchase(&od, &supplier, "F9");
    let send = || {
        app.request(Method::POST, &accounting(&cid, "journal-entries"), &tenant.token)
            .header("x-chift-client-requestid", "req-42")
            .json(&body)
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 200);
    // A write runs on its own task, still counted in its request's budget.
    let budget = first.headers().get("x-passerelle-upstream-budget-remaining");
    assert!(budget.is_some(), "{:?}", first.headers());
    let id = first.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    chift_error(send().await.unwrap(), 409, "REQUEST_ALREADY_PROCESSED").await;
    let path =
        format!("/consumers/{cid}/connections/{connection}/transactions?client_request_id=req-42");
    let (status, record) = app.get_json(&tenant, &path).await;
    assert_eq!(status, 200);
    assert_eq!(
        (record["status_code"].as_u64(), record["created_entity_id"].as_str()),
        (Some(200), Some(id.as_str()))
    );
    assert_eq!(written(&app).len(), 1, "written once");
}

/// A create of entry `number`, sent with the client request id `request_id`.
pub async fn post_once(
    app: &TestApp,
    tenant: &Tenant,
    cid: &str,
    request_id: &str,
    body: &Value,
) -> reqwest::Response {
    app.request(Method::POST, &accounting(cid, "journal-entries"), &tenant.token)
        .header("x-chift-client-requestid", request_id)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn two_hundred_creates_through_faults_land_exactly_once() {
    let (app, tenant, cid) = society().await;
    let od = journal(&app, &tenant, &cid, "20").await;
    let supplier = partner(&app, &tenant, &cid, "suppliers", "401MINOT").await;
    // Harsh enough that some creates fail even after the connector's own retries.
    let harsh = Faults {
        reset_after_write_per_mille: 300,
        error_5xx_per_mille: 300,
        seed: 7,
        ..Faults::default()
    };
    app.sandbox.set_faults(harsh.clone());
    let mut succeeded = HashSet::new();
    let mut failed = HashSet::new();
    for batch in (0..200).collect::<Vec<u32>>().chunks(10) {
        if batch[0] == 190 {
            // The last ten meet an outage that outlasts the connector's retries.
            let outage = vec![FaultKind::Status(503); 200];
            app.sandbox.set_faults(Faults { fail_next: outage, ..harsh.clone() });
        }
        let sends = batch.iter().map(|n| {
            let body = purchase(&od, &supplier, &format!("FLT{n:03}"));
            let (app, tenant, cid) = (&app, &tenant, &cid);
            async move { (*n, post_once(app, tenant, cid, &format!("flt-{n}"), &body).await) }
        });
        for (n, res) in futures_util::future::join_all(sends).await {
            let number = format!("FLT{n:03}");
            if res.status() == 200 {
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["name"], number.as_str());
                succeeded.insert(number);
            } else {
                failed.insert(n);
            }
        }
    }
    app.sandbox.set_faults(Faults::default());
    let requests = app.sandbox.requests();
    let sent =
        |path: &str| requests.iter().filter(|r| r.method == "POST" && r.path == path).count();
    let lookups = requests.iter().filter(|r| r.path == "/api/v1/entry/id").count();
    println!(
        "faults: {} imports sent for 200 creates, {lookups} partner-id lookups",
        sent("/api/v1/entry")
    );
    assert!(lookups >= 20, "faults hit the imports and were settled by lookups ({lookups})");
    let numbers = |app: &TestApp| -> Vec<String> {
        written(app).into_iter().filter_map(|(_, n)| n).collect()
    };
    let first_pass = numbers(&app);
    let distinct: HashSet<&String> = first_pass.iter().collect();
    assert_eq!(distinct.len(), first_pass.len(), "no entry was written twice");
    let landed: HashSet<String> = first_pass.iter().cloned().collect();
    assert!(succeeded.is_subset(&landed), "every successful create landed");
    println!(
        "faults: {} creates succeeded, {} failed ({} of those landed all the same)",
        succeeded.len(),
        failed.len(),
        landed.len() - succeeded.len()
    );
    assert!(succeeded.len() >= 100, "most faults are absorbed: {} of 200", succeeded.len());
    assert!(failed.len() >= 10, "the outage failed the last creates, for the retries below");
    // Each failed create sent again with its request id, faults off: it finishes.
    for n in &failed {
        let number = format!("FLT{n:03}");
        let body = purchase(&od, &supplier, &number);
        let res = post_once(&app, &tenant, &cid, &format!("flt-{n}"), &body).await;
        assert_eq!(res.status(), 200, "retry of {number}");
        let entry: Value = res.json().await.unwrap();
        assert_eq!(entry["name"], number.as_str());
        assert!(entry["id"].as_str().unwrap().starts_with("psrl-"), "{entry}");
    }
    let all = numbers(&app);
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!((all.len(), distinct.len()), (200, 200), "all 200 exist, each once");
    // A create that succeeded is done: its replay is answered, not redone.
    let done = succeeded.iter().next().unwrap();
    let n: u32 = done[3..].parse().unwrap();
    let body = purchase(&od, &supplier, done);
    let again = post_once(&app, &tenant, &cid, &format!("flt-{n}"), &body).await;
    chift_error(again, 409, "REQUEST_ALREADY_PROCESSED").await;
    assert_eq!(numbers(&app).len(), 200);
}
