//! Compact storage for JSON arrays of numbers (polygons and keypoints).
//!
//! Polygons are most of a COCO instances file: on train2017 they are about three quarters of
//! its bytes. Parsing every coordinate into an `f64` costs time on load and eight bytes per
//! coordinate in memory, and then writing the file back prints numbers that may differ in
//! form from the input. Instead [`PackedNumbers`] keeps the *original number text*, two
//! characters per byte: JSON number text and array punctuation only need sixteen symbols.
//! That is exact (the same text is written back), about half the size of the text and of
//! parsed `f64`s, and numbers are parsed only when someone asks for them.

use std::fmt;

mod decode;
mod lex;

use decode::{decode_number, nibble_at};

/// Nibble codes. Digits map to themselves.
pub(crate) const DOT: u8 = 10;
pub(crate) const COMMA: u8 = 11;
pub(crate) const MINUS: u8 = 12;
pub(crate) const EXPONENT: u8 = 13;
pub(crate) const OPEN: u8 = 14;
pub(crate) const CLOSE: u8 = 15;

/// The character each nibble code stands for.
const SYMBOL: [u8; 16] = *b"0123456789.,-e[]";

/// How deeply nested a packed array is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Nesting {
    /// `[n, n, ...]`, e.g. `keypoints`.
    Flat,
    /// `[[n, n, ...], [n, ...]]`, e.g. polygon `segmentation`.
    Nested,
}

impl Nesting {
    pub(crate) fn depth(self) -> u32 {
        match self {
            Nesting::Flat => 1,
            Nesting::Nested => 2,
        }
    }
}

/// Why a JSON text could not be packed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PackError {
    /// The text holds something other than numbers and arrays at the expected depth.
    #[error("expected {expected}, found `{found}` at character {position}")]
    Shape {
        /// What the text should have been.
        expected: &'static str,
        /// The offending character (lossy).
        found: char,
        /// Byte position in the packed text.
        position: usize,
    },
    /// The text ended before the array was closed.
    #[error("unterminated array")]
    Unterminated,
    /// A value to pack is NaN or infinite, which JSON cannot represent.
    #[error("{0} cannot be written as a JSON number")]
    NonFinite(f64),
}

/// A JSON array of numbers, or of arrays of numbers, kept as packed number text.
///
/// Build one with [`PackedNumbers::pack`] (from JSON text) or [`PackedNumbers::from_parts`]
/// (from values), read it with [`PackedNumbers::parts`], [`PackedNumbers::values`] or
/// [`PackedNumbers::write_json`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PackedNumbers {
    nesting: Nesting,
    /// Two nibbles per byte, high nibble first. When the count is odd the last low nibble
    /// is a padding `CLOSE`; decoding stops when the outer array closes, so it is ignored.
    nibbles: Box<[u8]>,
}

impl PackedNumbers {
    /// Packs JSON text: an array of numbers (`Flat`) or of arrays of numbers (`Nested`),
    /// optionally surrounded by whitespace. The JSON grammar is checked strictly (number
    /// syntax, commas, brackets). Whitespace is dropped, `E` becomes `e` and an exponent's
    /// `+` is dropped; all three leave the numbers' values unchanged.
    pub fn pack(json: &[u8], nesting: Nesting) -> Result<Self, PackError> {
        let mut symbols = Vec::new();
        let (packed, consumed) = Self::pack_prefix(json, nesting, &mut symbols)?;
        if let Some(position) = json[consumed..]
            .iter()
            .position(|byte| !byte.is_ascii_whitespace())
        {
            return Err(PackError::Shape {
                expected: "end of array",
                found: json[consumed + position] as char,
                position: consumed + position,
            });
        }
        Ok(packed)
    }

    /// Packs the array at the start of `json` (after optional whitespace) and returns it
    /// with the number of bytes it took, so a parser can continue after it. `symbols` is
    /// scratch space reused between calls.
    pub fn pack_prefix(
        json: &[u8],
        nesting: Nesting,
        symbols: &mut Vec<u8>,
    ) -> Result<(Self, usize), PackError> {
        symbols.clear();
        let consumed = lex::lex_array(json, nesting.depth(), symbols)?;
        let mut nibbles = Vec::with_capacity(symbols.len().div_ceil(2));
        let pairs = symbols.chunks_exact(2);
        let odd = pairs.remainder().first().copied();
        nibbles.extend(pairs.map(|pair| pair[0] << 4 | pair[1]));
        if let Some(last) = odd {
            nibbles.push(last << 4 | CLOSE);
        }
        Ok((
            Self {
                nesting,
                nibbles: nibbles.into_boxed_slice(),
            },
            consumed,
        ))
    }

    /// Builds a packed array from values. Numbers are written in their shortest form that
    /// reads back to the same `f64` (like Python's `repr`), so values survive exactly.
    ///
    /// Fails with [`PackError::NonFinite`] if a value is NaN or infinite.
    pub fn from_parts<P: AsRef<[f64]>>(parts: &[P], nesting: Nesting) -> Result<Self, PackError> {
        if let Some(value) = parts
            .iter()
            .flat_map(|p| p.as_ref().iter())
            .find(|v| !v.is_finite())
        {
            return Err(PackError::NonFinite(*value));
        }
        let mut text = Vec::new();
        let mut buffer = ryu::Buffer::new();
        let mut push_values = |text: &mut Vec<u8>, values: &[f64]| {
            text.push(b'[');
            for (index, value) in values.iter().enumerate() {
                if index > 0 {
                    text.push(b',');
                }
                text.extend_from_slice(format_number(&mut buffer, *value).as_bytes());
            }
            text.push(b']');
        };
        match nesting {
            Nesting::Flat => {
                let values: Vec<f64> = parts
                    .iter()
                    .flat_map(|p| p.as_ref().iter().copied())
                    .collect();
                push_values(&mut text, &values);
            }
            Nesting::Nested => {
                text.push(b'[');
                for (index, part) in parts.iter().enumerate() {
                    if index > 0 {
                        text.push(b',');
                    }
                    push_values(&mut text, part.as_ref());
                }
                text.push(b']');
            }
        }
        Self::pack(&text, nesting)
    }

    /// Builds a flat packed array (`[n, n, ...]`) from values.
    pub fn from_values(values: &[f64]) -> Result<Self, PackError> {
        Self::from_parts(&[values], Nesting::Flat)
    }

    /// Whether this is a flat or a nested array.
    pub fn nesting(&self) -> Nesting {
        self.nesting
    }

    /// Heap bytes used by the packed text.
    pub fn packed_len(&self) -> usize {
        self.nibbles.len()
    }

    fn symbols(&self) -> impl Iterator<Item = u8> + '_ {
        self.nibbles
            .iter()
            .flat_map(|byte| [byte >> 4, byte & 0x0f])
            .scan(0i32, |depth, nibble| {
                if *depth < 0 {
                    return None;
                }
                match nibble {
                    OPEN => *depth += 1,
                    CLOSE => {
                        *depth -= 1;
                        if *depth == 0 {
                            *depth = -1; // the outer array closed: stop after this symbol
                        }
                    }
                    _ => {}
                }
                Some(nibble)
            })
    }

    /// Appends the array as compact JSON text (the original number text).
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend(self.symbols().map(|nibble| SYMBOL[nibble as usize]));
    }

    /// The array as compact JSON text.
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(self.nibbles.len() * 2);
        self.write_json(&mut out);
        String::from_utf8(out).expect("packed text is ASCII")
    }

    /// Calls `visit` once per inner array (for `Nested`) or once with all numbers (for
    /// `Flat`), reusing one buffer. Stops at and returns the first error `visit` returns.
    pub fn try_for_each_part<E>(
        &self,
        visit: impl FnMut(&[f64]) -> Result<(), E>,
    ) -> Result<(), E> {
        self.try_for_each_part_with(&mut Vec::with_capacity(64), visit)
    }

    /// [`PackedNumbers::try_for_each_part`] decoding into `values` (cleared first), so
    /// that a caller going through millions of arrays reuses one buffer.
    pub fn try_for_each_part_with<E>(
        &self,
        values: &mut Vec<f64>,
        mut visit: impl FnMut(&[f64]) -> Result<(), E>,
    ) -> Result<(), E> {
        let target = self.nesting.depth() as i32;
        values.clear();
        let mut depth = 0i32;
        let nibbles = &self.nibbles[..];
        let mut at = 0;
        // Walks symbol by symbol, but a number is read whole by `decode_number` (most of
        // them in a few word operations), so the branches here follow the regular
        // number-comma rhythm and predict well.
        while at < nibbles.len() * 2 {
            match nibble_at(nibbles, at) {
                OPEN => depth += 1,
                COMMA => {}
                CLOSE => {
                    if depth == target {
                        visit(values)?;
                        values.clear();
                    }
                    depth -= 1;
                    if depth <= 0 {
                        return Ok(());
                    }
                }
                _ => {
                    let (value, end) = decode_number(nibbles, at);
                    values.push(value);
                    at = end;
                    continue;
                }
            }
            at += 1;
        }
        Ok(())
    }

    /// The inner arrays as vectors of numbers (a single vector for `Flat`).
    pub fn parts(&self) -> Vec<Vec<f64>> {
        let mut parts = Vec::new();
        let _ = self.try_for_each_part::<()>(|part| {
            parts.push(part.to_vec());
            Ok(())
        });
        parts
    }

    /// All numbers in order, flattened.
    pub fn values(&self) -> Vec<f64> {
        let mut values = Vec::new();
        let _ = self.try_for_each_part::<()>(|part| {
            values.extend_from_slice(part);
            Ok(())
        });
        values
    }

    /// The number of inner arrays (`Nested`) or 1 (`Flat`).
    pub fn part_count(&self) -> usize {
        let target = self.nesting.depth() as i32;
        let mut depth = 0;
        let mut count = 0;
        for nibble in self.symbols() {
            match nibble {
                OPEN => {
                    depth += 1;
                    if depth == target {
                        count += 1;
                    }
                }
                CLOSE => depth -= 1,
                _ => {}
            }
        }
        count
    }
}

impl fmt::Debug for PackedNumbers {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "PackedNumbers({})", self.to_json())
    }
}

/// Formats `value` as JSON: shortest round-trip text, integers without a fraction kept
/// as `5.0` so that Python reads them back as floats.
pub(crate) fn format_number(buffer: &mut ryu::Buffer, value: f64) -> &str {
    if value.is_finite() {
        buffer.format_finite(value)
    } else if value.is_nan() {
        "NaN" // what Python's json.dumps writes; only reachable for invalid input
    } else if value > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_polygons_round_trip_their_text() {
        let text = b"[[150.59,622.31,176.63,-0.5e-3,1E+5],[1,2,3]]";
        let packed = PackedNumbers::pack(text, Nesting::Nested).unwrap();
        assert_eq!(
            packed.to_json(),
            "[[150.59,622.31,176.63,-0.5e-3,1e5],[1,2,3]]"
        );
        assert_eq!(
            packed.parts(),
            vec![
                vec![150.59, 622.31, 176.63, -0.0005, 1e5],
                vec![1.0, 2.0, 3.0]
            ]
        );
        assert_eq!(packed.part_count(), 2);
        assert!(packed.packed_len() <= text.len() / 2 + 1);
    }

    #[test]
    fn whitespace_is_dropped_and_values_kept() {
        let packed = PackedNumbers::pack(b" [ [ 1 , 2 ] ,\n [3] ] ", Nesting::Nested).unwrap();
        assert_eq!(packed.to_json(), "[[1,2],[3]]");
    }

    #[test]
    fn flat_keypoints_pack() {
        let packed = PackedNumbers::pack(b"[0,0,0,12,44,2]", Nesting::Flat).unwrap();
        assert_eq!(packed.values(), vec![0.0, 0.0, 0.0, 12.0, 44.0, 2.0]);
        assert_eq!(packed.to_json(), "[0,0,0,12,44,2]");
    }

    #[test]
    fn empty_arrays_pack() {
        assert_eq!(
            PackedNumbers::pack(b"[]", Nesting::Nested)
                .unwrap()
                .part_count(),
            0
        );
        assert_eq!(
            PackedNumbers::pack(b"[[]]", Nesting::Nested)
                .unwrap()
                .parts(),
            vec![Vec::<f64>::new()]
        );
        assert_eq!(
            PackedNumbers::pack(b"[]", Nesting::Flat).unwrap().values(),
            Vec::<f64>::new()
        );
    }

    #[test]
    fn wrong_shapes_are_rejected() {
        assert!(PackedNumbers::pack(b"[1,2]", Nesting::Nested).is_err());
        assert!(PackedNumbers::pack(b"[[[1]]]", Nesting::Nested).is_err());
        assert!(PackedNumbers::pack(b"[[\"a\"]]", Nesting::Nested).is_err());
        assert!(PackedNumbers::pack(b"[[1,null]]", Nesting::Nested).is_err());
        assert!(PackedNumbers::pack(b"[[1]", Nesting::Nested).is_err());
        assert!(PackedNumbers::pack(b"[[1]] 2", Nesting::Nested).is_err());
        assert!(PackedNumbers::pack(b"{}", Nesting::Flat).is_err());
        for bad in [
            "[[1,]]",
            "[[,1]]",
            "[[1 2]]",
            "[[01]]",
            "[[1.]]",
            "[[.5]]",
            "[[1e]]",
            "[[-]]",
            "[[1],]",
            "[[+1]]",
            "[[1]][[2]]",
            "[[1-2]]",
            "[[1e+-2]]",
        ] {
            assert!(
                PackedNumbers::pack(bad.as_bytes(), Nesting::Nested).is_err(),
                "{bad} must be rejected"
            );
        }
        for good in [
            "[[0]]",
            "[[-0.5e-3]]",
            "[[1E+2, 3e4]]",
            "[ ]",
            "[[ ], [1]]",
            "[[10.25]]",
        ] {
            assert!(
                PackedNumbers::pack(good.as_bytes(), Nesting::Nested).is_ok(),
                "{good} must be accepted"
            );
        }
    }

    #[test]
    fn values_round_trip_through_from_parts() {
        let parts = vec![vec![0.1, 2.0, -3.25e-12, 1e300], vec![5.0]];
        let packed = PackedNumbers::from_parts(&parts, Nesting::Nested).unwrap();
        assert_eq!(packed.parts(), parts);
        assert_eq!(packed.to_json(), "[[0.1,2.0,-3.25e-12,1e300],[5.0]]");
        assert!(PackedNumbers::from_values(&[f64::NAN]).is_err());
    }

    #[test]
    fn decoding_random_decimals_matches_the_standard_parser() {
        let mut random = cocoprep_test::Xorshift::new(0x2545_f491_4f6c_dd1du64);
        let mut next = move || random.next();
        let mut texts = Vec::new();
        for _ in 0..100_000 {
            let integer = next() % [10, 1000, 100_000, 1 << 53, u64::MAX][(next() % 5) as usize];
            let fraction_digits = (next() % 12) as usize;
            let fraction: String = (0..fraction_digits)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let sign = if next() % 4 == 0 { "-" } else { "" };
            let mut text = format!("{sign}{integer}");
            if !fraction.is_empty() {
                text.push('.');
                text.push_str(&fraction);
            }
            if next() % 5 == 0 {
                text.push_str(&format!("e{}", (next() % 60) as i64 - 30));
            }
            texts.push(text);
        }
        let json = format!("[{}]", texts.join(","));
        let values = PackedNumbers::pack(json.as_bytes(), Nesting::Flat)
            .unwrap()
            .values();
        for (text, value) in texts.iter().zip(values) {
            let expected: f64 = text.parse().unwrap();
            assert_eq!(value.to_bits(), expected.to_bits(), "{text}");
        }
    }

    #[test]
    fn decoding_rounds_like_the_standard_parser() {
        let texts = [
            "0",
            "-0",
            "0.1",
            "239.97",
            "-0.5e-3",
            "1e22",
            "1e23",
            "9007199254740993",
            "123456789012345678901",
            "0.000000000000000000000000001",
            "1.7976931348623157e308",
            "2.2250738585072014e-308",
            "5e-324",
            "123.456e-7",
            "4.35",
            "0.30000000000000004",
            "99999999999999999999e-5",
            "-12.5E+3",
        ];
        let json = format!("[{}]", texts.join(","));
        let values = PackedNumbers::pack(json.as_bytes(), Nesting::Flat)
            .unwrap()
            .values();
        for (text, value) in texts.iter().zip(values) {
            let expected: f64 = text.parse().unwrap();
            assert_eq!(value.to_bits(), expected.to_bits(), "{text}");
        }
    }
}
