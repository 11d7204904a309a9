//! Open items of clients and suppliers, derived from MAD movements on their 411/401 accounts
//! in every open fiscal year (open items of a closed year live on in the next year's opening
//! entries). Posted movements are read lettered `none` and `partial` only; pending entries
//! (`draft`, which answers only those) are added when asked for.

use std::sync::Arc;

use async_trait::async_trait;

use super::client::Call;
use super::error::SOFTWARE;
use super::mapping::outstanding::{self as map, Line};
use super::{dto, MyUnisoft};
use crate::connectors::{ConnectorError, ConnectorResult, FolderScope, Ledger, Outstandings};
use crate::domain::outstanding::{Outstanding, OutstandingFilter};
use fec::Progress;

#[async_trait]
impl Outstandings for MyUnisoft {
    async fn outstandings(
        &self,
        scope: FolderScope<'_>,
        filter: OutstandingFilter,
    ) -> ConnectorResult<Vec<Outstanding>> {
        let years = self.bookyears(scope).await?;
        let root = map::class_account(filter.kind);
        let mut lines = vec![];
        for year in years.iter().filter(|y| !y.closed) {
            let call = || {
                Call::get("/mad/movements")
                    .query("version", "1.0.0")
                    .query("idExercice", &year.id)
                    .query("classAccount", root)
            };
            for lettering in ["none", "partial"] {
                lines =
                    self.lines(scope, call().query("lettering", lettering), lines, true).await?;
            }
            if filter.unposted_allowed {
                lines = self.lines(scope, call().query("draft", true), lines, false).await?;
            }
        }
        Ok(map::outstandings(filter.kind, &lines))
    }
}

impl MyUnisoft {
    /// Adds to `lines` the movements `call` answers, read as they arrive: only the lines are
    /// held, never the body, and an answer past the client's body limit is refused as too large
    /// (open items are computed in memory, so what is held stays bounded).
    async fn lines(
        &self,
        scope: FolderScope<'_>,
        call: Call,
        lines: Vec<Line>,
        posted: bool,
    ) -> ConnectorResult<Vec<Line>> {
        let limit = self.client.max_body();
        let progress = Arc::new(Progress::default());
        let read = Arc::clone(&progress);
        let add = move |lines: &mut Vec<Line>, movement: dto::Movement| {
            if Progress::get(&read.bytes_read) > limit as u64 {
                return Err(std::io::Error::other("past the body limit"));
            }
            lines.push(Line { movement, posted });
            Ok(())
        };
        let path = call.path;
        let read = self.each_element(scope, call, Arc::clone(&progress), lines, add).await;
        match read {
            Err(_) if Progress::get(&progress.bytes_read) > limit as u64 => {
                Err(ConnectorError::TooLarge { software: SOFTWARE, path: path.to_owned(), limit })
            }
            read => read,
        }
    }
}
