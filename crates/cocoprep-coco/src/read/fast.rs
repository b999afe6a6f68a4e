//! A fast path for parsing annotations, the records that make up most of a file.
//!
//! serde_json would scan each polygon twice (once to skip it as a raw value, once more
//! to validate its UTF-8) before the packer reads it a third time. This parser reads an
//! annotation in one pass and packs polygons as it goes. It only handles the common
//! shape: known members, strings without escapes, numbers that fit. For anything else it
//! returns `None` and the caller falls back to the complete serde path, so it never needs
//! to be complete, only correct for what it accepts.

use memchr::memchr2;

use super::element::RleValue;
use crate::bbox::BBoxXywh;
use crate::decimal::exact_decimal;
use crate::ids::{AnnotationId, CategoryId, ImageId};
use crate::model::{Annotation, IntegerNumbers};
use crate::packed::{Nesting, PackedNumbers};
use crate::segmentation::Segmentation;

struct Cursor<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Cursor<'a> {
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.position) {
            self.position += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_whitespace();
        (self.peek()? == byte).then(|| self.position += 1)
    }

    /// A string without escapes or control characters; `None` otherwise.
    fn raw_string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let rest = &self.bytes[self.position..];
        let end = memchr2(b'"', b'\\', rest)?;
        if rest[end] != b'"' {
            return None;
        }
        let text = &rest[..end];
        self.position += end + 1;
        Some(text)
    }

    fn string(&mut self) -> Option<String> {
        let text = self.raw_string()?;
        if text.iter().any(|&byte| byte < 0x20) {
            return None;
        }
        std::str::from_utf8(text).ok().map(str::to_owned)
    }

    /// A JSON number: its value and whether it was written as an integer. Follows
    /// serde_json's integer rules (`u64`/`i64` range) and parses fractions with correct
    /// rounding, like Python.
    fn number(&mut self) -> Option<(f64, bool)> {
        self.skip_whitespace();
        let start = self.position;
        let bytes = self.bytes;
        let mut index = start;
        let negative = bytes.get(index) == Some(&b'-');
        index += negative as usize;
        // Digits are accumulated while scanning, for the exact fast path.
        let (mut mantissa, mut digits) = (0u64, 0u32);
        let take_digits = |index: &mut usize, mantissa: &mut u64, digits: &mut u32| {
            let begin = *index;
            while let Some(&byte) = bytes.get(*index).filter(|byte| byte.is_ascii_digit()) {
                *digits += 1;
                if *digits <= 19 {
                    *mantissa = *mantissa * 10 + (byte - b'0') as u64;
                }
                *index += 1;
            }
            *index - begin
        };
        let digits_start = index;
        let integer_digits = take_digits(&mut index, &mut mantissa, &mut digits);
        if integer_digits == 0 || (integer_digits > 1 && bytes[digits_start] == b'0') {
            return None;
        }
        let mut is_integer = true;
        let mut fraction_digits = 0i32;
        if bytes.get(index) == Some(&b'.') {
            is_integer = false;
            index += 1;
            fraction_digits = take_digits(&mut index, &mut mantissa, &mut digits) as i32;
            if fraction_digits == 0 {
                return None;
            }
        }
        let mut exponent = 0i32;
        if let Some(b'e' | b'E') = bytes.get(index) {
            is_integer = false;
            index += 1;
            let exponent_negative = bytes.get(index) == Some(&b'-');
            if let Some(b'+' | b'-') = bytes.get(index) {
                index += 1;
            }
            let exponent_start = index;
            while let Some(&byte) = bytes.get(index).filter(|byte| byte.is_ascii_digit()) {
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add((byte - b'0') as i32);
                index += 1;
            }
            if index == exponent_start {
                return None;
            }
            if exponent_negative {
                exponent = -exponent;
            }
        }
        self.position = index;
        if is_integer && digits <= 18 {
            // Exact in u64/i64; the conversion to f64 rounds like `text.parse::<u64>() as f64`.
            let value = mantissa as f64;
            return Some((if negative { -value } else { value }, true));
        }
        if !is_integer
            && let Some(value) = exact_decimal(
                mantissa,
                digits,
                exponent.saturating_sub(fraction_digits),
                negative,
            )
        {
            return Some((value, false));
        }
        // Long or extreme numbers: the general parsers. The slice is ASCII by construction.
        let text = std::str::from_utf8(&bytes[start..index]).ok()?;
        if is_integer {
            // serde_json reads integers outside i64/u64 as floats; leave those to it.
            let value = if negative {
                text.parse::<i64>().ok()? as f64
            } else {
                text.parse::<u64>().ok()? as f64
            };
            Some((value, true))
        } else {
            let value: f64 = text.parse().ok()?;
            value.is_finite().then_some((value, false))
        }
    }

    fn unsigned(&mut self, max: u64) -> Option<u64> {
        self.skip_whitespace();
        let start = self.position;
        let mut value: u64 = 0;
        while let Some(&byte) = self
            .bytes
            .get(self.position)
            .filter(|byte| byte.is_ascii_digit())
        {
            value = value.checked_mul(10)?.checked_add((byte - b'0') as u64)?;
            self.position += 1;
        }
        let digits = self.position - start;
        if digits == 0 || (digits > 1 && self.bytes[start] == b'0') || value > max {
            return None;
        }
        // `5.0` or `5e0` is not an integer to serde_json either.
        match self.peek() {
            Some(b'.' | b'e' | b'E') => None,
            _ => Some(value),
        }
    }

    /// Skips a composite value (object or array) and returns its bytes.
    fn composite(&mut self) -> Option<&'a [u8]> {
        self.skip_whitespace();
        let start = self.position;
        let mut depth = 0usize;
        let mut index = start;
        while index < self.bytes.len() {
            match self.bytes[index] {
                b'"' => {
                    index += 1;
                    loop {
                        let found = memchr2(b'"', b'\\', &self.bytes[index..])?;
                        if self.bytes[index + found] == b'\\' {
                            index += found + 2;
                        } else {
                            index += found;
                            break;
                        }
                    }
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        self.position = index + 1;
                        return Some(&self.bytes[start..index + 1]);
                    }
                }
                _ => {}
            }
            index += 1;
        }
        None
    }

    fn packed(&mut self, nesting: Nesting, scratch: &mut Vec<u8>) -> Option<PackedNumbers> {
        self.skip_whitespace();
        let (packed, consumed) =
            PackedNumbers::pack_prefix(&self.bytes[self.position..], nesting, scratch).ok()?;
        self.position += consumed;
        Some(packed)
    }
}

/// Parses one annotation object, or returns `None` to defer to the serde path.
pub(crate) fn parse_annotation(bytes: &[u8], scratch: &mut Vec<u8>) -> Option<Annotation> {
    let mut cursor = Cursor { bytes, position: 0 };
    let mut annotation = Annotation::default();
    let mut image_id = None;
    cursor.eat(b'{')?;
    loop {
        let key = cursor.raw_string()?;
        cursor.eat(b':')?;
        cursor.skip_whitespace();
        match key {
            b"segmentation" => {
                let segmentation = match cursor.peek()? {
                    b'[' => Segmentation::Polygons(cursor.packed(Nesting::Nested, scratch)?),
                    b'{' => Segmentation::Rle(
                        serde_json::from_slice::<RleValue>(cursor.composite()?)
                            .ok()?
                            .0,
                    ),
                    _ => return None,
                };
                annotation.segmentation = Some(segmentation);
            }
            b"area" => {
                let (value, is_integer) = cursor.number()?;
                annotation.area = Some(value);
                annotation
                    .integer_numbers
                    .set(IntegerNumbers::AREA, is_integer);
            }
            b"iscrowd" => annotation.iscrowd = Some(cursor.unsigned(1)? == 1),
            b"image_id" => image_id = Some(ImageId(cursor.unsigned(u64::MAX)?)),
            b"bbox" => {
                cursor.eat(b'[')?;
                let mut values = [0.0; 4];
                for (index, value) in values.iter_mut().enumerate() {
                    if index > 0 {
                        cursor.eat(b',')?;
                    }
                    let (number, is_integer) = cursor.number()?;
                    *value = number;
                    annotation
                        .integer_numbers
                        .set(IntegerNumbers::BBOX_X << index, is_integer);
                }
                cursor.eat(b']')?;
                annotation.bbox = Some(BBoxXywh::from_array(values));
            }
            b"category_id" => {
                annotation.category_id = Some(CategoryId(cursor.unsigned(u32::MAX as u64)? as u32))
            }
            b"id" => annotation.id = Some(AnnotationId(cursor.unsigned(u64::MAX)?)),
            b"num_keypoints" => {
                annotation.num_keypoints = Some(cursor.unsigned(u32::MAX as u64)? as u32)
            }
            b"keypoints" => annotation.keypoints = Some(cursor.packed(Nesting::Flat, scratch)?),
            b"caption" => annotation.caption = Some(cursor.string()?),
            b"score" => {
                let (value, is_integer) = cursor.number()?;
                annotation.score = Some(value);
                annotation
                    .integer_numbers
                    .set(IntegerNumbers::SCORE, is_integer);
            }
            _ => return None,
        }
        cursor.skip_whitespace();
        match cursor.peek()? {
            b',' => cursor.position += 1,
            b'}' => {
                cursor.position += 1;
                break;
            }
            _ => return None,
        }
    }
    cursor.skip_whitespace();
    if cursor.position != bytes.len() {
        return None;
    }
    annotation.image_id = image_id?;
    Some(annotation)
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    fn number(text: &str) -> Option<(f64, bool)> {
        Cursor {
            bytes: text.as_bytes(),
            position: 0,
        }
        .number()
    }

    #[test]
    fn numbers_match_the_standard_parser() {
        let mut random = cocoprep_test::Xorshift::new(0x9e37_79b9_7f4a_7c15u64);
        let mut next = move || random.next();
        for _ in 0..200_000 {
            let integer =
                next() % [10, 1000, 100_000, 1 << 53, u64::MAX / 10][(next() % 5) as usize];
            let sign = if next() % 4 == 0 { "-" } else { "" };
            let mut text = format!("{sign}{integer}");
            let fractional = next() % 3 != 0;
            if fractional {
                let digits: String = (0..1 + next() % 12)
                    .map(|_| char::from(b'0' + (next() % 10) as u8))
                    .collect();
                text = format!("{text}.{digits}");
            }
            if next() % 6 == 0 {
                text = format!("{text}e{}", (next() % 80) as i64 - 40);
            }
            let (value, is_integer) = number(&text).unwrap();
            let expected: f64 = text.parse().unwrap();
            assert_eq!(value.to_bits(), expected.to_bits(), "{text}");
            assert_eq!(is_integer, !text.contains(['.', 'e']), "{text}");
        }
        assert_eq!(number("-0"), Some((-0.0, true)));
        assert_eq!(number("01"), None);
        assert_eq!(number("1."), None);
        assert_eq!(number("1e"), None);
    }
}
