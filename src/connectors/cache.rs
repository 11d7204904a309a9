//! Reference data (chart, journals, VAT, …) cached per connection and folder for a short time.
//! Concurrent requests for the same key share one upstream call; writes drop their scope.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::OnceCell;

/// What a cached body belongs to: one connection's view of one folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    pub connection: uuid::Uuid,
    pub folder: Option<i64>,
}

type Cell = Arc<OnceCell<Arc<Value>>>;

struct Entry {
    cell: Cell,
    born: Instant,
}

pub struct ReferenceCache {
    ttl: Duration,
    entries: Mutex<HashMap<(Scope, String), Entry>>,
}

/// Whether a lookup was served from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Hit,
    Miss,
}

impl ReferenceCache {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, entries: Mutex::new(HashMap::new()) }
    }

    /// The cached body for `key`, or the one `load` fetches; concurrent callers of one key wait
    /// for a single `load`. Failures are not cached.
    pub async fn get_or_load<E, F, Fut>(
        &self,
        scope: &Scope,
        key: &str,
        load: F,
    ) -> Result<(Arc<Value>, Lookup), E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Value, E>>,
    {
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            entries.retain(|_, e| now.duration_since(e.born) < self.ttl);
            let entry = entries
                .entry((scope.clone(), key.to_owned()))
                .or_insert_with(|| Entry { cell: Arc::new(OnceCell::new()), born: now });
            entry.cell.clone()
        };
        if let Some(value) = cell.get() {
            return Ok((value.clone(), Lookup::Hit));
        }
        let mut loaded = false;
        let value = cell
            .get_or_try_init(|| async {
                loaded = true;
                load().await.map(Arc::new)
            })
            .await?;
        Ok((value.clone(), if loaded { Lookup::Miss } else { Lookup::Hit }))
    }

    /// Drops everything cached for `scope` (after a write changed it).
    pub fn invalidate(&self, scope: &Scope) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|(s, _), _| s != scope);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use serde_json::json;

    use super::*;

    fn scope() -> Scope {
        Scope { connection: uuid::Uuid::nil(), folder: Some(1) }
    }

    #[tokio::test]
    async fn concurrent_waiters_share_one_load() {
        let cache = Arc::new(ReferenceCache::new(Duration::from_secs(60)));
        let loads = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (cache, loads) = (cache.clone(), loads.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_load::<(), _, _>(&scope(), "/diary", || async {
                            loads.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Ok(json!([1, 2]))
                        })
                        .await
                        .unwrap()
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(*t.await.unwrap().0, json!([1, 2]));
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn failures_are_not_cached_and_writes_invalidate() {
        let cache = ReferenceCache::new(Duration::from_secs(60));
        let failed = cache.get_or_load(&scope(), "k", || async { Err::<Value, _>("down") }).await;
        assert!(failed.is_err());
        let (_, first) =
            cache.get_or_load::<(), _, _>(&scope(), "k", || async { Ok(json!(1)) }).await.unwrap();
        let (_, second) =
            cache.get_or_load::<(), _, _>(&scope(), "k", || async { Ok(json!(2)) }).await.unwrap();
        assert_eq!((first, second), (Lookup::Miss, Lookup::Hit));
        cache.invalidate(&scope());
        let (v, third) =
            cache.get_or_load::<(), _, _>(&scope(), "k", || async { Ok(json!(3)) }).await.unwrap();
        assert_eq!((*v == json!(3), third), (true, Lookup::Miss));
    }

    #[tokio::test]
    async fn entries_expire_after_the_ttl() {
        let cache = ReferenceCache::new(Duration::from_millis(30));
        cache.get_or_load::<(), _, _>(&scope(), "k", || async { Ok(json!(1)) }).await.unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
        let (v, lookup) =
            cache.get_or_load::<(), _, _>(&scope(), "k", || async { Ok(json!(2)) }).await.unwrap();
        assert_eq!((*v == json!(2), lookup), (true, Lookup::Miss));
    }
}
