//! Turning parse failures into messages that name the file, position, record and member.
//!
//! The fast path parses records with typed deserialisers whose errors are terse. When one
//! fails, the record is parsed again as a generic JSON value and run through the same
//! checks as `cocoprep validate`, which name the member and what was expected.

use std::path::Path;

use cocoprep_base::position::{Locator, strip_position};
use serde_json::Value;

use crate::document::{DocumentError, syntax_message};
use crate::error::ReadError;
use crate::json_split::ScanError;
use crate::record_kind::RecordKind;
use crate::validate::Severity;
use crate::validate::record::{check_record, record_label};

impl DocumentError {
    pub(crate) fn into_read_error(self, path: &Path, locator: &Locator) -> ReadError {
        let syntax = |offset: u64, message: String| {
            let position = locator.position(offset);
            let (line, column) = (position.line, position.column);
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
                let position = locator.position(offset);
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
                    line: position.line,
                    column: position.column,
                    record,
                    message,
                }
            }
        }
    }
}
