//! Counts what each key (an API account, a connection) has running, up to a limit: a seat is
//! taken on entry and given back on drop. Keys with nothing running are forgotten, so the map
//! holds only what runs now.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

pub struct Quota<K: Hash + Eq + Clone> {
    limit: u32,
    running: Arc<Mutex<HashMap<K, u32>>>,
}

/// One running thing of `key`, given back on drop.
pub struct Seat<K: Hash + Eq + Clone> {
    key: K,
    running: Arc<Mutex<HashMap<K, u32>>>,
}

impl<K: Hash + Eq + Clone> Quota<K> {
    pub fn new(limit: u32) -> Self {
        Self { limit, running: Arc::default() }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// A seat for `key`, or `None` when it already has `limit` running.
    pub fn try_take(&self, key: K) -> Option<Seat<K>> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let n = running.entry(key.clone()).or_insert(0);
        if *n >= self.limit {
            return None;
        }
        *n += 1;
        Some(Seat { key, running: self.running.clone() })
    }
}

impl<K: Hash + Eq + Clone> Drop for Seat<K> {
    fn drop(&mut self) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = running.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                running.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_runs_at_most_its_limit_and_others_are_apart() {
        let quota = Quota::new(2);
        let (a1, a2) = (quota.try_take("a"), quota.try_take("a"));
        assert!(a1.is_some() && a2.is_some());
        assert!(quota.try_take("a").is_none());
        assert!(quota.try_take("b").is_some());
        drop(a1);
        assert!(quota.try_take("a").is_some());
        drop(a2);
        assert!(quota.running.lock().unwrap().is_empty(), "idle keys are forgotten");
    }
}
