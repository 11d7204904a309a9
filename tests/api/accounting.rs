//! The accounting reference routes, end to end: gateway → MyUnisoft sandbox over HTTP.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::support::{chift_error, tokens, FaultKind, Faults, Tenant, TestApp, PARTNER_SECRET};

const PORT: &str = "4821";
const GARAGE: &str = "4822";

/// A gateway with one consumer connected through `token`.
pub(crate) async fn connected(token: &str) -> (TestApp, Tenant, String) {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, token).await;
    app.sandbox.clear_requests();
    (app, tenant, cid)
}

pub(crate) fn acc(cid: &str, route: &str) -> String {
    format!("/consumers/{cid}/accounting/{route}")
}

#[tokio::test]
async fn a_firm_token_lists_its_folders_and_needs_folder_id_elsewhere() {
    let (app, tenant, cid) = connected(tokens::FIRM).await;
    let (status, folders) = app.get_json(&tenant, &acc(&cid, "folders")).await;
    assert_eq!(status, 200);
    let ids: Vec<_> =
        folders.as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, [PORT, GARAGE, "4823"]);
    assert_eq!(folders[0]["name"], "BOULANGERIE DU PORT");
    assert!(folders[0]["addresses"][0]["city"].is_string());
    let (status, one) = app.get_json(&tenant, &acc(&cid, &format!("folders/{GARAGE}"))).await;
    assert_eq!((status, one["name"].as_str()), (200, Some("GARAGE DES ALPES")));
    let res =
        app.request(Method::GET, &acc(&cid, "folders/999"), &tenant.token).send().await.unwrap();
    chift_error(res, 404, "ERROR_RESOURCE_NOT_FOUND").await;

    let res = app.request(Method::GET, &acc(&cid, "journals"), &tenant.token).send().await.unwrap();
    let error = chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
    assert_eq!(error["detail"][0]["loc"], json!(["query", "folder_id"]));
    assert!(error["message"].as_str().unwrap().contains("/accounting/folders"), "{error}");
    let res = app
        .request(Method::GET, &acc(&cid, "journals?folder_id=999"), &tenant.token)
        .send()
        .await
        .unwrap();
    chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
}

#[tokio::test]
async fn a_firm_token_switches_folders_with_the_society_id_header() {
    let (app, tenant, cid) = connected(tokens::FIRM).await;
    let port =
        app.all_pages(&tenant, &acc(&cid, &format!("analytic-plans?folder_id={PORT}"))).await;
    let garage =
        app.all_pages(&tenant, &acc(&cid, &format!("analytic-plans?folder_id={GARAGE}"))).await;
    assert_eq!(port.len(), 2, "two analytic axes in the bakery");
    assert!(garage.is_empty(), "analytics is off in the garage");
    app.all_pages(&tenant, &acc(&cid, &format!("journals?folder_id={GARAGE}"))).await;
    let calls = app.sandbox.requests();
    let diary = calls.iter().find(|r| r.path.ends_with("/diary")).unwrap();
    assert_eq!(diary.society_id.as_deref(), Some(GARAGE));
    assert!(calls
        .iter()
        .filter(|r| r.path.ends_with("/analytics/axes"))
        .all(|r| r.society_id.as_deref() == Some(PORT)));
}

#[tokio::test]
async fn a_society_token_works_without_folder_id_and_refuses_other_folders() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let (status, folders) = app.get_json(&tenant, &acc(&cid, "folders")).await;
    assert_eq!((status, folders.as_array().unwrap().len()), (200, 1));
    assert_eq!(folders[0]["id"], PORT);
    let journals = app.all_pages(&tenant, &acc(&cid, "journals")).await;
    assert!(!journals.is_empty());
    assert!(
        app.sandbox.requests().iter().all(|r| r.society_id.is_none()),
        "no society-id with a society token"
    );
    let same = app.all_pages(&tenant, &acc(&cid, &format!("journals?folder_id={PORT}"))).await;
    assert_eq!(same, journals);
    let res = app
        .request(Method::GET, &acc(&cid, &format!("journals?folder_id={GARAGE}")), &tenant.token)
        .send()
        .await
        .unwrap();
    chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
}

#[tokio::test]
async fn bookyears_are_iso_dated_and_flag_the_closed_year() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let years = app.all_pages(&tenant, &acc(&cid, "bookyears")).await;
    let by_name: BTreeMap<_, _> =
        years.iter().map(|y| (y["name"].as_str().unwrap().to_owned(), y.clone())).collect();
    assert_eq!(by_name["2025"]["start"], "2025-01-01");
    assert_eq!(by_name["2025"]["closed"], true);
    assert_eq!(by_name["2026"]["end"], "2026-12-31");
    assert_eq!(by_name["2026"]["closed"], false);
}

#[tokio::test]
async fn the_chart_pages_exactly_and_filters_by_class_and_type() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let all = app.all_pages(&tenant, &acc(&cid, "chart-of-accounts")).await;
    assert!(all.len() > 50, "a PCG chart: {}", all.len());
    let numbers: Vec<&str> = all.iter().map(|a| a["number"].as_str().unwrap()).collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    assert_eq!(numbers, sorted, "in number order");
    let (_, page2) = app.get_json(&tenant, &acc(&cid, "chart-of-accounts?page=2&size=10")).await;
    assert_eq!(page2["total"].as_u64().unwrap() as usize, all.len());
    assert_eq!(page2["items"].as_array().unwrap()[..], all[10..20]);
    let bank = all.iter().find(|a| a["number"] == "512000").unwrap();
    assert_eq!(bank["type"], "bank");
    let classes = app.all_pages(&tenant, &acc(&cid, "chart-of-accounts?classes=6,7")).await;
    assert!(
        !classes.is_empty()
            && classes.iter().all(|a| a["number"].as_str().unwrap().starts_with(['6', '7']))
    );
    let vat = app.all_pages(&tenant, &acc(&cid, "chart-of-accounts?type=vat")).await;
    assert!(!vat.is_empty() && vat.iter().all(|a| a["type"] == "vat"));
    assert!(all.iter().any(|a| a["active"] == false), "the closed account shows inactive");
    let (status, one) = app.get_json(&tenant, &acc(&cid, "chart-of-accounts/706000")).await;
    assert_eq!((status, &one["number"]), (200, &json!("706000")));
    let (status, by_id) = app
        .get_json(
            &tenant,
            &acc(&cid, &format!("chart-of-accounts/{}", one["id"].as_str().unwrap())),
        )
        .await;
    assert_eq!((status, by_id), (200, one));
    let res = app
        .request(Method::GET, &acc(&cid, "chart-of-accounts?size=101"), &tenant.token)
        .send()
        .await
        .unwrap();
    let error = chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
    assert_eq!(error["detail"][0]["loc"], json!(["query", "size"]));
    let res = app
        .request(Method::GET, &acc(&cid, "chart-of-accounts?type=assets"), &tenant.token)
        .send()
        .await
        .unwrap();
    chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
}

#[tokio::test]
async fn journals_vat_codes_payment_methods_and_terms_are_normalized() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let journals = app.all_pages(&tenant, &acc(&cid, "journals")).await;
    let bank = journals.iter().find(|j| j["code"] == "15").unwrap();
    assert_eq!(
        (&bank["journal_type"], &bank["counterpart_account"]),
        (&json!("financial_operation"), &json!("512000"))
    );
    let sales = journals.iter().find(|j| j["code"] == "02").unwrap();
    assert_eq!(sales["journal_type"], "customer_invoice");
    let (status, one) = app
        .get_json(&tenant, &acc(&cid, &format!("journals/{}", bank["id"].as_str().unwrap())))
        .await;
    assert_eq!((status, &one), (200, bank));

    let vat = app.all_pages(&tenant, &acc(&cid, "vat-codes")).await;
    let twenty =
        vat.iter().find(|v| v["rate"] == 20.0 && v["deductible_account"] == "445660").unwrap();
    assert_eq!((&twenty["payable_account"], &twenty["type"]), (&json!("445712"), &json!("both")));
    assert!(twenty["label"].as_str().unwrap().contains("20%"));

    let methods = app.all_pages(&tenant, &acc(&cid, "payment-methods")).await;
    let codes: Vec<_> = methods.iter().map(|m| m["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["CB", "VIRT", "ESP", "CHQ", "PRLV", "LCR"]);
    let terms = app.all_pages(&tenant, &acc(&cid, "payment-terms")).await;
    assert!(
        !terms.is_empty() && terms.iter().all(|t| t["id"].is_string() && t["name"].is_string())
    );
}

#[tokio::test]
async fn employees_bank_accounts_and_the_unsupported_schemes() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let employees = app.all_pages(&tenant, &acc(&cid, "employees")).await;
    assert!(employees.len() >= 3);
    assert!(employees.iter().all(|e| e["account_number"].as_str().unwrap().starts_with("421")
        && !e["name"].as_str().unwrap().is_empty()));
    let banks = app.all_pages(&tenant, &acc(&cid, "bank-accounts")).await;
    let main = banks.iter().find(|b| b["code"] == "15").unwrap();
    assert_eq!(main["ledger_account"], "512000");
    assert!(main["iban"].as_str().unwrap().starts_with("FR76"));
    let res = app.request(Method::GET, &acc(&cid, "schemes"), &tenant.token).send().await.unwrap();
    chift_error(res, 405, "ERROR_RESOURCE_NOT_SUPPORTED").await;
}

/// The trial balance computed independently from the sandbox's own movements.
async fn expected_balance(
    app: &TestApp,
    year_id: &str,
    prefix: &str,
    until: &str,
) -> BTreeMap<String, (Decimal, Decimal)> {
    let url =
        format!("{}/mad/movements?version=1.0.0&idExercice={year_id}", app.sandbox.base_url());
    let movements: Vec<Value> = reqwest::Client::new()
        .get(url)
        .bearer_auth(tokens::SOCIETY_PORT)
        .header("X-Third-Party-Secret", PARTNER_SECRET)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut out: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    for m in movements {
        let number = m["account"]["number"].as_str().unwrap_or_default().to_owned();
        let date = m["entry"]["date"].as_str().unwrap();
        let off_books = m["entry"]["journal"]["type"] == "OD Extracomptable";
        if !number.starts_with(prefix) || date > until || off_books {
            continue;
        }
        let amount = |v: &Value| Decimal::from_str(&v.to_string()).unwrap();
        let e = out.entry(number).or_default();
        e.0 += amount(&m["value"]["debit"]);
        e.1 += amount(&m["value"]["credit"]);
    }
    out
}

#[tokio::test]
async fn the_balance_reconciles_with_the_movements_to_the_cent() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let years = app.all_pages(&tenant, &acc(&cid, "bookyears")).await;
    let year = years.iter().find(|y| y["name"] == "2026").unwrap();
    let expected = expected_balance(&app, year["id"].as_str().unwrap(), "4", "2026-06-30").await;
    assert!(!expected.is_empty());
    let body = json!({"accounts": ["4"], "end": "202606"});
    let res = app
        .send_json(Method::POST, &acc(&cid, "chart-of-accounts/balance?size=100"), &tenant, &body)
        .await;
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    let rows = page["items"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len());
    for row in rows {
        let (debit, credit) = expected[row["account_number"].as_str().unwrap()];
        let got = |k: &str| Decimal::from_str(&row[k].to_string()).unwrap();
        assert_eq!(
            (got("debit"), got("credit"), got("balance")),
            (debit, credit, debit - credit),
            "{row}"
        );
    }
    let bad = json!({"accounts": ["4"], "end": "2026-06"});
    let res =
        app.send_json(Method::POST, &acc(&cid, "chart-of-accounts/balance"), &tenant, &bad).await;
    chift_error(res, 422, "ERROR_INVALID_BODY").await;
}

#[tokio::test]
async fn creating_accounts_and_journals_writes_upstream_and_refreshes_the_cache() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let before = app.all_pages(&tenant, &acc(&cid, "chart-of-accounts")).await;
    let res = app
        .send_json(
            Method::POST,
            &acc(&cid, "accounts"),
            &tenant,
            &json!({"number": "706500", "name": "Ventes en ligne"}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let created: Value = res.json().await.unwrap();
    assert_eq!((&created["number"], &created["type"]), (&json!("706500"), &json!("income")));
    let after = app.all_pages(&tenant, &acc(&cid, "chart-of-accounts")).await;
    assert_eq!(after.len(), before.len() + 1, "the cache was dropped by the write");

    app.sandbox.clear_requests();
    for (body, field) in [
        (json!({"number": "A706", "name": "x"}), "number"),
        (json!({"number": "706", "name": ""}), "name"),
        (json!({"number": "7".repeat(21), "name": "x"}), "number"),
    ] {
        let res = app.send_json(Method::POST, &acc(&cid, "accounts"), &tenant, &body).await;
        let error = chift_error(res, 422, "ERROR_INVALID_BODY").await;
        assert_eq!(error["detail"][0]["loc"], json!(["body", field]));
    }
    let taken = json!({"code": "BQ2", "name": "Banque secondaire", "journal_type": "bank", "counterpart_account": "512000"});
    let res = app.send_json(Method::POST, &acc(&cid, "journal"), &tenant, &taken).await;
    let error = chift_error(res, 400, "UNEXPECTED_MYUNISOFT_ERROR").await;
    assert!(
        error["detail"].as_str().unwrap().starts_with("JOURNAL8"),
        "512000 belongs to journal 15: {error}"
    );
    let account = json!({"number": "512100", "name": "Banque secondaire"});
    let res = app.send_json(Method::POST, &acc(&cid, "accounts"), &tenant, &account).await;
    assert_eq!(res.status(), 200);
    let journal = json!({"code": "BQ2", "name": "Banque secondaire", "journal_type": "bank", "counterpart_account": "512100"});
    let res = app.send_json(Method::POST, &acc(&cid, "journal"), &tenant, &journal).await;
    assert_eq!(res.status(), 200);
    let j: Value = res.json().await.unwrap();
    assert_eq!(
        (&j["code"], &j["journal_type"], &j["counterpart_account"]),
        (&json!("BQ2"), &json!("financial_operation"), &json!("512100"))
    );
    let again = json!({"code": "BQ2", "name": "Encore", "journal_type": "miscellaneous_operation"});
    let res = app.send_json(Method::POST, &acc(&cid, "journal"), &tenant, &again).await;
    let error = chift_error(res, 400, "ERROR_JOURNAL_ALREADY_EXISTS").await;
    assert_eq!(error["detail"][0]["loc"], json!(["body", "code"]), "{error}");
    assert!(error["message"].as_str().unwrap().contains("journal BQ2"), "{error}");
    for bad in [
        json!({"code": "TOOLONG", "name": "x", "journal_type": "bank", "counterpart_account": "512000"}),
        json!({"code": "BQ3", "name": "x", "journal_type": "bank"}),
    ] {
        let res = app.send_json(Method::POST, &acc(&cid, "journal"), &tenant, &bad).await;
        chift_error(res, 422, "ERROR_INVALID_BODY").await;
    }
    let posts: Vec<_> =
        app.sandbox.requests().into_iter().filter(|r| r.method == "POST").map(|r| r.path).collect();
    assert_eq!(posts.len(), 4, "only the journals MyUnisoft refused, the account and the valid journal were sent: {posts:?}");
}

#[tokio::test]
async fn creating_a_bank_account_creates_its_journal_and_rib() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    for (wrong, field) in [
        (
            json!({"code": "BQ4", "currency": "EUR", "iban": "FR14 2004 1010 0505 0001 3M02 607", "bic": "PSSTFRPPXXX", "bank_name": "X"}),
            "iban",
        ),
        (
            json!({"code": "BQ4", "currency": "EUR", "iban": "FR1420041010050500013M02606", "bank_name": "X"}),
            "bic",
        ),
        (
            json!({"code": "BQ4", "currency": "EUR", "iban": "FR1420041010050500013M02606", "bic": "COBADEFF", "bank_name": "X"}),
            "bic",
        ),
        (
            json!({"code": "BQ4", "currency": "USD", "iban": "FR1420041010050500013M02606", "bic": "PSSTFRPP", "bank_name": "X"}),
            "currency",
        ),
    ] {
        let res = app.send_json(Method::POST, &acc(&cid, "bank-accounts"), &tenant, &wrong).await;
        let error = chift_error(res, 422, "ERROR_INVALID_BODY").await;
        assert_eq!(error["detail"][0]["loc"], json!(["body", field]));
    }
    assert!(app.sandbox.requests().iter().all(|r| r.method == "GET"), "nothing was written");
    let body = json!({"code": "BQ4", "currency": "EUR", "account_name": "Compte pro", "iban": "FR14 2004 1010 0505 0001 3M02 606", "bic": "PSSTFRPPXXX", "bank_name": "La Banque Postale"});
    let res = app.send_json(Method::POST, &acc(&cid, "bank-accounts"), &tenant, &body).await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["iban"], "FR1420041010050500013M02606");
    assert!(created["ledger_account"].as_str().unwrap().starts_with("512"));
    let banks = app.all_pages(&tenant, &acc(&cid, "bank-accounts")).await;
    assert!(banks.contains(&created));
    let journals = app.all_pages(&tenant, &acc(&cid, "journals")).await;
    assert!(journals
        .iter()
        .any(|j| j["code"] == "BQ4" && j["journal_type"] == "financial_operation"));
    let res = app.send_json(Method::POST, &acc(&cid, "bank-accounts"), &tenant, &body).await;
    let twin = chift_error(res, 422, "ERROR_BANK_CODE_ALREADY_USED").await;
    assert_eq!(twin["detail"][0]["loc"], json!(["body", "iban"]));
}

#[tokio::test]
async fn reference_data_is_cached_and_concurrent_requests_share_one_call() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let requests: Vec<_> = (0..20)
        .map(|_| app.request(Method::GET, &acc(&cid, "vat-codes"), &tenant.token).send())
        .collect();
    for r in futures_util::future::join_all(requests).await {
        assert_eq!(r.unwrap().status(), 200);
    }
    app.all_pages(&tenant, &acc(&cid, "vat-codes")).await;
    let calls =
        app.sandbox.requests().into_iter().filter(|r| r.path.ends_with("/vat_param")).count();
    assert_eq!(calls, 1);
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains(r#"passerelle_reference_cache_lookups_total{result="hit"}"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            r#"passerelle_upstream_requests_total{status="200",upstream_route="/vat_param"} 1"#
        ),
        "{metrics}"
    );
}

#[tokio::test]
async fn raw_data_shows_the_upstream_calls_without_secrets() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let res = app
        .request(Method::GET, &acc(&cid, "journals"), &tenant.token)
        .header("x-chift-raw-data", "true")
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let calls = body["raw_data"]["calls"].as_array().unwrap();
    assert_eq!(calls[0]["path"], "/diary");
    assert_eq!(
        calls[0]["response"].as_array().unwrap().len(),
        body["total"].as_u64().unwrap() as usize
    );
    let text = body.to_string();
    assert!(!text.contains(tokens::SOCIETY_PORT) && !text.contains(PARTNER_SECRET));
    let (_, plain) = app.get_json(&tenant, &acc(&cid, "journals")).await;
    assert!(plain.get("raw_data").is_none());
}

#[tokio::test]
async fn reads_survive_injected_faults_with_exact_results() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let (_, clean) = app.get_json(&tenant, &acc(&cid, "journals?size=100")).await;
    let (status, employees) = app.get_json(&tenant, &acc(&cid, "employees?size=100")).await;
    assert_eq!(status, 200);
    let app2 = TestApp::spawn_over(crate::support::sandbox(Default::default()).await, |_| {}).await;
    let tenant2 = app2.tenant("Acme").await;
    let (cid2, _) = app2.consumer_with_connection(&tenant2, tokens::SOCIETY_PORT).await;
    app2.sandbox.set_faults(Faults {
        fail_next: vec![
            FaultKind::Status(503),
            FaultKind::Reset,
            FaultKind::TooMany { retry_after_secs: 1 },
            FaultKind::Truncate,
        ],
        ..Faults::default()
    });
    let (status, faulty) = app2.get_json(&tenant2, &acc(&cid2, "journals?size=100")).await;
    assert_eq!(status, 200, "{faulty}");
    assert_eq!(faulty, clean);
    let (_, faulty_employees) = app2.get_json(&tenant2, &acc(&cid2, "employees?size=100")).await;
    assert_eq!(faulty_employees, employees);
    let retries = app2.http.get(app2.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(retries.contains("passerelle_upstream_retries_total"), "{retries}");
}

#[tokio::test]
async fn a_lasting_upstream_outage_is_a_clear_502() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    app.sandbox.set_faults(Faults { error_5xx_per_mille: 1000, ..Faults::default() });
    let res = app.request(Method::GET, &acc(&cid, "journals"), &tenant.token).send().await.unwrap();
    let error = chift_error(res, 502, "ERROR_CONNECTOR_UNAVAILABLE").await;
    assert!(error["message"].as_str().unwrap().contains("MyUnisoft"));
    let attempts = app.sandbox.requests().iter().filter(|r| r.path.ends_with("/diary")).count();
    assert_eq!(attempts, 5, "bounded retries");
}

#[tokio::test]
async fn a_call_past_the_timeout_is_retried_then_answered() {
    let sb = crate::support::sandbox(Default::default()).await;
    let app = TestApp::spawn_over(sb, |s| s.myunisoft.timeout = Duration::from_millis(500)).await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    app.sandbox.set_faults(Faults {
        fail_next: vec![FaultKind::Latency(Duration::from_secs(2))],
        ..Faults::default()
    });
    let (status, methods) = app.get_json(&tenant, &acc(&cid, "payment-methods")).await;
    assert_eq!((status, methods["total"].as_u64()), (200, Some(6)));
    app.sandbox.set_faults(Faults { latency: Duration::from_secs(2), ..Faults::default() });
    let res =
        app.request(Method::GET, &acc(&cid, "vat-codes"), &tenant.token).send().await.unwrap();
    chift_error(res, 504, "ERROR_CONNECTOR_UNAVAILABLE").await;
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    app.sandbox.set_faults(Faults {
        fail_next: vec![FaultKind::TooMany { retry_after_secs: 2 }],
        ..Faults::default()
    });
    let (status, _) = app.get_json(&tenant, &acc(&cid, "payment-methods")).await;
    assert_eq!(status, 200);
    let calls: Vec<_> =
        app.sandbox.requests().into_iter().filter(|r| r.path.ends_with("/payment_type")).collect();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].status, 429);
    assert!(calls[1].at.duration_since(calls[0].at) >= Duration::from_secs(2));
}

#[tokio::test]
async fn no_active_connection_is_a_clear_400() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let consumer = app.create_consumer(&tenant, json!({"name": "Sans compta"})).await;
    let cid = consumer["consumerid"].as_str().unwrap();
    let res = app.request(Method::GET, &acc(cid, "journals"), &tenant.token).send().await.unwrap();
    chift_error(res, 400, "ERROR_NO_ACTIVE_CONNECTION").await;
}

#[tokio::test]
async fn several_connections_need_x_chift_connectionid() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let (cid, first) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    let body = json!({"credentials": [{"key": "api_token", "value": tokens::SOCIETY_GARAGE}]});
    let res =
        app.send_json(Method::POST, &format!("/consumers/{cid}/connections"), &tenant, &body).await;
    let second = res.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let res = app.request(Method::GET, &acc(&cid, "folders"), &tenant.token).send().await.unwrap();
    chift_error(res, 400, "ERROR_CONFIGURATION_CONNECTION").await;
    for (connection, folder) in [(first, PORT), (second, GARAGE)] {
        let res = app
            .request(Method::GET, &acc(&cid, "folders"), &tenant.token)
            .header("x-chift-connectionid", connection)
            .send()
            .await
            .unwrap();
        let folders: Value = res.json().await.unwrap();
        assert_eq!(folders[0]["id"], folder);
    }
}
