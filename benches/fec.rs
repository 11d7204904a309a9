//! FEC export benchmark: `cargo bench --bench fec [-- 100000 500000 1000000]`.
//!
//! For each size, the MyUnisoft sandbox runs in its own process and serves a pre-rendered answer
//! of N generated movements (rendered once, so that it is not the bottleneck); the gateway runs
//! in its own process and writes the legal file through `GET …/export-fec?format=txt`. Reported:
//! wall time, movements per second, upstream MB/s parsed, and the gateway's peak RSS. The same
//! run measures the obvious approach (the whole JSON read into memory, then the file written) in
//! a child process of its own.

use std::io::{BufRead, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{json, Value};

mod support;

use support::{free_port, wait_ready, Process, BIN};

const SECRET: &str = "passerelle-sandbox-partner-secret";

/// Peak resident memory of a process, in MB (`VmHWM`).
fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU time (user + system) a process has used so far, in seconds. Linux reports it in clock
/// ticks of `USER_HZ`, 100 on every mainstream kernel configuration.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
    (ticks(11) + ticks(12)) / 100.0
}

struct Measure {
    seconds: f64,
    /// The gateway process's CPU time during the export.
    cpu: f64,
    upstream_mb: f64,
    peak_mb: f64,
}

/// The gateway's run: sandbox and gateway in processes of their own.
async fn gateway_run(movements: u64, dir: &std::path::Path) -> Measure {
    let (_sandbox, admin) = support::sandbox().await;
    let http = reqwest::Client::new();
    http.put(format!("{admin}/_sandbox/large"))
        .json(&json!({"movements": movements, "pregenerate": true}))
        .send()
        .await
        .expect("large mode");
    let tokens: Value = http
        .get(format!("{admin}/_sandbox/tokens"))
        .send()
        .await
        .expect("tokens")
        .json()
        .await
        .expect("json");
    let firm = tokens["tokens"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == "FIRM"))
        .and_then(|t| t["token"].as_str())
        .expect("firm token")
        .to_owned();

    let port = free_port();
    let env = [
        ("DATABASE_URL", format!("sqlite://{}/bench.db", dir.display())),
        ("PASSERELLE_MASTER_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".to_owned()),
        ("PASSERELLE_JWT_SECRET", "bench-jwt-secret-bench-jwt-secret-0123".to_owned()),
        ("PASSERELLE_LISTEN", format!("127.0.0.1:{port}")),
        ("MYUNISOFT_BASE_URL", format!("{admin}/api/v1")),
        ("MYUNISOFT_THIRD_PARTY_SECRET", SECRET.to_owned()),
        ("MYUNISOFT_TIMEOUT_SECS", "600".to_owned()),
        ("PASSERELLE_REQUEST_TIMEOUT_SECS", "600".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ];
    let command = |args: &[&str]| {
        let mut c = Command::new(BIN);
        c.args(args).envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        c
    };
    let out = command(&["account", "create", "--name", "bench"]).output().expect("account");
    let account: Value = serde_json::from_slice(&out.stdout).expect("account JSON");
    let gateway = Process(
        command(&["serve"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("gateway"),
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&format!("{base}/health/ready")).await;
    let auth = json!({"clientId": account["clientId"], "clientSecret": account["clientSecret"], "accountId": account["accountId"]});
    let token: Value = http
        .post(format!("{base}/token"))
        .json(&auth)
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let bearer = token["access_token"].as_str().expect("access token").to_owned();
    let consumer: Value = http
        .post(format!("{base}/consumers"))
        .bearer_auth(&bearer)
        .json(&json!({"name": "bench"}))
        .send()
        .await
        .expect("consumer")
        .json()
        .await
        .expect("json");
    let cid = consumer["consumerid"].as_str().expect("consumer id").to_owned();
    let creds = json!({"credentials": [{"key": "api_token", "value": firm}]});
    http.post(format!("{base}/consumers/{cid}/connections"))
        .bearer_auth(&bearer)
        .json(&creds)
        .send()
        .await
        .expect("connection");
    let years: Value = http
        .get(format!("{base}/consumers/{cid}/accounting/bookyears?folder_id=4823"))
        .bearer_auth(&bearer)
        .send()
        .await
        .expect("years")
        .json()
        .await
        .expect("json");
    let year = years["items"]
        .as_array()
        .and_then(|y| y.iter().find(|y| y["closed"] == false))
        .expect("an open year")
        .clone();
    let (from, to) = (
        year["start"].as_str().expect("start").to_owned(),
        year["end"].as_str().expect("end").to_owned(),
    );

    // Warm-up: the sandbox renders the answer once, as the gateway will ask for it.
    let upstream =
        format!("{admin}/api/v1/mad/movements?version=1.0.0&startDate={from}&endDate={to}");
    let body = http
        .get(&upstream)
        .bearer_auth(&firm)
        .header("X-Third-Party-Secret", SECRET)
        .header("society-id", "4823")
        .send()
        .await
        .expect("warm-up")
        .bytes()
        .await
        .expect("body");
    let upstream_mb = body.len() as f64 / 1e6;
    std::fs::write(dir.join("upstream.json"), &body).expect("upstream copy");
    drop(body);

    let cpu_before = cpu_seconds(gateway.0.id());
    let started = Instant::now();
    let mut res = http
        .get(format!("{base}/consumers/{cid}/accounting/export-fec?folder_id=4823&date_from={from}&date_to={to}&format=txt"))
        .bearer_auth(&bearer)
        .send()
        .await
        .expect("export");
    assert!(res.status().is_success(), "export answered {}", res.status());
    let mut written = 0usize;
    while let Some(chunk) = res.chunk().await.expect("a whole file") {
        written += chunk.len();
    }
    let seconds = started.elapsed().as_secs_f64();
    assert!(written > 0);
    let cpu = cpu_seconds(gateway.0.id()) - cpu_before;
    Measure { seconds, cpu, upstream_mb, peak_mb: peak_rss_mb(gateway.0.id()) }
}

/// The obvious approach, in this process: the whole answer in memory as JSON values, then the
/// lines sorted and written.
fn naive(upstream: &str, out: &str) {
    let started = Instant::now();
    let bytes = std::fs::read(upstream).expect("upstream copy");
    let mut movements: Vec<Value> = serde_json::from_slice(&bytes).expect("JSON array");
    movements.sort_by(|a, b| a["entry"]["date"].as_str().cmp(&b["entry"]["date"].as_str()));
    let mut file = std::io::BufWriter::new(std::fs::File::create(out).expect("output"));
    for (n, m) in movements.iter().enumerate() {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let line = [
            text(&m["entry"]["journal"]["customerReferenceCode"]),
            text(&m["entry"]["journal"]["name"]),
            n.to_string(),
            text(&m["entry"]["date"]).replace('-', ""),
            text(&m["account"]["number"]),
            text(&m["account"]["name"]),
            m["value"]["debit"].to_string().replace('.', ","),
            m["value"]["credit"].to_string().replace('.', ","),
        ]
        .join("|");
        writeln!(file, "{line}").expect("write");
    }
    file.flush().expect("flush");
    let pid = std::process::id();
    println!("{} {}", started.elapsed().as_secs_f64(), peak_rss_mb(pid));
}

fn naive_run(dir: &std::path::Path) -> (f64, f64) {
    let exe = std::env::current_exe().expect("bench binary");
    let upstream = dir.join("upstream.json");
    let out = dir.join("naive.txt");
    let output = Command::new(exe)
        .args(["--naive", upstream.to_str().unwrap_or_default(), out.to_str().unwrap_or_default()])
        .output()
        .expect("naive run");
    let line = output.stdout.lines().next().and_then(Result::ok).unwrap_or_default();
    let mut parts = line.split_whitespace().map(|p| p.parse::<f64>().unwrap_or(f64::NAN));
    (parts.next().unwrap_or(f64::NAN), parts.next().unwrap_or(f64::NAN))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if args.first().map(String::as_str) == Some("--naive") {
        naive(&args[1], &args[2]);
        return;
    }
    let sizes: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![100_000, 500_000, 1_000_000] } else { sizes };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    println!("| movements | upstream JSON | gateway wall time | movements/s | upstream MB/s | gateway CPU time | upstream MB per CPU second | gateway peak RSS | in-memory approach: time | in-memory peak RSS |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        let m = runtime.block_on(gateway_run(n, dir.path()));
        let (naive_s, naive_mb) = naive_run(dir.path());
        println!(
            "| {n} | {:.0} MB | {:.2} s | {:.0} | {:.0} | {:.2} s | {:.0} | {:.1} MB | {:.2} s | {:.0} MB |",
            m.upstream_mb,
            m.seconds,
            n as f64 / m.seconds,
            m.upstream_mb / m.seconds,
            m.cpu,
            m.upstream_mb / m.cpu,
            m.peak_mb,
            naive_s,
            naive_mb
        );
    }
}
