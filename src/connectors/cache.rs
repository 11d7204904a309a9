//! Reference data (chart, journals, VAT, …) cached per connection and folder for a short time.
//! Concurrent requests for the same key share one upstream call; writes drop their scope. The
//! cache holds at most a given number of bytes (estimated from the cached JSON), forgetting the
//! least recently used answers first.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;
use serde_json::Value;
use tokio::sync::OnceCell;

/// What a cached body belongs to: one connection's view of one folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    pub connection: uuid::Uuid,
    pub folder: Option<i64>,
}

type Cell = Arc<OnceCell<Arc<Value>>>;
type Key = (Scope, String);

struct Entry {
    cell: Cell,
    born: Instant,
    /// Estimated bytes, counted once the body is loaded (the key's until then).
    size: usize,
}

struct Entries {
    lru: LruCache<Key, Entry>,
    bytes: usize,
}

impl Entries {
    fn remove(&mut self, key: &Key) {
        if let Some(entry) = self.lru.pop(key) {
            self.bytes -= entry.size;
        }
    }
}

pub struct ReferenceCache {
    ttl: Duration,
    max_bytes: usize,
    entries: Mutex<Entries>,
}

/// Whether a lookup was served from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Hit,
    Miss,
}

/// Bookkeeping of an entry beside its key and body.
const ENTRY_OVERHEAD: usize = 128;

/// About how many bytes `value` takes in memory.
fn weight(value: &Value) -> usize {
    const NODE: usize = std::mem::size_of::<Value>();
    NODE + match value {
        Value::String(s) => s.len(),
        Value::Array(items) => items.iter().map(weight).sum(),
        Value::Object(map) => map.iter().map(|(k, v)| k.len() + NODE + weight(v)).sum(),
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
    }
}

impl ReferenceCache {
    pub fn new(ttl: Duration, max_bytes: usize) -> Self {
        let entries = Entries { lru: LruCache::unbounded(), bytes: 0 };
        Self { ttl, max_bytes, entries: Mutex::new(entries) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
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
        let key: Key = (scope.clone(), key.to_owned());
        let cell = {
            let mut entries = self.lock();
            let now = Instant::now();
            if entries.lru.get(&key).is_some_and(|e| now.duration_since(e.born) >= self.ttl) {
                entries.remove(&key);
            }
            if entries.lru.peek(&key).is_none() {
                let size = key.1.len() + ENTRY_OVERHEAD;
                let entry = Entry { cell: Arc::new(OnceCell::new()), born: now, size };
                entries.lru.put(key.clone(), entry);
                entries.bytes += size;
                self.evict(&mut entries);
            }
            entries.lru.peek(&key).map(|e| e.cell.clone())
        };
        let Some(cell) = cell else {
            // Even one key is more than the cache may hold: nothing is kept.
            return load().await.map(|v| (Arc::new(v), Lookup::Miss));
        };
        if let Some(value) = cell.get() {
            return Ok((value.clone(), Lookup::Hit));
        }
        let mut loaded = false;
        let result = cell
            .get_or_try_init(|| async {
                loaded = true;
                load().await.map(Arc::new)
            })
            .await;
        let mut entries = self.lock();
        let ours = entries.lru.peek(&key).is_some_and(|e| Arc::ptr_eq(&e.cell, &cell));
        match &result {
            Err(_) if ours => entries.remove(&key),
            Ok(value) if loaded && ours => {
                let grown = weight(value);
                if let Some(entry) = entries.lru.peek_mut(&key) {
                    entry.size += grown;
                }
                entries.bytes += grown;
                if entries.lru.peek(&key).is_some_and(|e| e.size > self.max_bytes) {
                    // Larger than the whole cache: served, not kept.
                    entries.remove(&key);
                }
                self.evict(&mut entries);
            }
            _ => {}
        }
        let value = result?.clone();
        Ok((value, if loaded { Lookup::Miss } else { Lookup::Hit }))
    }

    /// Forgets the least recently used entries until the cache fits its bytes.
    fn evict(&self, entries: &mut Entries) {
        while entries.bytes > self.max_bytes {
            let Some((_, entry)) = entries.lru.pop_lru() else { break };
            entries.bytes -= entry.size;
        }
    }

    /// Drops everything cached for `scope` (after a write changed it).
    pub fn invalidate(&self, scope: &Scope) {
        let mut entries = self.lock();
        let keys: Vec<Key> =
            entries.lru.iter().filter(|((s, _), _)| s == scope).map(|(k, _)| k.clone()).collect();
        for key in keys {
            entries.remove(&key);
        }
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
        let cache = Arc::new(ReferenceCache::new(Duration::from_secs(60), 1 << 20));
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
        let cache = ReferenceCache::new(Duration::from_secs(60), 1 << 20);
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
        let cache = ReferenceCache::new(Duration::from_millis(30), 1 << 20);
        cache.get_or_load::<(), _, _>(&scope(), "k", || async { Ok(json!(1)) }).await.unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
        let (v, lookup) =
            cache.get_or_load::<(), _, _>(&scope(), "k", || async { Ok(json!(2)) }).await.unwrap();
        assert_eq!((*v == json!(2), lookup), (true, Lookup::Miss));
    }

    #[tokio::test]
    async fn the_cache_keeps_its_bytes_forgetting_the_least_recently_used() {
        let cache = ReferenceCache::new(Duration::from_secs(60), 8 * 1024);
        let big = || async { Ok::<_, ()>(json!("x".repeat(3000))) };
        for key in ["a", "b"] {
            cache.get_or_load(&scope(), key, big).await.unwrap();
        }
        // `a` was used last: `b` goes when `c` comes.
        assert_eq!(cache.get_or_load(&scope(), "a", big).await.unwrap().1, Lookup::Hit);
        cache.get_or_load(&scope(), "c", big).await.unwrap();
        assert!(cache.lock().bytes <= 8 * 1024);
        assert_eq!(cache.get_or_load(&scope(), "a", big).await.unwrap().1, Lookup::Hit);
        assert_eq!(cache.get_or_load(&scope(), "b", big).await.unwrap().1, Lookup::Miss);
        // An answer larger than the whole cache is served but not kept.
        let huge = || async { Ok::<_, ()>(json!("x".repeat(20_000))) };
        cache.get_or_load(&scope(), "h", huge).await.unwrap();
        assert_eq!(cache.get_or_load(&scope(), "h", huge).await.unwrap().1, Lookup::Miss);
        assert!(cache.lock().bytes <= 8 * 1024);
    }
}
