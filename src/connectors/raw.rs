//! `x-chift-raw-data: true`: the upstream calls a request made and their answers, captured per
//! request (a task-local log) and returned beside the normalized payload. Secrets never enter it.

use std::future::Future;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

tokio::task_local! {
    static LOG: Arc<Mutex<Vec<Value>>>;
}

/// Runs `f`, capturing every upstream exchange it makes.
pub async fn capture<F: Future>(f: F) -> (F::Output, Vec<Value>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let out = LOG.scope(log.clone(), f).await;
    let calls = std::mem::take(&mut *log.lock().unwrap_or_else(|p| p.into_inner()));
    (out, calls)
}

/// Whether a capture is running, so that an answer is prepared for it only then.
pub fn capturing() -> bool {
    LOG.try_with(|_| ()).is_ok()
}

/// Records one exchange when a capture is running (a no-op otherwise).
pub fn record(method: &str, path: &str, query: &[(&str, String)], cached: bool, body: &Value) {
    let _ = LOG.try_with(|log| {
        let query: serde_json::Map<String, Value> =
            query.iter().map(|(k, v)| ((*k).to_owned(), Value::String(v.clone()))).collect();
        let entry = json!({"method": method, "path": path, "query": query, "cached": cached, "response": body});
        log.lock().unwrap_or_else(|p| p.into_inner()).push(entry);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_captured_requests_are_recorded() {
        record("GET", "/diary", &[], false, &json!([]));
        let ((), calls) =
            capture(async { record("GET", "/vat_param", &[("q", "x".into())], true, &json!([1])) })
                .await;
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0]["path"], "/vat_param");
        assert_eq!(calls[0]["query"]["q"], "x");
    }
}
