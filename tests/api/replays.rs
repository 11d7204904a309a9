//! Writes retried with their `x-chift-client-requestid` finish: a write that could not get its
//! upstream budget before the request timeout sends nothing, and its retry lands once.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::entry_writes::{journal, partner, post_once, purchase, written};
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
