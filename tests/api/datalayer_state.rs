//! What a connection's data says of its data layer: whether MyUnisoft's webhooks tell it of
//! changes or it polls, and why its last sync failed.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use myunisoft_sandbox::{FaultKind, Faults};

use crate::datalayer::{client, dl_env, Client};
use crate::process::Gateway;
use crate::support::{sandbox, tokens, SandboxConfig, TestDb};

/// `data.datalayer` of the connection.
async fn state_of(c: &Client, gw: &Gateway) -> Value {
    let url = gw.url(&format!("/consumers/{}/connections/{}", c.cid, c.connection));
    let res = c.http.get(url).bearer_auth(&c.token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["data"]["datalayer"].clone()
}

/// MyUnisoft answers the next call with `status`.
fn next_call_fails(sb: &crate::support::Sandbox, status: u16) {
    sb.set_faults(Faults { fail_next: vec![FaultKind::Status(status)], ..Faults::default() });
}

#[tokio::test]
async fn a_connection_says_when_it_polls_and_why_its_sync_failed() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    // This process does not sync: the faults below hit the calls meant.
    let quiet = Gateway::start(dl_env(&db, &sb).set("PASSERELLE_DATALAYER_SYNC", "off")).await;
    let firm = client(&quiet, &dl_env(&db, &sb), tokens::FIRM).await;
    assert_eq!(state_of(&firm, &quiet).await, Value::Null, "not enabled: nothing to tell");

    // MyUnisoft refuses the webhook subscription: the connection polls, and says why.
    next_call_fails(&sb, 403);
    let only = json!({"entity_filter": {"folder_ids": ["4821"]}});
    assert_eq!(firm.post(&quiet, "enable_datalayer", only).await.status(), 200);
    assert_eq!(sb.webhook_subscriptions(), 0);
    let state = state_of(&firm, &quiet).await;
    assert_eq!(state["webhooks"], "refused", "{state}");
    assert!(!state["webhooks_refused"].as_str().unwrap().is_empty(), "{state}");
    assert_eq!(state["polling_interval_secs"], 300, "{state}");
    assert_eq!(state["last_error"], Value::Null, "{state}");

    // A society token is offered no webhooks: it polls too.
    let society = client(&quiet, &dl_env(&db, &sb), tokens::SOCIETY_PORT).await;
    assert_eq!(society.post(&quiet, "enable_datalayer", json!({})).await.status(), 200);
    let state = state_of(&society, &quiet).await;
    assert_eq!(state["webhooks"], "not_offered", "{state}");
    assert_eq!(state["polling_interval_secs"], 300, "{state}");

    // The first sync (of the connection enabled first) fails on its first call.
    next_call_fails(&sb, 403);
    let syncing = Gateway::start(dl_env(&db, &sb)).await;
    let start = Instant::now();
    let state = loop {
        let state = state_of(&firm, &quiet).await;
        if !state["last_error"].is_null() {
            break state;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "no failure told: {state}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(!state["last_error"].as_str().unwrap().is_empty(), "{state}");
    assert!(state["last_error_at"].is_string(), "{state}");
    assert_eq!(firm.status(&quiet).await["status"], "syncing", "never synced yet");
    drop(syncing);
}
