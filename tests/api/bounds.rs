//! What one tenant may take of a replica: upstream answers read up to a cap, bounded queues for a
//! token's budget, a bound on an account's running requests, a capped `raw_data`, and the budget
//! told in response headers.

use std::time::Duration;

use reqwest::Method;
use secrecy::SecretString;
use serde_json::{json, Value};

use crate::support::{chift_error, tokens, FaultKind, Faults, TestApp};

/// `POST …/chart-of-accounts/balance`: one fresh `/mad/movements` read per request.
fn balance(app: &TestApp, cid: &str, token: &str) -> reqwest::RequestBuilder {
    let path = format!("/consumers/{cid}/accounting/chart-of-accounts/balance");
    app.request(Method::POST, &path, token).json(&json!({"accounts": ["6"], "end": "202606"}))
}

fn upstream_calls(app: &TestApp, suffix: &str) -> usize {
    app.sandbox.requests().iter().filter(|r| r.path.ends_with(suffix)).count()
}

#[tokio::test]
async fn an_upstream_answer_over_the_cap_is_a_502_naming_its_route_sent_once() {
    let app = TestApp::spawn_with(|s| s.myunisoft.max_body_bytes = 2048).await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    app.sandbox.clear_requests();
    let path = format!("/consumers/{cid}/accounting/chart-of-accounts");
    let res = app.request(Method::GET, &path, &tenant.token).send().await.unwrap();
    let body = chift_error(res, 502, "ERROR_CONNECTOR_UNAVAILABLE").await;
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("more than 2048 bytes at /account"), "{message}");
    assert_eq!(upstream_calls(&app, "/account"), 1, "a too large answer is not asked again");
}

#[tokio::test]
async fn a_full_queue_is_a_429_at_once_and_a_queued_request_says_how_long_it_waited() {
    let app = TestApp::spawn_with(|s| {
        s.myunisoft.rate_calls = 1;
        s.myunisoft.rate_window = Duration::from_secs(3);
        s.myunisoft.queue_per_token = 1;
    })
    .await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    // The token's one call of the window.
    let first = balance(&app, &cid, &tenant.token).send().await.unwrap();
    assert_eq!(first.status(), 200);
    // The next one queues for the window to pass...
    let queued = tokio::spawn(balance(&app, &cid, &tenant.token).send());
    tokio::time::sleep(Duration::from_millis(500)).await;
    // ...and fills the token's queue: one more is refused without waiting.
    let refused = balance(&app, &cid, &tenant.token).send().await.unwrap();
    assert!(!queued.is_finished(), "the 429 came before the queued request was served");
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    let body = chift_error(refused, 429, "ERROR_CONNECTOR_UNAVAILABLE").await;
    assert!(body["message"].as_str().unwrap().contains("already waiting"), "{body}");

    let served = queued.await.unwrap().unwrap();
    assert_eq!(served.status(), 200);
    let waited: u64 =
        served.headers()["x-passerelle-upstream-wait-ms"].to_str().unwrap().parse().unwrap();
    assert!(waited > 0);
    assert!(served.headers().contains_key("x-passerelle-upstream-budget-remaining"));
    assert_eq!(app.sandbox.stats().rejected_429, 0, "nothing reached MyUnisoft over budget");
}

#[tokio::test]
async fn a_wait_longer_than_the_request_timeout_is_a_429_at_once() {
    let app = TestApp::spawn_with(|s| {
        s.myunisoft.rate_window = Duration::from_secs(120);
        s.request_timeout = Duration::from_secs(5);
    })
    .await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    let mut statuses = vec![];
    for _ in 0..25 {
        let res = balance(&app, &cid, &tenant.token).send().await.unwrap();
        let status = res.status().as_u16();
        statuses.push(status);
        if status == 429 {
            let retry_after: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!(retry_after >= 5, "come back once the window has passed: {retry_after}");
            let body = chift_error(res, 429, "ERROR_CONNECTOR_UNAVAILABLE").await;
            assert!(body["message"].as_str().unwrap().contains("longer than"), "{body}");
            break;
        }
        assert_eq!(status, 200);
        // Budget left, and no queueing while there was some.
        assert!(res.headers().contains_key("x-passerelle-upstream-budget-remaining"));
        assert!(!res.headers().contains_key("x-passerelle-upstream-wait-ms"));
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert_eq!(app.sandbox.stats().rejected_429, 0);
}

#[tokio::test]
async fn an_account_past_its_running_requests_gets_a_429() {
    let app = TestApp::spawn_with(|s| s.limits.requests_per_account = 1).await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    app.sandbox.set_faults(Faults { latency: Duration::from_millis(1500), ..Faults::default() });
    let slow = tokio::spawn(balance(&app, &cid, &tenant.token).send());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = balance(&app, &cid, &tenant.token).send().await.unwrap();
    assert!(!slow.is_finished());
    assert_eq!(refused.headers()["retry-after"], "1");
    chift_error(refused, 429, "ERROR_CONNECTOR_UNAVAILABLE").await;
    assert_eq!(slow.await.unwrap().unwrap().status(), 200);
    // Another account is not held back by this one.
    let other = app.tenant("Other").await;
    let (other_cid, _) = app.consumer_with_connection(&other, tokens::SOCIETY_GARAGE).await;
    assert_eq!(balance(&app, &other_cid, &other.token).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn refused_credentials_upstream_are_not_tried_again() {
    // The operator's partner secret.
    let app = TestApp::spawn_with(|s| {
        s.myunisoft.partner_secret = SecretString::from("not-the-partner-secret".to_owned());
    })
    .await;
    let tenant = app.tenant("Acme").await;
    let consumer = app.create_consumer(&tenant, json!({"name": "Boulangerie"})).await;
    let cid = consumer["consumerid"].as_str().unwrap();
    let body = json!({"credentials": [{"key": "api_token", "value": tokens::SOCIETY_PORT}]});
    let path = format!("/consumers/{cid}/connections");
    let res = app.request(Method::POST, &path, &tenant.token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 502);
    assert_eq!(app.sandbox.requests().len(), 1, "{:?}", app.sandbox.requests());

    // The tenant's token, refused on a read.
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    app.sandbox.clear_requests();
    app.sandbox.set_faults(Faults { fail_next: vec![FaultKind::Status(401)], ..Faults::default() });
    let res = balance(&app, &cid, &tenant.token).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(app.sandbox.requests().len(), 1, "{:?}", app.sandbox.requests());
}

/// The chart of accounts with raw data, through a gateway whose raw data cap is `cap` (default
/// when `None`).
async fn chart_with_raw_data(cap: Option<usize>) -> Value {
    let app = TestApp::spawn_with(|s| {
        if let Some(cap) = cap {
            s.limits.raw_data_bytes = cap;
        }
    })
    .await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    let path = format!("/consumers/{cid}/accounting/chart-of-accounts");
    let res = app
        .request(Method::GET, &path, &tenant.token)
        .header("x-chift-raw-data", "true")
        .send()
        .await
        .unwrap();
    res.json().await.unwrap()
}

#[tokio::test]
async fn raw_data_past_its_cap_is_cut_and_says_so() {
    let body = chart_with_raw_data(Some(512)).await;
    let raw_data = &body["raw_data"];
    assert_eq!(raw_data["truncated"], true, "{raw_data}");
    let call = &raw_data["calls"][0];
    assert_eq!((call["path"].as_str(), call.get("response")), (Some("/account"), None));
    assert_eq!(call["truncated"], true);
    assert!(!body["items"].as_array().unwrap().is_empty(), "the answer itself is whole");
    // Within the cap, nothing is flagged.
    let body = chart_with_raw_data(None).await;
    assert!(body["raw_data"].get("truncated").is_none());
    assert!(body["raw_data"]["calls"][0].get("response").is_some());
}

#[tokio::test]
async fn a_fec_export_past_the_spool_disk_limit_is_a_507_with_nothing_written() {
    let app = TestApp::spawn_with(|s| s.limits.fec_spool_bytes = 1024).await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    let path =
        format!("/consumers/{cid}/accounting/export-fec?date_from=2025-01-01&date_to=2025-12-31");
    let res = app.request(Method::GET, &path, &tenant.token).send().await.unwrap();
    let body = chift_error(res, 507, "ERROR_UNKNOWN").await;
    assert!(body["message"].as_str().unwrap().contains("1024 bytes"), "{body}");
    // The same export fits the default limit.
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    let path =
        format!("/consumers/{cid}/accounting/export-fec?date_from=2025-01-01&date_to=2025-12-31");
    let res = app.request(Method::GET, &path, &tenant.token).send().await.unwrap();
    assert_eq!(res.status(), 200);
}
