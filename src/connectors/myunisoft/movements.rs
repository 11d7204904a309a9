//! The MAD movements of a window, streamed as FEC lines: into a FEC spool for an export, or in
//! bounded batches for the data layer.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use fec::{Line, Progress, Spool};

use super::client::Call;
use super::streamed::Batcher;
use super::{dto, mapping, MyUnisoft};
use crate::connectors::{Batches, ConnectorResult, FolderScope, Movements};

fn movements_call(from: NaiveDate, to: NaiveDate) -> Call {
    Call::get("/mad/movements")
        .query("version", "1.0.0")
        .query("startDate", from.format("%Y-%m-%d"))
        .query("endDate", to.format("%Y-%m-%d"))
}

#[async_trait]
impl Movements for MyUnisoft {
    fn max_window_months(&self) -> u32 {
        12
    }

    async fn read_movements(
        &self,
        scope: FolderScope<'_>,
        from: NaiveDate,
        to: NaiveDate,
        spool: Spool,
        progress: Arc<Progress>,
    ) -> ConnectorResult<Spool> {
        let counter = progress.clone();
        let call = movements_call(from, to);
        self.each_element(scope, call, progress, spool, move |spool, m: dto::FecMovement| {
            Progress::add(&counter.movements_read, 1);
            spool.push(mapping::fec::fec_line(m))
        })
        .await
    }

    async fn stream_movements(
        &self,
        scope: FolderScope<'_>,
        from: NaiveDate,
        to: NaiveDate,
        batches: Batches<Line>,
    ) -> ConnectorResult<()> {
        let call = movements_call(from, to);
        let path = call.path;
        let sink = Batcher::new(batches);
        let visit =
            |sink: &mut Batcher<Line>, m: dto::FecMovement| sink.push(mapping::fec::fec_line(m));
        let sink = self.each_element(scope, call, Arc::default(), sink, visit).await?;
        sink.flush(path).await
    }
}
