//! Webhook delivery through one `passerelle serve` process: latency from a change to the receiver
//! (p50/p99) and deliveries per second out of a backlog.
//!
//! `cargo bench --bench webhooks [-- CONNECTIONS]` (default 40). With `DATABASE_URL=postgres://…` the
//! gateway stores in a scratch database, else in SQLite. The receiver is an axum handler in this
//! process on 127.0.0.1 (so `PASSERELLE_WEBHOOK_ALLOW_PRIVATE=true`).
//!
//! - Latency: 200 times, rename a connection (`PATCH …/connections/{id}`: a change committed with
//!   its `account.connection.updated` event) and wait for the delivery; measured from sending the
//!   PATCH to the delivery's arrival.
//! - Throughput: 4 subscriptions, CONNECTIONS connections renamed 10 times each while the receiver
//!   answers 503; then it answers 200 and the backlog (4 × 10 × CONNECTIONS deliveries, in order per
//!   connection and webhook) is timed from its first to its last accepted delivery.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use tokio::sync::mpsc;

use support::{ok, Database, Gateway};

const WEBHOOKS: usize = 4;
const RENAMES: usize = 10;

struct Receiver {
    refuse: AtomicBool,
    arrivals: mpsc::UnboundedSender<Instant>,
    accepted: Mutex<Vec<Instant>>,
}

async fn receive(State(r): State<Arc<Receiver>>) -> StatusCode {
    if r.refuse.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let now = Instant::now();
    r.accepted.lock().unwrap_or_else(|e| e.into_inner()).push(now);
    let _ = r.arrivals.send(now);
    StatusCode::OK
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn bench(connections: usize) {
    let db = Database::new().await;
    let (_sandbox, upstream) = support::sandbox().await;
    let extra = [
        ("PASSERELLE_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("PASSERELLE_WEBHOOK_RETRY_BASE_MS", "2000"),
        ("PASSERELLE_WEBHOOK_RETRY_CAP_SECS", "2"),
    ];
    let gateway = Gateway::start(&db, &upstream, &extra).await;
    let (http, base, bearer, cid) =
        (&gateway.http, &gateway.base, &gateway.bearer, &gateway.consumer);

    let (tx, mut arrivals) = mpsc::unbounded_channel();
    let receiver = Arc::new(Receiver {
        refuse: AtomicBool::new(false),
        arrivals: tx,
        accepted: Mutex::default(),
    });
    let app = axum::Router::new()
        .route("/hook/{n}", axum::routing::post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("receiver");
    let hook = format!("http://{}/hook", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut ids = vec![];
    for _ in 0..connections {
        ids.push(gateway.connect(myunisoft_sandbox::tokens::SOCIETY_PORT).await);
    }
    let subscribe = |n: usize| {
        let body = json!({"event": "account.connection.updated", "url": format!("{hook}/{n}"),
                          "signingsecret": "bench-secret"});
        http.post(format!("{base}/webhooks")).bearer_auth(bearer).json(&body).send()
    };
    ok(subscribe(0).await).await;
    let rename = |id: &str, name: String| {
        let url = format!("{base}/consumers/{cid}/connections/{id}");
        http.patch(url).bearer_auth(bearer).json(&json!({"name": name})).send()
    };

    // Latency: one change at a time, one subscription.
    let mut latencies = vec![];
    for i in 0..200 {
        let sent = Instant::now();
        ok(rename(&ids[0], format!("latency {i}")).await).await;
        let arrived = arrivals.recv().await.expect("a delivery");
        latencies.push(arrived.saturating_duration_since(sent));
    }
    latencies.sort();

    // Throughput: a backlog made while the receiver refuses, then drained.
    for n in 1..WEBHOOKS {
        ok(subscribe(n).await).await;
    }
    receiver.refuse.store(true, Ordering::SeqCst);
    for round in 0..RENAMES {
        let renames = ids.iter().map(|id| rename(id, format!("round {round}")));
        for res in futures_util::future::join_all(renames).await {
            ok(res).await;
        }
    }
    let expected = WEBHOOKS * RENAMES * connections;
    receiver.accepted.lock().unwrap_or_else(|e| e.into_inner()).clear();
    receiver.refuse.store(false, Ordering::SeqCst);
    let started = Instant::now();
    loop {
        let n = receiver.accepted.lock().unwrap_or_else(|e| e.into_inner()).len();
        if n >= expected || started.elapsed() > Duration::from_secs(600) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let accepted = receiver.accepted.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let (first, last) = (accepted.iter().min().copied(), accepted.iter().max().copied());
    let span = match (first, last) {
        (Some(f), Some(l)) => l.duration_since(f).as_secs_f64(),
        _ => f64::NAN,
    };
    let backend = if db.scratch.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("webhook delivery through one replica ({backend})");
    println!(
        "latency change → receiver over {} changes: p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );
    println!(
        "backlog of {expected} deliveries ({WEBHOOKS} webhooks × {connections} connections × \
         {RENAMES} changes): {} accepted in {span:.2} s = {:.0} deliveries/s",
        accepted.len(),
        accepted.len() as f64 / span
    );
    drop(gateway);
    db.drop_scratch().await;
}

fn main() {
    let connections = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(40);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(bench(connections));
}
