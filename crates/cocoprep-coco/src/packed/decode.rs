//! Packed number text back to `f64`s, correctly rounded like Python's `float()`.
//!
//! Every converter and rasteriser reads polygons through here, tens of millions of numbers
//! per train2017 file, so the common shape (`239.97`: digits, maybe one `.` and digits,
//! then `,` or `]`) is read whole with word operations ([`decode_simple`]): reading it
//! symbol by symbol cost two mispredicted branches per number (where the `.` is, where the
//! number ends). Signs, exponents and long numbers go symbol by symbol
//! ([`decode_by_symbol`]).

use super::{CLOSE, COMMA, DOT, EXPONENT, MINUS, SYMBOL};
use crate::decimal::exact_decimal;

/// Reads the number that starts at nibble `start`; returns its value and the index of
/// the nibble after it (the `,` or `]` that ends it).
#[inline]
pub(super) fn decode_number(nibbles: &[u8], start: usize) -> (f64, usize) {
    decode_simple(nibbles, start).unwrap_or_else(|| decode_by_symbol(nibbles, start))
}

/// The symbol at nibble index `at` (two per byte, high nibble first).
#[inline]
pub(super) fn nibble_at(nibbles: &[u8], at: usize) -> u8 {
    let byte = nibbles[at / 2];
    if at.is_multiple_of(2) {
        byte >> 4
    } else {
        byte & 0x0f
    }
}

/// Every byte lane set to `byte`.
const fn lanes(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// The low nibble of every byte.
const LOW_NIBBLES: u64 = lanes(0x0f);

/// Bit 3 of every nibble of `word` whose value is at least `limit` (`limit <= 15`).
///
/// Each nibble is moved into a byte lane of its own, so adding `128 - limit` sets the
/// lane's top bit exactly when the nibble is at least `limit`, with no carry between lanes
/// (15 + 128 < 256).
fn nibbles_at_least(word: u64, limit: u8) -> u64 {
    let add = lanes(128 - limit);
    let high = ((word >> 4) & LOW_NIBBLES) + add;
    let low = (word & LOW_NIBBLES) + add;
    (high & lanes(0x80)) | ((low & lanes(0x80)) >> 4)
}

/// The nibbles `[0, count)` of a word whose first nibble is its top one (`count <= 16`).
fn first_nibbles(count: usize) -> u64 {
    match count {
        0 => 0,
        count => !0u64 << (64 - 4 * count),
    }
}

/// The value of a digits-only number of up to 16 nibbles, right-aligned in `word`, most
/// significant digit first: pairs of digits, then of pairs, and so on, all lanes at once.
fn digits_value(word: u64) -> u64 {
    let pairs = ((word >> 4) & LOW_NIBBLES) * 10 + (word & LOW_NIBBLES);
    let mask = 0x00ff_00ff_00ff_00ff;
    let quads = ((pairs >> 8) & mask) * 100 + (pairs & mask);
    let mask = 0x0000_ffff_0000_ffff;
    let octets = ((quads >> 16) & mask) * 10_000 + (quads & mask);
    (octets >> 32) * 100_000_000 + (octets & 0xffff_ffff)
}

/// The fast path of [`decode_number`]: `digits[.digits]` followed by `,` or `]`, within
/// the 15 or 16 nibbles of the 8 bytes at `start`. `None` for anything else.
#[inline]
fn decode_simple(nibbles: &[u8], start: usize) -> Option<(f64, usize)> {
    let byte = start / 2;
    // Past the end the window is padded with `]`: every packed array ends with its own
    // `]` before the padding, so the padding is never mistaken for a number's end.
    let window: [u8; 8] = match nibbles.get(byte..byte + 8) {
        Some(window) => window.try_into().ok()?,
        None => {
            let mut window = [CLOSE << 4 | CLOSE; 8];
            let rest = nibbles.get(byte..)?;
            window[..rest.len()].copy_from_slice(rest);
            window
        }
    };
    let mut word = u64::from_be_bytes(window);
    let mut available = 16;
    if !start.is_multiple_of(2) {
        word <<= 4;
        available = 15;
    }
    // `,`, `-`, `e`, `[` and `]` are the codes from 11 up; `.` is 10.
    let symbols = nibbles_at_least(word, COMMA);
    let end = symbols.leading_zeros() as usize / 4;
    if end == 0 || end >= available {
        return None;
    }
    let terminator = ((word >> (60 - 4 * end)) & 0x0f) as u8;
    if terminator != COMMA && terminator != CLOSE {
        return None;
    }
    let dots = nibbles_at_least(word, DOT) & !symbols & first_nibbles(end);
    let (digits, count, fraction_digits) = match dots.count_ones() {
        0 => (word & first_nibbles(end), end, 0),
        1 => {
            let dot = dots.leading_zeros() as usize / 4;
            // Close the gap: the fraction's digits move up one nibble over the `.`.
            let integer = word & first_nibbles(dot);
            let fraction = (word << 4) & first_nibbles(end - 1) & !first_nibbles(dot);
            (integer | fraction, end - 1, end - 1 - dot)
        }
        _ => return None,
    };
    if count == 0 {
        return None;
    }
    let mantissa = digits_value(digits >> (64 - 4 * count));
    let value = exact_decimal(mantissa, count as u32, -(fraction_digits as i32), false)?;
    Some((value, start + end))
}

/// [`decode_number`] one symbol at a time, for any JSON number the lexer accepted.
pub(super) fn decode_by_symbol(nibbles: &[u8], start: usize) -> (f64, usize) {
    let mut number = NumberDecoder::default();
    let mut at = start;
    while at < nibbles.len() * 2 {
        match nibble_at(nibbles, at) {
            digit @ 0..=9 => number.digit(digit),
            DOT => number.in_fraction = true,
            MINUS => number.minus(),
            EXPONENT => number.in_exponent = true,
            _ => break,
        }
        at += 1;
    }
    (number.finish(nibbles, start, at), at)
}

/// Turns packed number symbols into an `f64`.
///
/// Most COCO numbers (`239.97`) take Clinger's fast path: when the decimal mantissa fits
/// in 53 bits and the power of ten is at most 22, both are exact `f64`s and one IEEE
/// multiplication or division rounds correctly. Anything else falls back to Rust's
/// (correctly rounding) parser on the number's text, rebuilt from the nibbles.
#[derive(Default)]
struct NumberDecoder {
    negative: bool,
    mantissa: u64,
    digits: u32,
    fraction_digits: i32,
    in_fraction: bool,
    in_exponent: bool,
    exponent: i32,
    exponent_negative: bool,
}

impl NumberDecoder {
    fn digit(&mut self, digit: u8) {
        if self.in_exponent {
            self.exponent = self
                .exponent
                .saturating_mul(10)
                .saturating_add(digit as i32);
        } else {
            self.digits += 1;
            if self.digits <= 19 {
                self.mantissa = self.mantissa * 10 + digit as u64;
            }
            self.fraction_digits += self.in_fraction as i32;
        }
    }

    fn minus(&mut self) {
        if self.in_exponent {
            self.exponent_negative = true;
        } else {
            self.negative = true;
        }
    }

    /// The value of the number in nibbles `start..end`.
    fn finish(&self, nibbles: &[u8], start: usize, end: usize) -> f64 {
        let exponent = if self.exponent_negative {
            -self.exponent
        } else {
            self.exponent
        };
        let power = exponent.saturating_sub(self.fraction_digits);
        match exact_decimal(self.mantissa, self.digits, power, self.negative) {
            Some(value) => value,
            None => {
                let mut text = NumberText::default();
                for at in start..end {
                    text.push(SYMBOL[nibble_at(nibbles, at) as usize]);
                }
                text.parse()
            }
        }
    }
}

/// A number's text gathered on the stack before parsing.
struct NumberText {
    bytes: [u8; 40],
    len: usize,
    /// Set when a number is longer than the stack buffer (never in real files).
    long: Vec<u8>,
}

impl Default for NumberText {
    fn default() -> Self {
        Self {
            bytes: [0; 40],
            len: 0,
            long: Vec::new(),
        }
    }
}

impl NumberText {
    fn push(&mut self, byte: u8) {
        if self.len < self.bytes.len() && self.long.is_empty() {
            self.bytes[self.len] = byte;
            self.len += 1;
        } else {
            if self.long.is_empty() {
                self.long.extend_from_slice(&self.bytes[..self.len]);
            }
            self.long.push(byte);
        }
    }

    fn parse(&self) -> f64 {
        let text = if self.long.is_empty() {
            &self.bytes[..self.len]
        } else {
            &self.long[..]
        };
        // The text was validated as a JSON number when it was packed, and JSON number
        // syntax is a subset of what Rust's float parser accepts.
        std::str::from_utf8(text)
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packed::{Nesting, PackedNumbers};

    /// Every short digits-and-dot number at both nibble alignments, near the end of the
    /// buffer and far from it, read by the word path and by the symbol path.
    #[test]
    fn word_path_equals_symbol_path_on_short_numbers() {
        let mut random = cocoprep_test::Xorshift::new(0x9e37_79b9_7f4a_7c15);
        let mut by_words = 0;
        for _ in 0..50_000 {
            let length = 1 + (random.next() % 18) as usize;
            let mut text: String = (0..length)
                .map(|_| char::from(b'0' + (random.next() % 10) as u8))
                .collect();
            if text.len() > 1 && text.starts_with('0') {
                text.replace_range(0..1, "1");
            }
            if length > 1 && !random.next().is_multiple_of(3) {
                let dot = 1 + (random.next() as usize % (length - 1));
                if !(dot > 1 && text.starts_with('0')) {
                    text.insert(dot, '.');
                }
            }
            let prefix = if random.next().is_multiple_of(2) {
                "1,"
            } else {
                ""
            };
            let suffix = if random.next().is_multiple_of(2) {
                ",1,2,3,4,5,6,7,8,9"
            } else {
                ""
            };
            let json = format!("[{prefix}{text}{suffix}]");
            let packed = PackedNumbers::pack(json.as_bytes(), Nesting::Flat).unwrap();
            let expected: f64 = text.parse().unwrap();
            let values = packed.values();
            let value = values[usize::from(!prefix.is_empty())];
            assert_eq!(value.to_bits(), expected.to_bits(), "{json}");
            let start = 1 + 2 * usize::from(!prefix.is_empty());
            let by_symbol = decode_by_symbol(&packed.nibbles, start);
            assert_eq!(by_symbol.0.to_bits(), expected.to_bits(), "{json}");
            if let Some(simple) = decode_simple(&packed.nibbles, start) {
                assert_eq!(simple, (value, by_symbol.1), "{json}");
                by_words += 1;
            }
        }
        // Up to 15 symbols take the word path (about three quarters of these numbers).
        assert!(by_words > 30_000, "{by_words}");
    }
}
