//! A rolling update: three `serve` processes on one database behind a balancer that routes by
//! readiness, as Kubernetes does; one is sent SIGTERM while requests flow, and none fails.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::process::{account_create, token, Env, Gateway};
use crate::support::{random_bytes, sandbox, SandboxConfig, TestDb};

/// How often the balancer reads each replica's `/health/ready` (Kubernetes' floor is 1 s; the
/// drain below is longer than both).
const PROBE_EVERY: Duration = Duration::from_millis(250);

/// Round robin over the replicas whose last readiness probe answered 200.
struct Balancer {
    urls: Vec<String>,
    ready: Vec<AtomicBool>,
    next: AtomicUsize,
}

impl Balancer {
    fn pick(&self) -> Option<usize> {
        let n = self.urls.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n).map(|k| (start + k) % n).find(|&i| self.ready[i].load(Ordering::Relaxed))
    }

    async fn probe(self: Arc<Self>, stop: Arc<AtomicBool>) {
        let http = reqwest::Client::builder().timeout(PROBE_EVERY).build().unwrap();
        while !stop.load(Ordering::Relaxed) {
            for (i, url) in self.urls.iter().enumerate() {
                let res = http.get(format!("{url}/health/ready")).send().await;
                self.ready[i].store(res.is_ok_and(|r| r.status() == 200), Ordering::Relaxed);
            }
            tokio::time::sleep(PROBE_EVERY).await;
        }
    }
}

#[tokio::test]
async fn sigterm_to_one_of_three_replicas_under_load_fails_no_request() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let key = random_bytes();
    let env = || Env::new(&db, &key, &sb).set("PASSERELLE_SHUTDOWN_DRAIN_SECS", "2");
    let account = account_create(&env());
    let mut replicas = vec![];
    for _ in 0..3 {
        replicas.push(Gateway::start(env()).await);
    }
    let token = token(&replicas[0], &account).await;
    let balancer = Arc::new(Balancer {
        urls: replicas.iter().map(|g| g.url("")).collect(),
        ready: (0..3).map(|_| AtomicBool::new(true)).collect(),
        next: AtomicUsize::new(0),
    });
    let stop = Arc::new(AtomicBool::new(false));
    let prober = tokio::spawn(balancer.clone().probe(stop.clone()));
    let served: Arc<Vec<AtomicUsize>> = Arc::new((0..3).map(|_| AtomicUsize::new(0)).collect());
    let mut clients = vec![];
    for c in 0..8 {
        let (balancer, stop, served, token) =
            (balancer.clone(), stop.clone(), served.clone(), token.clone());
        clients.push(tokio::spawn(async move {
            // Half the clients keep connections alive, half open one per request.
            let idle = if c % 2 == 0 { usize::MAX } else { 0 };
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(idle)
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap();
            let mut failures = vec![];
            while !stop.load(Ordering::Relaxed) {
                let Some(i) = balancer.pick() else {
                    failures.push("no replica ready".to_owned());
                    break;
                };
                let url = format!("{}/consumers", balancer.urls[i]);
                match http.get(&url).bearer_auth(&token).send().await {
                    Ok(res) if res.status() == 200 => {
                        served[i].fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(res) => failures.push(format!("replica {i}: HTTP {}", res.status())),
                    Err(e) => failures.push(format!("replica {i}: {e:?}")),
                }
            }
            failures
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let victim = replicas.remove(1);
    victim.terminate();
    let before = served[1].load(Ordering::Relaxed);
    let (clean_exit, logs) = tokio::task::spawn_blocking(move || victim.wait()).await.unwrap();
    assert!(clean_exit, "{logs}");
    let after_exit = served.iter().map(|s| s.load(Ordering::Relaxed)).sum::<usize>();
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut failures = vec![];
    for client in clients {
        failures.extend(client.await.unwrap());
    }
    prober.await.unwrap();
    let counts: Vec<_> = served.iter().map(|s| s.load(Ordering::Relaxed)).collect();
    eprintln!("served per replica: {counts:?}; replica 1 served {before} before SIGTERM");
    assert!(
        failures.is_empty(),
        "{} failed: {:#?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    assert!(before > 5, "the stopped replica had a share of the load before SIGTERM");
    let total = counts.iter().sum::<usize>();
    assert!(total > after_exit, "the other replicas kept serving after it exited");
}
