//! Hot-path benchmark: `cargo bench --bench gateway [-- SECONDS]` (10 s per run by default).
//!
//! The MyUnisoft sandbox and the gateway (`passerelle serve`, logging and metrics as in
//! production: `RUST_LOG` unset, so `info`, text lines) run in processes of their own, on embedded
//! SQLite, or on a scratch database of the PostgreSQL server that `DATABASE_URL` names. A bare
//! axum JSON handler runs in this process and answers the same bodies. One load generator drives
//! both in turn, 32 connections on one thread: `wrk` when installed, else a tokio loop of this
//! process. Reported per call: requests/s, p50, p99, and gateway/bare.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use serde_json::Value;

mod support;

use support::{ok, Database, Gateway};

const CONNECTIONS: usize = 32;

/// One measured run.
struct Run {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// The load generator: `wrk`, or the tokio loop below when `wrk` is not installed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Load {
    Wrk,
    Tokio,
}

impl Load {
    fn pick() -> Self {
        let found = Command::new("wrk").arg("--version").output().is_ok();
        if found {
            Self::Wrk
        } else {
            Self::Tokio
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Wrk => "wrk -t1 -c32 --latency",
            Self::Tokio => "tokio/reqwest loop, 32 connections (wrk not installed)",
        }
    }

    async fn drive(self, url: &str, bearer: &str, seconds: u64) -> Run {
        match self {
            Self::Wrk => wrk(url, bearer, seconds),
            Self::Tokio => tokio_loop(url, bearer, seconds).await,
        }
    }
}

fn wrk(url: &str, bearer: &str, seconds: u64) -> Run {
    let out = Command::new("wrk")
        .args(["-t1", &format!("-c{CONNECTIONS}"), &format!("-d{seconds}s"), "--latency"])
        .args(["-H", &format!("Authorization: Bearer {bearer}"), url])
        .output()
        .expect("wrk runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Non-2xx"), "some answers were not 2xx:\n{text}");
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("no `{prefix}` in wrk's output:\n{text}"))
    };
    Run {
        rps: field("Requests/sec:").parse().expect("requests/s"),
        p50_ms: millis(&field("50%")),
        p99_ms: millis(&field("99%")),
    }
}

/// wrk's durations: `512.00us`, `1.20ms`, `2.01s`.
fn millis(text: &str) -> f64 {
    let split = text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len());
    let (value, unit) = text.split_at(split);
    let value: f64 = value.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => value / 1000.0,
        "ms" => value,
        "s" => value * 1000.0,
        _ => f64::NAN,
    }
}

async fn tokio_loop(url: &str, bearer: &str, seconds: u64) -> Run {
    let http =
        reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build().expect("client");
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers = (0..CONNECTIONS).map(|_| {
        let (http, url, bearer) = (http.clone(), url.to_owned(), bearer.to_owned());
        tokio::spawn(async move {
            let mut latencies = vec![];
            while Instant::now() < until {
                let sent = Instant::now();
                let res = http.get(&url).bearer_auth(&bearer).send().await.expect("answer");
                assert!(res.status().is_success(), "answered {}", res.status());
                res.bytes().await.expect("body");
                latencies.push(sent.elapsed());
            }
            latencies
        })
    });
    let mut all = vec![];
    for worker in workers {
        all.extend(worker.await.expect("worker"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let at = |q: f64| all[((all.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    Run { rps: all.len() as f64 / elapsed, p50_ms: at(0.5), p99_ms: at(0.99) }
}

/// A bare axum 0.8 server in this process answering `bodies` (path → JSON) with `Json`.
async fn bare_axum(bodies: Vec<(&'static str, Value)>) -> String {
    let mut router = Router::new();
    for (path, body) in bodies {
        let body = Arc::new(body);
        router = router.route(path, get(move || async move { axum::Json(Value::clone(&body)) }));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("bare axum") });
    format!("http://{addr}")
}

async fn bench(seconds: u64) {
    let db = Database::new().await;
    let (_sandbox, upstream) = support::sandbox().await;
    let gateway = Gateway::start(&db, &upstream, &[]).await;
    let (http, base, bearer, cid) =
        (&gateway.http, &gateway.base, &gateway.bearer, &gateway.consumer);
    gateway.connect(myunisoft_sandbox::tokens::SOCIETY_PORT).await;
    // Warm the reference cache (and the tenancy cache) before measuring.
    let journals_path = format!("/consumers/{cid}/accounting/journals?folder_id=4821");
    let consumer_path = format!("/consumers/{cid}");
    let journals =
        ok(http.get(format!("{base}{journals_path}")).bearer_auth(bearer).send().await).await;
    let consumer =
        ok(http.get(format!("{base}{consumer_path}")).bearer_auth(bearer).send().await).await;
    let bare = bare_axum(vec![("/journals", journals), ("/consumer", consumer)]).await;

    let load = Load::pick();
    let backend = if db.scratch.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("load: {}, {seconds} s per run; gateway on {backend}", load.name());
    println!("| call | gateway req/s | p50 | p99 | bare axum req/s | p50 | p99 | gateway/bare |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let calls = [
        ("cached `GET …/accounting/journals?folder_id=…`", journals_path, "/journals"),
        ("`GET /consumers/{id}`", consumer_path, "/consumer"),
    ];
    for (name, gateway_path, bare_path) in calls {
        let g = load.drive(&format!("{base}{gateway_path}"), bearer, seconds).await;
        let b = load.drive(&format!("{bare}{bare_path}"), bearer, seconds).await;
        println!(
            "| {name} | {:.0} | {:.2} ms | {:.2} ms | {:.0} | {:.2} ms | {:.2} ms | {:.0} % |",
            g.rps,
            g.p50_ms,
            g.p99_ms,
            b.rps,
            b.p50_ms,
            b.p99_ms,
            100.0 * g.rps / b.rps
        );
    }
    drop(gateway);
    db.drop_scratch().await;
}

fn main() {
    let seconds = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(bench(seconds));
}
