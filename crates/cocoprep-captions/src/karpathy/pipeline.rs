//! Walking a Karpathy file's top-level object and parsing its image records in parallel.
//!
//! The core crate's [`json_split`] scanner walks `{"images": [...], ...}` and cuts the
//! `images` array into batches of whole records, which worker threads parse with a
//! [`BatchParser`]; results come back in file order, so the first error reported is the
//! first in the file whatever thread found it.

use std::io::Read;

use cocoprep_base::position::strip_position;
use cocoprep_coco::json_split::{self, BatchParser, ScanError, Scanner};
use serde_json::value::RawValue;

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

impl From<json_split::ArrayError<RecordFailure>> for DocumentError {
    fn from(error: json_split::ArrayError<RecordFailure>) -> Self {
        match error {
            json_split::ArrayError::Scan(error) => DocumentError::Scan(error),
            json_split::ArrayError::Element(failure) => DocumentError::Record(failure),
        }
    }
}

/// The top-level members other than `images`, as `(key, JSON text)` in file order.
pub(crate) type Members = Vec<(String, String)>;

/// Walks `{"images": [...], ...}`: parses the image records with `parser` on `jobs`
/// threads, hands each batch's output to `on_batch` in file order, and returns the other
/// top-level members as `(key, JSON text)`.
pub(crate) fn read_document<R: Read, P: BatchParser<Error = RecordFailure>>(
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
        return Err(DocumentError::Scan(ScanError::Unexpected {
            offset: scanner.offset(),
            found,
            expected: "the end of the file after the top-level object",
        }));
    }
    on_progress(scanner.offset());
    if !seen_images {
        return Err(DocumentError::NoImages);
    }
    Ok(members)
}

fn read_images<R: Read, P: BatchParser<Error = RecordFailure>>(
    scanner: &mut Scanner<R>,
    jobs: usize,
    parser: &P,
    on_batch: &mut dyn FnMut(P::Output),
    on_progress: &mut dyn FnMut(u64),
) -> Result<(), DocumentError> {
    scanner.expect(b'[', "`[` opening the `images` list")?;
    json_split::parse_array(
        scanner,
        jobs,
        "`,` or `]` after an image record",
        parser,
        on_batch,
        on_progress,
    )?;
    Ok(())
}
