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

/// Which of 64 bytes are quotes, backslashes, opening and closing brackets (bit i = byte i).
struct Classes {
    quotes: u64,
    backslashes: u64,
    opening: u64,
    closing: u64,
}

fn classify(block: &[u8; 64]) -> Classes {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        let mut classes = Classes {
            quotes: 0,
            backslashes: 0,
            opening: 0,
            closing: 0,
        };
        for part in 0..4 {
            // SAFETY: the load reads block[16 * part..16 * part + 16], within the 64-byte
            // array; `loadu` has no alignment requirement; SSE2 is part of the x86_64
            // baseline.
            let (quotes, backslashes, opening, closing) = unsafe {
                let bytes = _mm_loadu_si128(block.as_ptr().add(16 * part) as *const __m128i);
                // `[`/`{` and `]`/`}` differ only in bit 0x20: OR it in and compare once.
                let folded = _mm_or_si128(bytes, _mm_set1_epi8(0x20));
                let mask = |a, b| _mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_set1_epi8(b)));
                (
                    mask(bytes, b'"' as i8),
                    mask(bytes, b'\\' as i8),
                    mask(folded, b'{' as i8),
                    mask(folded, b'}' as i8),
                )
            };
            let shift = 16 * part;
            classes.quotes |= u64::from(quotes as u16) << shift;
            classes.backslashes |= u64::from(backslashes as u16) << shift;
            classes.opening |= u64::from(opening as u16) << shift;
            classes.closing |= u64::from(closing as u16) << shift;
        }
        classes
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut classes = Classes {
            quotes: 0,
            backslashes: 0,
            opening: 0,
            closing: 0,
        };
        for (index, &byte) in block.iter().enumerate() {
            let bit = 1u64 << index;
            match byte {
                b'"' => classes.quotes |= bit,
                b'\\' => classes.backslashes |= bit,
                b'{' | b'[' => classes.opening |= bit,
                b'}' | b']' => classes.closing |= bit,
                _ => {}
            }
        }
        classes
    }
}

/// Bit i of the result is the XOR of bits 0..=i: set from an opening quote up to (not
/// including) its closing quote.
fn prefix_xor(mut bits: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        bits ^= bits << shift;
    }
    bits
}

/// The end of the object or array at the start of `bytes`, 64 bytes at a time: the
/// quotes of a block give, by prefix XOR, which bytes are inside strings, and only the
/// brackets outside strings count. Blocks with backslashes (rare in caption files) are
/// walked byte by byte, which handles escapes simply.
fn container_end(bytes: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0;
    while start < bytes.len() {
        let length = (bytes.len() - start).min(64);
        let mut block = [b' '; 64];
        block[..length].copy_from_slice(&bytes[start..start + length]);
        let classes = classify(&block);
        if classes.backslashes == 0 && !escaped {
            let inside = prefix_xor(classes.quotes) ^ if in_string { u64::MAX } else { 0 };
            let mut brackets = (classes.opening | classes.closing) & !inside;
            while brackets != 0 {
                let bit = brackets.trailing_zeros() as usize;
                if classes.opening >> bit & 1 == 1 {
                    depth += 1;
                } else {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(start + bit + 1);
                    }
                }
                brackets &= brackets - 1;
            }
            in_string = inside >> 63 == 1;
        } else {
            for (offset, &byte) in bytes[start..start + length].iter().enumerate() {
                if escaped {
                    escaped = false;
                } else if in_string {
                    match byte {
                        b'\\' => escaped = true,
                        b'"' => in_string = false,
                        _ => {}
                    }
                } else {
                    match byte {
                        b'"' => in_string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                return Some(start + offset + 1);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        start += 64;
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

    /// The byte-by-byte definition of `container_end`.
    fn container_end_slowly(bytes: &[u8]) -> Option<usize> {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for (index, &byte) in bytes.iter().enumerate() {
            if escaped {
                escaped = false;
            } else if in_string {
                match byte {
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
            } else {
                match byte {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return Some(index + 1);
                        }
                    }
                    _ => {}
                }
            }
        }
        None
    }

    #[test]
    fn block_scanning_agrees_with_byte_scanning() {
        // Random documents over the bytes that matter, so strings, escapes and brackets
        // fall on every position of the 64-byte blocks.
        let alphabet = br#"{}[]"\a ,:"#;
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let length = 1 + (state % 300) as usize;
            let mut document = vec![b'{'];
            for _ in 0..length {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                document.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            assert_eq!(
                container_end(&document),
                container_end_slowly(&document),
                "{}",
                String::from_utf8_lossy(&document)
            );
        }
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
