//! The rate governor against the sandbox's real limits.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::support::{sandbox, tokens, SandboxConfig, TestApp};

#[tokio::test]
async fn a_hundred_concurrent_requests_on_one_token_stay_within_the_budget() {
    let window = Duration::from_secs(1);
    let sb =
        sandbox(SandboxConfig { rate_limit: 20, rate_window: window, ..SandboxConfig::default() })
            .await;
    let app = TestApp::spawn_over(sb, |s| {
        s.myunisoft.rate_window = window;
        s.limits.requests_per_account = 100;
    })
    .await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    app.sandbox.clear_requests();
    let path = format!("/consumers/{cid}/accounting/chart-of-accounts/balance");
    let filter = json!({"accounts": ["6"], "end": "202606"});
    let calls =
        (0..100).map(|_| app.request(Method::POST, &path, &tenant.token).json(&filter).send());
    for res in futures_util::future::join_all(calls).await {
        let res = res.unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
    let stats = app.sandbox.stats();
    assert_eq!(stats.rejected_429, 0, "callers queued instead of failing");
    assert!(
        stats.max_in_window_per_token <= 20,
        "{} calls in one window",
        stats.max_in_window_per_token
    );
    assert!(stats.max_concurrent_per_route <= 10);
    let movements =
        app.sandbox.requests().iter().filter(|r| r.path.ends_with("/mad/movements")).count();
    assert_eq!(movements, 100, "every balance read its movements");
}
