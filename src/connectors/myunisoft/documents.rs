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

/// How long one document may take to download.
const TRANSFER: std::time::Duration = std::time::Duration::from_secs(120);

impl MyUnisoft {
    /// Downloads the attachment `name` from `link`, which carries a token: no error names it.
    async fn download(
        &self,
        scope: FolderScope<'_>,
        name: &str,
        link: &str,
    ) -> ConnectorResult<Vec<u8>> {
        let url = self.client.document_url(link).ok_or_else(|| {
            undecodable(
                "/mad/entry",
                format!(
                    "attachment {name}: its link is neither on MYUNISOFT_BASE_URL's origin nor on \
                     a host of MYUNISOFT_DOWNLOAD_HOSTS"
                ),
            )
        })?;
        let auth = auth(scope.connection, Some(scope.folder));
        let mut body = Box::pin(
            self.client.stream(&auth, &Call::get("/ged/document").at(url), TRANSFER).await?,
        );
        let mut content = Vec::new();
        while let Some(chunk) = body.next().await {
            content.extend_from_slice(&chunk?);
            if content.len() > MAX_ATTACHMENT {
                return Err(undecodable("/mad/entry", "a document larger than 50 MB"));
            }
        }
        Ok(content)
    }
}

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
            files.push(StoredFile {
                id,
                name: name.clone(),
                content: self.download(scope, name, link).await?,
            });
        }
        Ok(files)
    }

    /// Uploads the file once: when the answer is lost, the entry's documents tell whether it
    /// landed before anything is sent again.
    async fn attach(
        &self,
        scope: FolderScope<'_>,
        entry: &str,
        file: &Attachment,
    ) -> Result<(), WriteError> {
        use base64::Engine;
        let (found, posted) = self.mad_entry(scope, entry).await?;
        let before = found.attachments.keys().filter(|n| **n == file.name).count();
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
