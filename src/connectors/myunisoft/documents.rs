//! Files attached to entries: MAD entries list them as download links (fetched with the
//! partner headers, only from the base URL's origin or a host of `MYUNISOFT_DOWNLOAD_HOSTS`);
//! `POST /document/add_all_types` adds one.

use async_trait::async_trait;
use futures_util::StreamExt;

use super::client::Call;
use super::error::undecodable;
use super::{auth, MyUnisoft};
use crate::connectors::{ConnectorResult, Documents, FolderScope, WriteError};
use crate::domain::posting::{Attachment, StoredFile, MAX_ATTACHMENT};
use crate::domain::write::Write;

/// How long one document may take to download.
const TRANSFER: std::time::Duration = std::time::Duration::from_secs(120);

#[async_trait]
impl Documents for MyUnisoft {
    async fn documents(
        &self,
        scope: FolderScope<'_>,
        entry: &str,
    ) -> ConnectorResult<Vec<StoredFile>> {
        let (found, _) = self.mad_entry(scope, entry).await?;
        let mut files = Vec::with_capacity(found.attachments.len());
        for (name, link) in &found.attachments {
            let link = link.get("value").and_then(|v| v.as_str()).ok_or_else(|| {
                undecodable("/mad/entry", format!("attachment {name} has no link"))
            })?;
            // `/api/ged/ged/document/{id}-{token}/download`: the id names the document.
            let id = link
                .rsplit('/')
                .nth(1)
                .and_then(|key| key.split('-').next())
                .filter(|id| !id.is_empty())
                .unwrap_or(name)
                .to_owned();
            files.push(StoredFile { id, name: name.clone(), link: link.to_owned() });
        }
        Ok(files)
    }

    async fn download(
        &self,
        scope: FolderScope<'_>,
        file: &StoredFile,
        max_bytes: usize,
    ) -> ConnectorResult<Option<Vec<u8>>> {
        let link = &file.link;
        let url = self.client.document_url(link).ok_or_else(|| {
            undecodable(
                "/mad/entry",
                format!(
                    "attachment {}: its link is neither on MYUNISOFT_BASE_URL's origin nor on \
                     a host of MYUNISOFT_DOWNLOAD_HOSTS",
                    file.name
                ),
            )
        })?;
        let auth = auth(scope.connection, Some(scope.folder));
        let mut body = Box::pin(
            self.client.stream(&auth, &Call::get("/ged/document").at(url), TRANSFER).await?,
        );
        let limit = max_bytes.min(MAX_ATTACHMENT);
        let mut content = Vec::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            if content.len() + chunk.len() > limit {
                return Ok(None);
            }
            content.extend_from_slice(&chunk);
        }
        Ok(Some(content))
    }

    /// Uploads the file once: when the answer is lost, the entry's documents tell whether it
    /// landed before anything is sent again.
    async fn attach(
        &self,
        scope: FolderScope<'_>,
        entry: &str,
        file: &Attachment,
        write: Write,
    ) -> Result<(), WriteError> {
        use base64::Engine;
        let (found, posted) = self.mad_entry(scope, entry).await?;
        let before = found.attachments.keys().filter(|n| **n == file.name).count();
        // The name carries the write's tag: there already, it is this write's, landed.
        if write.resumed && before > 0 {
            return Ok(());
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(file.base64.as_bytes())
            .map_err(|e| undecodable("/mad/entry", format!("attachment: {e}")))?;
        let call = Call::upload("/document/add_all_types", bytes)
            .query("location", if posted { "ENTRIES" } else { "ENTRIES_TEMP" })
            .query("object_id", &found.producer_id)
            .query("filename_extension", &file.name)
            .query("type_result", 1);
        let auth = auth(scope.connection, Some(scope.folder));
        match self.client.send(&auth, &call).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_transient() => {
                let (now, _) = self.mad_entry(scope, entry).await?;
                let landed = now.attachments.keys().filter(|n| **n == file.name).count() > before;
                if landed {
                    Ok(())
                } else {
                    Err(e.into())
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}
