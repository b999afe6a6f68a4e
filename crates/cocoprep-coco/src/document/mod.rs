//! The top level of a COCO document, shared by the reader and the validator.
//!
//! [`walk_document`] finds the members of a document (or the elements of a results list)
//! and hands them to a [`DocumentVisitor`]; [`pipeline`] parses the big arrays on worker
//! threads. Neither knows about the typed model or the validation rules, so both the reader
//! (`crate::read`) and the validator (`crate::validate`) build on this module without
//! depending on each other.

pub(crate) mod pipeline;

use std::io::Read;

use cocoprep_base::position::strip_position;

use crate::json_split::{self, ScanError, Scanner};
use crate::record_kind::RecordKind;
use pipeline::{ArrayError, ElementFailure};

/// Why reading a document failed, before positions are resolved.
#[derive(Debug)]
pub(crate) enum DocumentError {
    Scan(ScanError),
    /// A record (element of `kind`'s array, or a top-level member) failed to parse.
    Record {
        kind: RecordKind,
        index: usize,
        offset: u64,
        bytes: Vec<u8>,
        error: serde_json::Error,
    },
}

impl From<ScanError> for DocumentError {
    fn from(error: ScanError) -> Self {
        DocumentError::Scan(error)
    }
}

/// Receives the parts of a document as [`walk_document`] finds them.
pub(crate) trait DocumentVisitor {
    /// The document is a bare list (a results file); the scanner is before its `[`.
    fn on_results_list<R: Read>(&mut self, scanner: &mut Scanner<R>) -> Result<(), DocumentError>;
    /// A list member (`images`, `annotations`, `categories`, `licenses`); the scanner is
    /// before its value.
    fn on_array<R: Read>(
        &mut self,
        kind: RecordKind,
        scanner: &mut Scanner<R>,
    ) -> Result<(), DocumentError>;
    /// Any other top-level member (`info`, `type`, ...), with its value's text.
    fn on_member(&mut self, key: &str, offset: u64, bytes: &[u8]) -> Result<(), DocumentError>;
}

/// Walks a whole document: an object of members or a results list, then end of input.
pub(crate) fn walk_document<R: Read, V: DocumentVisitor>(
    scanner: &mut Scanner<R>,
    visitor: &mut V,
) -> Result<(), DocumentError> {
    scanner.skip_byte_order_mark()?;
    match scanner.peek()? {
        Some(b'{') => walk_object(scanner, visitor)?,
        Some(b'[') => visitor.on_results_list(scanner)?,
        Some(found) => {
            return Err(ScanError::Unexpected {
                offset: scanner.offset(),
                found,
                expected: "a JSON object (annotation file) or list (results file)",
            }
            .into());
        }
        None => return Err(ScanError::UnexpectedEnd { offset: 0 }.into()),
    }
    if let Some(found) = scanner.peek()? {
        return Err(ScanError::Unexpected {
            offset: scanner.offset(),
            found,
            expected: "end of file after the top-level value",
        }
        .into());
    }
    Ok(())
}

fn walk_object<R: Read, V: DocumentVisitor>(
    scanner: &mut Scanner<R>,
    visitor: &mut V,
) -> Result<(), DocumentError> {
    scanner.bump();
    if scanner.peek()? == Some(b'}') {
        scanner.bump();
        return Ok(());
    }
    loop {
        let key = scanner.key()?;
        let kind = match key.as_str() {
            "images" => Some(RecordKind::Image),
            "annotations" => Some(RecordKind::Annotation),
            "categories" => Some(RecordKind::Category),
            "licenses" => Some(RecordKind::License),
            _ => None,
        };
        match kind {
            Some(kind) => visitor.on_array(kind, scanner)?,
            None => {
                let (offset, bytes) = scanner.next_value()?;
                visitor.on_member(&key, offset, bytes)?;
            }
        }
        if scanner.separator(b'}', "`,` or `}` after a top-level member")? {
            return Ok(());
        }
    }
}

/// Maps an array failure to a document failure for records of `kind`.
pub(crate) fn array_error(kind: RecordKind) -> impl FnOnce(ArrayError) -> DocumentError {
    move |error| match error {
        json_split::ArrayError::Scan(error) => DocumentError::Scan(error),
        json_split::ArrayError::Element(ElementFailure {
            index,
            offset,
            bytes,
            error,
        }) => DocumentError::Record {
            kind,
            index,
            offset,
            bytes,
            error,
        },
    }
}

/// Byte position inside `bytes` of serde_json's 1-based `(line, column)`.
fn position_in(bytes: &[u8], line: usize, column: usize) -> u64 {
    let mut current_line = 1;
    let mut line_start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        if current_line == line {
            break;
        }
        if byte == b'\n' {
            current_line += 1;
            line_start = index + 1;
        }
    }
    (line_start + column.saturating_sub(1)).min(bytes.len()) as u64
}

/// A clearer message for the non-JSON numbers Python's `json` module writes.
fn non_finite_hint(bytes: &[u8], at: usize) -> Option<String> {
    let rest = &bytes[at.min(bytes.len())..];
    ["NaN", "Infinity", "-Infinity"].iter().find(|token| rest.starts_with(token.as_bytes())).map(|token| {
        format!("non-finite number `{token}` is not valid JSON (Python's json module writes it for float('{}'))",
            if token.contains("Inf") { if token.starts_with('-') { "-inf" } else { "inf" } } else { "nan" })
    })
}

/// The message for a record that serde_json could not parse as JSON at all.
pub(crate) fn syntax_message(bytes: &[u8], error: &serde_json::Error) -> (u64, String) {
    let at = position_in(bytes, error.line(), error.column());
    let message = strip_position(&error.to_string());
    // serde_json reports `1e999` as out of range; Python would read it as infinity.
    let message = if message.contains("number out of range") {
        "number out of range: non-finite numbers are not valid COCO values".to_owned()
    } else {
        // The error column is one past the first bad byte for tokens like `NaN`.
        non_finite_hint(bytes, at.saturating_sub(1) as usize)
            .or_else(|| non_finite_hint(bytes, at as usize))
            .unwrap_or(message)
    };
    (at, message)
}
