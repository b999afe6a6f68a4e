//! Parallel parsing of a Karpathy file's image records.
//!
//! The scanner (on the calling thread) walks the top-level object, cuts the `images` array
//! into batches of whole records, and worker threads parse the batches. Results are handed
//! back in file order, so the first error reported is the first in the file whatever
//! thread found it. Batches in flight are bounded: memory stays at a few megabytes beyond
//! what the parsers keep.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};

use serde_json::value::RawValue;

use super::scan::{ScanError, ScanErrorKind, Scanner};

/// Target bytes per batch: large enough to amortise channel traffic, small enough to keep
/// both cores busy and memory low.
const BATCH_BYTES: usize = 1 << 20;

/// A run of consecutive image records.
pub(crate) struct Batch {
    sequence: usize,
    /// The index in `images` of the first record.
    pub(crate) first_index: usize,
    /// `(document offset, start, end)` of each record in `bytes`.
    pub(crate) records: Vec<(u64, usize, usize)>,
    pub(crate) bytes: Vec<u8>,
}

impl Batch {
    fn new(sequence: usize, first_index: usize) -> Self {
        Self {
            sequence,
            first_index,
            records: Vec::new(),
            bytes: Vec::with_capacity(BATCH_BYTES + BATCH_BYTES / 4),
        }
    }

    /// Reuses a spent batch's buffers: fresh megabyte buffers would each be page-faulted in.
    fn reset(mut self, sequence: usize, first_index: usize) -> Self {
        self.sequence = sequence;
        self.first_index = first_index;
        self.records.clear();
        self.bytes.clear();
        self
    }

    /// The records: `(index in images, document offset, bytes)`.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, u64, &[u8])> {
        self.records
            .iter()
            .enumerate()
            .map(|(position, &(offset, start, end))| {
                (self.first_index + position, offset, &self.bytes[start..end])
            })
    }

    /// The record containing byte `position` of `bytes`.
    pub(crate) fn record_at(&self, position: usize) -> (usize, u64, &[u8]) {
        let found = self
            .records
            .partition_point(|&(_, _, end)| end <= position)
            .min(self.records.len().saturating_sub(1));
        let (offset, start, end) = self.records[found];
        (self.first_index + found, offset, &self.bytes[start..end])
    }
}

/// Why one record could not be used.
#[derive(Debug)]
pub(crate) struct RecordFailure {
    /// Its index in `images`.
    pub(crate) index: usize,
    /// The document offset of the problem (the record's start when unknown).
    pub(crate) offset: u64,
    /// The record's bytes, to name it in the message.
    pub(crate) bytes: Vec<u8>,
    /// What is wrong, naming the member: "`sentences[2]: tokens is empty`".
    pub(crate) message: String,
}

/// Parses batches of image records; shared by the worker threads.
pub(crate) trait BatchParser: Sync {
    /// What one batch becomes.
    type Output: Send;
    /// What a worker thread keeps from one batch to the next.
    type Worker;
    /// The state of worker thread number `index`.
    fn worker(&self, index: usize) -> Self::Worker;
    /// Parses every record of `batch`.
    fn parse(
        &self,
        worker: &mut Self::Worker,
        batch: &Batch,
    ) -> Result<Self::Output, RecordFailure>;
}

/// Why a document could not be read.
#[derive(Debug)]
pub(crate) enum DocumentError {
    /// Not well-formed JSON, or not an object at the top.
    Scan(ScanError),
    /// An image record is unusable.
    Record(RecordFailure),
    /// A top-level member other than `images` is not valid JSON.
    Member {
        key: String,
        offset: u64,
        message: String,
    },
    /// The object has no `images` member.
    NoImages,
    /// `images` appears twice.
    DuplicateImages { offset: u64 },
}

impl From<ScanError> for DocumentError {
    fn from(error: ScanError) -> Self {
        DocumentError::Scan(error)
    }
}

impl From<RecordFailure> for DocumentError {
    fn from(failure: RecordFailure) -> Self {
        DocumentError::Record(failure)
    }
}

/// The top-level members other than `images`, as `(key, JSON text)` in file order.
pub(crate) type Members = Vec<(String, String)>;

/// Walks `{"images": [...], ...}`: parses the image records with `parser` on `jobs`
/// threads, hands each batch's output to `on_batch` in file order, and returns the other
/// top-level members as `(key, JSON text)`.
pub(crate) fn read_document<R: Read, P: BatchParser>(
    reader: R,
    jobs: usize,
    parser: &P,
    on_batch: &mut dyn FnMut(P::Output),
    on_progress: &mut dyn FnMut(u64),
) -> Result<Members, DocumentError> {
    let mut scanner = Scanner::new(reader);
    scanner.expect(
        b'{',
        "a JSON object (`{`) at the start of a Karpathy dataset file",
    )?;
    let mut members = Vec::new();
    let mut seen_images = false;
    if scanner.peek()? == Some(b'}') {
        scanner.bump();
    } else {
        loop {
            let key_offset = scanner.offset();
            let key = scanner.key()?;
            if key == "images" {
                if seen_images {
                    return Err(DocumentError::DuplicateImages { offset: key_offset });
                }
                seen_images = true;
                read_images(&mut scanner, jobs, parser, on_batch, on_progress)?;
            } else {
                let (offset, bytes) = scanner.next_value()?;
                let raw = serde_json::from_slice::<&RawValue>(bytes).map_err(|error| {
                    DocumentError::Member {
                        key: key.clone(),
                        offset,
                        message: strip_position(&error.to_string()),
                    }
                })?;
                members.push((key, raw.get().to_owned()));
            }
            if scanner.separator(b'}', "`,` or `}` after a top-level member")? {
                break;
            }
        }
    }
    if let Some(found) = scanner.peek()? {
        return Err(DocumentError::Scan(ScanError {
            offset: scanner.offset(),
            kind: ScanErrorKind::Unexpected {
                found,
                expected: "the end of the file after the top-level object",
            },
        }));
    }
    on_progress(scanner.offset());
    if !seen_images {
        return Err(DocumentError::NoImages);
    }
    Ok(members)
}

fn read_images<R: Read, P: BatchParser>(
    scanner: &mut Scanner<R>,
    jobs: usize,
    parser: &P,
    on_batch: &mut dyn FnMut(P::Output),
    on_progress: &mut dyn FnMut(u64),
) -> Result<(), DocumentError> {
    scanner.expect(b'[', "`[` opening the `images` list")?;
    if scanner.peek()? == Some(b']') {
        scanner.bump();
        return Ok(());
    }
    if jobs <= 1 {
        let mut batches = BatchCutter::new();
        let mut worker = parser.worker(0);
        loop {
            let (batch, done) = batches.next(scanner)?;
            on_batch(parser.parse(&mut worker, &batch)?);
            on_progress(scanner.offset());
            batches.recycle(batch);
            if done {
                return Ok(());
            }
        }
    }

    let (job_sender, job_receiver) = sync_channel::<Batch>(jobs * 2);
    let job_receiver = Arc::new(Mutex::new(job_receiver));
    let (result_sender, result_receiver) = channel::<Parsed<P::Output>>();
    std::thread::scope(|scope| {
        for index in 0..jobs {
            let job_receiver = Arc::clone(&job_receiver);
            let result_sender = result_sender.clone();
            scope.spawn(move || {
                let mut worker = parser.worker(index);
                loop {
                    let next = job_receiver.lock().map(|receiver| receiver.recv());
                    let Ok(Ok(batch)) = next else { break };
                    let result = parser.parse(&mut worker, &batch);
                    if result_sender.send(Parsed { result, batch }).is_err() {
                        break;
                    }
                }
            });
        }
        drop(result_sender);
        let mut collector = Collector::new(on_batch);
        let mut batches = BatchCutter::new();
        let outcome = cut_batches(
            scanner,
            &mut batches,
            &job_sender,
            &result_receiver,
            &mut collector,
            on_progress,
        );
        // Closing the job channel lets the workers finish, whether we succeeded or not.
        drop(job_sender);
        match outcome {
            Ok(total) => {
                while collector.next_sequence < total {
                    let parsed = result_receiver.recv().map_err(|_| worker_stopped())?;
                    collector.accept(parsed, &mut batches)?;
                }
                Ok(())
            }
            Err(error) => {
                // A record error earlier in the file than a syntax error is the one to
                // report: drain what the workers still have.
                while let Ok(parsed) = result_receiver.recv() {
                    collector.accept(parsed, &mut batches)?;
                }
                Err(error)
            }
        }
    })
}

/// Cuts batches and hands them to the workers; returns the number of batches.
fn cut_batches<R: Read, T>(
    scanner: &mut Scanner<R>,
    batches: &mut BatchCutter,
    job_sender: &SyncSender<Batch>,
    result_receiver: &Receiver<Parsed<T>>,
    collector: &mut Collector<'_, T>,
    on_progress: &mut dyn FnMut(u64),
) -> Result<usize, DocumentError> {
    loop {
        let (batch, done) = batches.next(scanner)?;
        // A send error means every worker died, which only a panic can cause.
        job_sender.send(batch).map_err(|_| worker_stopped())?;
        on_progress(scanner.offset());
        while let Ok(parsed) = result_receiver.try_recv() {
            collector.accept(parsed, batches)?;
        }
        if done {
            return Ok(batches.sequence);
        }
    }
}

/// Cuts the `images` array into batches of records, reusing spent batches' buffers.
struct BatchCutter {
    sequence: usize,
    index: usize,
    spare: Vec<Batch>,
}

impl BatchCutter {
    fn new() -> Self {
        Self {
            sequence: 0,
            index: 0,
            spare: Vec::new(),
        }
    }

    fn recycle(&mut self, batch: Batch) {
        self.spare.push(batch);
    }

    /// The next batch, and whether it ends the array.
    fn next<R: Read>(&mut self, scanner: &mut Scanner<R>) -> Result<(Batch, bool), ScanError> {
        let mut batch = match self.spare.pop() {
            Some(spare) => spare.reset(self.sequence, self.index),
            None => Batch::new(self.sequence, self.index),
        };
        self.sequence += 1;
        loop {
            let (offset, bytes) = scanner.next_value()?;
            let start = batch.bytes.len();
            batch.bytes.extend_from_slice(bytes);
            batch.records.push((offset, start, batch.bytes.len()));
            self.index += 1;
            let done = scanner.separator(b']', "`,` or `]` after an image record")?;
            if done || batch.bytes.len() >= BATCH_BYTES {
                return Ok((batch, done));
            }
        }
    }
}

fn worker_stopped() -> DocumentError {
    DocumentError::Scan(ScanError {
        offset: 0,
        kind: ScanErrorKind::Io(std::io::Error::other(
            "a parser thread stopped unexpectedly",
        )),
    })
}

/// A parsed batch on its way back to the scanning thread.
struct Parsed<T> {
    result: Result<T, RecordFailure>,
    batch: Batch,
}

/// Hands batch results on in order as they arrive out of order.
struct Collector<'c, T> {
    on_batch: &'c mut dyn FnMut(T),
    next_sequence: usize,
    pending: BTreeMap<usize, Result<T, RecordFailure>>,
}

impl<'c, T> Collector<'c, T> {
    fn new(on_batch: &'c mut dyn FnMut(T)) -> Self {
        Self {
            on_batch,
            next_sequence: 0,
            pending: BTreeMap::new(),
        }
    }

    fn accept(
        &mut self,
        parsed: Parsed<T>,
        batches: &mut BatchCutter,
    ) -> Result<(), DocumentError> {
        self.pending.insert(parsed.batch.sequence, parsed.result);
        batches.recycle(parsed.batch);
        while let Some(result) = self.pending.remove(&self.next_sequence) {
            (self.on_batch)(result?);
            self.next_sequence += 1;
        }
        Ok(())
    }
}

/// serde_json's message without its " at line L column C" suffix (positions are given
/// relative to the whole file instead).
pub(crate) fn strip_position(message: &str) -> String {
    let mut out = message.to_owned();
    if let Some(at) = out.rfind(" at line ") {
        let tail = &out[at + " at line ".len()..];
        let is_position = tail.split_once(" column ").is_some_and(|(line, column)| {
            line.bytes().all(|b| b.is_ascii_digit()) && column.bytes().all(|b| b.is_ascii_digit())
        });
        if is_position {
            out.truncate(at);
        }
    }
    out
}
