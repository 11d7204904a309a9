//! Streaming JSON: the upstream body arrives as async chunks; a blocking thread reads them
//! through [`ChannelReader`] and [`each`] visits the top-level array one element at a time with
//! serde_json's streaming deserializer, so only the current element is ever materialised.
//!
//! Why this and not an incremental parser: serde_json's `Deserializer::from_reader` with a
//! `DeserializeSeed` keeps the typed `#[derive(Deserialize)]` wire structs, skips unknown fields
//! without allocating, and needs no new dependency; the blocking reader costs one channel hop
//! per chunk (tens of KB), not per byte.

use std::fmt;
use std::io::{self, Read};
use std::marker::PhantomData;
use std::sync::Arc;

use bytes::Bytes;
use serde::de::{self, DeserializeOwned, DeserializeSeed, SeqAccess, Visitor};
use tokio::sync::mpsc::Receiver;

use super::Progress;

/// A blocking `Read` over chunks sent by an async task. An `Err` chunk (the connection broke)
/// surfaces as an I/O error; the end of the channel is the end of the body.
pub struct ChannelReader {
    chunks: Receiver<io::Result<Bytes>>,
    current: Bytes,
    progress: Arc<Progress>,
}

impl ChannelReader {
    pub fn new(chunks: Receiver<io::Result<Bytes>>, progress: Arc<Progress>) -> Self {
        Self { chunks, current: Bytes::new(), progress }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(Ok(chunk)) => {
                    Progress::add(&self.progress.bytes_read, chunk.len() as u64);
                    self.current = chunk;
                }
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// Calls `f` on every element of the JSON array read from `reader`; returns how many there were.
/// A failure of `f` stops the read and is returned as a custom error carrying its message.
pub fn each<T, R, F>(reader: R, f: F) -> Result<u64, serde_json::Error>
where
    T: DeserializeOwned,
    R: Read,
    F: FnMut(T) -> io::Result<()>,
{
    let mut de =
        serde_json::Deserializer::from_reader(io::BufReader::with_capacity(256 * 1024, reader));
    let count = Elements { f, element: PhantomData }.deserialize(&mut de)?;
    de.end()?;
    Ok(count)
}

struct Elements<T, F> {
    f: F,
    element: PhantomData<fn() -> T>,
}

impl<'de, T, F> DeserializeSeed<'de> for Elements<T, F>
where
    T: DeserializeOwned,
    F: FnMut(T) -> io::Result<()>,
{
    type Value = u64;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T, F> Visitor<'de> for Elements<T, F>
where
    T: DeserializeOwned,
    F: FnMut(T) -> io::Result<()>,
{
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<u64, A::Error> {
        let mut count = 0;
        while let Some(item) = seq.next_element::<T>()? {
            (self.f)(item).map_err(de::Error::custom)?;
            count += 1;
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_every_element_and_rejects_a_cut_array() {
        let mut seen = vec![];
        let n = each(&b"[1, 2, 3]"[..], |x: u32| {
            seen.push(x);
            Ok(())
        })
        .unwrap();
        assert_eq!((n, seen), (3, vec![1, 2, 3]));
        assert!(each(&b"[1, 2"[..], |_: u32| Ok(())).unwrap_err().is_eof());
        assert!(each(&b"[1] x"[..], |_: u32| Ok(())).is_err());
    }

    #[test]
    fn a_broken_stream_is_an_io_error() {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tx.try_send(Ok(Bytes::from_static(b"[1,"))).unwrap();
        tx.try_send(Err(io::Error::other("reset"))).unwrap();
        drop(tx);
        let reader = ChannelReader::new(rx, Arc::default());
        assert!(each(reader, |_: u32| Ok(())).unwrap_err().is_io());
    }
}
