//! A streaming splitter for JSON documents.
//!
//! COCO files are one object whose big members are arrays of small objects. The scanner
//! reads the file in blocks and hands out each array element's bytes without parsing
//! them, so elements can be parsed in parallel and the whole file never sits in memory.
//! It only tracks nesting and strings; every byte it hands out is parsed (and so
//! validated) by serde_json afterwards.

use std::io::{self, Read};

use memchr::memchr2;

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

const INITIAL_BUFFER_BYTES: usize = 4 << 20;

/// The position of the first byte at or after `from` that is `"`, `{`, `}`, `[` or `]`.
fn find_structural(bytes: &[u8], from: usize) -> Option<usize> {
    let mut index = from;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        // Polygon text between structural bytes is long runs of digits, so test 16 bytes at
        // a time. `[`/`{` and `]`/`}` differ only in bit 0x20: OR it in and compare with
        // `{` and `}`. SSE2 is part of the x86_64 baseline.
        while index + 16 <= bytes.len() {
            // SAFETY: the load reads bytes[index..index + 16], in bounds by the loop
            // condition; `loadu` has no alignment requirement; SSE2 is always available on
            // x86_64.
            let mask = unsafe {
                let chunk = _mm_loadu_si128(bytes.as_ptr().add(index) as *const __m128i);
                let folded = _mm_or_si128(chunk, _mm_set1_epi8(0x20));
                let brackets = _mm_or_si128(
                    _mm_cmpeq_epi8(folded, _mm_set1_epi8(b'{' as i8)),
                    _mm_cmpeq_epi8(folded, _mm_set1_epi8(b'}' as i8)),
                );
                _mm_movemask_epi8(_mm_or_si128(
                    brackets,
                    _mm_cmpeq_epi8(chunk, _mm_set1_epi8(b'"' as i8)),
                ))
            };
            if mask != 0 {
                return Some(index + mask.trailing_zeros() as usize);
            }
            index += 16;
        }
    }
    bytes[index..]
        .iter()
        .position(|&byte| STRUCTURAL[byte as usize])
        .map(|offset| index + offset)
}

/// What went wrong while splitting.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ScanError {
    #[error("read failed")]
    Io(#[from] io::Error),
    #[error("unexpected end of file")]
    UnexpectedEnd { offset: u64 },
    #[error("expected {expected}, found `{}`", *found as char)]
    Unexpected {
        offset: u64,
        found: u8,
        expected: &'static str,
    },
}

impl ScanError {
    /// Byte offset in the document, when known.
    pub(crate) fn offset(&self) -> Option<u64> {
        match self {
            ScanError::Io(_) => None,
            ScanError::UnexpectedEnd { offset } | ScanError::Unexpected { offset, .. } => {
                Some(*offset)
            }
        }
    }
}

pub(crate) struct Scanner<R> {
    reader: R,
    buffer: Vec<u8>,
    /// Next unconsumed byte in `buffer`.
    position: usize,
    /// Bytes of `buffer` holding data.
    filled: usize,
    /// Document offset of `buffer[0]`.
    buffer_offset: u64,
}

impl<R: Read> Scanner<R> {
    pub(crate) fn new(reader: R) -> Self {
        Self {
            reader,
            buffer: vec![0; INITIAL_BUFFER_BYTES],
            position: 0,
            filled: 0,
            buffer_offset: 0,
        }
    }

    /// Document offset of the next unconsumed byte.
    pub(crate) fn offset(&self) -> u64 {
        self.buffer_offset + self.position as u64
    }

    /// Moves unconsumed bytes to the front and reads more. Returns how far the unconsumed
    /// bytes moved (callers adjust their indexes by it, also at end of input) and whether
    /// anything was read.
    fn fill(&mut self) -> io::Result<(usize, bool)> {
        let shift = self.position;
        if shift > 0 {
            self.buffer.copy_within(shift..self.filled, 0);
            self.buffer_offset += shift as u64;
            self.filled -= shift;
            self.position = 0;
        }
        if self.filled == self.buffer.len() {
            // A single value larger than the buffer (a huge RLE or `info`): grow.
            self.buffer.resize(self.buffer.len() * 2, 0);
        }
        loop {
            match self.reader.read(&mut self.buffer[self.filled..]) {
                Ok(0) => return Ok((shift, false)),
                Ok(read) => {
                    self.filled += read;
                    return Ok((shift, true));
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
        }
    }

    /// Skips whitespace and returns the next byte without consuming it.
    pub(crate) fn peek(&mut self) -> Result<Option<u8>, ScanError> {
        loop {
            while self.position < self.filled {
                match self.buffer[self.position] {
                    b' ' | b'\n' | b'\r' | b'\t' => self.position += 1,
                    byte => return Ok(Some(byte)),
                }
            }
            if !self.fill()?.1 {
                return Ok(None);
            }
        }
    }

    /// Skips a UTF-8 byte-order mark at the start of the input (some Windows tools write
    /// one; JSON does not allow it, but it carries no meaning).
    pub(crate) fn skip_byte_order_mark(&mut self) -> Result<(), ScanError> {
        while self.filled < 3 {
            if !self.fill()?.1 {
                break;
            }
        }
        if self.buffer[self.position..self.filled].starts_with(&[0xef, 0xbb, 0xbf]) {
            self.position += 3;
        }
        Ok(())
    }

    /// Consumes the byte returned by the last [`Scanner::peek`].
    pub(crate) fn bump(&mut self) {
        debug_assert!(self.position < self.filled);
        self.position += 1;
    }

    /// Consumes `byte` (after whitespace) or fails naming `expected`.
    pub(crate) fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), ScanError> {
        match self.peek()? {
            Some(found) if found == byte => {
                self.bump();
                Ok(())
            }
            Some(found) => Err(ScanError::Unexpected {
                offset: self.offset(),
                found,
                expected,
            }),
            None => Err(ScanError::UnexpectedEnd {
                offset: self.offset(),
            }),
        }
    }

    /// Consumes the next JSON value and returns its document offset and bytes. The bytes
    /// are only delimited, not validated.
    pub(crate) fn next_value(&mut self) -> Result<(u64, &[u8]), ScanError> {
        let first = match self.peek()? {
            Some(byte) => byte,
            None => {
                return Err(ScanError::UnexpectedEnd {
                    offset: self.offset(),
                });
            }
        };
        let length = match first {
            b'{' | b'[' => self.composite_length()?,
            b'"' => self.string_length()?,
            _ => self.scalar_length()?,
        };
        let start = self.position;
        self.position += length;
        Ok((
            self.buffer_offset + start as u64,
            &self.buffer[start..start + length],
        ))
    }

    /// Refills when `index` reached the end of the data; returns the adjusted index.
    fn refill_at(&mut self, index: usize) -> Result<usize, ScanError> {
        match self.fill()? {
            (shift, true) => Ok(index - shift),
            (_, false) => Err(ScanError::UnexpectedEnd {
                offset: self.buffer_offset + self.filled as u64,
            }),
        }
    }

    fn composite_length(&mut self) -> Result<usize, ScanError> {
        let mut index = self.position;
        let mut depth = 0u32;
        let mut in_string = false;
        loop {
            if index >= self.filled {
                index = self.refill_at(index)?;
                continue;
            }
            if in_string {
                match memchr2(b'"', b'\\', &self.buffer[index..self.filled]) {
                    None => index = self.filled,
                    Some(found) if self.buffer[index + found] == b'\\' => index += found + 2,
                    Some(found) => {
                        in_string = false;
                        index += found + 1;
                    }
                }
                continue;
            }
            let bytes = &self.buffer[..self.filled];
            while let Some(found) = find_structural(bytes, index) {
                index = found + 1;
                match bytes[found] {
                    b'"' => {
                        in_string = true;
                        break;
                    }
                    b'{' | b'[' => depth += 1,
                    _ => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(index - self.position);
                        }
                    }
                }
            }
            if !in_string {
                index = index.max(self.filled);
            }
        }
    }

    fn string_length(&mut self) -> Result<usize, ScanError> {
        let mut index = self.position + 1;
        loop {
            if index >= self.filled {
                index = self.refill_at(index)?;
                continue;
            }
            match memchr2(b'"', b'\\', &self.buffer[index..self.filled]) {
                None => index = self.filled,
                Some(found) if self.buffer[index + found] == b'\\' => index += found + 2,
                Some(found) => return Ok(index + found + 1 - self.position),
            }
        }
    }

    fn scalar_length(&mut self) -> Result<usize, ScanError> {
        let mut index = self.position;
        loop {
            if index >= self.filled {
                let (shift, more) = self.fill()?;
                index -= shift;
                if !more {
                    return Ok(index - self.position); // a scalar may end the input
                }
                continue;
            }
            match self.buffer[index] {
                b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t' => {
                    return Ok(index - self.position);
                }
                _ => index += 1,
            }
        }
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
            match scanner.peek().unwrap() {
                Some(b',') => scanner.bump(),
                Some(b']') => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        out
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
            Err(ScanError::UnexpectedEnd { .. })
        ));
    }
}
