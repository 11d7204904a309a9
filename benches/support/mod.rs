//! What both benchmarks start: `passerelle` processes on free local ports, killed when dropped.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_passerelle");

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A child process, killed when dropped.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub async fn wait_ready(url: &str) {
    for _ in 0..200 {
        if reqwest::get(url).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} did not answer");
}

/// The MyUnisoft sandbox in a process of its own: the process and its base URL.
pub async fn sandbox() -> (Process, String) {
    let port = free_port();
    let process = Process(
        Command::new(BIN)
            .args(["sandbox", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sandbox"),
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&format!("{base}/_sandbox/tokens")).await;
    (process, base)
}

/// Where the gateway stores (for the benchmarks that store): a scratch PostgreSQL database (dropped at the end) or SQLite.
#[allow(dead_code)]
pub struct Database {
    pub url: String,
    pub scratch: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

#[allow(dead_code)]
impl Database {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        match std::env::var("DATABASE_URL") {
            Ok(admin) if admin.starts_with("postgres") => {
                use sqlx::Connection;
                sqlx::any::install_default_drivers();
                let name = format!("passerelle_bench_{}", std::process::id());
                let mut conn = sqlx::AnyConnection::connect(&admin).await.expect("PostgreSQL");
                let sql = format!("CREATE DATABASE {name}");
                sqlx::query(&sql).execute(&mut conn).await.expect("scratch database");
                let (base, _) = admin.rsplit_once('/').expect("a database in DATABASE_URL");
                let url = format!("{base}/{name}");
                Self { url, scratch: Some((admin, name)), _dir: dir }
            }
            _ => {
                let url = format!("sqlite://{}/bench.db", dir.path().display());
                Self { url, scratch: None, _dir: dir }
            }
        }
    }

    pub async fn drop_scratch(&self) {
        use sqlx::Connection;
        let Some((admin, name)) = &self.scratch else { return };
        if let Ok(mut conn) = sqlx::AnyConnection::connect(admin).await {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::query(&sql).execute(&mut conn).await;
        }
    }
}

/// `passerelle serve` on a free port with a new API account, authenticated, and one consumer.
#[allow(dead_code)]
pub struct Gateway {
    pub base: String,
    pub bearer: String,
    pub consumer: String,
    pub http: reqwest::Client,
    process: Process,
}

#[allow(dead_code)]
impl Gateway {
    /// Serves on `db` against the sandbox at `upstream`, with `extra` settings besides the
    /// benchmark's own.
    pub async fn start(db: &Database, upstream: &str, extra: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut env = vec![
            ("DATABASE_URL", db.url.clone()),
            ("PASSERELLE_MASTER_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".to_owned()),
            ("PASSERELLE_JWT_SECRET", "bench-jwt-secret-bench-jwt-secret-0123".to_owned()),
            ("PASSERELLE_LISTEN", format!("127.0.0.1:{port}")),
            ("MYUNISOFT_BASE_URL", format!("{upstream}/api/v1")),
            ("MYUNISOFT_THIRD_PARTY_SECRET", myunisoft_sandbox::PARTNER_SECRET.to_owned()),
        ];
        env.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let command = |args: &[&str]| {
            let mut c = Command::new(BIN);
            c.args(args).env_remove("RUST_LOG").envs(env.iter().map(|(k, v)| (*k, v.as_str())));
            c
        };
        let out = command(&["account", "create", "--name", "bench"]).output().expect("account");
        let account: serde_json::Value = serde_json::from_slice(&out.stdout).expect("account JSON");
        let process = Process(
            command(&["serve"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("serve"),
        );
        let base = format!("http://127.0.0.1:{port}");
        wait_ready(&format!("{base}/health/ready")).await;

        let http = reqwest::Client::new();
        let auth = serde_json::json!({"clientId": account["clientId"],
            "clientSecret": account["clientSecret"], "accountId": account["accountId"]});
        let token = ok(http.post(format!("{base}/token")).json(&auth).send().await).await;
        let bearer = token["access_token"].as_str().expect("access token").to_owned();
        let consumer = http.post(format!("{base}/consumers")).bearer_auth(&bearer);
        let consumer = ok(consumer.json(&serde_json::json!({"name": "bench"})).send().await).await;
        let consumer = consumer["consumerid"].as_str().expect("consumer id").to_owned();
        Self { base, bearer, consumer, http, process }
    }

    /// The `serve` process's id.
    pub fn pid(&self) -> u32 {
        self.process.0.id()
    }

    /// Connects the benchmark's consumer with `api_token`: the connection's id.
    pub async fn connect(&self, api_token: &str) -> String {
        let creds = serde_json::json!({"credentials": [{"key": "api_token", "value": api_token}]});
        let url = format!("{}/consumers/{}/connections", self.base, self.consumer);
        let link =
            ok(self.http.post(url).bearer_auth(&self.bearer).json(&creds).send().await).await;
        let url = link["url"].as_str().expect("connection link");
        url.rsplit('/').next().expect("connection id").to_owned()
    }
}

/// The JSON of a successful answer.
#[allow(dead_code)]
pub async fn ok(res: reqwest::Result<reqwest::Response>) -> serde_json::Value {
    let res = res.expect("answer");
    assert!(res.status().is_success(), "answered {}", res.status());
    res.json().await.expect("JSON")
}
