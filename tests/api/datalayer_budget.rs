//! The data layer's first sync beside live traffic of the same token, at MyUnisoft's real budget
//! (20 calls per 10 s, 10 concurrent per route): the sync yields to live requests.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::datalayer::{client, dl_env, Client};
use crate::process::Gateway;
use crate::support::{sandbox, tokens, SandboxConfig, TestDb};

/// Live readers beside the sync, and the pause each makes between two reads (together about
/// a third of the budget).
const READERS: u64 = 3;
const PAUSE: Duration = Duration::from_secs(5);

/// What one live read answered: its status and how long its upstream calls queued.
struct Answered {
    status: u16,
    waited: Duration,
    at: Instant,
}

/// Reads balances live (each read one upstream call, never cached) until the data layer is
/// ready, pausing between reads.
async fn read_live_until_ready(c: &Client, gw: &Gateway, start_after: Duration) -> Vec<Answered> {
    tokio::time::sleep(start_after).await;
    let url = gw.url(&format!("/consumers/{}/accounting/chart-of-accounts/balance", c.cid));
    let filter = json!({"accounts": ["6"], "end": "202606"});
    let mut answers = vec![];
    while c.status(gw).await["status"] != "ready" {
        let res = c.http.post(&url).bearer_auth(&c.token).json(&filter).send().await.unwrap();
        let waited = res
            .headers()
            .get("x-passerelle-upstream-wait-ms")
            .map_or(0, |v| v.to_str().unwrap().parse::<u64>().unwrap());
        let (status, waited) = (res.status().as_u16(), Duration::from_millis(waited));
        answers.push(Answered { status, waited, at: Instant::now() });
        tokio::time::sleep(PAUSE).await;
    }
    answers
}

/// The value of a metric line, 0 when absent.
fn metric(metrics: &str, series: &str) -> f64 {
    metrics.lines().find_map(|l| l.strip_prefix(series)?.trim().parse().ok()).unwrap_or(0.0)
}

#[tokio::test]
async fn a_first_sync_beside_live_reads_keeps_the_budget_and_never_holds_a_live_read_back() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let env = || dl_env(&db, &sb).set("PASSERELLE_DATALAYER_INTERVAL_SECS", "3600");
    let gw = Gateway::start(env()).await;
    let c = client(&gw, &env(), tokens::SOCIETY_PORT).await;
    let started = Instant::now();
    assert_eq!(c.post(&gw, "enable_datalayer", json!({})).await.status(), 200);
    let readers = (0..READERS).map(|i| read_live_until_ready(&c, &gw, PAUSE * i as u32 / 3));
    let answers: Vec<Answered> =
        tokio::time::timeout(Duration::from_secs(120), futures_util::future::join_all(readers))
            .await
            .expect("the first sync ends beside live traffic")
            .into_iter()
            .flatten()
            .collect();
    let synced_in = started.elapsed();

    let stats = sb.stats();
    assert_eq!(stats.rejected_429, 0, "{stats:?}");
    assert!(stats.max_in_window_per_token <= 20, "{stats:?}");
    assert!(answers.len() >= 6, "{} live reads during the sync", answers.len());
    assert!(answers.iter().all(|a| a.status == 200), "a live read failed");
    // An upstream call of the sandbox takes milliseconds: a live read held back by the sync
    // for longer than a second would be the sync's doing.
    let longest = answers.iter().map(|a| a.waited).max().unwrap();
    let waits: Vec<_> = answers.iter().map(|a| (a.at - started, a.waited)).collect();
    assert!(longest < Duration::from_secs(1), "(answered at, waited): {waits:?}");

    let metrics = reqwest::get(gw.url("/metrics")).await.unwrap().text().await.unwrap();
    let calls = |priority: &str| {
        metric(
            &metrics,
            &format!(r#"passerelle_upstream_budget_calls_total{{priority="{priority}"}}"#),
        )
    };
    let (background, live) = (calls("background"), calls("live"));
    assert!(background > 0.0, "the sync's calls are counted as background");
    assert!(live >= answers.len() as f64, "{live} live calls for {} reads", answers.len());
    eprintln!(
        "first sync beside {} live reads: {synced_in:?}, {background} sync calls, {live} live \
         calls, longest live wait {longest:?}, {stats:?}",
        answers.len()
    );
}
