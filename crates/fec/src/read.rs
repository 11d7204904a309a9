//! Streaming JSON: the upstream body arrives as async chunks; a blocking thread reads them
//! through [`ChannelReader`] and [`each`] visits the top-level array one element at a time, so
//! only the current element is ever materialised.
//!
//! How: a small scanner finds where each element of the array ends (tracking nesting and
//! strings, nothing else), and serde_json parses that element from its slice into the typed
//! wire struct. Parsing slices rather than an `io::Read` keeps serde_json on its fast path;
//! the body is read in 256 KB blocks, the unparsed tail of one block carried to the next.

use std::io::{self, Read};
use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
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

/// Why reading an array stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The stream broke.
    #[error("{0}")]
    Io(io::Error),
    /// The stream ended before the array did.
    #[error("the JSON array ends early")]
    Cut,
    /// Something else than a JSON array of the expected elements.
    #[error("{0}")]
    Syntax(String),
    /// The visitor failed.
    #[error("{0}")]
    Visit(io::Error),
}

/// Where the scan of the array stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the opening bracket.
    Before,
    /// Inside the array, `depth` levels deep (1 = between elements).
    Inside,
    /// After the closing bracket.
    After,
}

struct Scanner {
    stage: Stage,
    depth: u32,
    in_string: bool,
    escaped: bool,
}

impl Scanner {
    /// Scans `buf` from `from` (bytes before it were scanned already, the element being read
    /// starting at `start`); calls `element` on each complete element found. Returns where the
    /// next unfinished element starts.
    fn scan(
        &mut self,
        buf: &[u8],
        from: usize,
        mut start: usize,
        mut element: impl FnMut(&[u8]) -> Result<(), ReadError>,
    ) -> Result<usize, ReadError> {
        let mut i = from;
        while i < buf.len() {
            let b = buf[i];
            if self.in_string {
                match (self.escaped, b) {
                    (true, _) => self.escaped = false,
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => self.in_string = false,
                    _ => {}
                }
                i += 1;
                continue;
            }
            match (self.stage, b) {
                (_, b' ' | b'\n' | b'\r' | b'\t') => {}
                (Stage::Before, b'[') => {
                    self.stage = Stage::Inside;
                    self.depth = 1;
                    start = i + 1;
                }
                (Stage::Inside, b'"') => self.in_string = true,
                (Stage::Inside, b'{' | b'[') => self.depth += 1,
                (Stage::Inside, b',') if self.depth == 1 => {
                    let slice = trim(&buf[start..i]);
                    if slice.is_empty() {
                        return Err(ReadError::Syntax(format!(
                            "an empty array element at byte {i}"
                        )));
                    }
                    element(slice)?;
                    start = i + 1;
                }
                (Stage::Inside, b'}' | b']') if self.depth == 1 => {
                    if b == b'}' {
                        return Err(ReadError::Syntax("an unbalanced `}` in the array".into()));
                    }
                    let slice = trim(&buf[start..i]);
                    if !slice.is_empty() {
                        element(slice)?;
                    }
                    self.stage = Stage::After;
                    self.depth = 0;
                    start = i + 1;
                }
                (Stage::Inside, b'}' | b']') => self.depth -= 1,
                (Stage::Inside, _) => {}
                (Stage::Before, _) => return Err(ReadError::Syntax("not a JSON array".into())),
                (Stage::After, _) => {
                    return Err(ReadError::Syntax("trailing characters after the array".into()))
                }
            }
            i += 1;
        }
        Ok(if self.stage == Stage::Inside { start } else { buf.len() })
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let is_space = |b: &u8| b.is_ascii_whitespace();
    let first = bytes.iter().position(|b| !is_space(b)).unwrap_or(bytes.len());
    let last = bytes.iter().rposition(|b| !is_space(b)).map_or(first, |p| p + 1);
    &bytes[first..last]
}

/// Calls `f` on every element of the JSON array read from `reader`; returns how many there were.
pub fn each<T, R, F>(mut reader: R, mut f: F) -> Result<u64, ReadError>
where
    T: DeserializeOwned,
    R: Read,
    F: FnMut(T) -> io::Result<()>,
{
    const BLOCK: usize = 256 * 1024;
    let mut scanner = Scanner { stage: Stage::Before, depth: 0, in_string: false, escaped: false };
    let mut buf: Vec<u8> = Vec::with_capacity(2 * BLOCK);
    let mut count = 0u64;
    let mut scanned = 0;
    loop {
        let filled = buf.len();
        buf.resize(filled + BLOCK, 0);
        let n = match reader.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => 0,
            Err(e) => return Err(ReadError::Io(e)),
        };
        buf.truncate(filled + n);
        if n == 0 {
            return match scanner.stage {
                Stage::After => Ok(count),
                Stage::Before if buf.iter().all(u8::is_ascii_whitespace) => Err(ReadError::Cut),
                Stage::Before => Err(ReadError::Syntax("not a JSON array".into())),
                Stage::Inside => Err(ReadError::Cut),
            };
        }
        // Only the new bytes are scanned; the element being read started at `start`.
        let start = scanner.scan(&buf, scanned, 0, |slice| {
            let item: T =
                serde_json::from_slice(slice).map_err(|e| ReadError::Syntax(e.to_string()))?;
            count += 1;
            f(item).map_err(ReadError::Visit)
        })?;
        buf.drain(..start);
        scanned = buf.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_split_across_blocks_strings_and_nesting_are_found() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Item {
            a: String,
            b: Vec<u32>,
        }
        let text = r#"[{"a": "x,]}\"[", "b": [1, 2]}, {"a": "é", "b": []}]"#;
        // One byte at a time: every element crosses reads.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let Some((first, rest)) = self.0.split_first() else { return Ok(0) };
                buf[0] = *first;
                self.0 = rest;
                Ok(1)
            }
        }
        let mut seen = vec![];
        let n = each(Trickle(text.as_bytes()), |i: Item| {
            seen.push(i);
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(seen[0], Item { a: "x,]}\"[".into(), b: vec![1, 2] });
        assert_eq!(seen[1].a, "é");
    }

    #[test]
    fn visits_every_element_and_rejects_a_cut_array() {
        let mut seen = vec![];
        let n = each(&b"[1, 2, 3]"[..], |x: u32| {
            seen.push(x);
            Ok(())
        })
        .unwrap();
        assert_eq!((n, seen), (3, vec![1, 2, 3]));
        assert!(matches!(each(&b"[1, 2"[..], |_: u32| Ok(())), Err(ReadError::Cut)));
        assert!(matches!(each(&b"[1] x"[..], |_: u32| Ok(())), Err(ReadError::Syntax(_))));
        assert!(matches!(each(&b"{}"[..], |_: u32| Ok(())), Err(ReadError::Syntax(_))));
        assert!(matches!(each(&b"[1,,2]"[..], |_: u32| Ok(())), Err(ReadError::Syntax(_))));
        assert!(matches!(each(&b""[..], |_: u32| Ok(())), Err(ReadError::Cut)));
        assert_eq!(each(&b" [ ] "[..], |_: u32| Ok(())).unwrap(), 0);
    }

    #[test]
    fn a_broken_stream_is_an_io_error() {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tx.try_send(Ok(Bytes::from_static(b"[1,"))).unwrap();
        tx.try_send(Err(io::Error::other("reset"))).unwrap();
        drop(tx);
        let reader = ChannelReader::new(rx, Arc::default());
        assert!(matches!(each(reader, |_: u32| Ok(())), Err(ReadError::Io(_))));
    }
}
