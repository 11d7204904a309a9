//! What the data layer counts: sync runs and their duration, records stored by change, webhook
//! deliveries by outcome. Every label comes from a closed set.

use std::time::Duration;

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts};

use crate::store::SetChanges;
use crate::telemetry::Metrics;

#[derive(Clone)]
pub struct DatalayerMetrics {
    syncs: HistogramVec,
    records: IntCounterVec,
    webhooks: IntCounterVec,
}

const SYNC_BUCKETS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

/// What a webhook delivery came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Accepted,
    Duplicate,
    BadSignature,
    Stale,
    Malformed,
}

impl Delivery {
    fn label(self) -> &'static str {
        match self {
            Delivery::Accepted => "accepted",
            Delivery::Duplicate => "duplicate",
            Delivery::BadSignature => "bad_signature",
            Delivery::Stale => "stale",
            Delivery::Malformed => "malformed",
        }
    }
}

impl DatalayerMetrics {
    /// Registers the data layer's series with `metrics`.
    pub fn new(metrics: &Metrics) -> Result<Self, prometheus::Error> {
        let syncs = HistogramVec::new(
            HistogramOpts::new("passerelle_datalayer_sync_duration_seconds", "Data layer syncs")
                .buckets(SYNC_BUCKETS.to_vec()),
            &["outcome"],
        )?;
        let records = IntCounterVec::new(
            Opts::new("passerelle_datalayer_records_total", "Records seen by data layer syncs"),
            &["kind", "change"],
        )?;
        let webhooks = IntCounterVec::new(
            Opts::new("passerelle_datalayer_webhooks_total", "MyUnisoft webhook deliveries"),
            &["outcome"],
        )?;
        metrics.register(Box::new(syncs.clone()))?;
        metrics.register(Box::new(records.clone()))?;
        metrics.register(Box::new(webhooks.clone()))?;
        Ok(Self { syncs, records, webhooks })
    }

    pub fn sync_finished(&self, ok: bool, elapsed: Duration) {
        let outcome = if ok { "ok" } else { "failed" };
        self.syncs.with_label_values(&[outcome]).observe(elapsed.as_secs_f64());
    }

    /// `kind` is one of [`super::kinds::ALL`].
    pub fn records(&self, kind: &str, c: &SetChanges) {
        if !super::kinds::ALL.contains(&kind) {
            return;
        }
        for (change, n) in
            [("added", c.added), ("changed", c.changed), ("removed", c.removed), ("kept", c.kept)]
        {
            self.records.with_label_values(&[kind, change]).inc_by(n);
        }
    }

    pub fn webhook(&self, outcome: Delivery) {
        self.webhooks.with_label_values(&[outcome.label()]).inc();
    }
}
