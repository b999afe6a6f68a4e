//! Turning parse failures into messages that name the file, position, record and member.
//!
//! The fast path parses records with typed deserialisers whose errors are terse. When one
//! fails, the record is parsed again as a generic JSON value and run through the same
//! checks as `cocoprep validate`, which name the member and what was expected.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::DocumentError;
use super::element::strip_position;
use crate::error::ReadError;
use crate::json_split::ScanError;
use crate::validate::Severity;
use crate::validate::record::{check_record, record_label};

/// Which kind of record failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RecordKind {
    Image,
    Annotation,
    /// An element of a results list (detections or captions).
    Result,
    Category,
    License,
    Info,
    /// A top-level key or an unknown top-level member.
    TopLevel,
}

impl RecordKind {
    /// The top-level key holding records of this kind.
    pub(crate) fn key(self) -> &'static str {
        match self {
            RecordKind::Image => "images",
            RecordKind::Annotation => "annotations",
            RecordKind::Result => "results",
            RecordKind::Category => "categories",
            RecordKind::License => "licenses",
            RecordKind::Info => "info",
            RecordKind::TopLevel => "top level",
        }
    }
}

/// Resolves byte offsets to 1-based line and column, only on error paths.
pub(crate) enum Locator<'a> {
    File(&'a Path),
    Bytes(&'a [u8]),
}

impl Locator<'_> {
    pub(crate) fn line_column(&self, offset: u64) -> (u64, u64) {
        self.line_columns(&[offset])[0]
    }

    /// Line and column of each offset, in one pass over the input.
    pub(crate) fn line_columns(&self, offsets: &[u64]) -> Vec<(u64, u64)> {
        let mut order: Vec<usize> = (0..offsets.len()).collect();
        order.sort_by_key(|&index| offsets[index]);
        let mut result = vec![(1, 1); offsets.len()];
        let mut next = 0; // position in `order`
        let mut line = 1u64;
        let mut line_start = 0u64;
        let mut position = 0u64;
        let mut visit = |chunk: &[u8], result: &mut Vec<(u64, u64)>| {
            for &byte in chunk {
                while next < order.len() && offsets[order[next]] <= position {
                    result[order[next]] = (line, offsets[order[next]] - line_start + 1);
                    next += 1;
                }
                if next == order.len() {
                    return true;
                }
                if byte == b'\n' {
                    line += 1;
                    line_start = position + 1;
                }
                position += 1;
            }
            false
        };
        let finished = match self {
            Locator::Bytes(bytes) => visit(bytes, &mut result),
            Locator::File(path) => {
                let mut finished = false;
                if let Ok(mut file) = fs_err::File::open(path) {
                    let mut buffer = vec![0u8; 1 << 20];
                    while let Ok(read) = file.read(&mut buffer) {
                        if read == 0 {
                            break;
                        }
                        if visit(&buffer[..read], &mut result) {
                            finished = true;
                            break;
                        }
                    }
                }
                finished
            }
        };
        if !finished {
            // Offsets at or past the end of the input.
            for &index in &order[next..] {
                result[index] = (line, offsets[index].saturating_sub(line_start) + 1);
            }
        }
        result
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

impl DocumentError {
    pub(crate) fn into_read_error(self, path: &Path, locator: &Locator) -> ReadError {
        let syntax = |offset: u64, message: String| {
            let (line, column) = locator.line_column(offset);
            ReadError::Syntax {
                path: path.to_owned(),
                line,
                column,
                message,
            }
        };
        match self {
            DocumentError::Scan(ScanError::Io(source)) => ReadError::Io {
                path: path.to_owned(),
                source,
            },
            DocumentError::Scan(ScanError::UnexpectedEnd { offset }) => syntax(
                offset,
                "unexpected end of file (is the file truncated?)".to_owned(),
            ),
            DocumentError::Scan(error) => {
                let offset = error.offset().unwrap_or(0);
                syntax(offset, error.to_string())
            }
            DocumentError::Record {
                kind,
                index,
                offset,
                bytes,
                error,
            } => {
                let value: Value = match serde_json::from_slice(&bytes) {
                    Ok(value) => value,
                    Err(parse_error) => {
                        let (at, message) = syntax_message(&bytes, &parse_error);
                        let message = match kind {
                            RecordKind::TopLevel | RecordKind::Info => message,
                            _ => format!("{}[{index}]: {message}", kind.key()),
                        };
                        return syntax(offset + at, message);
                    }
                };
                let record = record_label(kind, index, &value);
                let (line, column) = locator.line_column(offset);
                let first_error = check_record(kind, index, &value)
                    .into_iter()
                    .find(|issue| issue.severity == Severity::Error);
                let message = match first_error {
                    Some(issue) => match issue.member {
                        Some(member) => format!("`{member}`: {}", issue.message),
                        None => issue.message,
                    },
                    None => strip_position(&error.to_string()),
                };
                ReadError::Record {
                    path: path.to_owned(),
                    line,
                    column,
                    record,
                    message,
                }
            }
        }
    }
}
