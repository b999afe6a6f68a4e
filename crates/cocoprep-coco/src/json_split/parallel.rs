//! Parsing the elements of a JSON array on worker threads, in file order.
//!
//! The scanner (on the calling thread) cuts the array into batches of whole elements,
//! worker threads parse the batches, and the results are handed on in file order, so the
//! first error reported is the first in the file whatever thread found it. Batches in
//! flight are bounded: memory stays at a few megabytes beyond what the parsers keep,
//! whatever the file size.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};

use super::scanner::{ScanError, Scanner};

/// Target bytes per batch: large enough to amortise channel traffic, small enough to keep
/// every core busy and memory low.
const BATCH_BYTES: usize = 1 << 20;

/// A run of consecutive array elements, their bytes copied out of the scanner's buffer.
pub struct Batch {
    sequence: usize,
    /// The array index of the first element.
    first_index: usize,
    /// `(document offset, start, end)` of each element in `bytes`.
    elements: Vec<(u64, usize, usize)>,
    bytes: Vec<u8>,
}

/// One element of a [`Batch`].
#[derive(Clone, Copy, Debug)]
pub struct ArrayElement<'b> {
    /// Its index in the array (0-based).
    pub index: usize,
    /// The document offset of its first byte.
    pub offset: u64,
    /// Where its bytes start in [`Batch::bytes`].
    pub start: usize,
    /// Its bytes.
    pub bytes: &'b [u8],
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

    /// The bytes of all the elements, back to back (without the separators between them),
    /// for checks that are cheaper once per batch (UTF-8).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.elements.len()
    }

    /// Whether there are no elements (never, for the batches [`parse_array`] makes).
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    fn element(&self, position: usize) -> ArrayElement<'_> {
        let (offset, start, end) = self.elements[position];
        ArrayElement {
            index: self.first_index + position,
            offset,
            start,
            bytes: &self.bytes[start..end],
        }
    }

    /// The elements, in array order.
    pub fn elements(&self) -> impl ExactSizeIterator<Item = ArrayElement<'_>> {
        (0..self.elements.len()).map(|position| self.element(position))
    }

    /// The element holding byte `position` of [`Batch::bytes`] (the last one past the end).
    pub fn element_containing(&self, position: usize) -> ArrayElement<'_> {
        let found = self
            .elements
            .partition_point(|&(_, _, end)| end <= position)
            .min(self.elements.len().saturating_sub(1));
        self.element(found)
    }
}

/// Parses batches of array elements; shared by the worker threads.
pub trait BatchParser: Sync {
    /// What one batch becomes.
    type Output: Send;
    /// What a worker thread keeps from one batch to the next (a word table, scratch
    /// buffers).
    type Worker;
    /// Why an element could not be used.
    type Error: Send;
    /// The state of worker thread number `index`.
    fn worker(&self, index: usize) -> Self::Worker;
    /// Parses every element of `batch`.
    fn parse(&self, worker: &mut Self::Worker, batch: &Batch) -> Result<Self::Output, Self::Error>;
}

/// Why an array could not be read.
#[derive(Debug)]
pub enum ArrayError<E> {
    /// The array is not well-formed JSON (or could not be read).
    Scan(ScanError),
    /// The parser rejected an element.
    Element(E),
}

impl<E> From<ScanError> for ArrayError<E> {
    fn from(error: ScanError) -> Self {
        ArrayError::Scan(error)
    }
}

/// Parses the elements of the array whose `[` the scanner just consumed, with `parser` on
/// `jobs` threads (on the calling thread when `jobs` is 0 or 1), and hands each batch's
/// output to `on_batch` in file order. Consumes the closing `]`. `after_element` names
/// what was expected after an element in syntax errors ("`,` or `]` after an image
/// record"); `on_progress` receives the document offset now and then.
///
/// On failure the error reported is the first in the file: an element the parser rejected
/// before a syntax error wins over it.
pub fn parse_array<R: Read, P: BatchParser>(
    scanner: &mut Scanner<R>,
    jobs: usize,
    after_element: &'static str,
    parser: &P,
    on_batch: &mut dyn FnMut(P::Output),
    on_progress: &mut dyn FnMut(u64),
) -> Result<(), ArrayError<P::Error>> {
    if scanner.peek()? == Some(b']') {
        scanner.bump();
        return Ok(());
    }
    let mut cutter = BatchCutter::new(after_element);
    if jobs <= 1 {
        let mut worker = parser.worker(0);
        loop {
            let (batch, end) = cutter.next(scanner);
            if !batch.is_empty() {
                let output = parser.parse(&mut worker, &batch);
                on_batch(output.map_err(ArrayError::Element)?);
            }
            on_progress(scanner.offset());
            cutter.recycle(batch);
            match end {
                BatchEnd::Full => {}
                BatchEnd::ArrayEnd => return Ok(()),
                BatchEnd::Failed(error) => return Err(ArrayError::Scan(error)),
            }
        }
    }

    let (job_sender, job_receiver) = sync_channel::<Batch>(jobs * 2);
    let job_receiver = Arc::new(Mutex::new(job_receiver));
    let (result_sender, result_receiver) = channel::<Parsed<P::Output, P::Error>>();
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
        let outcome = cut_batches(
            scanner,
            &mut cutter,
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
                    collector.accept(parsed, &mut cutter)?;
                }
                Ok(())
            }
            Err(error) => {
                // An element error earlier in the file than a syntax error is the one to
                // report: drain what the workers still have.
                while let Ok(parsed) = result_receiver.recv() {
                    collector.accept(parsed, &mut cutter)?;
                }
                Err(error)
            }
        }
    })
}

/// Cuts batches and hands them to the workers; returns the number of batches.
fn cut_batches<R: Read, T, E>(
    scanner: &mut Scanner<R>,
    cutter: &mut BatchCutter,
    job_sender: &SyncSender<Batch>,
    result_receiver: &Receiver<Parsed<T, E>>,
    collector: &mut Collector<'_, T, E>,
    on_progress: &mut dyn FnMut(u64),
) -> Result<usize, ArrayError<E>> {
    loop {
        let (batch, end) = cutter.next(scanner);
        if batch.is_empty() {
            cutter.recycle(batch);
        } else {
            // A send error means every worker died, which only a panic can cause.
            job_sender.send(batch).map_err(|_| worker_stopped())?;
        }
        on_progress(scanner.offset());
        while let Ok(parsed) = result_receiver.try_recv() {
            collector.accept(parsed, cutter)?;
        }
        match end {
            BatchEnd::Full => {}
            BatchEnd::ArrayEnd => return Ok(cutter.sequence),
            BatchEnd::Failed(error) => return Err(ArrayError::Scan(error)),
        }
    }
}

/// Why a batch ended.
enum BatchEnd {
    /// It reached the target size; the array goes on.
    Full,
    /// Its last element is the array's last.
    ArrayEnd,
    /// The array is malformed after its last element (or has no elements). The batch is
    /// still parsed first: an element error before the syntax error is the one to report.
    Failed(ScanError),
}

/// Cuts an array into batches of elements, reusing spent batches' buffers.
struct BatchCutter {
    after_element: &'static str,
    sequence: usize,
    index: usize,
    spare: Vec<Batch>,
}

impl BatchCutter {
    fn new(after_element: &'static str) -> Self {
        Self {
            after_element,
            sequence: 0,
            index: 0,
            spare: Vec::new(),
        }
    }

    fn recycle(&mut self, batch: Batch) {
        self.spare.push(batch);
    }

    /// The next batch, and why it ended.
    fn next<R: Read>(&mut self, scanner: &mut Scanner<R>) -> (Batch, BatchEnd) {
        let mut batch = match self.spare.pop() {
            Some(spare) => spare.reset(self.sequence, self.index),
            None => Batch::new(self.sequence, self.index),
        };
        self.sequence += 1;
        let end = loop {
            let (offset, bytes) = match scanner.next_value() {
                Ok(value) => value,
                Err(error) => break BatchEnd::Failed(error),
            };
            let start = batch.bytes.len();
            batch.bytes.extend_from_slice(bytes);
            batch.elements.push((offset, start, batch.bytes.len()));
            self.index += 1;
            match scanner.separator(b']', self.after_element) {
                Ok(true) => break BatchEnd::ArrayEnd,
                Ok(false) if batch.bytes.len() >= BATCH_BYTES => break BatchEnd::Full,
                Ok(false) => {}
                Err(error) => break BatchEnd::Failed(error),
            }
        };
        (batch, end)
    }
}

fn worker_stopped<E>() -> ArrayError<E> {
    ArrayError::Scan(ScanError::Io(std::io::Error::other(
        "a parser thread stopped unexpectedly",
    )))
}

/// A parsed batch on its way back to the scanning thread.
struct Parsed<T, E> {
    result: Result<T, E>,
    batch: Batch,
}

/// Hands batch results on in order as they arrive out of order.
struct Collector<'c, T, E> {
    on_batch: &'c mut dyn FnMut(T),
    next_sequence: usize,
    pending: BTreeMap<usize, Result<T, E>>,
}

impl<'c, T, E> Collector<'c, T, E> {
    fn new(on_batch: &'c mut dyn FnMut(T)) -> Self {
        Self {
            on_batch,
            next_sequence: 0,
            pending: BTreeMap::new(),
        }
    }

    fn accept(
        &mut self,
        parsed: Parsed<T, E>,
        cutter: &mut BatchCutter,
    ) -> Result<(), ArrayError<E>> {
        self.pending.insert(parsed.batch.sequence, parsed.result);
        cutter.recycle(parsed.batch);
        while let Some(result) = self.pending.remove(&self.next_sequence) {
            (self.on_batch)(result.map_err(ArrayError::Element)?);
            self.next_sequence += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses integers; rejects negative ones, naming their index.
    struct Integers;

    impl BatchParser for Integers {
        type Output = Vec<i64>;
        type Worker = ();
        type Error = usize;
        fn worker(&self, _index: usize) {}
        fn parse(&self, _worker: &mut (), batch: &Batch) -> Result<Vec<i64>, usize> {
            batch
                .elements()
                .map(|element| {
                    let value: i64 = serde_json::from_slice(element.bytes).unwrap();
                    if value < 0 {
                        Err(element.index)
                    } else {
                        Ok(value)
                    }
                })
                .collect()
        }
    }

    fn parse(text: &str, jobs: usize) -> Result<Vec<i64>, ArrayError<usize>> {
        let mut scanner = Scanner::new(text.as_bytes());
        scanner.expect(b'[', "`[`")?;
        let mut values = Vec::new();
        parse_array(
            &mut scanner,
            jobs,
            "`,` or `]` after a number",
            &Integers,
            &mut |batch| values.extend(batch),
            &mut |_| {},
        )?;
        Ok(values)
    }

    #[test]
    fn results_come_back_in_file_order() {
        // Enough elements for many batches.
        let numbers: Vec<i64> = (0..400_000).collect();
        let text = serde_json::to_string(&numbers).unwrap();
        for jobs in [1, 2, 3] {
            assert_eq!(parse(&text, jobs).unwrap(), numbers, "jobs {jobs}");
        }
        assert_eq!(parse("[ ]", 2).unwrap(), Vec::<i64>::new());
    }

    #[test]
    fn the_first_error_in_the_file_is_reported() {
        // A rejected element early, a syntax error at the very end: the element wins.
        let mut numbers: Vec<i64> = (0..400_000).collect();
        numbers[5] = -1;
        let mut text = serde_json::to_string(&numbers).unwrap();
        text.pop();
        text.push('}');
        for jobs in [1, 2] {
            assert!(
                matches!(parse(&text, jobs), Err(ArrayError::Element(5))),
                "jobs {jobs}"
            );
        }
        // The element before a syntax error in the same batch is checked first.
        for jobs in [1, 2] {
            assert!(matches!(
                parse("[1, -2 3]", jobs),
                Err(ArrayError::Element(1))
            ));
        }
        let error = parse("[1, 2 3]", 2).unwrap_err();
        assert!(
            matches!(&error, ArrayError::Scan(error) if error.to_string()
                == "expected `,` or `]` after a number, found `3`"),
            "{error:?}"
        );
    }

    #[test]
    fn elements_are_found_by_position_in_the_batch() {
        let mut scanner = Scanner::new(&b"[10, 2000 ,3]"[..]);
        scanner.expect(b'[', "`[`").unwrap();
        let (batch, end) = BatchCutter::new("`,` or `]`").next(&mut scanner);
        assert!(matches!(end, BatchEnd::ArrayEnd));
        assert_eq!(batch.bytes(), b"1020003");
        let element = batch.element_containing(4);
        assert_eq!((element.index, element.offset, element.start), (1, 5, 2));
        assert_eq!(element.bytes, b"2000");
        assert_eq!(batch.element_containing(99).index, 2);
    }
}
