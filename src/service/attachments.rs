//! Files attached to invoices and entries.

use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::connectors::Documents;
use crate::domain::journal_entry::AttachmentStatus;
use crate::domain::posting::{pdf, MAX_LABEL};
use crate::domain::{Invalid, Refusal};
use crate::error::Result;
use crate::service::accounting::{unsupported, Context};
use crate::service::{invoices, journal_entries, postings};
use crate::state::AppState;

/// `AttachmentItem`: a PDF to attach.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AttachmentIn {
    pub base64_string: String,
    /// `^[a-zA-Z0-9\-_ ]{1,196}(?:.pdf)?$`; cut to MyUnisoft's 50 characters.
    pub name: Option<String>,
}

/// `AttachmentItemOut`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: String,
    /// Empty when the file is `too_large`.
    pub base64_string: String,
    /// The file was left out (its content not downloaded past the limit): it is larger than what
    /// remained of the page's byte budget. Ask for it alone (`size=1` at its position), or the
    /// operator raises `PASSERELLE_ATTACHMENT_PAGE_BYTES`. Absent when the content is there.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub too_large: bool,
}

fn connector<'s>(s: &'s AppState, ctx: &Context) -> Result<&'s dyn Documents> {
    s.connectors.documents(ctx.kind()).ok_or_else(|| unsupported("attachments", ctx.kind()))
}

/// Attaches a PDF to invoice (or entry) `id`, named `{name}-{6 hex}.pdf`. MyUnisoft cannot
/// remove a document: with
/// `overwrite`, an entry that already has one is refused rather than left with two.
pub async fn attach(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    id: &str,
    file: &AttachmentIn,
    overwrite: bool,
) -> Result<()> {
    let mut attachment = pdf(&file.base64_string, file.name.as_deref(), id)?;
    // A name unique to the write: MyUnisoft lists an entry's documents by name, and a lost
    // answer (or a resumed request) is settled by looking for this one.
    let write = postings::current_write();
    let tag = &write.id.simple().to_string()[..6];
    let stem: String =
        attachment.name.trim_end_matches(".pdf").chars().take(MAX_LABEL - 11).collect();
    attachment.name = format!("{stem}-{tag}.pdf");
    let scope = ctx.folder(s, folder).await?;
    let documents = connector(s, ctx)?;
    // The entry's attachment status says whether it has a document, without downloading any.
    // A resumed write may have attached its own: the connector then finds it by name.
    if overwrite
        && !write.resumed
        && journal_entries::get(s, ctx, folder, id).await?.attachments_info.status
            != AttachmentStatus::No
    {
        return Err(Invalid::query(
            "overwrite_existing",
            "MyUnisoft cannot delete an entry's documents, so it cannot replace one: send false to add this file beside the existing ones",
        )
        .because(Refusal::AttachmentAlreadyExists)
        .into());
    }
    Ok(documents.attach(scope, id, &attachment, write).await?)
}

/// The files of entry `id` (of invoice `id` when `invoice`) from the `skip`-th, at most `take`,
/// as base64, and how many files it has. Only those files are downloaded, within the page's byte
/// budget: a file that does not fit is listed `too_large`, without content.
pub async fn list(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    id: &str,
    invoice: bool,
    (skip, take): (usize, usize),
) -> Result<(Vec<AttachmentOut>, u64)> {
    if invoice {
        invoices::get(s, ctx, folder, id, &invoices::InvoiceFilter::default()).await?;
    }
    let scope = ctx.folder(s, folder).await?;
    let documents = connector(s, ctx)?;
    let files = documents.documents(scope, id).await?;
    let total = files.len() as u64;
    let mut budget = s.limits.attachment_page_bytes;
    let mut out = Vec::new();
    for file in files.into_iter().skip(skip).take(take) {
        let content = documents.download(scope, &file, budget).await?;
        out.push(match content {
            Some(content) => {
                budget -= content.len();
                AttachmentOut {
                    id: file.id,
                    base64_string: base64::engine::general_purpose::STANDARD.encode(content),
                    too_large: false,
                }
            }
            None => AttachmentOut { id: file.id, base64_string: String::new(), too_large: true },
        });
    }
    Ok((out, total))
}
