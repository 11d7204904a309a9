//! An external sort of byte records with bounded memory. A record is a key, compared as bytes,
//! and a payload carried along. Records gather in one buffer; a full buffer is sorted and
//! written to an anonymous temporary file (a run); at the end the runs are merged into one
//! sorted file, every record being shown to a visitor on the way. Memory holds the buffer while
//! records come in, then one record and a small read buffer per run.
//!
//! On disk and in the buffer a record is `key length, payload length` (u32 LE each), the key,
//! then the payload.

use std::cmp::Ordering;
use std::collections::binary_heap::{BinaryHeap, PeekMut};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// Read buffer of each run during the merge.
const RUN_READ: usize = 64 * 1024;
/// Write buffer of a run or of the merged file, read buffer of the merged file.
const FILE_BUFFER: usize = 256 * 1024;
pub(crate) const HEADER: usize = 8;

/// Records waiting to be sorted.
#[derive(Debug)]
pub(crate) struct Runs {
    /// Records as they arrived, framed as on disk.
    buffer: Vec<u8>,
    /// Where each buffered record starts.
    starts: Vec<u32>,
    /// Buffer size that sends the buffer to disk.
    bound: usize,
    /// Sorted runs already written.
    files: Vec<File>,
}

impl Runs {
    /// Runs of at most `bound` bytes (a larger single record makes a run of its own).
    pub(crate) fn new(bound: usize) -> Self {
        let bound = bound.min(u32::MAX as usize);
        Self { buffer: Vec::with_capacity(bound), starts: Vec::new(), bound, files: Vec::new() }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.starts.is_empty() && self.files.is_empty()
    }

    pub(crate) fn push(&mut self, key: &[u8], payload: &[u8]) -> io::Result<()> {
        let size = HEADER + key.len() + payload.len();
        if !self.starts.is_empty() && self.buffer.len() + size > self.bound {
            let run = self.write_run(&mut |_, _| Ok(()))?;
            self.files.push(run);
        }
        let start = u32::try_from(self.buffer.len()).map_err(io::Error::other)?;
        self.starts.push(start);
        self.buffer.extend_from_slice(&length(key)?);
        self.buffer.extend_from_slice(&length(payload)?);
        self.buffer.extend_from_slice(key);
        self.buffer.extend_from_slice(payload);
        Ok(())
    }

    /// Sorts everything pushed into one file, calling `visit` on each record in order.
    pub(crate) fn sort(
        mut self,
        mut visit: impl FnMut(&[u8], &[u8]) -> io::Result<()>,
    ) -> io::Result<File> {
        if self.files.is_empty() {
            return self.write_run(&mut visit);
        }
        let last = self.write_run(&mut |_, _| Ok(()))?;
        let Runs { mut files, .. } = self;
        files.push(last);
        merge(files, visit)
    }

    /// Writes the buffer, sorted, as a file and empties it.
    fn write_run(
        &mut self,
        visit: &mut impl FnMut(&[u8], &[u8]) -> io::Result<()>,
    ) -> io::Result<File> {
        let buffer = &self.buffer;
        // Stable sort: it finds the ordered stretches upstream answers are made of.
        self.starts.sort_by(|&a, &b| split(buffer, a).0.cmp(split(buffer, b).0));
        let mut out = BufWriter::with_capacity(FILE_BUFFER, tempfile::tempfile()?);
        for &start in &self.starts {
            let (key, payload) = split(buffer, start);
            let end = start as usize + HEADER + key.len() + payload.len();
            out.write_all(&buffer[start as usize..end])?;
            visit(key, payload)?;
        }
        self.buffer.clear();
        self.starts.clear();
        out.into_inner().map_err(|e| e.into_error())
    }
}

fn length(bytes: &[u8]) -> io::Result<[u8; 4]> {
    u32::try_from(bytes.len()).map(u32::to_le_bytes).map_err(io::Error::other)
}

/// Key and payload of the buffered record starting at `start`.
fn split(buffer: &[u8], start: u32) -> (&[u8], &[u8]) {
    let start = start as usize;
    let size = |at: usize| {
        let mut bytes = [0u8; 4];
        bytes.copy_from_slice(&buffer[at..at + 4]);
        u32::from_le_bytes(bytes) as usize
    };
    let key = start + HEADER;
    let payload = key + size(start);
    (&buffer[key..payload], &buffer[payload..payload + size(start + 4)])
}

/// A sorted file read one record at a time.
pub(crate) struct Reader {
    input: BufReader<File>,
    record: Vec<u8>,
    key: usize,
}

impl Reader {
    fn new(mut file: File, capacity: usize) -> io::Result<Self> {
        file.seek(SeekFrom::Start(0))?;
        Ok(Self { input: BufReader::with_capacity(capacity, file), record: Vec::new(), key: 0 })
    }

    /// A sorted file written by [`Runs::sort`], with a read buffer fit for a whole pass.
    pub(crate) fn sorted(file: File) -> io::Result<Self> {
        Self::new(file, FILE_BUFFER)
    }

    /// Reads the next record; false at the end of the file.
    pub(crate) fn advance(&mut self) -> io::Result<bool> {
        if self.input.fill_buf()?.is_empty() {
            return Ok(false);
        }
        let mut header = [0u8; HEADER];
        self.input.read_exact(&mut header)?;
        let [k0, k1, k2, k3, p0, p1, p2, p3] = header;
        self.key = u32::from_le_bytes([k0, k1, k2, k3]) as usize;
        let size = self.key + u32::from_le_bytes([p0, p1, p2, p3]) as usize;
        self.record.resize(size, 0);
        self.input.read_exact(&mut self.record)?;
        Ok(true)
    }

    /// The key of the record read last.
    pub(crate) fn key(&self) -> &[u8] {
        &self.record[..self.key]
    }

    /// The payload of the record read last.
    pub(crate) fn payload(&self) -> &[u8] {
        &self.record[self.key..]
    }
}

/// A run in the merge, ordered so that the smallest key tops the heap.
struct Head(Reader);

impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.key().cmp(self.0.key())
    }
}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.0.key() == other.0.key()
    }
}

impl Eq for Head {}

/// Merges sorted runs into one sorted file, calling `visit` on each record in order.
fn merge(
    runs: Vec<File>,
    mut visit: impl FnMut(&[u8], &[u8]) -> io::Result<()>,
) -> io::Result<File> {
    let mut heap = BinaryHeap::with_capacity(runs.len());
    for run in runs {
        let mut reader = Reader::new(run, RUN_READ)?;
        if reader.advance()? {
            heap.push(Head(reader));
        }
    }
    let mut out = BufWriter::with_capacity(FILE_BUFFER, tempfile::tempfile()?);
    while let Some(mut top) = heap.peek_mut() {
        let Head(reader) = &mut *top;
        out.write_all(&length(reader.key())?)?;
        out.write_all(&length(reader.payload())?)?;
        out.write_all(&reader.record)?;
        visit(reader.key(), reader.payload())?;
        if !reader.advance()? {
            PeekMut::pop(top);
        }
    }
    out.into_inner().map_err(|e| e.into_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(bound: usize, keys: &[&str]) -> (Vec<String>, Vec<String>) {
        let mut runs = Runs::new(bound);
        for (i, key) in keys.iter().enumerate() {
            runs.push(key.as_bytes(), i.to_string().as_bytes()).unwrap();
        }
        let mut visited = vec![];
        let file = runs
            .sort(|key, payload| {
                visited.push(format!("{}={}", String::from_utf8_lossy(key), payload.len()));
                Ok(())
            })
            .unwrap();
        let mut reader = Reader::sorted(file).unwrap();
        let mut read = vec![];
        while reader.advance().unwrap() {
            let (key, payload) = (reader.key(), reader.payload());
            read.push(format!("{}={}", String::from_utf8_lossy(key), payload.len()));
        }
        (visited, read)
    }

    #[test]
    fn many_runs_merge_into_the_order_of_one() {
        let keys: Vec<String> = (0..500).map(|i| format!("{:05}", (i * 7_919) % 1_000)).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let (visited, read) = sorted(1 << 20, &keys);
        let mut expected: Vec<&str> = keys.clone();
        expected.sort();
        assert_eq!(visited.iter().map(|v| &v[..5]).collect::<Vec<_>>(), expected);
        assert_eq!(read, visited);
        let (visited_small, read_small) = sorted(64, &keys);
        assert_eq!((visited_small, read_small), (visited, read));
    }

    #[test]
    fn an_empty_sort_and_a_record_larger_than_a_run_are_fine() {
        assert_eq!(sorted(16, &[]), (vec![], vec![]));
        let (visited, _) = sorted(16, &["a-long-key-longer-than-the-bound", "b", "a"]);
        assert_eq!(visited, ["a=1", "a-long-key-longer-than-the-bound=1", "b=1"]);
    }
}
