//! The running sandbox: shared state, the router (`/api/v1` behind the pipeline, `/_sandbox`
//! admin, the health check) and the server task, stopped when [`Sandbox`] is dropped.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::faults::{FaultState, Faults};
use super::limits::{Limits, Stats};
use super::mutex::lock;
use super::recording::{RecordedRequest, RequestLog};
use super::transport::{Peer, SandboxListener};
use super::webhooks::{self, Webhooks};
use super::world::World;
use super::{admin, pipeline, routes, seed, SandboxConfig};

/// Bodies up to this size are read (JSON entries may carry base64 attachments).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) world: Mutex<World>,
    pub(crate) log: RequestLog,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) limits: Limits,
    pub(crate) started: Instant,
    /// Movements streamed for the large-volume folder's exercise.
    pub(crate) large_movements: AtomicU64,
    /// Serve the large answers rendered once rather than generated on the fly (benchmarks).
    pub(crate) pregenerate: AtomicBool,
    /// The last rendered large answer, by request.
    pub(crate) rendered: Mutex<Option<(String, bytes::Bytes)>>,
    /// Webhook subscriptions, and the deliveries they are sent.
    pub(crate) webhooks: Webhooks,
}

pub(crate) type SharedState = Arc<Shared>;

impl Shared {
    pub(crate) fn new(config: &SandboxConfig) -> Self {
        Shared {
            world: Mutex::new(seed::world()),
            log: RequestLog::default(),
            faults: Mutex::default(),
            limits: Limits::new(config),
            started: Instant::now(),
            large_movements: AtomicU64::new(0),
            pregenerate: AtomicBool::new(false),
            rendered: Mutex::new(None),
            webhooks: Webhooks::default(),
        }
    }

    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    pub(crate) fn large_movements(&self) -> u64 {
        self.large_movements.load(Ordering::Relaxed)
    }
}

/// The whole HTTP surface.
pub(crate) fn router(shared: SharedState) -> Router {
    let api = routes::router()
        .merge(webhooks::router())
        .fallback(routes::unknown_route)
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), pipeline::pipeline))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    let ged = routes::documents::ged_router()
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), pipeline::pipeline));
    Router::new()
        .nest("/api/v1", api)
        .nest("/api/ged", ged)
        .merge(admin::router())
        .route("/api/partners/health", get(health))
        .fallback(outside)
        .with_state(shared)
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn outside() -> Response {
    let body =
        json!({ "error": { "code": "ERR-HTTP", "message": "Route introuvable", "details": "" } });
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

/// A running sandbox. Serves in a background task until dropped.
#[derive(Debug)]
pub struct Sandbox {
    shared: SharedState,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Sandbox {
    /// Binds `addr` (port 0 picks a free port) and serves in a spawned task.
    pub async fn start(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(addr).await?;
        let mut addr = listener.local_addr()?;
        if addr.ip().is_unspecified() {
            addr.set_ip(Ipv4Addr::LOCALHOST.into());
        }
        let shared = Arc::new(Shared::new(&config));
        let app = router(Arc::clone(&shared)).into_make_service_with_connect_info::<Peer>();
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let server =
                axum::serve(SandboxListener(listener), app).with_graceful_shutdown(async {
                    let _ = stopped.await;
                });
            if let Err(e) = server.await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        Ok(Sandbox { shared, addr, shutdown: Some(shutdown) })
    }

    /// `http://127.0.0.1:PORT/api/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many webhook subscriptions are live.
    pub fn webhook_subscriptions(&self) -> usize {
        self.shared.webhooks.count()
    }

    /// Replaces the faults (and restarts the random sequence from `faults.seed`).
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.shared.faults) = FaultState::new(faults);
    }

    /// Every `/api/v1` request received, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.log.all()
    }

    pub fn clear_requests(&self) {
        self.shared.log.clear();
    }

    pub fn stats(&self) -> Stats {
        self.shared.limits.stats()
    }

    /// Validates a pending entry (`ENTRIES_TEMP` → `ENTRIES`) as a firm collaborator would. The
    /// entry gets a new id (returned) and new line ids; its partner id stays.
    pub fn validate_pending_entry(&self, folder: i64, entry_id: i64) -> Option<i64> {
        self.shared.world().validate_pending(folder, entry_id)
    }

    /// Adds `count` generated clients (`411G00001`…, each with a name, an address and an email)
    /// to `folder`, for volume tests; returns how many the folder then has in all.
    pub fn add_generated_clients(&self, folder: i64, count: u32) -> Option<usize> {
        self.shared.world().add_generated_clients(folder, count).ok()
    }

    /// Makes the first posted entry of `folder` unbalanced (one cent more on its first line's
    /// debit), for export tests; returns its id.
    pub fn unbalance_first_entry(&self, folder: i64) -> Option<i64> {
        let mut world = self.shared.world();
        let entry = world.folders.get_mut(&folder)?.entries.first_mut()?;
        let line = entry.lines.first_mut()?;
        line.debit += rust_decimal::Decimal::new(1, 2);
        Some(entry.id)
    }

    /// `(partner id, invoice number)` of every entry of `folder` created with a partner id,
    /// posted or pending, once per stored entry: what an exactly-once check counts.
    pub fn partner_entries(&self, folder: i64) -> Vec<(String, Option<String>)> {
        let world = self.shared.world();
        let Some(f) = world.folders.get(&folder) else { return vec![] };
        f.entries
            .iter()
            .chain(&f.pending)
            .filter_map(|e| {
                let piece2 = e.lines.first().and_then(|l| l.piece2.clone());
                e.partner_id.clone().map(|p| (p, piece2))
            })
            .collect()
    }

    /// Makes MAD entries give every document of every folder as a link on `origin` (its download
    /// path there), as if files were served from another host; returns how many were moved.
    pub fn link_documents_to(&self, origin: &str) -> usize {
        let mut world = self.shared.world();
        let documents = world
            .folders
            .values_mut()
            .flat_map(|f| f.entries.iter_mut().chain(f.pending.iter_mut()))
            .flat_map(|e| e.attachments.iter_mut());
        let mut moved = 0;
        for document in documents {
            let path = crate::routes::documents::download_path(document.id);
            document.link = Some(format!("{origin}{path}"));
            moved += 1;
        }
        moved
    }

    /// How many movements `GET /mad/movements` streams for the large-volume folder (4823).
    pub fn set_large_movements(&self, count: u64) {
        self.shared.large_movements.store(count, Ordering::Relaxed);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
