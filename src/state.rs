//! What handlers and services share: the store, the keys, the connectors and the metrics.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use fec::DiskBudget;
use secrecy::SecretString;
use uuid::Uuid;

use crate::auth::connect_link::ConnectKeys;
use crate::auth::secrets::SecretDigests;
use crate::auth::throttle::{Limits, LoginThrottle};
use crate::auth::token::JwtKeys;
use crate::config::{Settings, TenantLimits};
use crate::connectors::governor::{Budget, Governor};
use crate::connectors::myunisoft::client::Client;
use crate::connectors::myunisoft::MyUnisoft;
use crate::connectors::Connectors;
use crate::crypto::Keyring;
use crate::datalayer::metrics::DatalayerMetrics;
use crate::datalayer::read::Layered;
use crate::service::quota::Quota;
use crate::service::tenancy_cache::TenancyCache;
use crate::store::{Backend, Store, StoreLeases};
use crate::telemetry::Metrics;

/// Failed `/token` attempts allowed within five minutes: 5 for one clientId from one address, 20
/// from one address; each count kept in memory for at most 65,536 addresses or pairs, and shared
/// by the processes on one PostgreSQL database.
const LOGIN_LIMITS: Limits = Limits {
    per_client: 5,
    per_source: 20,
    window: Duration::from_secs(300),
    capacity: NonZeroUsize::new(1 << 16).expect("not zero"),
};

/// Cloned for every request (each handler's `State`), so one pointer to what is shared.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The store, the keys, the connectors, the caches and the metrics.
pub struct Shared {
    pub store: Store,
    pub keyring: Arc<Keyring>,
    pub jwt: Arc<JwtKeys>,
    pub secrets: Arc<SecretDigests>,
    /// Signs activation links and the connect page's CSRF tokens.
    pub connect_keys: Arc<ConnectKeys>,
    pub throttle: Arc<LoginThrottle>,
    pub metrics: Metrics,
    pub connectors: Connectors,
    /// Consumers and their opened connections, kept between calls.
    pub tenancy: Arc<TenancyCache>,
    /// Base of the links answered by connection writes and of the connect page.
    pub public_url: Arc<str>,
    /// Between two runs of the data layer's sync of one connection.
    pub datalayer_interval: Duration,
    pub draining: Draining,
    /// How long a write with a client request id holds its request without renewing.
    pub write_lease: Duration,
    /// What one tenant may take of this replica.
    pub limits: TenantLimits,
    /// Accounting requests running per API account.
    pub requests: Arc<Quota<Uuid>>,
    /// FEC exports running per connection.
    pub fec_exports: Arc<Quota<Uuid>>,
    /// Disk the FEC spools of this process may use together.
    pub fec_spool: DiskBudget,
    /// Where webhooks may point and how they are delivered.
    pub webhooks: crate::webhooks::WebhookSettings,
    /// The data layer's series.
    pub datalayer_metrics: DatalayerMetrics,
    /// The MyUnisoft partner key, which signs webhook deliveries.
    pub webhook_key: SecretString,
}

/// Set once shutdown begins: readiness then answers 503 and answers close their connection, so
/// load balancers stop routing here while the listener still serves.
#[derive(Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    pub fn start(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_on(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// How long reference data (chart, journals, VAT, …) is served from the cache.
const REFERENCE_TTL: Duration = Duration::from_secs(60);

impl FromRef<AppState> for Metrics {
    fn from_ref(state: &AppState) -> Metrics {
        state.metrics.clone()
    }
}

impl AppState {
    pub fn new(settings: &Settings, store: Store) -> Result<Self, String> {
        let metrics = Metrics::new().map_err(|e| format!("metrics registry: {e}"))?;
        let datalayer_metrics =
            DatalayerMetrics::new(&metrics).map_err(|e| format!("metrics registry: {e}"))?;
        let mu = &settings.myunisoft;
        let budget = Budget {
            calls: mu.rate_calls,
            window: mu.rate_window,
            max_queued: mu.queue_per_token,
            max_wait: settings.request_timeout,
            ..Budget::MYUNISOFT
        };
        let limits = settings.limits;
        let layered_store = store.clone();
        let governor = Governor::new(Arc::new(StoreLeases(store.clone())), budget);
        let client = Client::new(
            &mu.base_url,
            mu.partner_secret.clone(),
            governor,
            metrics.clone(),
            mu.timeout,
            mu.max_body_bytes,
        )?
        .downloads_from(mu.download_hosts.clone());
        // SQLite serves one process: its counts stay in memory.
        let throttle = match store.backend() {
            Backend::Postgres => LoginThrottle::shared(LOGIN_LIMITS, store.clone()),
            Backend::Sqlite => LoginThrottle::new(LOGIN_LIMITS),
        };
        // On PostgreSQL the cache serves once changes from every replica are heard.
        let tenancy = Arc::new(TenancyCache::new(store.backend() == Backend::Sqlite));
        Ok(Self(Arc::new(Shared {
            store,
            keyring: Arc::new(settings.keyring.clone()),
            jwt: Arc::new(JwtKeys::new(&settings.jwt_secret)),
            secrets: Arc::new(SecretDigests::new(&settings.jwt_secret)),
            connect_keys: Arc::new(ConnectKeys::new(&settings.jwt_secret)),
            throttle: Arc::new(throttle),
            metrics,
            connectors: Connectors::new(MyUnisoft::new(
                client,
                REFERENCE_TTL,
                limits.reference_cache_bytes,
            ))
            .wrapped(|live| Arc::new(Layered::new(live, layered_store))),
            tenancy,
            public_url: settings.public_url.as_str().into(),
            datalayer_interval: settings.datalayer.interval,
            draining: Draining::default(),
            write_lease: settings.write_lease,
            limits,
            requests: Arc::new(Quota::new(limits.requests_per_account)),
            fec_exports: Arc::new(Quota::new(limits.fec_exports_per_connection)),
            fec_spool: DiskBudget::new(limits.fec_spool_bytes),
            webhooks: settings.webhooks,
            datalayer_metrics,
            webhook_key: mu.partner_secret.clone(),
        })))
    }
}

impl FromRef<AppState> for Arc<JwtKeys> {
    fn from_ref(state: &AppState) -> Arc<JwtKeys> {
        state.jwt.clone()
    }
}
