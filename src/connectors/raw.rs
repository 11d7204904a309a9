//! `x-chift-raw-data: true`: the upstream calls a request made and their answers, captured per
//! request (a task-local log) and returned beside the normalized payload. Secrets never enter it.
//! A request keeps at most a given number of bytes of answers (as JSON): the calls past it are
//! listed without their answer and the capture says it was truncated.

use std::future::Future;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

tokio::task_local! {
    static LOG: Arc<Mutex<Log>>;
}

/// What a request captured.
#[derive(Debug, Default)]
pub struct Captured {
    pub calls: Vec<Value>,
    /// Some answers were left out to stay within the limit.
    pub truncated: bool,
}

#[derive(Debug, Default)]
struct Log {
    captured: Captured,
    /// Bytes of answers kept, and the most allowed.
    bytes: usize,
    limit: usize,
}

/// Runs `f`, capturing every upstream exchange it makes, keeping at most `limit` bytes of
/// answers.
pub async fn capture<F: Future>(limit: usize, f: F) -> (F::Output, Captured) {
    let log = Arc::new(Mutex::new(Log { limit, ..Log::default() }));
    let out = LOG.scope(log.clone(), f).await;
    let captured = std::mem::take(&mut log.lock().unwrap_or_else(|p| p.into_inner()).captured);
    (out, captured)
}

/// Counts what is written, keeping nothing.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether a capture is running, so that an answer is prepared for it only then.
pub fn capturing() -> bool {
    LOG.try_with(|_| ()).is_ok()
}

/// Records one exchange when a capture is running (a no-op otherwise).
pub fn record(method: &str, path: &str, query: &[(&str, String)], cached: bool, body: &Value) {
    let _ = LOG.try_with(|log| {
        let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
        let mut size = Counter(0);
        let fits = serde_json::to_writer(&mut size, body).is_ok()
            && log.bytes.saturating_add(size.0) <= log.limit;
        let query: serde_json::Map<String, Value> =
            query.iter().map(|(k, v)| ((*k).to_owned(), Value::String(v.clone()))).collect();
        let mut entry = json!({"method": method, "path": path, "query": query, "cached": cached});
        if fits {
            log.bytes += size.0;
            entry["response"] = body.clone();
        } else {
            entry["truncated"] = Value::Bool(true);
            log.captured.truncated = true;
        }
        log.captured.calls.push(entry);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_captured_requests_are_recorded() {
        record("GET", "/diary", &[], false, &json!([]));
        let ((), captured) = capture(1024, async {
            record("GET", "/vat_param", &[("q", "x".into())], true, &json!([1]))
        })
        .await;
        let calls = captured.calls;
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0]["path"], "/vat_param");
        assert_eq!(calls[0]["query"]["q"], "x");
        assert!(!captured.truncated);
    }

    #[tokio::test]
    async fn answers_past_the_limit_are_left_out_and_flagged() {
        let ((), captured) = capture(10, async {
            record("GET", "/a", &[], false, &json!("12345"));
            record("GET", "/b", &[], false, &json!("123456789"));
            record("GET", "/c", &[], false, &json!(1));
        })
        .await;
        let calls = captured.calls;
        assert!(captured.truncated);
        assert_eq!(calls[0]["response"], "12345");
        assert_eq!((calls[1]["path"].as_str(), calls[1].get("response")), (Some("/b"), None));
        assert_eq!(calls[1]["truncated"], true);
        // A small answer still fits after a large one was left out.
        assert_eq!(calls[2]["response"], 1);
    }
}
