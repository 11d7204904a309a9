//! The data layer's first sync of a large fiscal year: the sandbox's large mode (folder 4823's
//! open year holds N generated movements), synced by one `passerelle serve` process, for 100,000
//! and 500,000 movements (or the counts given), each on a fresh process.
//!
//! `cargo bench --bench datalayer_sync [-- COUNT…]` (release build). With
//! `DATABASE_URL=postgres://…` the gateway stores in a scratch database, else in SQLite.
//!
//! For each count: the wall time from `enable_datalayer` to the status `ready`, the upstream
//! calls the sandbox recorded meanwhile, the `serve` process's peak RSS (`VmHWM`) before
//! enabling and once ready, and the rows stored (entries, and movements kept for the FEC). The
//! last line divides the largest count's figures by the smallest's: time and calls grow with the
//! year, peak memory must not.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;

use support::{ok, Database, Gateway};

/// What one first sync cost.
struct Run {
    movements: u64,
    seconds: f64,
    calls: usize,
    rss_before_kb: u64,
    rss_peak_kb: u64,
    entries: u64,
    lines: u64,
}

/// `VmHWM` (peak resident set) of a process, in kB.
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn sync_once(db: &Database, upstream: &str, movements: u64) -> Run {
    let sandbox = reqwest::Client::new();
    let large = json!({"movements": movements});
    ok(sandbox.put(format!("{upstream}/_sandbox/large")).json(&large).send().await).await;
    let extra = [("PASSERELLE_DATALAYER_INTERVAL_SECS", "3600"), ("RUST_LOG", "warn")];
    let gateway = Gateway::start(db, upstream, &extra).await;
    let (http, base, bearer, cid) =
        (&gateway.http, &gateway.base, &gateway.bearer, &gateway.consumer);
    let api_token = myunisoft_sandbox::tokens::FIRM;
    let creds = json!({"credentials": [{"key": "api_token", "value": api_token}]});
    let connections = format!("{base}/consumers/{cid}/connections");
    let connection = http.post(&connections).bearer_auth(bearer).json(&creds).send().await;
    // The answer is the activation link, which ends with the connection's id.
    let link = ok(connection).await;
    let url = link["url"].as_str().expect("an activation link");
    let id = url.rsplit('/').next().expect("a connection id").to_owned();
    let rss_before_kb = peak_rss_kb(gateway.pid());

    let cleared = sandbox.delete(format!("{upstream}/_sandbox/requests")).send().await;
    assert!(cleared.expect("the sandbox").status().is_success());
    let started = Instant::now();
    let only = json!({"full_history": true, "entity_filter": {"folder_ids": ["4823"]}});
    let enable = http.post(format!("{connections}/{id}/enable_datalayer")).bearer_auth(bearer);
    ok(enable.json(&only).send().await).await;
    loop {
        let status = ok(http.get(format!("{connections}/{id}")).bearer_auth(bearer).send().await);
        let status = status.await;
        if status["datalayer"]["status"] == "ready" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(3600), "not ready: {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let recorded = sandbox.get(format!("{upstream}/_sandbox/requests")).send().await;
    let calls = ok(recorded).await.as_array().map_or(0, Vec::len);
    let rss_peak_kb = peak_rss_kb(gateway.pid());
    let (entries, lines) = stored_rows(&db.url).await;
    drop(gateway);
    Run { movements, seconds, calls, rss_before_kb, rss_peak_kb, entries, lines }
}

/// Entries and movement lines stored for the connection enabled last (each run's connection is
/// new; the earlier ones are not synced again).
async fn stored_rows(url: &str) -> (u64, u64) {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("the gateway's database");
    let last = "(SELECT connection_id FROM datalayer_connections ORDER BY enabled_at DESC LIMIT 1)";
    let mut counts = [0u64; 2];
    let queries = [
        format!("SELECT COUNT(*) FROM datalayer_records WHERE kind = 'entries' AND connection_id = {last}"),
        format!("SELECT COUNT(*) FROM datalayer_movements WHERE connection_id = {last}"),
    ];
    for (count, sql) in counts.iter_mut().zip(&queries) {
        let row = sqlx::query(sql).fetch_one(&pool).await.expect("a count");
        *count = u64::try_from(row.get::<i64, _>(0)).unwrap_or(0);
    }
    (counts[0], counts[1])
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

async fn bench(counts: Vec<u64>) {
    let db = Database::new().await;
    let (_sandbox, upstream) = support::sandbox().await;
    let mut runs = Vec::new();
    for movements in counts {
        runs.push(sync_once(&db, &upstream, movements).await);
    }
    let backend = if db.scratch.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("first sync of folder 4823's large year, one `serve` process on {backend}");
    println!(
        "| movements | wall time | upstream calls | peak RSS before | peak RSS once ready | \
         entries stored | FEC lines stored |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for r in &runs {
        println!(
            "| {} | {:.1} s | {} | {:.1} MB | {:.1} MB | {} | {} |",
            r.movements,
            r.seconds,
            r.calls,
            mb(r.rss_before_kb),
            mb(r.rss_peak_kb),
            r.entries,
            r.lines
        );
    }
    if let (Some(small), Some(large)) = (runs.first(), runs.last()) {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        println!(
            "| ratio {} / {} | {:.2} | {:.2} | | {:.2} | {:.2} | {:.2} |",
            large.movements,
            small.movements,
            ratio(large.seconds, small.seconds),
            ratio(large.calls as f64, small.calls as f64),
            ratio(large.rss_peak_kb as f64, small.rss_peak_kb as f64),
            ratio(large.entries as f64, small.entries as f64),
            ratio(large.lines as f64, small.lines as f64),
        );
    }
    db.drop_scratch().await;
}

fn main() {
    let mut counts: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    if counts.is_empty() {
        counts = vec![100_000, 500_000];
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(bench(counts));
}
