//! The real binary: start-up errors, `account create`, `rotate-key`, logs and graceful shutdown.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use passerelle::crypto::{Keyring, MasterKey};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use myunisoft_sandbox::{Faults, RecordedRequest};

use crate::support::{
    base64_key, chift_error, random_bytes, sandbox, tokens, Sandbox, SandboxConfig, TestDb,
    JWT_SECRET, PARTNER_SECRET,
};

const BIN: &str = env!("CARGO_BIN_EXE_passerelle");

/// The environment of one gateway process: its database and keys, nothing inherited.
pub(crate) struct Env {
    vars: Vec<(&'static str, String)>,
}

impl Env {
    pub(crate) fn new(db: &TestDb, master_key: &[u8; 32], myunisoft: &Sandbox) -> Self {
        let dir = std::env::temp_dir();
        Self {
            vars: vec![
                ("DATABASE_URL", db.url.clone()),
                ("PASSERELLE_MASTER_KEY", base64_key(master_key)),
                ("PASSERELLE_JWT_SECRET", JWT_SECRET.to_owned()),
                ("PASSERELLE_DATA_DIR", dir.display().to_string()),
                ("MYUNISOFT_BASE_URL", myunisoft.base_url()),
                ("MYUNISOFT_THIRD_PARTY_SECRET", PARTNER_SECRET.to_owned()),
                // Stop at once unless a test is about the drain.
                ("PASSERELLE_SHUTDOWN_DRAIN_SECS", "0".to_owned()),
            ],
        }
    }

    pub(crate) fn set(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.vars.retain(|(n, _)| *n != name);
        self.vars.push((name, value.into()));
        self
    }

    fn without(mut self, name: &str) -> Self {
        self.vars.retain(|(n, _)| *n != name);
        self
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
        for (name, value) in &self.vars {
            cmd.env(name, value);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A `passerelle serve` process; its stderr is collected as it runs (a full pipe would stall
/// its logging) and returned when it stops.
pub(crate) struct Gateway {
    child: Child,
    port: u16,
    logs: std::thread::JoinHandle<String>,
}

impl Gateway {
    pub(crate) async fn start(env: Env) -> Self {
        let port = free_port();
        let mut child = env
            .set("PASSERELLE_LISTEN", format!("127.0.0.1:{port}"))
            .command(&["serve"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let logs = std::thread::spawn(move || {
            let mut bytes = vec![];
            let _ = std::io::Read::read_to_end(&mut stderr, &mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        });
        let gateway = Self { child, port, logs };
        for _ in 0..100 {
            let ready = reqwest::get(gateway.url("/health/ready")).await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return gateway;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the gateway did not become ready");
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub(crate) fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        assert!(status.unwrap().success());
    }

    /// Dies at once (SIGKILL), as a crashed process: nothing is finished or recorded.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Waits for the exit after SIGTERM; returns the exit success and everything logged.
    pub(crate) fn wait(mut self) -> (bool, String) {
        let status = self.child.wait().unwrap();
        (status.success(), self.logs.join().unwrap())
    }
}

pub(crate) fn account_create(env: &Env) -> Value {
    let out = env.run(&["account", "create", "--name", "Acme"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "exactly one line: {stdout}");
    serde_json::from_str(&stdout).unwrap()
}

pub(crate) async fn token(gateway: &Gateway, account: &Value) -> String {
    let body = json!({"clientId": account["clientId"], "clientSecret": account["clientSecret"],
                      "accountId": account["accountId"]});
    let res = reqwest::Client::new().post(gateway.url("/token")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
}

/// A consumer named `name` with a connection on `api_token`, through `gateway`: (consumer id,
/// connection id).
async fn connect_consumer(
    gateway: &Gateway,
    token: &str,
    name: &str,
    api_token: &str,
) -> (String, String) {
    let http = reqwest::Client::new();
    let consumer: Value = http
        .post(gateway.url("/consumers"))
        .bearer_auth(token)
        .json(&json!({"name": name}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cid = consumer["consumerid"].as_str().unwrap().to_owned();
    let body = json!({"credentials": [{"key": "api_token", "value": api_token}]});
    let res = http
        .post(gateway.url(&format!("/consumers/{cid}/connections")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let link: Value = res.json().await.unwrap();
    let connection = link["url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    (cid, connection)
}

#[tokio::test]
async fn account_create_prints_credentials_that_get_a_token() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let env = Env::new(&db, &random_bytes(), &sb);
    let account = account_create(&env);
    let keys: Vec<_> = account.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["accountId", "clientId", "clientSecret"]);
    let gateway = Gateway::start(env).await;
    assert!(!token(&gateway, &account).await.is_empty());
    gateway.terminate();
    assert!(gateway.wait().0);
}

#[tokio::test]
async fn serve_refuses_to_start_on_a_missing_or_malformed_secret() {
    let db = TestDb::sqlite();
    let sb = sandbox(SandboxConfig::default()).await;
    let base = || Env::new(&db, &random_bytes(), &sb);
    let cases = [
        (base().without("PASSERELLE_MASTER_KEY"), "PASSERELLE_MASTER_KEY"),
        (base().set("PASSERELLE_MASTER_KEY", "c2hvcnQ="), "PASSERELLE_MASTER_KEY"),
        (base().without("PASSERELLE_JWT_SECRET"), "PASSERELLE_JWT_SECRET"),
        (base().set("PASSERELLE_JWT_SECRET", "tooshort"), "PASSERELLE_JWT_SECRET"),
        (base().set("DATABASE_URL", "mysql://nope"), "DATABASE_URL"),
        (base().without("MYUNISOFT_THIRD_PARTY_SECRET"), "MYUNISOFT_THIRD_PARTY_SECRET"),
        (base().set("PASSERELLE_SHUTDOWN_DRAIN_SECS", "5s"), "PASSERELLE_SHUTDOWN_DRAIN_SECS"),
        (base().set("MYUNISOFT_BASE_URL", "http://api.myunisoft.fr/api/v1"), "MYUNISOFT_BASE_URL"),
        (base().set("MYUNISOFT_BASE_URL", "http://192.0.2.1:8080/api/v1"), "MYUNISOFT_BASE_URL"),
    ];
    for (env, var) in cases {
        let out = env.run(&["serve"]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(stderr.starts_with(&format!("error: {var}: ")), "{stderr}");
    }
}

#[tokio::test]
async fn serve_calls_myunisoft_over_plain_http_only_on_loopback() {
    let db = TestDb::sqlite();
    let sb = sandbox(SandboxConfig::default()).await;
    let out = Env::new(&db, &random_bytes(), &sb)
        .set("MYUNISOFT_BASE_URL", "http://api.myunisoft.fr/api/v1")
        .run(&["serve"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        "error: MYUNISOFT_BASE_URL: must be an https URL (http only to 127.0.0.0/8, ::1 or localhost)"
    );
    // Plain http to a loopback name is a sandbox or a local proxy: allowed.
    let port = sb.local_addr().port();
    let env = Env::new(&db, &random_bytes(), &sb)
        .set("MYUNISOFT_BASE_URL", format!("http://localhost:{port}/api/v1"));
    let gateway = Gateway::start(env).await;
    gateway.terminate();
    assert!(gateway.wait().0);
}

#[tokio::test]
async fn rotate_key_reencrypts_every_credential_under_the_new_key() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let (old, new) = (random_bytes(), random_bytes());
    let env = Env::new(&db, &old, &sb);
    let account = account_create(&env);
    let gateway = Gateway::start(Env::new(&db, &old, &sb)).await;
    let api_tokens = [tokens::FIRM, tokens::SOCIETY_PORT, tokens::SOCIETY_GARAGE];
    let token = token(&gateway, &account).await;
    let mut connections = vec![];
    for (i, api_token) in api_tokens.iter().enumerate() {
        connections.push(connect_consumer(&gateway, &token, &format!("C{i}"), api_token).await);
    }
    gateway.terminate();
    gateway.wait();

    let rotate = Env::new(&db, &new, &sb).set("PASSERELLE_PREVIOUS_MASTER_KEYS", base64_key(&old));
    let out = rotate.run(&["rotate-key"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rotated"], 3);

    let store = passerelle::store::Store::open(&db.url).await.unwrap();
    let only_new = Keyring::new(MasterKey::from_bytes(&new), vec![]);
    let acc = account["accountId"].as_str().unwrap().parse().unwrap();
    let repo = store.connections();
    for (i, (cid, conn)) in connections.iter().enumerate() {
        let creds = repo.credentials(&only_new, acc, cid.parse().unwrap(), conn.parse().unwrap());
        assert_eq!(creds.await.unwrap().unwrap().get("api_token"), Some(api_tokens[i]));
    }
    // Without the old key, a second rotation from it cannot run and must not damage anything.
    let lost = Env::new(&db, &random_bytes(), &sb).run(&["rotate-key"]);
    assert!(!lost.status.success());
    assert!(String::from_utf8_lossy(&lost.stderr).contains("nothing changed"));
}

#[tokio::test]
async fn logs_are_json_lines_with_request_ids_and_never_show_secrets() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let env = Env::new(&db, &random_bytes(), &sb);
    let account = account_create(&env);
    let gateway =
        Gateway::start(env.set("PASSERELLE_LOG_FORMAT", "json").set("RUST_LOG", "debug")).await;
    let token = token(&gateway, &account).await;
    let http = reqwest::Client::new();
    let consumer: Value = http
        .post(gateway.url("/consumers"))
        .bearer_auth(&token)
        .json(&json!({"name": "Garage"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cid = consumer["consumerid"].as_str().unwrap();
    let api_token = tokens::SOCIETY_PORT;
    let body = json!({"credentials": [{"key": "api_token", "value": api_token}]});
    let res = http
        .post(gateway.url(&format!("/consumers/{cid}/connections")))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bad = json!({"credentials": [{"key": "api_token", "value": api_token}, {"key": "pwd", "value": api_token}]});
    http.post(gateway.url(&format!("/consumers/{cid}/connections")))
        .bearer_auth(&token)
        .json(&bad)
        .send()
        .await
        .unwrap();
    gateway.terminate();
    let (clean_exit, logs) = gateway.wait();
    assert!(clean_exit, "{logs}");

    let client_secret = account["clientSecret"].as_str().unwrap();
    for secret in [api_token, token.as_str(), client_secret] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
    let lines: Vec<Value> =
        logs.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    let in_requests: Vec<_> = lines.iter().filter(|l| l["span"]["name"] == "request").collect();
    assert!(in_requests.len() >= 4, "{logs}");
    for line in in_requests {
        assert!(line["span"]["request_id"].as_str().is_some_and(|id| id.len() == 36), "{line}");
    }

    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    use sqlx::Row;
    let hash: String = sqlx::query("SELECT client_secret_hash FROM accounts")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
    assert!(hash.starts_with("hmac-sha256$") && !hash.contains(&client_secret[3..]));
}

/// The peak resident memory of a process, in kB.
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upstream_answer_far_over_the_cap_is_a_502_without_the_gateway_growing() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    // Folder 4823's open year: about a hundred megabytes of `/mad/entries`.
    sb.set_large_movements(300_000);
    let cap = 4 << 20;
    let env = Env::new(&db, &random_bytes(), &sb)
        .set("MYUNISOFT_MAX_BODY_BYTES", cap.to_string())
        .set("RUST_LOG", "warn");
    let account = account_create(&env);
    let gateway = Gateway::start(env).await;
    let token = token(&gateway, &account).await;
    let (cid, _) = connect_consumer(&gateway, &token, "Acme", tokens::FIRM).await;
    let rss_before = peak_rss_kb(gateway.child.id());
    let path = format!(
        "/consumers/{cid}/accounting/journal/entries?folder_id=4823&unposted_allowed=false\
         &date_from=2026-01-01&date_to=2026-12-31"
    );
    let res = reqwest::Client::new().get(gateway.url(&path)).bearer_auth(&token).send().await;
    let res = res.unwrap();
    assert_eq!(res.status(), 502);
    let body: Value = res.json().await.unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(&format!("more than {cap} bytes at /mad/entries")), "{message}");
    let rss_after = peak_rss_kb(gateway.child.id());
    println!("gateway peak RSS {rss_before} kB → {rss_after} kB with a {cap}-byte cap");
    assert!(rss_after < rss_before + 32 * 1024, "{rss_before} kB → {rss_after} kB");
    gateway.terminate();
    assert!(gateway.wait().0);
}

/// The spool files a process holds open under `dir` (anonymous files: unlinked, still on disk).
fn spool_files(pid: u32, dir: &std::path::Path) -> usize {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else { return 0 };
    fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter(|target| target.starts_with(dir))
        .count()
}

/// Polls `done` every 100 ms for at most a minute.
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..600 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fec_download_nobody_reads_is_abandoned_and_its_spool_freed() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    // Megabytes of legal file: more than a small socket buffer and the body channel hold.
    sb.set_large_movements(20_000);
    let tmp = tempfile::tempdir().unwrap();
    let env = Env::new(&db, &random_bytes(), &sb)
        .set("TMPDIR", tmp.path().display().to_string())
        .set("PASSERELLE_FEC_STALL_SECS", "2")
        .set("PASSERELLE_FEC_EXPORTS_PER_CONNECTION", "1")
        .set("RUST_LOG", "warn");
    let account = account_create(&env);
    let gateway = Gateway::start(env).await;
    let pid = gateway.child.id();
    let token = token(&gateway, &account).await;
    let (cid, _) = connect_consumer(&gateway, &token, "Acme", tokens::FIRM).await;
    let path = format!(
        "/consumers/{cid}/accounting/export-fec?folder_id=4823&format=txt\
         &date_from=2026-01-01&date_to=2026-12-31"
    );
    // A client that reads the head of the answer, then nothing more, its connection open.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let address = format!("127.0.0.1:{}", gateway.port).parse().unwrap();
    let mut stalled = socket.connect(address).await.unwrap();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {token}\r\n\r\n");
    stalled.write_all(request.as_bytes()).await.unwrap();
    let mut head = vec![0u8; 1024];
    let read = stalled.read(&mut head).await.unwrap();
    let head = String::from_utf8_lossy(&head[..read]).into_owned();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(eventually(|| spool_files(pid, tmp.path()) > 0).await, "the export spools");

    // The connection's one export is taken.
    let http = reqwest::Client::new();
    let busy = http.get(gateway.url(&path)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(busy.status(), 429);
    assert_eq!(busy.headers()["retry-after"], "1");

    // Once the stall time has passed, the export is dropped with its spool, and its seat.
    assert!(eventually(|| spool_files(pid, tmp.path()) == 0).await, "the spool is freed");
    let again = http.get(gateway.url(&path)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(again.status(), 200);
    drop((again, stalled));
    gateway.terminate();
    assert!(gateway.wait().0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_flood_from_one_address_neither_slows_the_client_nor_grows_the_gateway() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let env = Env::new(&db, &random_bytes(), &sb);
    let account = account_create(&env);
    // A line per request would fill the stderr pipe nobody reads before the end.
    let gateway = Gateway::start(env.set("RUST_LOG", "warn")).await;
    token(&gateway, &account).await;
    let rss_before = peak_rss_kb(gateway.child.id());

    let flood_for = Duration::from_secs(8);
    let url = gateway.url("/token");
    let deadline = tokio::time::Instant::now() + flood_for;
    let attacker = crate::auth::client_from_another_address();
    let flooders = (0..64).map(|_| {
        let (attacker, url, account_id) = (attacker.clone(), url.clone(), account["accountId"].clone());
        tokio::spawn(async move {
            let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
            while tokio::time::Instant::now() < deadline {
                let made_up = passerelle::auth::secrets::new_client_id();
                let body = json!({"clientId": made_up, "clientSecret": "ps_guess", "accountId": account_id});
                if let Ok(res) = attacker.post(&url).json(&body).send().await {
                    *statuses.entry(res.status().as_u16()).or_default() += 1;
                }
            }
            statuses
        })
    });
    let flooders: Vec<_> = flooders.collect();

    let client = reqwest::Client::new();
    let body = json!({"clientId": account["clientId"], "clientSecret": account["clientSecret"],
                      "accountId": account["accountId"]});
    let mut waits = vec![];
    while tokio::time::Instant::now() + Duration::from_millis(500) < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let started = std::time::Instant::now();
        let res = client.post(&url).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 200);
        waits.push(started.elapsed());
    }
    let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
    for flooder in flooders {
        for (status, n) in flooder.await.unwrap() {
            *statuses.entry(status).or_default() += n;
        }
    }
    let rss_after = peak_rss_kb(gateway.child.id());
    let slowest = waits.iter().max().unwrap();
    println!(
        "flood of {flood_for:?} by 64 connections from 127.0.0.2: answers {statuses:?}; the client's \
         {} tokens from 127.0.0.1 took at most {slowest:?}; gateway peak RSS {rss_before} kB → {rss_after} kB",
        waits.len()
    );
    assert!(*slowest < Duration::from_secs(2), "{waits:?}");
    assert!(statuses.get(&429).is_some_and(|n| *n > 1000), "{statuses:?}");
    assert!(rss_after < rss_before + 64 * 1024, "{rss_before} kB → {rss_after} kB");
    gateway.terminate();
    assert!(gateway.wait().0);
}

#[tokio::test]
async fn sigterm_lets_an_in_flight_request_finish() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let env = Env::new(&db, &random_bytes(), &sb);
    let account = account_create(&env);
    let gateway = Gateway::start(env).await;
    let token = token(&gateway, &account).await;
    let body = r#"{"name": "Arrived after SIGTERM"}"#;
    let (first, rest) = body.split_at(10);
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", gateway.port)).await.unwrap();
    let head = format!(
        "POST /consumers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    gateway.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("Arrived after SIGTERM"));
    let port = gateway.port;
    let (clean_exit, logs) = gateway.wait();
    assert!(clean_exit, "{logs}");
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err(),
        "stopped listening"
    );
}

/// A client that opens a new connection for every request.
fn fresh_connections() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Whether the connection was refused: nothing listened on the port any more.
fn refused(error: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        source = cause.source();
    }
    false
}

#[tokio::test]
async fn sigterm_turns_readiness_off_at_once_and_serves_through_the_drain() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let drain = Duration::from_secs(2);
    let env = Env::new(&db, &random_bytes(), &sb).set("PASSERELLE_SHUTDOWN_DRAIN_SECS", "2");
    let gateway = Gateway::start(env).await;
    let http = fresh_connections();
    let signalled = Instant::now();
    gateway.terminate();
    let not_ready = loop {
        let res = http.get(gateway.url("/health/ready")).send().await.unwrap();
        if res.status() == 503 {
            let body: Value = res.json().await.unwrap();
            assert_eq!(
                (&body["status"], &body["error_code"]),
                (&json!("error"), &json!("ERROR_UNKNOWN"))
            );
            assert!(body["message"].as_str().unwrap().contains("shutting down"), "{body}");
            break signalled.elapsed();
        }
        assert!(signalled.elapsed() < drain, "readiness stayed 200 after SIGTERM");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert!(not_ready < Duration::from_millis(200), "readiness answered 503 after {not_ready:?}");
    let live = http.get(gateway.url("/health/live")).send().await.unwrap();
    assert_eq!(live.status(), 200, "a new connection is served during the drain");
    assert_eq!(live.headers()["connection"], "close", "and told not to stay");
    assert!(signalled.elapsed() < drain);
    let (clean_exit, logs) = tokio::task::spawn_blocking(move || gateway.wait()).await.unwrap();
    let exited = signalled.elapsed();
    assert!(clean_exit, "{logs}");
    assert!(exited >= drain && exited < drain + Duration::from_secs(2), "exited after {exited:?}");
    assert!(logs.contains("draining") && logs.contains("drain over"), "{logs}");
    eprintln!("readiness 503 after {not_ready:?}; exit 0 after {exited:?} (drain {drain:?})");
}

/// What became of one request of the load loop.
enum Outcome {
    Served {
        closes: bool,
    },
    /// Refused at connect: nothing listened on the port any more.
    Refused,
    Failed(String),
}

/// When the gateway logged the line containing `message`, read from the text log's RFC 3339
/// timestamp.
fn logged_at(logs: &str, message: &str) -> SystemTime {
    let line = logs.lines().find(|l| l.contains(message)).expect("the line is logged");
    let stamp = line.split_whitespace().next().unwrap();
    chrono::DateTime::parse_from_rfc3339(stamp).expect("an RFC 3339 timestamp").into()
}

/// Requests sent in the last moments before the listener closes are reported as their own phase
/// (they race the close) but held to the same rule: answered, not reset.
const AT_CLOSE: Duration = Duration::from_millis(10);

/// One client loop through SIGTERM, alternating a pooled (kept-alive) client and one that opens
/// a connection per request, until the listener is gone. Every request sent before the listener
/// closed must be answered 2xx: a reset, a timeout, a refusal or
/// a non-2xx is a failure. After the close, connections are refused.
#[tokio::test]
async fn no_request_sent_before_the_listener_closes_fails() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let drain = Duration::from_secs(2);
    let env = Env::new(&db, &random_bytes(), &sb);
    let account = account_create(&env);
    let gateway = Gateway::start(env.set("PASSERELLE_SHUTDOWN_DRAIN_SECS", "2")).await;
    let token = token(&gateway, &account).await;
    let kept = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let clients = [kept, fresh_connections()];
    let url = gateway.url("/consumers");
    let started = Instant::now();
    let mut terminated = false;
    let mut sent: Vec<(SystemTime, Outcome)> = vec![];
    for i in 0.. {
        if !terminated && started.elapsed() > Duration::from_millis(500) {
            gateway.terminate();
            terminated = true;
        }
        let at = SystemTime::now();
        let outcome = match clients[i % 2].get(&url).bearer_auth(&token).send().await {
            Ok(res) if res.status().is_success() => Outcome::Served {
                closes: res.headers().get("connection").is_some_and(|v| v == "close"),
            },
            Ok(res) => Outcome::Failed(format!("HTTP {}", res.status())),
            Err(e) if refused(&e) => Outcome::Refused,
            Err(e) => Outcome::Failed(format!("{e:?}")),
        };
        sent.push((at, outcome));
        if sent.iter().filter(|(_, o)| matches!(o, Outcome::Refused)).count() == 10 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "the listener never closed");
    }
    let (clean_exit, logs) = tokio::task::spawn_blocking(move || gateway.wait()).await.unwrap();
    assert!(clean_exit, "{logs}");
    // The gateway's own instants: draining starts (the flag is set before the line is logged),
    // and the drain ends (the listener closes right after).
    let signalled = logged_at(&logs, "shutdown requested: draining");
    let closed = logged_at(&logs, "drain over");
    let after = |at: SystemTime| at.duration_since(signalled).unwrap_or_default();
    let mut counts = std::collections::BTreeMap::<(&str, &str), usize>::new();
    let mut failures = vec![];
    let mut last_served = Duration::ZERO;
    for (at, outcome) in &sent {
        let phase = if *at < signalled {
            "1 before SIGTERM"
        } else if *at + AT_CLOSE < closed {
            "2 drain"
        } else if *at < closed {
            "3 at the close"
        } else {
            "4 after the close"
        };
        let kind = match outcome {
            Outcome::Served { closes: true } => "served, connection: close",
            Outcome::Served { closes: false } => "served",
            Outcome::Refused => "refused",
            Outcome::Failed(_) => "failed",
        };
        match outcome {
            Outcome::Served { .. } if phase == "2 drain" => last_served = after(*at),
            Outcome::Served { .. } => {}
            Outcome::Failed(why) if phase == "3 at the close" => {
                let before_close = closed.duration_since(*at).unwrap_or_default();
                failures.push(format!("{before_close:?} before the close: {why}"));
            }
            Outcome::Refused | Outcome::Failed(_) if phase > "2 drain" => {}
            Outcome::Refused => failures.push(format!("{:?}: refused", after(*at))),
            Outcome::Failed(why) => failures.push(format!("{:?}: {why}", after(*at))),
        }
        *counts.entry((phase, kind)).or_default() += 1;
    }
    let summary: Vec<_> =
        counts.iter().map(|((phase, kind), n)| format!("{phase}: {n} {kind}")).collect();
    eprintln!("listener closed {:?} after SIGTERM; {}", after(closed), summary.join("; "));
    assert!(failures.is_empty(), "{failures:#?}");
    let count = |key| counts.get(&key).copied().unwrap_or_default();
    assert!(count(("1 before SIGTERM", "served")) > 10, "too few requests to tell");
    assert!(count(("2 drain", "served, connection: close")) > 10, "too few requests to tell");
    assert_eq!(count(("2 drain", "served")), 0, "every answer of the drain closes its connection");
    assert!(after(closed) >= drain, "the listener closed before the drain ended");
    assert!(last_served + Duration::from_millis(100) >= drain, "last served: {last_served:?}");
}

#[tokio::test]
async fn two_gateway_processes_share_one_upstream_budget() {
    let db = TestDb::new().await;
    let window = Duration::from_secs(1);
    let sb =
        sandbox(SandboxConfig { rate_limit: 20, rate_window: window, ..SandboxConfig::default() })
            .await;
    let env = || {
        Env::new(&db, &[7u8; 32], &sb)
            .set("MYUNISOFT_RATE_LIMIT", "20")
            .set("MYUNISOFT_RATE_WINDOW_MS", window.as_millis().to_string())
    };
    let account = account_create(&env());
    let (a, b) = (Gateway::start(env()).await, Gateway::start(env()).await);
    let token = token(&a, &account).await;
    let http = reqwest::Client::new();
    let (cid, _) = connect_consumer(&a, &token, "Boulangerie", tokens::SOCIETY_PORT).await;
    sb.clear_requests();
    let filter = json!({"accounts": ["6"], "end": "202606"});
    let calls = (0..60).map(|i| {
        let gateway = if i % 2 == 0 { &a } else { &b };
        http.post(gateway.url(&format!("/consumers/{cid}/accounting/chart-of-accounts/balance")))
            .bearer_auth(&token)
            .json(&filter)
            .send()
    });
    for res in futures_util::future::join_all(calls).await {
        let res = res.unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
    let stats = sb.stats();
    assert_eq!(stats.rejected_429, 0, "no call was refused upstream");
    assert!(
        stats.max_in_window_per_token <= 20,
        "{} calls in one window",
        stats.max_in_window_per_token
    );
    assert!(sb.requests().len() >= 60, "each balance read the movements");
    for gateway in [a, b] {
        gateway.terminate();
        gateway.wait();
    }
}

/// A client whose connections come from `127.0.0.{last}`.
fn client_from(last: u8) -> reqwest::Client {
    let addr = std::net::IpAddr::from([127, 0, 0, last]);
    reqwest::Client::builder().local_address(addr).build().unwrap()
}

/// The statuses of `POST /token` with `body`, sent `n` times to `gateway` from `client`.
async fn token_statuses(
    client: &reqwest::Client,
    gateway: &Gateway,
    body: &Value,
    n: usize,
) -> Vec<u16> {
    let mut statuses = vec![];
    for _ in 0..n {
        let res = client.post(gateway.url("/token")).json(body).send().await.unwrap();
        statuses.push(res.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn token_failures_spread_over_two_gateway_processes_add_up() {
    let db = TestDb::new().await;
    if !db.url.starts_with("postgres") {
        eprintln!("DATABASE_URL is not PostgreSQL: one SQLite process keeps its counts in memory");
        return;
    }
    let sb = sandbox(SandboxConfig::default()).await;
    let env = || Env::new(&db, &[9u8; 32], &sb).set("RUST_LOG", "warn");
    let account = account_create(&env());
    let (a, b) = (Gateway::start(env()).await, Gateway::start(env()).await);
    let with = |secret: &Value| json!({"clientId": account["clientId"], "clientSecret": secret, "accountId": account["accountId"]});
    let (wrong, right) = (with(&json!("ps_guess")), with(&account["clientSecret"]));

    // Five failures lock a clientId from one address: three on A, then two on B.
    let guesser = client_from(3);
    assert_eq!(token_statuses(&guesser, &a, &wrong, 3).await, [401; 3]);
    assert_eq!(token_statuses(&guesser, &b, &wrong, 3).await, [401, 401, 429]);
    for gateway in [&a, &b] {
        assert_eq!(token_statuses(&guesser, gateway, &wrong, 1).await, [429]);
        assert_eq!(
            token_statuses(&guesser, gateway, &right, 1).await,
            [429],
            "even the right secret waits"
        );
    }

    // Twenty failures lock an address whatever the clientIds: ten made-up ones on each.
    let flooder = client_from(4);
    for gateway in [&a, &b] {
        for _ in 0..10 {
            let made_up = json!({"clientId": passerelle::auth::secrets::new_client_id(),
                                 "clientSecret": "ps_guess", "accountId": account["accountId"]});
            assert_eq!(token_statuses(&flooder, gateway, &made_up, 1).await, [401]);
        }
    }
    for gateway in [&a, &b] {
        assert_eq!(token_statuses(&flooder, gateway, &right, 1).await, [429]);
    }

    // The client, from its own address, is refused by neither.
    let client = client_from(5);
    for gateway in [&a, &b] {
        assert_eq!(token_statuses(&client, gateway, &right, 1).await, [200]);
    }
    for gateway in [a, b] {
        gateway.terminate();
        assert!(gateway.wait().0);
    }
}

#[tokio::test]
async fn traces_are_exported_over_otlp_when_an_endpoint_is_set() {
    use std::sync::{Arc, Mutex};
    let received: Arc<Mutex<Vec<(String, String, usize)>>> = Arc::default();
    let log = received.clone();
    let collector = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let log = log.clone();
        async move {
            let path = req.uri().path().to_owned();
            let kind = req
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = axum::body::to_bytes(req.into_body(), usize::MAX).await.unwrap_or_default();
            log.lock().unwrap().push((path, kind, body.len()));
            axum::http::StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, collector).await });

    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let env = Env::new(&db, &random_bytes(), &sb).set("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
    let account = account_create(&env);
    let gateway = Gateway::start(env).await;
    token(&gateway, &account).await;
    gateway.terminate();
    // The collector runs on this runtime: wait for the exit off it.
    let (clean_exit, logs) = tokio::task::spawn_blocking(move || gateway.wait()).await.unwrap();
    assert!(clean_exit, "{logs}");
    let received = received.lock().unwrap().clone();
    let traces: Vec<_> = received.iter().filter(|(path, _, _)| path == "/v1/traces").collect();
    assert!(!traces.is_empty(), "no span batch reached the collector: {received:?}\n{logs}");
    assert!(traces.iter().all(|(_, kind, size)| kind == "application/x-protobuf" && *size > 0));
}

#[tokio::test]
async fn demo_starts_everything_and_its_connection_answers() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new(BIN)
        .arg("demo")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PASSERELLE_DATA_DIR", dir.path())
        .env("PASSERELLE_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let mut ready = false;
    for _ in 0..100 {
        if reqwest::get(format!("{base}/health/ready")).await.is_ok_and(|r| r.status() == 200) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the demo gateway did not start");
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("demo.json")).unwrap()).unwrap();
    let body = json!({"clientId": saved["clientId"], "clientSecret": saved["clientSecret"], "accountId": saved["accountId"]});
    let http = reqwest::Client::new();
    let token: Value =
        http.post(format!("{base}/token")).json(&body).send().await.unwrap().json().await.unwrap();
    let consumer = saved["consumerId"].as_str().unwrap();
    let folders: Value = http
        .get(format!("{base}/consumers/{consumer}/accounting/folders"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(folders[0]["name"], "BOULANGERIE DU PORT");
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output()).await.unwrap().unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.contains(saved["clientSecret"].as_str().unwrap()) && printed.contains("curl"),
        "{printed}"
    );
}

#[tokio::test]
async fn export_fec_writes_a_valid_legal_file_for_an_operator() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let env = Env::new(&db, &[9u8; 32], &sb);
    let account = account_create(&env);
    let gateway = Gateway::start(Env::new(&db, &[9u8; 32], &sb)).await;
    let token = token(&gateway, &account).await;
    let (cid, _) = connect_consumer(&gateway, &token, "Boulangerie", tokens::SOCIETY_PORT).await;
    gateway.terminate();
    tokio::task::spawn_blocking(move || gateway.wait()).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap().to_owned();
    let mut command =
        env.command(&["export-fec", "--consumer", &cid, "--year", "2025", "-o", &out]);
    let result = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(stderr.contains("wrote"), "{stderr}");
    let name = "912345675FEC20251231.txt";
    let bytes = std::fs::read(dir.path().join(name)).expect("the file has its legal name");
    let expect = fec::validate::Expect {
        file_name: name,
        siren: "912345675",
        year_start: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        year_end: chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
    };
    let (errors, lines) = fec::validate::validate(&bytes, &expect);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!lines.is_empty());
    assert!(std::fs::read_dir(dir.path()).unwrap().count() == 1, "no partial file is left");

    let unknown = env.run(&[
        "export-fec",
        "--consumer",
        &uuid::Uuid::new_v4().to_string(),
        "--year",
        "2025",
        "-o",
        &out,
    ]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--consumer"));
}

/// The id of the item of the accounting list `list` whose `field` is `value`.
async fn listed(
    gateway: &Gateway,
    token: &str,
    cid: &str,
    list: &str,
    field: &str,
    value: &str,
) -> String {
    let url = gateway.url(&format!("/consumers/{cid}/accounting/{list}?page=1&size=100"));
    let page: Value = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().unwrap();
    let found = items.iter().find(|i| i[field] == value).expect("seeded");
    found["id"].as_str().unwrap().to_owned()
}

/// Two gateways over one database and sandbox, with a consumer on the society token: (a, b,
/// token, consumer id, the entry to write).
async fn two_gateways_and_an_entry(
    db: &TestDb,
    sb: &Sandbox,
    lease: &str,
) -> (Gateway, Gateway, String, String, Value) {
    let env = || Env::new(db, &[7u8; 32], sb).set("PASSERELLE_WRITE_LEASE_SECS", lease);
    let account = account_create(&env());
    let (a, b) = (Gateway::start(env()).await, Gateway::start(env()).await);
    let token = token(&a, &account).await;
    let (cid, _) = connect_consumer(&a, &token, "Boulangerie", tokens::SOCIETY_PORT).await;
    let od = listed(&a, &token, &cid, "journals", "code", "20").await;
    let supplier = listed(&a, &token, &cid, "suppliers", "account_number", "401MINOT").await;
    let entry = crate::entry_writes::purchase(&od, &supplier, "RPL001");
    (a, b, token, cid, entry)
}

fn write(
    gateway: &Gateway,
    token: &str,
    cid: &str,
    request_id: &str,
    entry: &Value,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(gateway.url(&format!("/consumers/{cid}/accounting/journal-entries")))
        .bearer_auth(token)
        .header("x-chift-client-requestid", request_id)
        .json(entry)
}

fn entries_written(sb: &Sandbox) -> Vec<(String, Option<String>)> {
    sb.partner_entries(4821).into_iter().filter(|(p, _)| p.starts_with("psrl-")).collect()
}

#[tokio::test]
async fn two_gateway_processes_given_one_request_id_at_once_write_one_entry() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let (a, b, token, cid, entry) = two_gateways_and_an_entry(&db, &sb, "30").await;
    // Slow enough upstream that the two requests overlap.
    sb.set_faults(Faults { latency: Duration::from_millis(300), ..Faults::default() });
    let (first, second) = tokio::join!(
        write(&a, &token, &cid, "same-1", &entry).send(),
        write(&b, &token, &cid, "same-1", &entry).send()
    );
    let mut answers = vec![first.unwrap(), second.unwrap()];
    answers.sort_by_key(|r| r.status());
    let busy = answers.pop().unwrap();
    let done = answers.pop().unwrap();
    assert_eq!(done.status(), 200);
    let created: Value = done.json().await.unwrap();
    chift_error(busy, 409, "REQUEST_IN_PROCESS").await;
    let written = entries_written(&sb);
    assert_eq!(written.len(), 1, "one entry upstream");
    assert_eq!(created["id"].as_str(), Some(written[0].0.as_str()));
    for gateway in [a, b] {
        gateway.terminate();
        gateway.wait();
    }
}

/// Kills a gateway during a write once `stage` holds of what MyUnisoft received, then replays the
/// write on another gateway: 409 while the dead one's lease runs, then the write finished once.
/// Answers how many entries had landed before the replay.
async fn a_replay_finishes_the_write_of_a_killed_gateway(
    stage: impl Fn(&[RecordedRequest]) -> bool,
) -> usize {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let (a, b, token, cid, entry) = two_gateways_and_an_entry(&db, &sb, "2").await;
    sb.set_faults(Faults { latency: Duration::from_millis(1_500), ..Faults::default() });
    sb.clear_requests();
    let dying = tokio::spawn(write(&a, &token, &cid, "dies-1", &entry).send());
    let started = Instant::now();
    while !stage(&sb.requests()) {
        assert!(started.elapsed() < Duration::from_secs(60), "the write never got there");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.kill();
    assert!(dying.await.unwrap().is_err(), "the client lost its answer");
    sb.set_faults(Faults::default());
    // Its lease is still running: the replay is told the request is in process.
    let replay = || write(&b, &token, &cid, "dies-1", &entry).send();
    chift_error(replay().await.unwrap(), 409, "REQUEST_IN_PROCESS").await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let landed_before = entries_written(&sb).len();
    let resumed = replay().await.unwrap();
    assert_eq!(resumed.status(), 200);
    let created: Value = resumed.json().await.unwrap();
    assert_eq!(created["name"], "RPL001");
    let written = entries_written(&sb);
    assert_eq!(written.len(), 1, "one entry upstream");
    assert_eq!(created["id"].as_str(), Some(written[0].0.as_str()));
    chift_error(replay().await.unwrap(), 409, "REQUEST_ALREADY_PROCESSED").await;
    b.terminate();
    b.wait();
    landed_before
}

fn is_import(r: &RecordedRequest) -> bool {
    r.method == "POST" && r.path == "/api/v1/entry"
}

#[tokio::test]
async fn a_write_whose_gateway_died_while_sending_its_import_is_finished_once_by_a_replay() {
    let sending = |log: &[RecordedRequest]| log.iter().any(is_import);
    // Whether MyUnisoft finished the import of a dead sender is its business: either way the
    // replay leaves exactly one entry.
    let landed = a_replay_finishes_the_write_of_a_killed_gateway(sending).await;
    println!("killed while sending: {landed} entry landed before the replay");
}

#[tokio::test]
async fn a_write_whose_gateway_died_after_its_import_landed_is_found_by_a_replay() {
    // A call after the import means the import was answered: the entry exists.
    let answered = |log: &[RecordedRequest]| {
        log.iter().position(is_import).is_some_and(|at| log.len() > at + 1)
    };
    let landed = a_replay_finishes_the_write_of_a_killed_gateway(answered).await;
    assert_eq!(landed, 1, "the replay found the entry instead of sending it again");
}

/// Three `serve` processes on one PostgreSQL database (SQLite serves one process only).
async fn three_replicas(db: &TestDb, sb: &Sandbox) -> Option<(Value, [Gateway; 3])> {
    if !db.url.starts_with("postgres") {
        eprintln!("DATABASE_URL is not PostgreSQL: replicas need one shared database; skipped");
        return None;
    }
    let key = random_bytes();
    let account = account_create(&Env::new(db, &key, sb));
    let mut replicas = vec![];
    for _ in 0..3 {
        replicas.push(Gateway::start(Env::new(db, &key, sb)).await);
    }
    let replicas: [Gateway; 3] = replicas.try_into().ok()?;
    Some((account, replicas))
}

/// Asks every replica for `path` until each answers `status`; returns how long that took.
async fn until_every_replica_answers(
    replicas: &[Gateway; 3],
    token: &str,
    path: &str,
    status: u16,
) -> Duration {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut pending: Vec<&Gateway> = replicas.iter().collect();
    while !pending.is_empty() && started.elapsed() < Duration::from_secs(5) {
        let mut still = vec![];
        for replica in pending {
            let res = http.get(replica.url(path)).bearer_auth(token).send().await.unwrap();
            if res.status() != status {
                still.push(replica);
            }
        }
        pending = still;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(pending.is_empty(), "{} replicas never answered {status} for {path}", pending.len());
    started.elapsed()
}

#[tokio::test]
async fn a_connection_deleted_through_one_replica_is_refused_by_every_replica_within_a_second() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let Some((account, replicas)) = three_replicas(&db, &sb).await else { return };
    let token = token(&replicas[0], &account).await;
    let (cid, connection) =
        connect_consumer(&replicas[0], &token, "Boulangerie", tokens::SOCIETY_PORT).await;
    let journals = format!("/consumers/{cid}/accounting/journals?folder_id=4821");
    let http = reqwest::Client::new();
    for replica in &replicas {
        // Read through each replica, twice: the second answer comes from its cache.
        for _ in 0..2 {
            let res = http.get(replica.url(&journals)).bearer_auth(&token).send().await.unwrap();
            assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        }
    }

    let res = http
        .delete(replicas[1].url(&format!("/consumers/{cid}/connections/{connection}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let took = until_every_replica_answers(&replicas, &token, &journals, 400).await;
    assert!(
        took < Duration::from_secs(1),
        "the replicas served the deleted connection for {took:?}"
    );
    for replica in &replicas {
        let res = http.get(replica.url(&journals)).bearer_auth(&token).send().await.unwrap();
        let body = crate::support::chift_error(res, 400, "ERROR_NO_ACTIVE_CONNECTION").await;
        assert!(body["message"].as_str().unwrap().contains(&cid), "{body}");
    }
    for replica in replicas {
        replica.terminate();
        replica.wait();
    }
}

#[tokio::test]
async fn new_credentials_patched_through_one_replica_are_used_by_the_others_within_a_second() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let Some((account, replicas)) = three_replicas(&db, &sb).await else { return };
    let token = token(&replicas[0], &account).await;
    let (cid, connection) =
        connect_consumer(&replicas[0], &token, "Boulangerie", tokens::SOCIETY_PORT).await;
    let port = format!("/consumers/{cid}/accounting/journals?folder_id=4821");
    let garage = format!("/consumers/{cid}/accounting/journals?folder_id=4822");
    let http = reqwest::Client::new();
    for replica in &replicas {
        let res = http.get(replica.url(&port)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let res = http.get(replica.url(&garage)).bearer_auth(&token).send().await.unwrap();
        crate::support::chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
    }

    let body = json!({"credentials": [{"key": "api_token", "value": tokens::SOCIETY_GARAGE}]});
    let res = http
        .patch(replicas[2].url(&format!("/consumers/{cid}/connections/{connection}")))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let took = until_every_replica_answers(&replicas, &token, &garage, 200).await;
    assert!(took < Duration::from_secs(1), "the replicas used the old token for {took:?}");
    until_every_replica_answers(&replicas, &token, &port, 422).await;
    for replica in replicas {
        replica.terminate();
        replica.wait();
    }
}

#[tokio::test]
async fn a_change_made_while_the_replicas_stopped_listening_is_not_served_from_their_cache() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let Some((account, replicas)) = three_replicas(&db, &sb).await else { return };
    let token = token(&replicas[0], &account).await;
    let (cid, connection) =
        connect_consumer(&replicas[0], &token, "Boulangerie", tokens::SOCIETY_PORT).await;
    let journals = format!("/consumers/{cid}/accounting/journals?folder_id=4821");
    let http = reqwest::Client::new();
    for replica in &replicas {
        for _ in 0..2 {
            let res = http.get(replica.url(&journals)).bearer_auth(&token).send().await.unwrap();
            assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        }
    }

    // Cut every replica's listening connection, then change the database behind their backs:
    // the announcement reaches nobody.
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let listening: Vec<(i32,)> = sqlx::query_as(
        "SELECT pid FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(listening.len(), 3, "one listening connection per replica");
    for (pid,) in &listening {
        sqlx::query("SELECT pg_terminate_backend($1)").bind(pid).execute(&pool).await.unwrap();
    }
    for (pid,) in &listening {
        while sqlx::query("SELECT 1 FROM pg_stat_activity WHERE pid = $1")
            .bind(pid)
            .fetch_optional(&pool)
            .await
            .unwrap()
            .is_some()
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    sqlx::query("DELETE FROM connections WHERE id = $1")
        .bind(&connection)
        .execute(&pool)
        .await
        .unwrap();
    let took = until_every_replica_answers(&replicas, &token, &journals, 400).await;
    assert!(took < Duration::from_secs(1), "a replica served its cache for {took:?}");
    for replica in replicas {
        replica.terminate();
        let (_, logs) = replica.wait();
        assert!(logs.contains("stopped hearing changes"), "{logs}");
    }
}
