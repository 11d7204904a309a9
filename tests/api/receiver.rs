//! A webhook receiver for the tests: an HTTP server on 127.0.0.1 that records every delivery
//! (hence `PASSERELLE_WEBHOOK_ALLOW_PRIVATE` in [`env`]), and the helpers to subscribe it.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::process::{send_json, Env, Gateway};
use crate::support::{Sandbox, TestDb};

pub const SECRET: &str = "whsec-test-0123456789";

/// One delivery as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub event_id: String,
    pub signature: Option<String>,
    pub raw: Bytes,
    pub body: Value,
    /// What the receiver answered.
    pub answered: u16,
}

#[derive(Default)]
pub struct Inbox {
    pub got: Mutex<Vec<Received>>,
    /// Attempts to refuse with 500 before accepting.
    pub refuse_next: AtomicU32,
    /// Hold every attempt for 30 s (the sender gives up first) instead of answering.
    pub stall: AtomicBool,
}

/// An HTTP receiver on 127.0.0.1: its URL and what it received.
pub struct Receiver {
    pub url: String,
    pub inbox: Arc<Inbox>,
}

async fn receive(State(inbox): State<Arc<Inbox>>, headers: HeaderMap, raw: Bytes) -> StatusCode {
    if inbox.stall.load(Ordering::SeqCst) {
        inbox.got.lock().unwrap().push(Received {
            event_id: String::new(),
            signature: None,
            body: Value::Null,
            raw: Bytes::new(),
            answered: 0,
        });
        tokio::time::sleep(Duration::from_secs(30)).await;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let refuse = inbox
        .refuse_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let status = if refuse { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK };
    let header = |n: &str| headers.get(n).map(|v| v.to_str().unwrap().to_owned());
    inbox.got.lock().unwrap().push(Received {
        event_id: header("x-passerelle-event-id").unwrap_or_default(),
        signature: header("x-chift-signature"),
        body: serde_json::from_slice(&raw).unwrap_or(Value::Null),
        raw,
        answered: status.as_u16(),
    });
    status
}

impl Receiver {
    pub async fn start() -> Self {
        let inbox = Arc::new(Inbox::default());
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, inbox }
    }

    pub fn accepted(&self) -> Vec<Received> {
        self.inbox.got.lock().unwrap().iter().filter(|r| r.answered == 200).cloned().collect()
    }

    pub fn all(&self) -> Vec<Received> {
        self.inbox.got.lock().unwrap().clone()
    }

    /// Waits until `n` deliveries of `event` were accepted.
    pub async fn wait_for(&self, event: &str, n: usize, within: Duration) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got: Vec<_> =
                self.accepted().into_iter().filter(|r| r.body["event"] == event).collect();
            if got.len() >= n {
                return got;
            }
            assert!(started.elapsed() < within, "{} of {n} `{event}` after {within:?}", got.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

pub fn hex_hmac(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// A gateway environment that delivers to 127.0.0.1, retrying fast.
pub fn env(db: &TestDb, sb: &Sandbox) -> Env {
    delivering_here(Env::new(db, &[9u8; 32], sb))
}

/// `env`, delivering webhooks to 127.0.0.1 and retrying fast.
pub fn delivering_here(env: Env) -> Env {
    env.set("PASSERELLE_WEBHOOK_ALLOW_PRIVATE", "true")
        .set("PASSERELLE_WEBHOOK_RETRY_BASE_MS", "100")
        .set("PASSERELLE_WEBHOOK_RETRY_CAP_SECS", "1")
        .set("PASSERELLE_WEBHOOK_POLL_MS", "100")
        .set("PASSERELLE_WEBHOOK_TIMEOUT_SECS", "2")
}

pub async fn subscribe(gateway: &Gateway, token: &str, event: &str, url: &str) -> Value {
    let body = json!({"event": event, "url": url, "signingsecret": SECRET});
    let (status, hook) = send_json(gateway, token, Method::POST, "/webhooks", &body).await;
    assert_eq!(status, 200);
    hook
}

/// A gateway with webhooks allowed to this process, on a database and a sandbox of its own, an
/// account's token, and a receiver.
pub struct Subscriber {
    pub receiver: Receiver,
    pub account: Value,
    pub gateway: Gateway,
    pub token: String,
    pub db: TestDb,
    pub sb: Sandbox,
}

impl Subscriber {
    pub async fn start() -> Self {
        Self::start_with(|env| env).await
    }

    /// [`Self::start`] with the gateway's environment changed by `configure`.
    pub async fn start_with(configure: impl Fn(Env) -> Env) -> Self {
        let db = TestDb::new().await;
        let sb = crate::support::sandbox(crate::support::SandboxConfig::default()).await;
        let receiver = Receiver::start().await;
        let env = || configure(env(&db, &sb));
        let account = crate::process::account_create(&env());
        let gateway = Gateway::start(env()).await;
        let token = crate::process::token(&gateway, &account).await;
        Self { receiver, account, gateway, token, db, sb }
    }
}
