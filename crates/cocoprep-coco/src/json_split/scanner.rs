//! The streaming scanner: a buffer over a reader, and the few steps the document walkers
//! need (skip whitespace, consume punctuation, read a key, cut out the next value).

use std::io::{self, Read};

use super::value_end::ValueEnd;

/// The buffer's starting size. Big enough that reads and the copy of a value cut in two
/// by the buffer's end are rare; it grows only for a single value larger than this.
const INITIAL_BUFFER_BYTES: usize = 4 << 20;

/// Why the scanner could not go on. Offsets are bytes from the start of the document.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// Reading the document failed.
    #[error("read failed")]
    Io(#[from] io::Error),
    /// The document ended inside a value or where one was required.
    #[error("unexpected end of file")]
    UnexpectedEnd {
        /// Where the document ended (or where the missing value should start).
        offset: u64,
    },
    /// A byte other than the one the document's structure requires.
    #[error("expected {expected}, found {}", describe_byte(*found))]
    Unexpected {
        /// Where the byte is.
        offset: u64,
        /// The byte.
        found: u8,
        /// What was expected there, for the message: "`,` or `]` after an array element".
        expected: &'static str,
    },
    /// An object key is not a valid JSON string.
    #[error("invalid object key: {message}")]
    InvalidKey {
        /// Where in the key the problem is.
        offset: u64,
        /// What is wrong, from the JSON parser.
        message: String,
    },
}

impl ScanError {
    /// The byte offset in the document, when the error has one (read failures do not).
    pub fn offset(&self) -> Option<u64> {
        match self {
            ScanError::Io(_) => None,
            ScanError::UnexpectedEnd { offset }
            | ScanError::Unexpected { offset, .. }
            | ScanError::InvalidKey { offset, .. } => Some(*offset),
        }
    }
}

/// A byte as a message shows it: printable ASCII in backticks, anything else in hex.
fn describe_byte(byte: u8) -> String {
    if byte.is_ascii_graphic() {
        format!("`{}`", byte as char)
    } else {
        format!("byte 0x{byte:02x}")
    }
}

/// Reads a JSON document in blocks and cuts values out of it, without parsing them.
///
/// The walker drives it: [`peek`](Self::peek) at the next byte, consume punctuation with
/// [`bump`](Self::bump), [`expect`](Self::expect) or [`separator`](Self::separator), read
/// object keys with [`key`](Self::key), and take whole values with
/// [`next_value`](Self::next_value).
pub struct Scanner<R> {
    reader: R,
    buffer: Vec<u8>,
    /// The next unconsumed byte in `buffer`.
    position: usize,
    /// The end of the data in `buffer`.
    filled: usize,
    /// The document offset of `buffer[0]`.
    buffer_offset: u64,
    /// The reader returned end of input.
    at_end: bool,
}

impl<R: Read> Scanner<R> {
    /// A scanner at the start of `reader`'s document. It does its own buffering, so the
    /// reader need not be buffered.
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            buffer: vec![0; INITIAL_BUFFER_BYTES],
            position: 0,
            filled: 0,
            buffer_offset: 0,
            at_end: false,
        }
    }

    /// The document offset of the next unconsumed byte.
    pub fn offset(&self) -> u64 {
        self.buffer_offset + self.position as u64
    }

    /// Moves the unconsumed bytes to the front of the buffer and reads more after them.
    /// Returns false at the end of input.
    fn fill(&mut self) -> Result<bool, ScanError> {
        if self.at_end {
            return Ok(false);
        }
        if self.position > 0 {
            self.buffer.copy_within(self.position..self.filled, 0);
            self.buffer_offset += self.position as u64;
            self.filled -= self.position;
            self.position = 0;
        }
        if self.filled == self.buffer.len() {
            // A single value larger than the buffer (a huge RLE or `info`): grow.
            self.buffer.resize(self.buffer.len() * 2, 0);
        }
        loop {
            match self.reader.read(&mut self.buffer[self.filled..]) {
                Ok(0) => {
                    self.at_end = true;
                    return Ok(false);
                }
                Ok(read) => {
                    self.filled += read;
                    return Ok(true);
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(ScanError::Io(error)),
            }
        }
    }

    /// Skips whitespace and returns the next byte without consuming it; `None` at the end
    /// of input.
    pub fn peek(&mut self) -> Result<Option<u8>, ScanError> {
        loop {
            while self.position < self.filled {
                match self.buffer[self.position] {
                    b' ' | b'\n' | b'\r' | b'\t' => self.position += 1,
                    byte => return Ok(Some(byte)),
                }
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Skips a UTF-8 byte-order mark at the start of the input (some Windows tools write
    /// one; JSON does not allow it, but it carries no meaning).
    pub fn skip_byte_order_mark(&mut self) -> Result<(), ScanError> {
        while self.filled - self.position < 3 && self.fill()? {}
        if self.buffer[self.position..self.filled].starts_with(&[0xef, 0xbb, 0xbf]) {
            self.position += 3;
        }
        Ok(())
    }

    /// Consumes the byte the last [`peek`](Self::peek) returned.
    pub fn bump(&mut self) {
        debug_assert!(self.position < self.filled, "bump without a peeked byte");
        self.position += 1;
    }

    /// The error for the byte at the current position (after [`peek`](Self::peek)).
    fn unexpected(&self, found: Option<u8>, expected: &'static str) -> ScanError {
        let offset = self.offset();
        match found {
            Some(found) => ScanError::Unexpected {
                offset,
                found,
                expected,
            },
            None => ScanError::UnexpectedEnd { offset },
        }
    }

    /// Consumes `byte` (after whitespace) or fails naming what was `expected`.
    pub fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), ScanError> {
        match self.peek()? {
            Some(found) if found == byte => {
                self.bump();
                Ok(())
            }
            found => Err(self.unexpected(found, expected)),
        }
    }

    /// After an element or member: consumes `,` (returns false) or `closing` (returns
    /// true, the array or object is over), or fails naming what was `expected`.
    pub fn separator(&mut self, closing: u8, expected: &'static str) -> Result<bool, ScanError> {
        match self.peek()? {
            Some(b',') => {
                self.bump();
                Ok(false)
            }
            Some(found) if found == closing => {
                self.bump();
                Ok(true)
            }
            found => Err(self.unexpected(found, expected)),
        }
    }

    /// Reads an object key (a JSON string, after whitespace) and the `:` after it.
    pub fn key(&mut self) -> Result<String, ScanError> {
        let found = self.peek()?;
        if found != Some(b'"') {
            return Err(self.unexpected(found, "a string key"));
        }
        let (offset, bytes) = self.next_value()?;
        let key = serde_json::from_slice::<String>(bytes).map_err(|error| {
            // A key is one line (a raw line break in it is itself the error), so the
            // parser's column is the position in the key.
            let column = error.column().saturating_sub(1).min(bytes.len());
            ScanError::InvalidKey {
                offset: offset + column as u64,
                message: cocoprep_base::position::strip_position(&error.to_string()),
            }
        })?;
        self.expect(b':', "`:` after a key")?;
        Ok(key)
    }

    /// Consumes the next value (after whitespace) and returns its document offset and its
    /// bytes, valid until the next call. The bytes are only delimited, not validated.
    pub fn next_value(&mut self) -> Result<(u64, &[u8]), ScanError> {
        let Some(first) = self.peek()? else {
            return Err(ScanError::UnexpectedEnd {
                offset: self.offset(),
            });
        };
        let mut search = ValueEnd::starting_with(first);
        let length = loop {
            // The search keeps its progress relative to the value's start, which `fill`
            // moves to the front of the buffer, so it resumes rather than starts over.
            if let Some(length) = search.find(&self.buffer[self.position..self.filled]) {
                break length;
            }
            if !self.fill()? {
                match search.at_end_of_input(self.filled - self.position) {
                    Some(length) => break length,
                    None => {
                        return Err(ScanError::UnexpectedEnd {
                            offset: self.buffer_offset + self.filled as u64,
                        });
                    }
                }
            }
        };
        let start = self.position;
        self.position += length;
        Ok((
            self.buffer_offset + start as u64,
            &self.buffer[start..start + length],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most `step` bytes per call, to exercise refills.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let count = self.step.min(out.len()).min(self.data.len());
            out[..count].copy_from_slice(&self.data[..count]);
            self.data = &self.data[count..];
            Ok(count)
        }
    }

    fn values(text: &str, step: usize) -> Vec<String> {
        let mut scanner = Scanner::new(Trickle {
            data: text.as_bytes(),
            step,
        });
        scanner.expect(b'[', "`[`").unwrap();
        let mut out = Vec::new();
        loop {
            let (_, bytes) = scanner.next_value().unwrap();
            out.push(String::from_utf8(bytes.to_vec()).unwrap());
            if scanner.separator(b']', "`,` or `]`").unwrap() {
                return out;
            }
        }
    }

    #[test]
    fn splits_elements_across_refills() {
        let text = r#"[ {"a":"}\"]","b":[1,{"c":2}]} , "s\\\"x" ,12.5e3, [[1,2],[3]],true ]"#;
        let expected = vec![
            r#"{"a":"}\"]","b":[1,{"c":2}]}"#,
            r#""s\\\"x""#,
            "12.5e3",
            "[[1,2],[3]]",
            "true",
        ];
        for step in [1, 2, 3, 7, 1000] {
            assert_eq!(values(text, step), expected, "step {step}");
        }
    }

    #[test]
    fn scalar_at_end_of_input_after_a_refill() {
        // Found by fuzzing: the refill at end of input moved the buffer under the index.
        for step in [1, 2, 3, 100] {
            let mut scanner = Scanner::new(Trickle {
                data: b"[~\0\0\0\0",
                step,
            });
            scanner.expect(b'[', "`[`").unwrap();
            let (_, value) = scanner.next_value().unwrap();
            assert_eq!(value, b"~\0\0\0\0");
            assert_eq!(scanner.peek().unwrap(), None);
        }
    }

    #[test]
    fn truncated_value_is_an_error() {
        let mut scanner = Scanner::new(&b"{\"a\":[1,2"[..]);
        assert!(matches!(
            scanner.next_value(),
            Err(ScanError::UnexpectedEnd { offset: 9 })
        ));
    }

    #[test]
    fn values_longer_than_the_buffer_are_cut_whole() {
        let mut document = b"{\"images\": [".to_vec();
        let long = format!(
            "{{\"raw\": \"{}\\\"\"}}",
            "x[".repeat(3 * INITIAL_BUFFER_BYTES / 2)
        );
        document.extend_from_slice(long.as_bytes());
        document.extend_from_slice(b", {}]}");
        let mut scanner = Scanner::new(&document[..]);
        scanner.expect(b'{', "`{`").unwrap();
        assert_eq!(scanner.key().unwrap(), "images");
        scanner.expect(b'[', "`[`").unwrap();
        let (offset, bytes) = scanner.next_value().unwrap();
        assert_eq!((offset, bytes.len()), (12, long.len()));
        assert!(!scanner.separator(b']', "`,` or `]`").unwrap());
        assert_eq!(scanner.next_value().unwrap().1, b"{}");
        assert!(scanner.separator(b']', "`,` or `]`").unwrap());
        assert!(scanner.separator(b'}', "`,` or `}`").unwrap());
        assert_eq!(scanner.peek().unwrap(), None);
    }

    #[test]
    fn errors_name_the_byte_and_its_offset() {
        let mut scanner = Scanner::new(&b"{\"a\\x\": 1}"[..]);
        scanner.expect(b'{', "`{`").unwrap();
        let error = scanner.key().unwrap_err();
        assert_eq!(error.offset(), Some(4));
        assert!(
            error.to_string().starts_with("invalid object key: "),
            "{error}"
        );

        let mut scanner = Scanner::new(&b"[1 \x01"[..]);
        scanner.expect(b'[', "`[`").unwrap();
        scanner.next_value().unwrap();
        let error = scanner.separator(b']', "`,` or `]`").unwrap_err();
        assert_eq!(error.offset(), Some(3));
        assert_eq!(error.to_string(), "expected `,` or `]`, found byte 0x01");
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let mut scanner = Scanner::new(Trickle {
            data: b"\xef\xbb\xbf{}",
            step: 1,
        });
        scanner.skip_byte_order_mark().unwrap();
        assert_eq!((scanner.peek().unwrap(), scanner.offset()), (Some(b'{'), 3));
    }
}
