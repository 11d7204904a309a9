//! A page of 100 customer invoices read live and from the data layer through one
//! `passerelle serve`: `cargo bench --bench datalayer_reads [-- READS]` (default 300 reads from
//! the data layer; the live reads are 30, which the upstream budget makes slow).
//!
//! The MyUnisoft sandbox (budget as MyUnisoft's: 20 calls per 10 s per token) and the gateway run
//! in processes of their own, the gateway on embedded SQLite or on a scratch database of the
//! PostgreSQL server that `DATABASE_URL` names. One client reads the page sequentially, live and
//! then with `x-chift-datalayer: true`. Reported: the first sync's time (the seed folder, whole
//! history), then per mode requests/s, p50, p99 and the upstream calls the reads cost, and the
//! ratio data layer/live.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod support;

use support::{ok, Database, Gateway};

const PAGE: &str = "accounting/invoices/type/customer_invoice?size=100";
const LIVE_READS: usize = 30;

/// One measured mode.
struct Run {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    upstream_calls: usize,
}

/// The requests the sandbox has seen since it started.
async fn upstream_calls(upstream: &str) -> usize {
    let seen = ok(reqwest::get(format!("{upstream}/_sandbox/requests")).await).await;
    seen.as_array().map_or(0, Vec::len)
}

async fn run(gw: &Gateway, upstream: &str, reads: usize, datalayer: bool) -> Run {
    let url = format!("{}/consumers/{}/{PAGE}", gw.base, gw.consumer);
    let before = upstream_calls(upstream).await;
    let mut latencies = Vec::with_capacity(reads);
    for _ in 0..reads {
        let mut req = gw.http.get(&url).bearer_auth(&gw.bearer);
        if datalayer {
            req = req.header("x-chift-datalayer", "true");
        }
        let started = Instant::now();
        let page = ok(req.send().await).await;
        latencies.push(started.elapsed());
        assert!(page["items"].as_array().is_some_and(|i| !i.is_empty()), "an empty page");
    }
    let upstream_calls = upstream_calls(upstream).await - before;
    let total: Duration = latencies.iter().sum();
    latencies.sort();
    let at = |q: f64| latencies[((reads as f64 * q).ceil() as usize).clamp(1, reads) - 1];
    Run {
        rps: reads as f64 / total.as_secs_f64(),
        p50_ms: at(0.50).as_secs_f64() * 1000.0,
        p99_ms: at(0.99).as_secs_f64() * 1000.0,
        upstream_calls,
    }
}

/// Enables the data layer on the connection and waits for its first sync: how long it took.
async fn first_sync(gw: &Gateway, connection: &str) -> Duration {
    let item = format!("{}/consumers/{}/connections/{connection}", gw.base, gw.consumer);
    let started = Instant::now();
    let enable = gw.http.post(format!("{item}/enable_datalayer")).bearer_auth(&gw.bearer);
    ok(enable.json(&json!({"full_history": true})).send().await).await;
    loop {
        let state: Value = ok(gw.http.get(&item).bearer_auth(&gw.bearer).send().await).await;
        match state["datalayer"]["status"].as_str() {
            Some("ready") => return started.elapsed(),
            Some("syncing") => {}
            other => panic!("the data layer is {other:?}: {state}"),
        }
        assert!(started.elapsed() < Duration::from_secs(180), "no first sync after 3 minutes");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::main]
async fn main() {
    let reads: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(300);
    let (_sandbox, upstream) = support::sandbox().await;
    let db = Database::new().await;
    let gw = Gateway::start(&db, &upstream, &[]).await;
    let connection = gw.connect(myunisoft_sandbox::tokens::SOCIETY_PORT).await;
    let synced = first_sync(&gw, &connection).await;
    // The first sync spent the upstream budget: live reads start with a fresh window.
    tokio::time::sleep(Duration::from_secs(11)).await;
    let live = run(&gw, &upstream, LIVE_READS, false).await;
    let stored = run(&gw, &upstream, reads, true).await;

    let store = if db.scratch.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("A page of 100 customer invoices, sequential reads ({store})");
    println!("first sync (seed folder, whole history): {:.2} s", synced.as_secs_f64());
    println!(
        "{:<12} {:>6} {:>10} {:>10} {:>10} {:>15}",
        "", "reads", "req/s", "p50 ms", "p99 ms", "upstream calls"
    );
    for (name, n, r) in [("live", LIVE_READS, &live), ("data layer", reads, &stored)] {
        println!(
            "{name:<12} {n:>6} {:>10.1} {:>10.1} {:>10.1} {:>15}",
            r.rps, r.p50_ms, r.p99_ms, r.upstream_calls
        );
    }
    println!(
        "data layer / live: {:.0}x the requests/s, p99 {:.0}x lower",
        stored.rps / live.rps,
        live.p99_ms / stored.p99_ms
    );
    db.drop_scratch().await;
}
