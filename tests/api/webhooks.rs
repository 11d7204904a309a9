//! Webhooks and issues end to end: `serve` processes over PostgreSQL (or SQLite) and the sandbox,
//! delivering to a receiver in the test (axum on 127.0.0.1), hence `PASSERELLE_WEBHOOK_ALLOW_PRIVATE`.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use myunisoft_sandbox::{FaultKind, Faults};

use crate::process::{account_create, connect_consumer, get_json, send_json, token, Env, Gateway};
use crate::receiver::{env, hex_hmac, subscribe, Receiver, Subscriber, SECRET};
use crate::support::{chift_error, sandbox, tokens, SandboxConfig, TestDb};

/// `PATCH /webhooks/{id}` with `status`; the webhook answered.
async fn set_status(gateway: &Gateway, token: &str, id: &str, status: &str) -> Value {
    let path = format!("/webhooks/{id}");
    let body = json!({"status": status});
    let (code, hook) = send_json(gateway, token, Method::PATCH, &path, &body).await;
    assert_eq!(code, 200);
    hook
}

#[tokio::test]
async fn a_new_connection_and_a_client_created_through_the_api_arrive_signed() {
    let Subscriber { receiver, account, gateway, token, db, sb } = Subscriber::start().await;
    let hook = subscribe(&gateway, &token, "account.connection.created", &receiver.url).await;
    assert_eq!(hook["status"], "active");
    assert_eq!(hook["accountid"], account["accountId"]);
    assert!(hook.get("signingsecret").is_none(), "the secret is never answered: {hook}");
    subscribe(&gateway, &token, "accounting.client.created", &receiver.url).await;

    let (cid, connection) =
        connect_consumer(&gateway, &token, "Fournil", tokens::SOCIETY_PORT).await;
    let got = receiver.wait_for("account.connection.created", 1, Duration::from_secs(10)).await;
    let delivery = &got[0];
    assert_eq!(
        delivery.signature.as_deref(),
        Some(hex_hmac(SECRET, &delivery.raw).as_str()),
        "X-Chift-Signature is the hex HMAC-SHA256 of the body"
    );
    let body = &delivery.body;
    assert_eq!(body["accountid"], account["accountId"]);
    assert_eq!(body["consumerid"], cid.as_str());
    assert_eq!(body["connectionid"], connection.as_str());
    assert_eq!(body["status"], "active");
    let age = chrono::Utc::now().timestamp() - body["created"].as_i64().unwrap();
    assert!((0..60).contains(&age), "created is Unix seconds: {body}");
    assert!(!delivery.event_id.is_empty());

    let res = reqwest::Client::new()
        .post(gateway.url(&format!("/consumers/{cid}/accounting/clients")))
        .bearer_auth(&token)
        .json(&json!({"name": "Boulangerie Kerbrat", "addresses": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    let got = receiver.wait_for("accounting.client.created", 1, Duration::from_secs(10)).await;
    let body = &got[0].body;
    assert_eq!(body["record_id"], created["id"]);
    assert_eq!(body["record"], created, "the record as the API answered it");
    assert_eq!(body["connectionid"], connection.as_str());
    assert_eq!(got[0].signature.as_deref(), Some(hex_hmac(SECRET, &got[0].raw).as_str()));

    let id = hook["webhookid"].as_str().unwrap();
    let (status, logs) = get_json(&gateway, &token, &format!("/webhooks/{id}/logs")).await;
    assert_eq!(status, 200);
    assert_eq!(logs[0]["httpstatus"], 200);
    assert_eq!(logs[0]["attempt"], 1);
    assert_eq!(logs[0]["eventid"], delivery.event_id.as_str());

    // Another account sees none of it.
    let other = account_create(&env(&db, &sb));
    let other_token = crate::process::token(&gateway, &other).await;
    assert_eq!(get_json(&gateway, &other_token, &format!("/webhooks/{id}")).await.0, 404);
    assert_eq!(get_json(&gateway, &other_token, "/webhooks").await.1, json!([]));
}

#[tokio::test]
async fn a_receiver_that_fails_at_first_gets_every_event_once_and_in_order() {
    let Subscriber { receiver, gateway, token, account: _account, db: _db, sb: _sb } =
        Subscriber::start().await;
    let hook = subscribe(&gateway, &token, "account.connection.updated", &receiver.url).await;
    let (cid, connection) =
        connect_consumer(&gateway, &token, "Fournil", tokens::SOCIETY_PORT).await;
    receiver.inbox.refuse_next.store(4, Ordering::SeqCst);
    let http = reqwest::Client::new();
    for name in ["one", "two", "three"] {
        let res = http
            .patch(gateway.url(&format!("/consumers/{cid}/connections/{connection}")))
            .bearer_auth(&token)
            .json(&json!({"name": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
    let got = receiver.wait_for("account.connection.updated", 3, Duration::from_secs(20)).await;
    let ids: Vec<&str> = got.iter().map(|r| r.event_id.as_str()).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 3, "each event accepted once: {ids:?}");
    // In order: an event is sent only once the one before it (same connection) was accepted.
    let firsts: Vec<&str> = {
        let mut seen = vec![];
        for r in receiver.all() {
            if !seen.contains(&r.event_id.as_str().to_owned()) {
                seen.push(r.event_id.clone());
            }
        }
        seen.iter().map(|s| ids.iter().find(|i| **i == s).copied().unwrap()).collect()
    };
    assert_eq!(firsts, ids, "first seen in the order accepted");
    let refused = receiver.all().iter().filter(|r| r.answered == 500).count();
    assert_eq!(refused, 4);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.accepted().len(), 3, "nothing delivered again after its success");

    let id = hook["webhookid"].as_str().unwrap();
    let (_, logs) = get_json(&gateway, &token, &format!("/webhooks/{id}/logs?size=100")).await;
    let logs = logs.as_array().unwrap();
    assert_eq!(logs.len(), 7, "every attempt logged: {logs:?}");
    assert_eq!(logs.iter().filter(|l| l["httpstatus"] == 500).count(), 4);
    assert!(logs.iter().any(|l| l["attempt"].as_i64().unwrap() >= 4), "{logs:?}");
    let (_, page2) =
        get_json(&gateway, &token, &format!("/webhooks/{id}/logs?size=5&page=2")).await;
    assert_eq!(page2.as_array().unwrap().len(), 2, "paged");
    // The refusals made an issue of the webhook, closed by its first success.
    let (_, issues) = get_json(&gateway, &token, "/issues?error_code=WEBHOOK_REFUSED").await;
    assert_eq!(issues.as_array().unwrap().len(), 1, "{issues}");
    assert_eq!(issues[0]["connection_id"], id);
    assert_eq!(issues[0]["occurrences"], 4);
    assert_eq!(issues[0]["level"], "warning");
    assert_eq!(issues[0]["status"], "closed");
}

#[tokio::test]
async fn a_webhook_failing_too_long_is_turned_off_and_a_patch_turns_it_on_with_nothing_lost() {
    let Subscriber { receiver, gateway, token, account: _account, db: _db, sb: _sb } =
        Subscriber::start_with(|env| env.set("PASSERELLE_WEBHOOK_DISABLE_AFTER_SECS", "1")).await;
    let hook = subscribe(&gateway, &token, "account.connection.created", &receiver.url).await;
    let id = hook["webhookid"].as_str().unwrap();
    receiver.inbox.refuse_next.store(u32::MAX, Ordering::SeqCst);
    let (cid, _) = connect_consumer(&gateway, &token, "Fournil", tokens::SOCIETY_PORT).await;
    let started = Instant::now();
    loop {
        let (_, got) = get_json(&gateway, &token, &format!("/webhooks/{id}")).await;
        if got["status"] == "inactive" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "still {got}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let attempts = receiver.all().len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.all().len(), attempts, "an inactive webhook is not called");
    receiver.inbox.refuse_next.store(0, Ordering::SeqCst);
    assert_eq!(set_status(&gateway, &token, id, "active").await["status"], "active");
    let got = receiver.wait_for("account.connection.created", 1, Duration::from_secs(10)).await;
    assert_eq!(got[0].body["consumerid"], cid.as_str(), "the event waited in the outbox");
}

#[tokio::test]
async fn deliveries_pending_on_a_killed_replica_are_made_by_another() {
    let db = TestDb::new().await;
    if !db.url.starts_with("postgres") {
        return; // SQLite serves one process.
    }
    let sb = sandbox(SandboxConfig::default()).await;
    let receiver = Receiver::start().await;
    let account = account_create(&env(&db, &sb));
    let first = Gateway::start(env(&db, &sb)).await;
    let token = token(&first, &account).await;
    subscribe(&first, &token, "account.connection.created", &receiver.url).await;
    // The first replica dies in the middle of its attempts: its claims must expire, not be lost.
    receiver.inbox.stall.store(true, Ordering::SeqCst);
    for i in 0..5 {
        connect_consumer(&first, &token, &format!("Shop {i}"), tokens::SOCIETY_PORT).await;
    }
    let started = Instant::now();
    while receiver.all().len() < 5 {
        assert!(started.elapsed() < Duration::from_secs(10), "attempts were under way");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill();
    receiver.inbox.stall.store(false, Ordering::SeqCst);
    let _second = Gateway::start(env(&db, &sb)).await;
    let got = receiver.wait_for("account.connection.created", 5, Duration::from_secs(20)).await;
    let mut consumers: Vec<_> = got.iter().map(|r| r.body["consumerid"].clone()).collect();
    consumers.sort_by_key(Value::to_string);
    consumers.dedup();
    assert_eq!(consumers.len(), 5, "every connection announced");
}

#[tokio::test]
async fn webhook_urls_must_be_public_https_unless_the_operator_allows_private_ones() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let strict = || Env::new(&db, &[9u8; 32], &sb);
    let account = account_create(&strict());
    let gateway = Gateway::start(strict()).await;
    let token = token(&gateway, &account).await;
    let http = reqwest::Client::new();
    let mut refusals = std::collections::BTreeSet::new();
    for url in [
        "http://169.254.169.254/latest/meta-data",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.7/hook",
        "https://127.0.0.1:8443/hook",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.7]/hook",
        "https://[64:ff9b::a9fe:a9fe]/hook",
        "https://[2002:a9fe:a9fe::1]/hook",
        "https://nowhere.invalid/hook",
    ] {
        let res = http
            .post(gateway.url("/webhooks"))
            .bearer_auth(&token)
            .json(&json!({"event": "account.connection.created", "url": url}))
            .send()
            .await
            .unwrap();
        let error = chift_error(res, 422, "ERROR_INVALID_BODY").await;
        assert_eq!(error["detail"][0]["loc"], json!(["body", "url"]), "{url}: {error}");
        if url.starts_with("https") {
            // One answer whether the host resolves inward or not at all, naming no address.
            refusals.insert(error["detail"][0]["msg"].to_string());
        }
    }
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    let refusal = refusals.iter().next().unwrap();
    assert!(!refusal.chars().any(|c| c.is_ascii_digit()), "{refusal}");
    let res = http
        .post(gateway.url("/webhooks"))
        .bearer_auth(&token)
        .json(&json!({"event": "accounting.nothing.created", "url": "https://example.com/"}))
        .send()
        .await
        .unwrap();
    chift_error(res, 422, "ERROR_INVALID_BODY").await;
    assert_eq!(get_json(&gateway, &token, "/webhooks").await.1, json!([]), "nothing was stored");
    gateway.terminate();
    gateway.wait();

    let allowed = Gateway::start(strict().set("PASSERELLE_WEBHOOK_ALLOW_PRIVATE", "true")).await;
    let hook =
        subscribe(&allowed, &token, "account.connection.created", "http://127.0.0.1:9/h").await;
    let id = hook["webhookid"].as_str().unwrap();
    assert_eq!(set_status(&allowed, &token, id, "inactive").await["status"], "inactive");
    let (_, types) = get_json(&allowed, &token, "/webhooks/list").await;
    let names: Vec<_> = types.as_array().unwrap().iter().map(|t| t["event"].clone()).collect();
    assert!(names.contains(&json!("accounting.client.updated")), "{names:?}");
    let res = http.delete(allowed.url(&format!("/webhooks/{id}"))).bearer_auth(&token);
    assert_eq!(res.send().await.unwrap().status(), 204);
}

#[tokio::test]
async fn an_upstream_authentication_failure_opens_an_issue_that_the_next_success_closes() {
    let Subscriber { receiver, gateway, token, sb, account: _account, db: _db } =
        Subscriber::start().await;
    subscribe(&gateway, &token, "account.issue.created", &receiver.url).await;
    let (cid, connection) =
        connect_consumer(&gateway, &token, "Fournil", tokens::SOCIETY_PORT).await;
    let http = reqwest::Client::new();
    let balance = gateway.url(&format!("/consumers/{cid}/accounting/chart-of-accounts/balance"));
    let filter = json!({"accounts": ["6"], "end": "202606"});
    let call = |ignored: Option<&'static str>| {
        let mut req = http.post(&balance).bearer_auth(&token).json(&filter);
        if let Some(codes) = ignored {
            req = req.header("x-chift-ignored-error-codes", codes);
        }
        req.send()
    };
    let fail = || Faults { fail_next: vec![FaultKind::Status(401)], ..Faults::default() };
    for ignored in [None, None, Some("ERROR_OTHER, ERROR_CONNECTOR_AUTHENTICATION")] {
        sb.set_faults(fail());
        chift_error(call(ignored).await.unwrap(), 401, "ERROR_CONNECTOR_AUTHENTICATION").await;
    }
    let (_, open) = get_json(&gateway, &token, "/issues?status=open").await;
    let open = open.as_array().unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    let issue = &open[0];
    assert_eq!(issue["connection_id"], connection.as_str());
    assert_eq!(issue["consumer_id"], cid.as_str());
    assert_eq!(issue["error"]["error_code"], "ERROR_CONNECTOR_AUTHENTICATION");
    assert_eq!(issue["occurrences"], 2, "the ignored failure is not counted");
    assert_eq!(issue["level"], "error");
    let id = issue["id"].as_str().unwrap();
    let (_, extended) = get_json(&gateway, &token, &format!("/issues/{id}")).await;
    assert_eq!(extended["events"].as_array().unwrap().len(), 2);
    let got = receiver.wait_for("account.issue.created", 1, Duration::from_secs(10)).await;
    assert_eq!(got[0].body["issueid"], id);

    assert_eq!(call(None).await.unwrap().status(), 200);
    let (_, open) = get_json(&gateway, &token, "/issues?status=open").await;
    assert_eq!(open, json!([]));
    let (_, closed) = get_json(
        &gateway,
        &token,
        "/issues?status=closed&error_code=ERROR_CONNECTOR_AUTHENTICATION",
    )
    .await;
    assert_eq!(closed[0]["id"], id);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.accepted().len(), 1, "one issue, one announcement");
}

#[tokio::test]
async fn the_retention_pass_drops_old_closed_issues_expired_links_and_stale_events_of_inactive_webhooks(
) {
    let Subscriber { gateway, token, db, sb, receiver: _receiver, account: _account } =
        Subscriber::start().await;
    let hook =
        subscribe(&gateway, &token, "account.connection.created", "http://127.0.0.1:9/h").await;
    let hook = hook["webhookid"].as_str().unwrap().to_owned();
    let kept_hook =
        subscribe(&gateway, &token, "account.issue.created", "http://127.0.0.1:9/h").await;
    let kept_hook = kept_hook["webhookid"].as_str().unwrap().to_owned();
    set_status(&gateway, &token, &hook, "inactive").await;
    set_status(&gateway, &token, &kept_hook, "inactive").await;
    let consumer = crate::process::create_consumer(&gateway, &token, "Fournil").await;
    gateway.terminate();
    gateway.wait();

    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let now = chrono::Utc::now().timestamp_micros();
    let days = |n: i64| now - n * 86_400_000_000;
    let account_id: String =
        sqlx::query_scalar("SELECT id FROM accounts").fetch_one(&pool).await.unwrap();
    for (id, status, updated) in [
        ("old-closed", "closed", days(91)),
        ("new-closed", "closed", days(3)),
        ("old-open", "open", days(200)),
    ] {
        sqlx::query(
            "INSERT INTO issues (id, account_id, consumer_id, subject, integration_id, error_code, \
             http_status, title, description, level, status, occurrences, created_at, updated_at, \
             last_seen) VALUES ($1, $2, '', $1, 0, 'E', '500', 't', 'd', 'error', $3, 1, $4, $4, $4)",
        )
        .bind(id)
        .bind(&account_id)
        .bind(status)
        .bind(updated)
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO issue_events (id, issue_id, execution_id, created_at) VALUES ($1, $1, 'x', $2)",
        )
        .bind(id)
        .bind(updated)
        .execute(&pool)
        .await
        .unwrap();
    }
    for (hash, expires) in [("expired", days(2)), ("live", now + 600_000_000)] {
        sqlx::query(
            "INSERT INTO connect_links (token_hash, consumer_id, connection_id, purpose, \
             integration_id, name, created_at, expires_at) VALUES ($1, $2, $1, 'create', 0, 'n', $3, $3)",
        )
        .bind(hash)
        .bind(&consumer)
        .bind(expires)
        .execute(&pool)
        .await
        .unwrap();
    }
    // `hook` has been off for 8 days, `kept_hook` was just turned off: only the first loses its
    // old events, and neither its recent ones.
    sqlx::query("UPDATE webhooks SET updated_at = $1 WHERE id = $2")
        .bind(days(8))
        .bind(&hook)
        .execute(&pool)
        .await
        .unwrap();
    for (event, webhook, at) in
        [("e-old", &hook, days(8)), ("e-new", &hook, days(1)), ("e-kept", &kept_hook, days(8))]
    {
        sqlx::query(
            "INSERT INTO webhook_outbox (event_id, webhook_id, record_key, body, next_at, created_at) \
             VALUES ($1, $2, 'k', '{}', $3, $3)",
        )
        .bind(event)
        .bind(webhook)
        .bind(at)
        .execute(&pool)
        .await
        .unwrap();
    }

    // The pass runs when a replica's worker starts, then hourly.
    let gateway = Gateway::start(env(&db, &sb)).await;
    let ids = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            let mut got: Vec<String> = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
            got.sort();
            got
        }
    };
    let started = Instant::now();
    while ids("SELECT id FROM issues").await.len() == 3 {
        assert!(started.elapsed() < Duration::from_secs(15), "no retention pass ran");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(ids("SELECT id FROM issues").await, ["new-closed", "old-open"]);
    assert_eq!(ids("SELECT issue_id FROM issue_events").await, ["new-closed", "old-open"]);
    assert_eq!(ids("SELECT token_hash FROM connect_links").await, ["live"]);
    assert_eq!(ids("SELECT event_id FROM webhook_outbox").await, ["e-kept", "e-new"]);
    gateway.terminate();
    gateway.wait();
}
