//! Writes retried with their `x-chift-client-requestid` finish: a write that could not get its
//! upstream budget before the request timeout sends nothing, and its retry lands once; a payment
//! or an attachment whose answer was lost is found done, not written twice.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::entry_writes::{
    accounting, journal, partner, post_once, purchase, sale_of_120, society, written,
};
use crate::support::{chift_error, sandbox, tokens, SandboxConfig, TestApp};

#[tokio::test]
async fn a_write_that_would_wait_past_the_request_timeout_for_budget_sends_nothing_and_its_retry_lands(
) {
    // Six calls per five seconds; requests time out after four, so writes must send by three.
    let window = Duration::from_secs(5);
    let sb =
        sandbox(SandboxConfig { rate_limit: 40, rate_window: window, ..SandboxConfig::default() })
            .await;
    let app = TestApp::spawn_over(sb, |s| {
        s.myunisoft.rate_window = window;
        s.myunisoft.rate_calls = 6;
        s.request_timeout = Duration::from_secs(4);
    })
    .await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    let od = journal(&app, &tenant, &cid, "20").await;
    let supplier = partner(&app, &tenant, &cid, "suppliers", "401MINOT").await;
    tokio::time::sleep(window + Duration::from_millis(300)).await;
    // Reads spend the token's budget for the next five seconds (those that queue past the
    // timeout are cut: they are reads).
    let balance = format!("/consumers/{cid}/accounting/chart-of-accounts/balance");
    let filter = json!({"accounts": ["6"], "end": "202606"});
    let reads: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(app.request(Method::POST, &balance, &tenant.token).json(&filter).send())
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let body = purchase(&od, &supplier, "BDG001");
    let refused = post_once(&app, &tenant, &cid, "budget-1", &body).await;
    let retry_after: u64 =
        refused.headers()["retry-after"].to_str().unwrap().parse().expect("Retry-After seconds");
    let error = chift_error(refused, 429, "ERROR_CONNECTOR_UNAVAILABLE").await;
    assert!(error["message"].as_str().unwrap().contains("retry in"), "{error}");
    let imports = |app: &TestApp| {
        let requests = app.sandbox.requests();
        requests
            .iter()
            .filter(|r| r.method == "POST" && r.path.starts_with("/api/v1/entry"))
            .count()
    };
    assert_eq!(imports(&app), 0, "no entry was sent");
    assert!(written(&app).is_empty(), "no entry was written");
    tokio::time::sleep(Duration::from_secs(retry_after) + Duration::from_millis(300)).await;
    let retried = post_once(&app, &tenant, &cid, "budget-1", &body).await;
    assert_eq!(retried.status(), 200);
    let entry: Value = retried.json().await.unwrap();
    assert_eq!(entry["name"], "BDG001");
    let stored = written(&app);
    assert_eq!((stored.len(), imports(&app)), (1, 1), "sent and written once");
    for read in reads {
        let _ = read.await;
    }
    assert_eq!(entry["id"].as_str(), Some(stored[0].0.as_str()));
}

#[tokio::test]
async fn an_invoice_payment_whose_outcome_was_lost_after_matching_is_answered_as_done_on_replay() {
    let (app, tenant, cid) = society().await;
    let id = sale_of_120(&app, &tenant, &cid, "FV9101").await;
    let methods = app.all_pages(&tenant, &accounting(&cid, "payment-methods")).await;
    let payment = json!({"date": "2026-09-20", "payment_method_id": methods[0]["id"],
        "currency": "EUR", "items": [{"invoice_id": id, "amount": 120}]});
    let pay = || {
        app.request(Method::POST, &accounting(&cid, "invoices/payments"), &tenant.token)
            .header("x-chift-client-requestid", "pay-1")
            .json(&payment)
            .send()
    };
    assert_eq!(pay().await.unwrap().status(), 204);
    assert_eq!(written(&app).len(), 2, "the invoice and its payment");
    // The answer was lost after the payment was written and matched (a 502 recorded).
    let pool = sqlx::AnyPool::connect(&app.db.url).await.unwrap();
    sqlx::query(
        "UPDATE idempotency_records SET state = 'uncertain', status_code = 502 \
         WHERE client_request_id = 'pay-1'",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(pay().await.unwrap().status(), 204, "the replay finds the payment done");
    assert_eq!(written(&app).len(), 2, "no second payment");
    let (_, read) = app
        .get_json(&tenant, &accounting(&cid, &format!("invoices/{id}?include_payments=true")))
        .await;
    assert_eq!(read["payments"].as_array().unwrap().len(), 1, "{read}");
    chift_error(pay().await.unwrap(), 409, "REQUEST_ALREADY_PROCESSED").await;
}

#[tokio::test]
async fn an_attachment_whose_outcome_was_lost_is_not_uploaded_twice_on_replay() {
    use base64::Engine;
    let (app, tenant, cid) = society().await;
    let od = journal(&app, &tenant, &cid, "20").await;
    let supplier = partner(&app, &tenant, &cid, "suppliers", "401MINOT").await;
    let created =
        post_once(&app, &tenant, &cid, "entry-1", &purchase(&od, &supplier, "PJ001")).await;
    let id = created.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let pdf = base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.7\nbon\n%%EOF");
    let body = json!({"base64_string": pdf, "name": "Bon"});
    let attach = || {
        app.request(Method::POST, &accounting(&cid, &format!("invoices/pdf/{id}")), &tenant.token)
            .header("x-chift-client-requestid", "pdf-1")
            .json(&body)
            .send()
    };
    assert_eq!(attach().await.unwrap().status(), 204);
    let listing = accounting(&cid, &format!("attachments?type=entry&document_id={id}"));
    assert_eq!(app.all_pages(&tenant, &listing).await.len(), 1);
    // The answer was lost after the upload (a 504 recorded).
    let pool = sqlx::AnyPool::connect(&app.db.url).await.unwrap();
    sqlx::query(
        "UPDATE idempotency_records SET state = 'uncertain', status_code = 504 \
         WHERE client_request_id = 'pdf-1'",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(attach().await.unwrap().status(), 204, "the replay finds the file there");
    assert_eq!(app.all_pages(&tenant, &listing).await.len(), 1, "uploaded once");
    chift_error(attach().await.unwrap(), 409, "REQUEST_ALREADY_PROCESSED").await;
}
