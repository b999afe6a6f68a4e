//! Parallel parsing of the elements of a JSON array.
//!
//! The scanner (on the calling thread) cuts the array into batches of whole elements,
//! worker threads parse the batches, and the results are appended in order. Batches in
//! flight are bounded, so memory stays at a few megabytes beyond the parsed records,
//! whatever the file size.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};

use super::scanner::{ScanError, Scanner};

/// Target bytes per batch: large enough to amortise channel traffic, small enough to keep
/// both cores busy and memory low.
const BATCH_BYTES: usize = 1 << 20;

/// A record type that can be parsed from one array element.
pub(crate) trait Element: Sized + Send + 'static {
    /// What every element's parse needs besides its bytes (shared by the workers).
    type Context: Sync;
    /// Parses element `index` (0-based) of its array, found at document `offset`.
    fn parse(
        bytes: &[u8],
        index: usize,
        offset: u64,
        context: &Self::Context,
    ) -> Result<Self, serde_json::Error>;
}

/// The typed records parse with their serde implementations.
macro_rules! typed_element {
    ($($type:ty),*) => {$(
        impl Element for $type {
            type Context = ();
            fn parse(bytes: &[u8], _index: usize, _offset: u64, _context: &()) -> Result<Self, serde_json::Error> {
                serde_json::from_slice(bytes)
            }
        }
    )*};
}
typed_element!(
    crate::model::Image,
    crate::model::Category,
    crate::model::License
);

impl Element for crate::model::Annotation {
    type Context = ();
    fn parse(
        bytes: &[u8],
        _index: usize,
        _offset: u64,
        _context: &(),
    ) -> Result<Self, serde_json::Error> {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let fast =
            SCRATCH.with(|scratch| super::fast::parse_annotation(bytes, &mut scratch.borrow_mut()));
        match fast {
            Some(annotation) => Ok(annotation),
            None => serde_json::from_slice(bytes),
        }
    }
}

/// Why an array could not be read.
#[derive(Debug)]
pub(crate) enum ArrayError {
    Scan(ScanError),
    /// Element `index` (0-based) at document `offset` failed to parse.
    Element {
        index: usize,
        offset: u64,
        bytes: Vec<u8>,
        error: serde_json::Error,
    },
}

impl From<ScanError> for ArrayError {
    fn from(error: ScanError) -> Self {
        ArrayError::Scan(error)
    }
}

struct Batch {
    sequence: usize,
    first_index: usize,
    /// `(document offset, start, end)` of each element in `bytes`.
    elements: Vec<(u64, usize, usize)>,
    bytes: Vec<u8>,
}

impl Batch {
    fn new(sequence: usize, first_index: usize) -> Self {
        Self {
            sequence,
            first_index,
            elements: Vec::new(),
            bytes: Vec::with_capacity(BATCH_BYTES + BATCH_BYTES / 4),
        }
    }

    /// Reuses a spent batch's buffers: fresh megabyte buffers would each be page-faulted in.
    fn reset(mut self, sequence: usize, first_index: usize) -> Self {
        self.sequence = sequence;
        self.first_index = first_index;
        self.elements.clear();
        self.bytes.clear();
        self
    }

    fn parse<T: Element>(&self, context: &T::Context) -> Result<Vec<T>, ArrayError> {
        let mut records = Vec::with_capacity(self.elements.len());
        for (position, &(offset, start, end)) in self.elements.iter().enumerate() {
            let bytes = &self.bytes[start..end];
            match T::parse(bytes, self.first_index + position, offset, context) {
                Ok(record) => records.push(record),
                Err(error) => {
                    return Err(ArrayError::Element {
                        index: self.first_index + position,
                        offset,
                        bytes: bytes.to_vec(),
                        error,
                    });
                }
            }
        }
        Ok(records)
    }
}

/// Reads a JSON array (the scanner is positioned before its `[`) into records, using up
/// to `jobs` worker threads. `on_progress` receives the document offset now and then.
pub(crate) fn read_array<T: Element, R: Read>(
    scanner: &mut Scanner<R>,
    jobs: usize,
    context: &T::Context,
    on_progress: &mut dyn FnMut(u64),
) -> Result<Vec<T>, ArrayError> {
    scanner.expect(b'[', "`[`")?;
    if scanner.peek()? == Some(b']') {
        scanner.bump();
        return Ok(Vec::new());
    }
    if jobs <= 1 {
        return read_array_serial(scanner, context, on_progress);
    }

    let (job_sender, job_receiver) = sync_channel::<Batch>(jobs * 2);
    let job_receiver = Arc::new(Mutex::new(job_receiver));
    let (result_sender, result_receiver) = channel::<Parsed<T>>();

    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let job_receiver = Arc::clone(&job_receiver);
            let result_sender = result_sender.clone();
            scope.spawn(move || {
                loop {
                    let next = job_receiver.lock().map(|receiver| receiver.recv());
                    let Ok(Ok(batch)) = next else { break };
                    let result = batch.parse::<T>(context);
                    if result_sender
                        .send(Parsed {
                            sequence: batch.sequence,
                            result,
                            spent: batch,
                        })
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
        drop(result_sender);
        let mut collector = Collector::new();
        let outcome = scan_batches(
            scanner,
            &job_sender,
            &result_receiver,
            &mut collector,
            on_progress,
        );
        // Closing the job channel lets the workers finish, whether we succeeded or not.
        drop(job_sender);
        let total = outcome?;
        while collector.next_sequence < total {
            match result_receiver.recv() {
                Ok(parsed) => collector.accept(parsed)?,
                Err(_) => return Err(worker_stopped()),
            }
        }
        Ok(collector.records)
    })
}

/// Scans elements into batches and hands them to the workers; returns the batch count.
fn scan_batches<T, R: Read>(
    scanner: &mut Scanner<R>,
    job_sender: &SyncSender<Batch>,
    result_receiver: &Receiver<Parsed<T>>,
    collector: &mut Collector<T>,
    on_progress: &mut dyn FnMut(u64),
) -> Result<usize, ArrayError> {
    let mut index = 0;
    let mut batch = Batch::new(0, 0);
    loop {
        let (offset, bytes) = scanner.next_value()?;
        let start = batch.bytes.len();
        batch.bytes.extend_from_slice(bytes);
        batch.elements.push((offset, start, batch.bytes.len()));
        index += 1;
        let done = next_separator(scanner)?;
        if done || batch.bytes.len() >= BATCH_BYTES {
            let sequence = batch.sequence;
            let next = collector.spare.pop().map_or_else(
                || Batch::new(sequence + 1, index),
                |spare| spare.reset(sequence + 1, index),
            );
            let full = std::mem::replace(&mut batch, next);
            // A send error means every worker died, which only a panic can cause.
            job_sender.send(full).map_err(|_| worker_stopped())?;
            on_progress(scanner.offset());
            while let Ok(parsed) = result_receiver.try_recv() {
                collector.accept(parsed)?;
            }
            if done {
                return Ok(sequence + 1);
            }
        }
    }
}

fn read_array_serial<T: Element, R: Read>(
    scanner: &mut Scanner<R>,
    context: &T::Context,
    on_progress: &mut dyn FnMut(u64),
) -> Result<Vec<T>, ArrayError> {
    let mut records = Vec::new();
    loop {
        let (offset, bytes) = scanner.next_value()?;
        match T::parse(bytes, records.len(), offset, context) {
            Ok(record) => records.push(record),
            Err(error) => {
                return Err(ArrayError::Element {
                    index: records.len(),
                    offset,
                    bytes: bytes.to_vec(),
                    error,
                });
            }
        }
        if records.len() % 4096 == 0 {
            on_progress(scanner.offset());
        }
        if next_separator(scanner)? {
            return Ok(records);
        }
    }
}

/// Consumes `,` (returns false) or the closing `]` (returns true).
fn next_separator<R: Read>(scanner: &mut Scanner<R>) -> Result<bool, ScanError> {
    match scanner.peek()? {
        Some(b',') => {
            scanner.bump();
            Ok(false)
        }
        Some(b']') => {
            scanner.bump();
            Ok(true)
        }
        Some(found) => Err(ScanError::Unexpected {
            offset: scanner.offset(),
            found,
            expected: "`,` or `]` after an array element",
        }),
        None => Err(ScanError::UnexpectedEnd {
            offset: scanner.offset(),
        }),
    }
}

fn worker_stopped() -> ArrayError {
    ArrayError::Scan(ScanError::Io(std::io::Error::other(
        "a parser thread stopped unexpectedly",
    )))
}

/// A parsed batch on its way back to the scanning thread.
struct Parsed<T> {
    sequence: usize,
    result: Result<Vec<T>, ArrayError>,
    spent: Batch,
}

/// Appends batch results in order as they arrive out of order. Errors surface in order
/// too, so the reported error is the first one in the file whatever thread found it.
struct Collector<T> {
    records: Vec<T>,
    next_sequence: usize,
    pending: BTreeMap<usize, Result<Vec<T>, ArrayError>>,
    /// Spent batches to refill.
    spare: Vec<Batch>,
}

impl<T> Collector<T> {
    fn new() -> Self {
        Self {
            records: Vec::new(),
            next_sequence: 0,
            pending: BTreeMap::new(),
            spare: Vec::new(),
        }
    }

    fn accept(&mut self, parsed: Parsed<T>) -> Result<(), ArrayError> {
        self.spare.push(parsed.spent);
        self.pending.insert(parsed.sequence, parsed.result);
        while let Some(result) = self.pending.remove(&self.next_sequence) {
            self.records.extend(result?);
            self.next_sequence += 1;
        }
        Ok(())
    }
}
