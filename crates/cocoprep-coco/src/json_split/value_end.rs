//! Finding where a JSON value ends, without parsing it.
//!
//! Objects and arrays are searched 64 bytes at a time: the quotes of a block give, by a
//! prefix XOR, which of its bytes are inside strings, and only the brackets outside
//! strings change the depth. That does a fixed amount of work per block however many
//! short strings (member names) and brackets it holds, which is what annotation records
//! are made of. Blocks holding a backslash (rare: escapes in captions) are walked byte by
//! byte, which handles escapes simply.
//!
//! A search can stop at the end of the bytes available and resume when more arrive, so a
//! value cut by the end of the scanner's buffer is not searched again from its start.

/// The search for the end of one value, by the kind of its first byte.
pub(super) enum ValueEnd {
    /// An object or array.
    Container(ContainerSearch),
    /// A string; `scanned` bytes of it are known not to end it.
    String { scanned: usize },
    /// A number or literal (or garbage the parser will reject); it runs to a delimiter.
    Scalar { scanned: usize },
}

impl ValueEnd {
    /// The search for a value whose first byte (not whitespace) is `first`.
    pub(super) fn starting_with(first: u8) -> Self {
        match first {
            b'{' | b'[' => ValueEnd::Container(ContainerSearch::default()),
            b'"' => ValueEnd::String { scanned: 1 },
            _ => ValueEnd::Scalar { scanned: 0 },
        }
    }

    /// The length of the value at the start of `bytes`, or `None` when it may continue
    /// past them. Each call must pass the same value's bytes, possibly with more after.
    pub(super) fn find(&mut self, bytes: &[u8]) -> Option<usize> {
        match self {
            ValueEnd::Container(search) => search.find(bytes),
            ValueEnd::String { scanned } => string_end(bytes, scanned),
            ValueEnd::Scalar { scanned } => {
                let from = *scanned;
                let found = bytes[from..].iter().position(|&byte| {
                    matches!(byte, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t')
                });
                *scanned = bytes.len();
                found.map(|found| from + found)
            }
        }
    }

    /// The length of the value when the input ends after `available` of its bytes: a
    /// number or literal may end the document; a string or container is truncated.
    pub(super) fn at_end_of_input(&self, available: usize) -> Option<usize> {
        match self {
            ValueEnd::Scalar { .. } => Some(available),
            ValueEnd::Container(_) | ValueEnd::String { .. } => None,
        }
    }
}

/// The end (exclusive) of the string whose opening quote is `bytes[0]`, resuming at
/// `scanned`, which is left where a later call must resume.
fn string_end(bytes: &[u8], scanned: &mut usize) -> Option<usize> {
    let mut from = *scanned;
    while from < bytes.len() {
        let Some(found) = memchr::memchr2(b'"', b'\\', &bytes[from..]) else {
            from = bytes.len();
            break;
        };
        let at = from + found;
        if bytes[at] == b'"' {
            return Some(at + 1);
        }
        // Skip the escaped byte (`\"`, `\\`, `\u`...), which may be past the end yet.
        from = at + 2;
    }
    *scanned = from;
    None
}

/// How far the search for the end of an object or array got.
#[derive(Default)]
pub(super) struct ContainerSearch {
    /// Bytes of the value already searched.
    scanned: usize,
    /// Brackets open after `scanned` bytes.
    depth: usize,
    /// `scanned` stops inside a string...
    in_string: bool,
    /// ...right after a backslash.
    escaped: bool,
}

impl ContainerSearch {
    fn find(&mut self, bytes: &[u8]) -> Option<usize> {
        while self.scanned < bytes.len() {
            let start = self.scanned;
            let end = (start + 64).min(bytes.len());
            let found = match <&[u8; 64]>::try_from(&bytes[start..end]) {
                Ok(block) => self.search_block(block, end - start),
                Err(_) => {
                    // The last, partial block: pad it with spaces, which change nothing.
                    let mut block = [b' '; 64];
                    block[..end - start].copy_from_slice(&bytes[start..end]);
                    self.search_block(&block, end - start)
                }
            };
            if let Some(offset) = found {
                return Some(start + offset + 1);
            }
            self.scanned = end;
        }
        None
    }

    /// Searches the first `length` bytes of `block` and updates the state; returns the
    /// position in the block of the bracket that closes the value.
    fn search_block(&mut self, block: &[u8; 64], length: usize) -> Option<usize> {
        let classes = classify(block);
        if classes.backslashes == 0 && !self.escaped {
            let inside = prefix_xor(classes.quotes) ^ if self.in_string { u64::MAX } else { 0 };
            let mut brackets = (classes.opening | classes.closing) & !inside;
            while brackets != 0 {
                let bit = brackets.trailing_zeros() as usize;
                if classes.opening >> bit & 1 == 1 {
                    self.depth += 1;
                } else {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return Some(bit);
                    }
                }
                brackets &= brackets - 1;
            }
            // The padding after `length` holds no quotes, so the last bit carries the
            // state at the end of the real bytes.
            self.in_string = inside >> 63 == 1;
            return None;
        }
        for (offset, &byte) in block[..length].iter().enumerate() {
            if self.escaped {
                self.escaped = false;
            } else if self.in_string {
                match byte {
                    b'\\' => self.escaped = true,
                    b'"' => self.in_string = false,
                    _ => {}
                }
            } else {
                match byte {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth = self.depth.saturating_sub(1);
                        if self.depth == 0 {
                            return Some(offset);
                        }
                    }
                    _ => {}
                }
            }
        }
        None
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
    let mut classes = Classes {
        quotes: 0,
        backslashes: 0,
        opening: 0,
        closing: 0,
    };
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        for part in 0..4 {
            #[expect(unsafe_code, reason = "SSE2 intrinsics classify 16 bytes at once")]
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
    }
    #[cfg(not(target_arch = "x86_64"))]
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

/// Bit i of the result is the XOR of bits 0..=i: set from an opening quote up to (not
/// including) its closing quote.
fn prefix_xor(mut bits: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        bits ^= bits << shift;
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value's length when all of `bytes` is available at once.
    fn value_end(bytes: &[u8]) -> Option<usize> {
        ValueEnd::starting_with(bytes[0]).find(bytes)
    }

    #[test]
    fn values_end_after_nested_strings_and_escapes() {
        let text = br#"{"a": ["x]", "\"}", {"b": "\\"}]} , 1"#;
        assert_eq!(value_end(text), Some(33));
        assert_eq!(value_end(br#""ab\"c" x"#), Some(7));
        assert_eq!(value_end(b"123, 4"), Some(3));
        assert_eq!(value_end(br#"{"a": "unterminated"#), None);
        assert_eq!(value_end(br#""ends with a backslash \"#), None);
    }

    /// The byte-by-byte definition of the end of an object or array.
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
    fn block_search_agrees_with_byte_search_whatever_the_cuts() {
        // Random documents over the bytes that matter, so strings, escapes and brackets
        // fall on every position of the 64-byte blocks; each is searched whole and in
        // pieces, as refills hand it over.
        let alphabet = br#"{}[]"\a ,:"#;
        // Knuth's MMIX linear congruential generator; the high bits are the random ones.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut random = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            state >> 33
        };
        for _ in 0..20_000 {
            let length = 1 + (random() % 300) as usize;
            let mut document = vec![b'{'];
            document.extend((0..length).map(|_| alphabet[random() as usize % alphabet.len()]));
            let expected = container_end_slowly(&document);
            let shown = String::from_utf8_lossy(&document);
            assert_eq!(value_end(&document), expected, "{shown}");
            let mut search = ValueEnd::starting_with(b'{');
            let mut available = 0;
            let found = loop {
                available = (available + 1 + random() as usize % 100).min(document.len());
                if let Some(end) = search.find(&document[..available]) {
                    break Some(end);
                }
                if available == document.len() {
                    break None;
                }
            };
            assert_eq!(found, expected, "{shown} in pieces");
        }
    }

    #[test]
    fn strings_and_scalars_resume_across_pieces() {
        let text = br#""a\"b\\" 12"#;
        let mut search = ValueEnd::starting_with(b'"');
        assert_eq!(search.find(&text[..3]), None); // stops right after a backslash
        assert_eq!(search.find(&text[..4]), None);
        assert_eq!(search.find(text), Some(8));
        let mut search = ValueEnd::starting_with(b'1');
        assert_eq!(search.find(&text[9..10]), None);
        assert_eq!(search.at_end_of_input(2), Some(2));
    }
}
