//! COCO records parsed from array elements, on worker threads, into a `Vec`.
//!
//! [`json_split::parse_array`] does the splitting and the ordering; this adapts it to
//! record types that parse one element at a time ([`Element`]).

use std::io::Read;
use std::marker::PhantomData;

use crate::json_split::{self, Batch, BatchParser, Scanner};

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

/// Why an element could not be parsed.
#[derive(Debug)]
pub(crate) struct ElementFailure {
    /// Its index in the array (0-based).
    pub(crate) index: usize,
    /// Its document offset.
    pub(crate) offset: u64,
    /// Its bytes, to diagnose the failure on the error path.
    pub(crate) bytes: Vec<u8>,
    pub(crate) error: serde_json::Error,
}

/// Why an array could not be read.
pub(crate) type ArrayError = json_split::ArrayError<ElementFailure>;

/// Parses each element of a batch as a `T`.
struct ElementParser<'c, T: Element> {
    context: &'c T::Context,
    records: PhantomData<fn() -> T>,
}

impl<T: Element> BatchParser for ElementParser<'_, T> {
    type Output = Vec<T>;
    type Worker = ();
    type Error = ElementFailure;

    fn worker(&self, _index: usize) {}

    fn parse(&self, _worker: &mut (), batch: &Batch) -> Result<Vec<T>, ElementFailure> {
        let mut records = Vec::with_capacity(batch.len());
        for element in batch.elements() {
            match T::parse(element.bytes, element.index, element.offset, self.context) {
                Ok(record) => records.push(record),
                Err(error) => {
                    return Err(ElementFailure {
                        index: element.index,
                        offset: element.offset,
                        bytes: element.bytes.to_vec(),
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
    let parser = ElementParser {
        context,
        records: PhantomData,
    };
    let mut records = Vec::new();
    json_split::parse_array(
        scanner,
        jobs,
        "`,` or `]` after an array element",
        &parser,
        &mut |batch: Vec<T>| {
            if records.is_empty() {
                // The first batch's vector becomes the result: one copy fewer.
                records = batch;
            } else {
                records.extend(batch);
            }
        },
        on_progress,
    )?;
    Ok(records)
}

/// Parses each element of a batch as a `T` and keeps what `map` makes of it.
struct MappedParser<'c, T: Element, U, F> {
    context: &'c T::Context,
    map: &'c F,
    records: PhantomData<fn() -> (T, U)>,
}

impl<T, U, F> BatchParser for MappedParser<'_, T, U, F>
where
    T: Element,
    U: Send,
    F: Fn(usize, T) -> Option<U> + Sync,
{
    type Output = Vec<U>;
    type Worker = ();
    type Error = ElementFailure;

    fn worker(&self, _index: usize) {}

    fn parse(&self, _worker: &mut (), batch: &Batch) -> Result<Vec<U>, ElementFailure> {
        let mut records = Vec::with_capacity(batch.len());
        for element in batch.elements() {
            match T::parse(element.bytes, element.index, element.offset, self.context) {
                Ok(record) => records.extend((self.map)(element.index, record)),
                Err(error) => {
                    return Err(ElementFailure {
                        index: element.index,
                        offset: element.offset,
                        bytes: element.bytes.to_vec(),
                        error,
                    });
                }
            }
        }
        Ok(records)
    }
}

/// [`read_array`], keeping what `map` makes of each element (given its index) instead of
/// the element, appended to `records` in array order.
pub(crate) fn read_array_mapped<T, U, F, R>(
    scanner: &mut Scanner<R>,
    jobs: usize,
    map: &F,
    records: &mut Vec<U>,
    on_progress: &mut dyn FnMut(u64),
) -> Result<(), ArrayError>
where
    T: Element<Context = ()>,
    U: Send,
    F: Fn(usize, T) -> Option<U> + Sync,
    R: Read,
{
    scanner.expect(b'[', "`[`")?;
    let parser = MappedParser::<T, U, F> {
        context: &(),
        map,
        records: PhantomData,
    };
    json_split::parse_array(
        scanner,
        jobs,
        "`,` or `]` after an array element",
        &parser,
        &mut |batch: Vec<U>| records.extend(batch),
        on_progress,
    )
}
