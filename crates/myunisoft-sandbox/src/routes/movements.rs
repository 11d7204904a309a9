//! `GET /mad/movements?version=1.0.0`: the movements of one exercise or window, each with its
//! parent entry; streamed for the large-volume folder.

use std::io;
use std::sync::atomic::Ordering;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::mad::{self, MadEntry, MadMovement, Selection};
use crate::errors::ApiResult;
use crate::large::Generator;
use crate::params::Params;
use crate::scope::FolderId;
use crate::server::SharedState;

/// Entries serialized per streamed chunk.
const CHUNK: u64 = 500;

pub(super) fn router() -> Router<SharedState> {
    Router::new().route("/mad/movements", get(mad_movements))
}

async fn mad_movements(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Response> {
    mad_listing(&shared, id, &params, Listing::Movements)
}

/// `GET /mad/entries` and `GET /mad/movements`: one exercise or window of a folder, generated
/// on the fly for the large-volume folder.
pub(super) fn mad_listing(
    shared: &SharedState,
    id: i64,
    params: &Params,
    listing: Listing,
) -> ApiResult<Response> {
    let world = shared.world();
    let folder = world.folder(id)?;
    let selection = Selection::parse(folder, params)?;
    if folder.generated && !selection.draft {
        let count = shared.large_movements();
        if let Some(generator) = Generator::new(folder.clone(), count) {
            drop(world);
            if !shared.pregenerate.load(Ordering::Relaxed) {
                return Ok(stream(generator, selection, listing));
            }
            let key = format!("{count}:{listing:?}:{selection:?}");
            let mut cache = shared.rendered.lock().unwrap_or_else(|p| p.into_inner());
            let body = match cache.as_ref() {
                Some((cached, body)) if *cached == key => body.clone(),
                _ => {
                    let body = render(generator, selection, listing);
                    *cache = Some((key, body.clone()));
                    body
                }
            };
            return Ok(rendered(body));
        }
    }
    let entries = folder.entries_in(selection.draft).iter();
    Ok(match listing {
        Listing::Entries => {
            Json(mad::entries(folder, entries, &selection).collect::<Vec<MadEntry>>())
                .into_response()
        }
        Listing::Movements => {
            Json(mad::movements(folder, entries, &selection).collect::<Vec<MadMovement>>())
                .into_response()
        }
    })
}

/// What a streamed response lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Listing {
    Movements,
    Entries,
}

/// A JSON array streamed [`CHUNK`] entries at a time.
struct Chunks {
    generator: Generator,
    selection: Selection,
    listing: Listing,
    next: u64,
    wrote_item: bool,
    done: bool,
}

impl Iterator for Chunks {
    type Item = Result<Bytes, io::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut buf = Vec::with_capacity(64 * 1024);
        if self.next == 0 {
            buf.push(b'[');
        }
        let end = (self.next + CHUNK).min(self.generator.count());
        let folder = self.generator.folder();
        for i in self.next..end {
            let entry = self.generator.entry(i);
            let one = std::iter::once(&entry);
            let items: Vec<Result<Vec<u8>, serde_json::Error>> = match self.listing {
                Listing::Movements => mad::movements(folder, one, &self.selection)
                    .map(|m| serde_json::to_vec(&m))
                    .collect(),
                Listing::Entries => mad::entries(folder, one, &self.selection)
                    .map(|e| serde_json::to_vec(&e))
                    .collect(),
            };
            for item in items {
                let item = match item {
                    Ok(item) => item,
                    Err(e) => return Some(Err(io::Error::other(e))),
                };
                if self.wrote_item {
                    buf.push(b',');
                }
                buf.extend_from_slice(&item);
                self.wrote_item = true;
            }
        }
        self.next = end;
        if end >= self.generator.count() {
            buf.push(b']');
            self.done = true;
        }
        Some(Ok(Bytes::from(buf)))
    }
}

fn chunks(generator: Generator, selection: Selection, listing: Listing) -> Chunks {
    Chunks { generator, selection, listing, next: 0, wrote_item: false, done: false }
}

/// The streamed MAD answer of the generated folder.
fn stream(generator: Generator, selection: Selection, listing: Listing) -> Response {
    let body = Body::from_stream(futures_util::stream::iter(chunks(generator, selection, listing)));
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The whole answer at once, for a benchmark that must not wait on the generator: rendered once,
/// then served from memory.
fn render(generator: Generator, selection: Selection, listing: Listing) -> Bytes {
    let mut all = Vec::new();
    for chunk in chunks(generator, selection, listing).flatten() {
        all.extend_from_slice(&chunk);
    }
    Bytes::from(all)
}

fn rendered(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
