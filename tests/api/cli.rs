//! The real binary: start-up errors, `account create`, `rotate-key`, logs, bounds on what one
//! request may take, the token flood, traces, `demo` and `export-fec`.

use std::process::{Command, Stdio};
use std::time::Duration;

use passerelle::crypto::{Keyring, MasterKey};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{base64_key, random_bytes, sandbox, tokens, SandboxConfig, TestDb};

use crate::process::{
    account_create, bare_command, connect_consumer, free_port, peak_rss_kb, sigterm, token,
    wait_ready, Env, Gateway, BIN,
};

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

/// `passerelle demo` in `dir` on `port`, once ready.
async fn start_demo(dir: &std::path::Path, port: u16) -> std::process::Child {
    let mut child = bare_command(&["demo"])
        .env("PASSERELLE_DATA_DIR", dir)
        .env("PASSERELLE_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    if !wait_ready(port).await {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the demo gateway did not start");
    }
    child
}

/// Stops the demo; returns what it printed.
async fn stop_demo(child: std::process::Child) -> String {
    sigterm(child.id());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output()).await.unwrap().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn demo_starts_everything_and_its_connection_answers() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = start_demo(dir.path(), port).await;
    let base = format!("http://127.0.0.1:{port}");
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("demo.json")).unwrap()).unwrap();
    let body = json!({"clientId": saved["clientId"], "clientSecret": saved["clientSecret"], "accountId": saved["accountId"]});
    let http = reqwest::Client::new();
    let token: Value =
        http.post(format!("{base}/token")).json(&body).send().await.unwrap().json().await.unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let consumer = saved["consumerId"].as_str().unwrap();
    let folders: Value = http
        .get(format!("{base}/consumers/{consumer}/accounting/folders"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(folders[0]["name"], "BOULANGERIE DU PORT");

    // The activation link opens the connect page.
    let link = saved["activationLink"].as_str().unwrap();
    assert!(link.starts_with(&format!("{base}/connect/")), "{link}");
    let page = http.get(link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("name=\"api_token\""));

    // The export-fec command kept in demo.json works while the demo runs.
    let hint = &saved["exportFec"];
    assert!(hint["command"].as_str().unwrap().contains("export-fec --consumer"), "{hint}");
    let out = tempfile::tempdir().unwrap();
    let mut command = Command::new(BIN);
    command.env_clear().current_dir(out.path()).args([
        "export-fec",
        "--consumer",
        consumer,
        "--folder",
        "4821",
        "--year",
        "2025",
        "-o",
        ".",
    ]);
    for (name, value) in hint["env"].as_object().unwrap() {
        command.env(name, value.as_str().unwrap());
    }
    let done = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(out.path().join("912345675FEC20251231.txt").is_file());

    // A write recorded with its request id, then a restart: the sandbox starts afresh, and the
    // gateway forgets what it recorded about writes to the old one.
    let second = saved["linkConsumerId"].as_str().unwrap();
    let res = http
        .post(format!("{base}/consumers/{second}/connections"))
        .bearer_auth(&token)
        .header("x-chift-client-requestid", "before-restart")
        .json(&json!({"credentials": [{"key": "api_token", "value": tokens::SOCIETY_PORT}]}))
        .send()
        .await
        .unwrap();
    let url = res.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_owned();
    let conn = url.rsplit('/').next().unwrap().to_owned();
    let lookup = format!(
        "{base}/consumers/{second}/connections/{conn}/transactions?client_request_id=before-restart"
    );
    let status = |token: String, lookup: String| async move {
        let res = reqwest::Client::new().get(lookup).bearer_auth(token).send().await.unwrap();
        res.status().as_u16()
    };
    assert_eq!(status(token.clone(), lookup.clone()).await, 200);
    let printed = stop_demo(child).await;
    assert!(
        printed.contains(saved["clientSecret"].as_str().unwrap()) && printed.contains("curl"),
        "{printed}"
    );
    assert!(printed.contains(link) && printed.contains(tokens::FIRM), "{printed}");
    assert!(printed.contains("starts afresh at every run"), "{printed}");

    let child = start_demo(dir.path(), port).await;
    let again: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("demo.json")).unwrap()).unwrap();
    assert_eq!(again["clientSecret"], saved["clientSecret"], "the account is kept");
    assert_ne!(again["activationLink"], saved["activationLink"], "a new link at every start");
    let token: Value =
        http.post(format!("{base}/token")).json(&body).send().await.unwrap().json().await.unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    assert_eq!(status(token, lookup).await, 404, "no record of the old sandbox lingers");
    let printed = stop_demo(child).await;
    assert!(printed.contains("The sandbox started afresh"), "{printed}");
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
