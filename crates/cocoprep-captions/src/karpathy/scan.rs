//! Splitting a Karpathy dataset file into its image records without parsing them.
//!
//! The file is one object, `{"images": [{...}, {...}, ...], "dataset": "coco"}`, whose
//! `images` array holds nearly all of its bytes. The scanner reads the file in blocks and
//! hands out the bytes of each array element (and of each other top-level member), so the
//! elements can be parsed on worker threads and the file never sits whole in memory. It
//! only tracks nesting and strings: every byte it hands out is parsed, and so validated,
//! by serde_json afterwards.

use std::io::{self, Read};

const BLOCK_BYTES: usize = 4 << 20;

/// A position and what went wrong there, before the position is turned into line:column.
#[derive(Debug)]
pub(crate) struct ScanError {
    pub(crate) offset: u64,
    pub(crate) kind: ScanErrorKind,
}

#[derive(Debug)]
pub(crate) enum ScanErrorKind {
    Io(io::Error),
    UnexpectedEnd,
    Unexpected { found: u8, expected: &'static str },
    InvalidKey(String),
}

impl ScanErrorKind {
    pub(crate) fn message(&self) -> String {
        match self {
            ScanErrorKind::Io(error) => format!("read failed: {error}"),
            ScanErrorKind::UnexpectedEnd => "unexpected end of file".to_owned(),
            ScanErrorKind::Unexpected { found, expected } => {
                format!("expected {expected}, found {}", describe_byte(*found))
            }
            ScanErrorKind::InvalidKey(message) => format!("invalid object key: {message}"),
        }
    }
}

fn describe_byte(byte: u8) -> String {
    if byte.is_ascii_graphic() {
        format!("`{}`", byte as char)
    } else {
        format!("byte 0x{byte:02x}")
    }
}

/// Reads a JSON document in blocks and cuts values out of it.
pub(crate) struct Scanner<R: Read> {
    reader: R,
    buffer: Vec<u8>,
    /// The next unread byte in `buffer`.
    position: usize,
    /// The end of the data in `buffer`.
    filled: usize,
    /// The document offset of `buffer[0]`.
    base: u64,
    at_end: bool,
}

impl<R: Read> Scanner<R> {
    pub(crate) fn new(reader: R) -> Self {
        Self {
            reader,
            buffer: vec![0; BLOCK_BYTES],
            position: 0,
            filled: 0,
            base: 0,
            at_end: false,
        }
    }

    /// The document offset of the next unread byte.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.position as u64
    }

    fn error(&self, kind: ScanErrorKind) -> ScanError {
        ScanError {
            offset: self.offset(),
            kind,
        }
    }

    /// Reads more input, keeping `buffer[position..filled]`. Returns false at the end.
    fn fill(&mut self) -> Result<bool, ScanError> {
        if self.at_end {
            return Ok(false);
        }
        if self.position > 0 {
            self.buffer.copy_within(self.position..self.filled, 0);
            self.base += self.position as u64;
            self.filled -= self.position;
            self.position = 0;
        }
        if self.filled == self.buffer.len() {
            // One value is longer than the buffer: grow it.
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
                Err(error) => return Err(self.error(ScanErrorKind::Io(error))),
            }
        }
    }

    /// The next byte that is not JSON whitespace, without consuming it.
    pub(crate) fn peek(&mut self) -> Result<Option<u8>, ScanError> {
        loop {
            while self.position < self.filled {
                match self.buffer[self.position] {
                    b' ' | b'\t' | b'\n' | b'\r' => self.position += 1,
                    byte => return Ok(Some(byte)),
                }
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Consumes the byte [`peek`](Self::peek) returned.
    pub(crate) fn bump(&mut self) {
        self.position += 1;
    }

    /// Consumes `expected` (after whitespace) or fails naming `what` was expected.
    pub(crate) fn expect(&mut self, expected: u8, what: &'static str) -> Result<(), ScanError> {
        match self.peek()? {
            Some(byte) if byte == expected => {
                self.bump();
                Ok(())
            }
            Some(found) => Err(self.error(ScanErrorKind::Unexpected {
                found,
                expected: what,
            })),
            None => Err(self.error(ScanErrorKind::UnexpectedEnd)),
        }
    }

    /// Cuts out the next value (after whitespace): returns its document offset and its
    /// bytes, valid until the next call.
    pub(crate) fn next_value(&mut self) -> Result<(u64, &[u8]), ScanError> {
        if self.peek()?.is_none() {
            return Err(self.error(ScanErrorKind::UnexpectedEnd));
        }
        loop {
            if let Some(end) = value_end(&self.buffer[self.position..self.filled]) {
                let start = self.position;
                self.position += end;
                return Ok((self.base + start as u64, &self.buffer[start..start + end]));
            }
            if !self.fill()? {
                return Err(ScanError {
                    offset: self.base + self.filled as u64,
                    kind: ScanErrorKind::UnexpectedEnd,
                });
            }
        }
    }

    /// Reads an object key (a JSON string) and the `:` after it.
    pub(crate) fn key(&mut self) -> Result<String, ScanError> {
        match self.peek()? {
            Some(b'"') => {}
            Some(found) => {
                return Err(self.error(ScanErrorKind::Unexpected {
                    found,
                    expected: "a `\"` starting an object key",
                }));
            }
            None => return Err(self.error(ScanErrorKind::UnexpectedEnd)),
        }
        let (offset, bytes) = self.next_value()?;
        let key = serde_json::from_slice::<String>(bytes).map_err(|error| ScanError {
            offset,
            kind: ScanErrorKind::InvalidKey(error.to_string()),
        })?;
        self.expect(b':', "`:` after an object key")?;
        Ok(key)
    }

    /// After an element or member: consumes `,` (returns false) or `closing` (returns true).
    pub(crate) fn separator(&mut self, closing: u8, what: &'static str) -> Result<bool, ScanError> {
        match self.peek()? {
            Some(b',') => {
                self.bump();
                Ok(false)
            }
            Some(byte) if byte == closing => {
                self.bump();
                Ok(true)
            }
            Some(found) => Err(self.error(ScanErrorKind::Unexpected {
                found,
                expected: what,
            })),
            None => Err(self.error(ScanErrorKind::UnexpectedEnd)),
        }
    }
}

/// Bytes that change the scanner's state outside strings.
const STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// The length of the JSON value at the start of `bytes`, or `None` if it does not end
/// within `bytes`. Malformed values are cut somewhere plausible; the parser reports them.
fn value_end(bytes: &[u8]) -> Option<usize> {
    match bytes.first()? {
        b'{' | b'[' => container_end(bytes),
        b'"' => string_end(bytes, 1),
        _ => {
            // A number or literal runs to the next delimiter; at the end of the buffer it
            // may continue in the next block.
            let end = bytes.iter().position(|&byte| {
                matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            })?;
            Some(end.max(1))
        }
    }
}

/// The end (exclusive) of the string whose opening quote precedes `from`.
fn string_end(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let found = from + memchr::memchr2(b'"', b'\\', &bytes[from..])?;
        if bytes[found] == b'"' {
            return Some(found + 1);
        }
        // Skip the escaped byte (`\"`, `\\`, `\u`...).
        from = found + 2;
        if from > bytes.len() {
            return None;
        }
    }
}

fn container_end(bytes: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if !STRUCTURAL[byte as usize] {
            index += 1;
            continue;
        }
        match byte {
            b'"' => {
                index = string_end(bytes, index + 1)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            _ => {
                depth -= 1;
                if depth == 0 {
                    return Some(index + 1);
                }
            }
        }
        index += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_end_after_nested_strings_and_escapes() {
        let text = br#"{"a": ["x]", "\"}", {"b": "\\"}]} , 1"#;
        assert_eq!(value_end(text), Some(33));
        assert_eq!(value_end(br#""ab\"c" x"#), Some(7));
        assert_eq!(value_end(b"123, 4"), Some(3));
        assert_eq!(value_end(br#"{"a": "unterminated"#), None);
        assert_eq!(value_end(br#""ends with a backslash \"#), None);
    }

    #[test]
    fn values_longer_than_a_block_are_cut_whole() {
        let mut document = b"{\"images\": [".to_vec();
        let long = format!("{{\"raw\": \"{}\"}}", "x".repeat(3 * BLOCK_BYTES));
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
}
