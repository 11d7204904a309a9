//! One delivery attempt: `POST` of the body exactly as signed, with `X-Chift-Signature` (lower-case
//! hex HMAC-SHA256 of the body, keyed by the webhook's signing secret — Chift's scheme),
//! `X-Passerelle-Event-Id` (the same on every attempt of one delivery: receivers deduplicate on it)
//! and `X-Passerelle-Timestamp` (Unix seconds of this attempt: receivers refuse old replays).
//! Redirects are not followed, the attempt has a timeout and at most
//! [`MAX_ANSWER_BYTES`](super::settings::MAX_ANSWER_BYTES) of the answer are read.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, Url};
use uuid::Uuid;

use super::guard::{self, GuardedResolver};
use super::settings::{WebhookSettings, MAX_ANSWER_BYTES};

pub const SIGNATURE: &str = "x-chift-signature";
pub const EVENT_ID: &str = "x-passerelle-event-id";
pub const TIMESTAMP: &str = "x-passerelle-timestamp";

/// Lower-case hex HMAC-SHA256 of `body` keyed by `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    crate::crypto::hmac_sha256_hex(secret.as_bytes(), &[body])
}

/// How an attempt went.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The receiver's status; 0 when it gave none.
    pub status: u16,
    pub duration: Duration,
    /// Why it failed, without secrets (no answer body either).
    pub error: Option<String>,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The HTTP client of deliveries.
#[derive(Clone)]
pub struct Deliverer {
    client: Client,
    allow_private: bool,
}

impl Deliverer {
    pub fn new(settings: &WebhookSettings) -> Result<Self, String> {
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment (HTTP(S)_PROXY) would resolve and connect in our stead,
            // out of the guarded resolver's sight.
            .no_proxy()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
            .dns_resolver(Arc::new(GuardedResolver { allow_private: settings.allow_private }))
            .user_agent(concat!("Passerelle-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("webhook client: {e}"))?;
        Ok(Self { client, allow_private: settings.allow_private })
    }

    /// Sends `body` to `url` once.
    pub async fn deliver(
        &self,
        url: &str,
        body: String,
        secret: Option<&str>,
        event_id: Uuid,
    ) -> Attempt {
        let started = Instant::now();
        let failed =
            |error: String| Attempt { status: 0, duration: started.elapsed(), error: Some(error) };
        let parsed = match Url::parse(url) {
            Ok(u) => u,
            Err(e) => return failed(format!("not a URL: {e}")),
        };
        if !guard::may_send(&parsed, self.allow_private) {
            return failed("refused: not an https URL to a public address".into());
        }
        let mut request = self
            .client
            .post(parsed)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(EVENT_ID, event_id.to_string())
            .header(TIMESTAMP, chrono::Utc::now().timestamp().to_string());
        if let Some(secret) = secret {
            request = request.header(SIGNATURE, sign(secret, body.as_bytes()));
        }
        let mut response = match request.body(body).send().await {
            Ok(r) => r,
            Err(e) => return failed(describe(&e)),
        };
        let status = response.status().as_u16();
        // Read a bounded part of the answer (so the connection can be reused), no more.
        let mut read = 0;
        while read < MAX_ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => read += chunk.len(),
                _ => break,
            }
        }
        let error = (!(200..300).contains(&status)).then(|| format!("answered {status}"));
        Attempt { status, duration: started.elapsed(), error }
    }
}

/// What went wrong, in words that hold no URL query or secret.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect (or the address was refused)".into()
    } else {
        "request failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_chifts_hex_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
