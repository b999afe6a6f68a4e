//! The top level of a COCO document, shared by the reader and the validator.

use std::io::Read;

use super::pipeline::ArrayError;
use super::scanner::{ScanError, Scanner};
use super::{DocumentError, RecordKind};

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

fn unexpected<R: Read>(scanner: &mut Scanner<R>, expected: &'static str) -> DocumentError {
    match scanner.peek() {
        Ok(Some(found)) => ScanError::Unexpected {
            offset: scanner.offset(),
            found,
            expected,
        }
        .into(),
        Ok(None) => ScanError::UnexpectedEnd {
            offset: scanner.offset(),
        }
        .into(),
        Err(error) => error.into(),
    }
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
        if scanner.peek()? != Some(b'"') {
            return Err(unexpected(scanner, "a string key"));
        }
        let (key_offset, key_bytes) = scanner.next_value()?;
        let key: String =
            serde_json::from_slice(key_bytes).map_err(|error| DocumentError::Record {
                kind: RecordKind::TopLevel,
                index: 0,
                offset: key_offset,
                bytes: key_bytes.to_vec(),
                error,
            })?;
        scanner.expect(b':', "`:` after a key")?;
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
        match scanner.peek()? {
            Some(b',') => scanner.bump(),
            Some(b'}') => {
                scanner.bump();
                return Ok(());
            }
            _ => return Err(unexpected(scanner, "`,` or `}` after a top-level member")),
        }
    }
}

/// Maps an array failure to a document failure for records of `kind`.
pub(crate) fn array_error(kind: RecordKind) -> impl FnOnce(ArrayError) -> DocumentError {
    move |error| match error {
        ArrayError::Scan(error) => DocumentError::Scan(error),
        ArrayError::Element {
            index,
            offset,
            bytes,
            error,
        } => DocumentError::Record {
            kind,
            index,
            offset,
            bytes,
            error,
        },
    }
}
