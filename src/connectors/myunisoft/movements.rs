//! The MAD movements of a window, streamed into a FEC spool: the body is forwarded chunk by
//! chunk to a blocking parser that maps each movement and appends it to the spool.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use fec::read::{each, ChannelReader, ReadError};
use fec::{Progress, Spool};
use futures_util::StreamExt;

use super::client::Call;
use super::error::{undecodable, SOFTWARE};
use super::{auth, dto, mapping, MyUnisoft};
use crate::connectors::{ConnectorError, ConnectorResult, FolderScope, Movements};

const PATH: &str = "/mad/movements";
/// A year of movements can weigh 250 MB: allow the transfer this long.
const TRANSFER: Duration = Duration::from_secs(30 * 60);

fn cut(reason: String) -> ConnectorError {
    ConnectorError::Unavailable {
        software: SOFTWARE,
        reason: format!("the movements answer was cut: {reason}"),
    }
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
        let auth = auth(scope.connection, Some(scope.folder));
        let call = Call::get(PATH)
            .query("version", "1.0.0")
            .query("startDate", from.format("%Y-%m-%d"))
            .query("endDate", to.format("%Y-%m-%d"));
        let mut body = Box::pin(self.client.stream(&auth, &call, TRANSFER).await?);
        let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<bytes::Bytes>>(8);
        let counter = progress.clone();
        let parse = tokio::task::spawn_blocking(move || {
            let mut spool = spool;
            let read = each(ChannelReader::new(rx, counter.clone()), |m: dto::FecMovement| {
                Progress::add(&counter.movements_read, 1);
                spool.push(mapping::fec::fec_line(m))
            });
            read.map(|_| spool)
        });
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| io::Error::other(e.to_string()));
            let failed = chunk.is_err();
            if tx.send(chunk).await.is_err() || failed {
                break;
            }
        }
        drop(tx);
        let parsed = parse.await.map_err(|e| cut(format!("parser stopped: {e}")))?;
        parsed.map_err(|e| match e {
            ReadError::Io(_) | ReadError::Cut => cut(e.to_string()),
            ReadError::Syntax(_) | ReadError::Visit(_) => undecodable(PATH, e),
        })
    }
}
