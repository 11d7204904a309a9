//! `passerelle` processes for the tests: their environment, start, stop and logs, and the
//! client calls every process test needs.

use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{base64_key, Sandbox, TestDb, JWT_SECRET, PARTNER_SECRET};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_passerelle");

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

    pub(crate) fn without(mut self, name: &str) -> Self {
        self.vars.retain(|(n, _)| *n != name);
        self
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = bare_command(args);
        for (name, value) in &self.vars {
            cmd.env(name, value);
        }
        cmd
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
}

/// `passerelle args` with nothing of the test's environment but `PATH`.
pub(crate) fn bare_command(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

/// Waits (up to 10 s) until the process listening on `port` is ready; `false` if it never is.
pub(crate) async fn wait_ready(port: u16) -> bool {
    for _ in 0..100 {
        let ready = reqwest::get(format!("http://127.0.0.1:{port}/health/ready")).await;
        if ready.is_ok_and(|r| r.status() == 200) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Asks the process `pid` to stop (SIGTERM).
pub(crate) fn sigterm(pid: u32) {
    let status = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    assert!(status.unwrap().success());
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A `passerelle serve` process; its stderr is collected as it runs (a full pipe would stall
/// its logging) and returned when it stops.
pub(crate) struct Gateway {
    pub(crate) child: Child,
    pub(crate) port: u16,
    logs: Option<std::thread::JoinHandle<String>>,
}

/// A process a test leaves running (it failed, or had no reason to stop it) dies with it.
impl Drop for Gateway {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
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
        let gateway = Self { child, port, logs: Some(logs) };
        assert!(wait_ready(port).await, "the gateway did not become ready");
        gateway
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub(crate) fn terminate(&self) {
        sigterm(self.child.id());
    }

    /// Dies at once (SIGKILL), as a crashed process: nothing is finished or recorded.
    pub(crate) fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Waits for the exit after SIGTERM; returns the exit success and everything logged.
    pub(crate) fn wait(mut self) -> (bool, String) {
        let status = self.child.wait().unwrap();
        let logs = self.logs.take().expect("logs are read once");
        (status.success(), logs.join().unwrap())
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

/// `GET path` on `gateway` with `token`: the status and the JSON answered (`null` when none).
pub(crate) async fn get_json(gateway: &Gateway, token: &str, path: &str) -> (u16, Value) {
    let res =
        reqwest::Client::new().get(gateway.url(path)).bearer_auth(token).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

/// `method path` on `gateway` with `token` and the JSON `body`: the status and the JSON answered
/// (`null` when none).
pub(crate) async fn send_json(
    gateway: &Gateway,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let res = reqwest::Client::new()
        .request(method, gateway.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

/// A consumer named `name`, through `gateway`: its id.
pub(crate) async fn create_consumer(gateway: &Gateway, token: &str, name: &str) -> String {
    let consumer: Value = reqwest::Client::new()
        .post(gateway.url("/consumers"))
        .bearer_auth(token)
        .json(&json!({"name": name}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    consumer["consumerid"].as_str().unwrap().to_owned()
}

/// A consumer named `name` with a connection on `api_token`, through `gateway`: (consumer id,
/// connection id).
pub(crate) async fn connect_consumer(
    gateway: &Gateway,
    token: &str,
    name: &str,
    api_token: &str,
) -> (String, String) {
    let http = reqwest::Client::new();
    let cid = create_consumer(gateway, token, name).await;
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

/// The peak resident memory of a process, in kB.
pub(crate) fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A client that opens a new connection for every request.
pub(crate) fn fresh_connections() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Whether the connection was refused: nothing listened on the port any more.
pub(crate) fn refused(error: &reqwest::Error) -> bool {
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
