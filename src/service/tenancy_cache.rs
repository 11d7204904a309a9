//! The consumers and their opened connections, kept in memory so that an accounting call makes
//! no database round trip: keyed by consumer (the owning account is checked on every hit),
//! bounded, dropped on every change to the consumer or its connections.
//!
//! Changes are heard from every replica through the store ([`crate::store::changes`]) on
//! PostgreSQL, in-process on SQLite (one process). While changes are not heard (the listening
//! connection is down) nothing is served or kept: calls go to the database. Entries also expire
//! after [`TTL`], a safety net for a change nobody announced (hand-written SQL on SQLite).
//! Opened credentials stay in memory only: entries have no `Debug`, and the connector's
//! credentials show no secret.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use lru::LruCache;
use uuid::Uuid;

use crate::connectors::TenantConnection;
use crate::domain::consumer::Consumer;
use crate::store::changes::Change;

/// Consumers kept at most (the least recently used goes first).
const CAPACITY: NonZeroUsize = NonZeroUsize::new(10_000).expect("not zero");
/// Connections kept at most per consumer (one per `x-chift-connectionid` used, plus none).
const CONNECTIONS_PER_CONSUMER: usize = 8;
/// How long an entry is served without being read again from the database.
const TTL: Duration = Duration::from_secs(30);

pub struct TenancyCache {
    entries: Mutex<LruCache<Uuid, Entry>>,
    /// Bumped by every drop: what was read from the database before it is not kept.
    epoch: AtomicU64,
    /// Whether changes are heard (always on SQLite).
    live: AtomicBool,
}

struct Entry {
    consumer: Consumer,
    /// The connection each `x-chift-connectionid` (or none) resolved to.
    connections: Vec<(Option<Uuid>, Arc<TenantConnection>)>,
    kept_at: Instant,
}

/// When a database read began: its result is kept only if nothing changed since.
#[derive(Debug, Clone, Copy)]
pub struct Epoch(u64);

impl TenancyCache {
    /// A cache that serves at once (`live`: SQLite), or once changes are heard (PostgreSQL).
    pub fn new(live: bool) -> Self {
        Self {
            entries: Mutex::new(LruCache::new(CAPACITY)),
            epoch: AtomicU64::new(0),
            live: AtomicBool::new(live),
        }
    }

    fn entries(&self) -> MutexGuard<'_, LruCache<Uuid, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The account's consumer `id`, if kept.
    pub fn consumer(&self, account: Uuid, id: Uuid) -> Option<Consumer> {
        self.with_entry(account, id, |e| Some(e.consumer.clone()))
    }

    /// The connection `selector` resolved to for the account's consumer, if kept.
    pub fn connection(
        &self,
        account: Uuid,
        consumer: Uuid,
        selector: Option<Uuid>,
    ) -> Option<Arc<TenantConnection>> {
        self.with_entry(account, consumer, |e| {
            e.connections.iter().find(|(s, _)| *s == selector).map(|(_, c)| Arc::clone(c))
        })
    }

    fn with_entry<T>(
        &self,
        account: Uuid,
        consumer: Uuid,
        read: impl FnOnce(&Entry) -> Option<T>,
    ) -> Option<T> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        let mut entries = self.entries();
        let entry = entries.get(&consumer)?;
        if entry.kept_at.elapsed() > TTL {
            entries.pop(&consumer);
            return None;
        }
        // Another account's consumer is not found, as in the database.
        (entry.consumer.account_id == account).then(|| read(entry)).flatten()
    }

    /// Marks the start of a database read whose result may be kept.
    pub fn epoch(&self) -> Epoch {
        Epoch(self.epoch.load(Ordering::Acquire))
    }

    /// Keeps `consumer` as read since `seen`, unless something changed meanwhile.
    pub fn keep_consumer(&self, seen: Epoch, consumer: &Consumer) {
        let mut entries = self.entries();
        if !self.unchanged_since(seen) {
            return;
        }
        match entries.get_mut(&consumer.id) {
            Some(entry) => entry.consumer = consumer.clone(),
            None => {
                let entry = Entry {
                    consumer: consumer.clone(),
                    connections: Vec::new(),
                    kept_at: Instant::now(),
                };
                entries.put(consumer.id, entry);
            }
        }
    }

    /// Keeps the connection `selector` resolved to, as read since `seen`, beside its consumer.
    pub fn keep_connection(
        &self,
        seen: Epoch,
        consumer: Uuid,
        selector: Option<Uuid>,
        connection: Arc<TenantConnection>,
    ) {
        let mut entries = self.entries();
        if !self.unchanged_since(seen) {
            return;
        }
        let Some(entry) = entries.get_mut(&consumer) else { return };
        let kept = &mut entry.connections;
        if kept.len() < CONNECTIONS_PER_CONSUMER && !kept.iter().any(|(s, _)| *s == selector) {
            kept.push((selector, connection));
        }
    }

    /// Called with the entries locked, so that no drop slips between the check and the insert.
    fn unchanged_since(&self, seen: Epoch) -> bool {
        self.live.load(Ordering::Acquire) && self.epoch.load(Ordering::Acquire) == seen.0
    }

    /// Drops what is kept about `consumer` (it or one of its connections changed).
    pub fn forget(&self, consumer: Uuid) {
        let mut entries = self.entries();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.pop(&consumer);
    }

    /// Applies a change heard from the database.
    pub fn on_change(&self, change: Change) {
        match change {
            Change::Consumer(id) => self.forget(id),
            Change::Listening | Change::Lost => {
                let mut entries = self.entries();
                self.live.store(change == Change::Listening, Ordering::Release);
                self.epoch.fetch_add(1, Ordering::AcqRel);
                entries.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::connection::{ConnectionFacts, ConnectorKind, Credential, Credentials};

    fn consumer(account: Uuid) -> Consumer {
        Consumer {
            id: Uuid::new_v4(),
            account_id: account,
            name: "Boulangerie".into(),
            email: None,
            internal_reference: None,
            redirect_url: None,
            created_at: chrono::Utc::now(),
        }
    }

    fn connection() -> Arc<TenantConnection> {
        let credentials =
            Credentials(vec![Credential { key: "api_token".into(), value: "t0ken".into() }]);
        let facts = ConnectionFacts::Society { society_id: 4821, schema_id: None };
        let opened =
            TenantConnection::new(Uuid::new_v4(), ConnectorKind::MyUnisoft, &credentials, facts);
        Arc::new(opened.expect("an api_token"))
    }

    /// A cache holding `c` and its only connection.
    fn holding(c: &Consumer) -> TenancyCache {
        let cache = TenancyCache::new(true);
        cache.keep_consumer(cache.epoch(), c);
        cache.keep_connection(cache.epoch(), c.id, None, connection());
        cache
    }

    #[test]
    fn a_consumer_is_served_to_its_own_account_only() {
        let (mine, theirs) = (Uuid::new_v4(), Uuid::new_v4());
        let c = consumer(mine);
        let cache = holding(&c);
        assert_eq!(cache.consumer(mine, c.id), Some(c.clone()));
        assert!(cache.connection(mine, c.id, None).is_some());
        assert_eq!(cache.consumer(theirs, c.id), None);
        assert!(cache.connection(theirs, c.id, None).is_none());
        assert!(cache.connection(mine, c.id, Some(Uuid::new_v4())).is_none(), "another selector");
    }

    #[test]
    fn what_was_read_before_a_change_is_not_kept() {
        let c = consumer(Uuid::new_v4());
        let cache = TenancyCache::new(true);
        let seen = cache.epoch();
        cache.forget(c.id);
        cache.keep_consumer(seen, &c);
        assert_eq!(cache.consumer(c.account_id, c.id), None);
        let cache = holding(&c);
        cache.forget(c.id);
        assert_eq!(cache.consumer(c.account_id, c.id), None);
        assert!(cache.connection(c.account_id, c.id, None).is_none());
    }

    #[test]
    fn nothing_is_served_or_kept_while_changes_are_not_heard() {
        let c = consumer(Uuid::new_v4());
        let cache = holding(&c);
        cache.on_change(Change::Lost);
        assert_eq!(cache.consumer(c.account_id, c.id), None);
        cache.keep_consumer(cache.epoch(), &c);
        assert_eq!(cache.consumer(c.account_id, c.id), None);
        cache.on_change(Change::Listening);
        assert_eq!(cache.consumer(c.account_id, c.id), None, "emptied, not restored");
        cache.keep_consumer(cache.epoch(), &c);
        assert_eq!(cache.consumer(c.account_id, c.id), Some(c));
    }

    #[test]
    fn on_postgresql_nothing_is_served_before_changes_are_heard() {
        let c = consumer(Uuid::new_v4());
        let cache = TenancyCache::new(false);
        cache.keep_consumer(cache.epoch(), &c);
        assert_eq!(cache.consumer(c.account_id, c.id), None);
    }
}
