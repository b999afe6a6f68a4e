//! The top level of a COCO document, shared by the reader and the validator.

use std::io::Read;

use super::pipeline::{ArrayError, ElementFailure};
use super::{DocumentError, RecordKind};
use crate::json_split::{self, ScanError, Scanner};

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
