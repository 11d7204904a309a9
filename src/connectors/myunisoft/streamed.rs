//! Large answers read as they arrive: the body is forwarded chunk by chunk to a blocking parser
//! that visits the JSON array one element at a time, so memory holds a chunk and an element,
//! never the answer. What is read goes to a sink: a FEC spool, or a channel of bounded batches.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use fec::read::{each, ChannelReader, ReadError};
use fec::Progress;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc::Sender;

use super::client::Call;
use super::error::{undecodable, SOFTWARE};
use super::{auth, MyUnisoft};
use crate::connectors::{ConnectorError, ConnectorResult, FolderScope};

/// A year of movements can weigh 250 MB: allow the transfer this long.
const TRANSFER: Duration = Duration::from_secs(30 * 60);

/// Items handed to a [`Batcher`]'s channel at once.
pub(super) const BATCH: usize = 500;

fn cut(path: &str, reason: String) -> ConnectorError {
    ConnectorError::Unavailable {
        software: SOFTWARE,
        reason: format!("the {path} answer was cut: {reason}"),
    }
}

impl MyUnisoft {
    /// Calls `visit` with `sink` on each element of the JSON array `call` answers, on a blocking
    /// thread, and answers the sink once the array has ended.
    pub(super) async fn each_element<T, S, F>(
        &self,
        scope: FolderScope<'_>,
        call: Call,
        progress: Arc<Progress>,
        sink: S,
        mut visit: F,
    ) -> ConnectorResult<S>
    where
        T: DeserializeOwned,
        S: Send + 'static,
        F: FnMut(&mut S, T) -> io::Result<()> + Send + 'static,
    {
        let auth = auth(scope.connection, Some(scope.folder));
        let path = call.path;
        let mut body = Box::pin(self.client.stream(&auth, &call, TRANSFER).await?);
        let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<bytes::Bytes>>(8);
        let parse = tokio::task::spawn_blocking(move || {
            let mut sink = sink;
            let read = each(ChannelReader::new(rx, progress), |item: T| visit(&mut sink, item));
            read.map(|_| sink)
        });
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| io::Error::other(e.to_string()));
            let failed = chunk.is_err();
            if tx.send(chunk).await.is_err() || failed {
                break;
            }
        }
        drop(tx);
        let parsed = parse.await.map_err(|e| cut(path, format!("parser stopped: {e}")))?;
        parsed.map_err(|e| match e {
            ReadError::Io(_) | ReadError::Cut => cut(path, e.to_string()),
            ReadError::Syntax(_) | ReadError::Visit(_) => undecodable(path, e),
        })
    }
}

/// Gathers items into batches of [`BATCH`] and hands each full one to a bounded channel,
/// waiting while the reader at the other end is behind (the body is then read no further).
pub(super) struct Batcher<T> {
    batches: Sender<Vec<T>>,
    batch: Vec<T>,
}

impl<T> Batcher<T> {
    pub(super) fn new(batches: Sender<Vec<T>>) -> Self {
        Self { batches, batch: Vec::with_capacity(BATCH) }
    }

    /// Adds `item`; must be called off the async runtime (it blocks while the channel is full).
    pub(super) fn push(&mut self, item: T) -> io::Result<()> {
        self.batch.push(item);
        if self.batch.len() >= BATCH {
            self.flush_blocking()?;
        }
        Ok(())
    }

    fn flush_blocking(&mut self) -> io::Result<()> {
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.batches.blocking_send(full).map_err(|_| gone())
    }

    /// Hands over the last, partial batch of what `path` answered.
    pub(super) async fn flush(mut self, path: &str) -> ConnectorResult<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let last = std::mem::take(&mut self.batch);
        self.batches.send(last).await.map_err(|_| cut(path, gone().to_string()))
    }
}

fn gone() -> io::Error {
    io::Error::other("the reader of the batches stopped")
}
