//! JSON formatted exactly as Python's `json.dump(obj, f)` formats it with default arguments.
//!
//! The reference scripts write their JSON with `json.dump`, and users compare our outputs
//! with theirs byte for byte (checksums in papers' READMEs, `diff` in CI). The defaults are:
//! * separators `", "` between items and `": "` after keys, no newlines, no indentation, no
//!   trailing newline;
//! * `ensure_ascii=True`: every character outside `' '..='~'` is written as a lowercase
//!   `\uXXXX` escape (a surrogate pair above the BMP), except `\n \r \t \b \f`, which keep
//!   their short escapes; `"` and `\` are backslash-escaped;
//! * integers as decimal, floats as `repr(float)` (`1.0`, `1e-05`, `1e+16`), non-finite
//!   floats as `NaN`, `Infinity`, `-Infinity`.
//!
//! Source: CPython `Lib/json/encoder.py` (`py_encode_basestring_ascii`, `floatstr`) and
//! `Python/pystrtod.c` (`format_float_short`, the `repr` rules).

use std::io::{self, Write};

/// A JSON writer producing `json.dump`'s exact bytes.
///
/// Methods must be called in document order; keys only inside objects, one value after each
/// key. Misuse is a bug in the caller and is caught by debug assertions.
pub struct PythonJsonWriter<W: Write> {
    out: W,
    /// One entry per open container: whether it already holds an item.
    open: Vec<bool>,
    /// A key was just written; the next value belongs to it.
    after_key: bool,
}

impl<W: Write> PythonJsonWriter<W> {
    /// A writer onto `out`.
    pub fn new(out: W) -> Self {
        Self {
            out,
            open: Vec::new(),
            after_key: false,
        }
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        debug_assert!(self.open.is_empty(), "unclosed JSON containers");
        self.out.flush()?;
        Ok(self.out)
    }

    /// Writes the separator a new array item needs (object values follow their key).
    fn before_value(&mut self) -> io::Result<()> {
        if self.after_key {
            self.after_key = false;
            return Ok(());
        }
        if let Some(has_items) = self.open.last_mut() {
            if *has_items {
                self.out.write_all(b", ")?;
            }
            *has_items = true;
        }
        Ok(())
    }

    /// `{`.
    pub fn begin_object(&mut self) -> io::Result<()> {
        self.before_value()?;
        self.open.push(false);
        self.out.write_all(b"{")
    }

    /// `}`.
    pub fn end_object(&mut self) -> io::Result<()> {
        debug_assert!(!self.after_key, "a key without a value");
        self.open.pop();
        self.out.write_all(b"}")
    }

    /// `[`.
    pub fn begin_array(&mut self) -> io::Result<()> {
        self.before_value()?;
        self.open.push(false);
        self.out.write_all(b"[")
    }

    /// `]`.
    pub fn end_array(&mut self) -> io::Result<()> {
        self.open.pop();
        self.out.write_all(b"]")
    }

    /// An object key (`"key": `); the next call writes its value.
    pub fn key(&mut self, key: &str) -> io::Result<()> {
        debug_assert!(!self.after_key, "two keys in a row");
        self.before_value()?;
        write_string(&mut self.out, key)?;
        self.out.write_all(b": ")?;
        self.after_key = true;
        Ok(())
    }

    /// A string value.
    pub fn string(&mut self, value: &str) -> io::Result<()> {
        self.before_value()?;
        write_string(&mut self.out, value)
    }

    /// An integer value.
    pub fn integer(&mut self, value: i64) -> io::Result<()> {
        self.before_value()?;
        self.out
            .write_all(itoa::Buffer::new().format(value).as_bytes())
    }

    /// An unsigned integer value.
    pub fn unsigned(&mut self, value: u64) -> io::Result<()> {
        self.before_value()?;
        self.out
            .write_all(itoa::Buffer::new().format(value).as_bytes())
    }

    /// A float value, as `repr(float)` writes it.
    pub fn float(&mut self, value: f64) -> io::Result<()> {
        self.before_value()?;
        self.out.write_all(float_repr(value).as_bytes())
    }

    /// `true` / `false`.
    pub fn boolean(&mut self, value: bool) -> io::Result<()> {
        self.before_value()?;
        self.out
            .write_all(if value { b"true" as &[u8] } else { b"false" })
    }

    /// `null`.
    pub fn null(&mut self) -> io::Result<()> {
        self.before_value()?;
        self.out.write_all(b"null")
    }

    /// Re-writes one JSON value given as text (`{"a":1.50,"b":[ 1 ]}`) in Python's format
    /// (`{"a": 1.5, "b": [1]}`), keeping the order of object members.
    ///
    /// Python's `json.load` keeps the last of duplicate keys; such input is rejected here
    /// rather than silently changed. Two numbers are read differently from Python, neither
    /// of which occurs in the files cocoprep rewrites: integers beyond 64 bits (read as
    /// floats) and `-0` (read as the float `-0.0`).
    pub fn transcode(&mut self, json: &str) -> Result<(), serde_json::Error> {
        use serde::de::DeserializeSeed;
        let mut deserializer = serde_json::Deserializer::from_str(json);
        transcode::Transcode { writer: self }.deserialize(&mut deserializer)?;
        deserializer.end()
    }
}

/// Writes `value` as a JSON string with `ensure_ascii=True` escaping.
pub fn write_string<W: Write>(out: &mut W, value: &str) -> io::Result<()> {
    out.write_all(b"\"")?;
    let bytes = value.as_bytes();
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        if (b' '..=b'~').contains(&byte) && byte != b'"' && byte != b'\\' {
            continue;
        }
        if byte >= 0x80 && !value.is_char_boundary(index) {
            continue;
        }
        out.write_all(&bytes[start..index])?;
        match byte {
            b'"' => out.write_all(b"\\\"")?,
            b'\\' => out.write_all(b"\\\\")?,
            b'\n' => out.write_all(b"\\n")?,
            b'\r' => out.write_all(b"\\r")?,
            b'\t' => out.write_all(b"\\t")?,
            0x08 => out.write_all(b"\\b")?,
            0x0c => out.write_all(b"\\f")?,
            _ => {
                let character = value[index..].chars().next().unwrap_or('\u{fffd}');
                let mut units = [0u16; 2];
                for unit in character.encode_utf16(&mut units) {
                    write!(out, "\\u{unit:04x}")?;
                }
                start = index + character.len_utf8();
                continue;
            }
        }
        start = index + 1;
    }
    out.write_all(&bytes[start..])?;
    out.write_all(b"\"")
}

/// `repr(value)` as Python writes it for a float, with `json`'s names for non-finite values.
pub fn float_repr(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // ryu gives the shortest digits that round-trip, like Python's `repr`; only the layout
    // differs. Take its digits and decimal exponent, then lay them out as Python does.
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(value);
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (integer_part, fraction_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: String = integer_part.chars().chain(fraction_part.chars()).collect();
    // value = 0.DIGITS × 10^point
    let mut point = integer_part.len() as i32 + exponent;
    let leading_zeros = digits.len() - digits.trim_start_matches('0').len();
    if leading_zeros == digits.len() {
        return if negative { "-0.0" } else { "0.0" }.to_owned();
    }
    digits.drain(..leading_zeros);
    point -= leading_zeros as i32;
    let trimmed = digits.trim_end_matches('0').len();
    digits.truncate(trimmed);

    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    // Python's `repr` switches to exponent notation when the decimal exponent is < -4 or
    // >= 16 (`float_repr_style == 'short'`).
    let decimal_exponent = point - 1;
    if !(-4..16).contains(&decimal_exponent) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let sign = if decimal_exponent < 0 { '-' } else { '+' };
        out.push_str(&format!("e{sign}{:02}", decimal_exponent.abs()));
    } else if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else if point as usize >= digits.len() {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
        out.push_str(".0");
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    out
}

mod transcode {
    //! Streams a parsed JSON value into a [`PythonJsonWriter`] as serde visits it.

    use std::fmt;
    use std::io::Write;

    use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

    use super::PythonJsonWriter;

    pub(super) struct Transcode<'w, W: Write> {
        pub(super) writer: &'w mut PythonJsonWriter<W>,
    }

    fn io<E: de::Error>(error: std::io::Error) -> E {
        E::custom(format!("cannot write: {error}"))
    }

    impl<'de, W: Write> DeserializeSeed<'de> for Transcode<'_, W> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de, W: Write> Visitor<'de> for Transcode<'_, W> {
        type Value = ();

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("a JSON value")
        }

        fn visit_bool<E: de::Error>(self, value: bool) -> Result<(), E> {
            self.writer.boolean(value).map_err(io)
        }
        fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
            self.writer.integer(value).map_err(io)
        }
        fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
            self.writer.unsigned(value).map_err(io)
        }
        fn visit_f64<E: de::Error>(self, value: f64) -> Result<(), E> {
            self.writer.float(value).map_err(io)
        }
        fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
            self.writer.string(value).map_err(io)
        }
        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            self.writer.null().map_err(io)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
            self.writer.begin_array().map_err(io)?;
            while items
                .next_element_seed(Transcode {
                    writer: &mut *self.writer,
                })?
                .is_some()
            {}
            self.writer.end_array().map_err(io)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<(), A::Error> {
            self.writer.begin_object().map_err(io)?;
            let mut keys: Vec<String> = Vec::new();
            while let Some(key) = members.next_key::<std::borrow::Cow<'de, str>>()? {
                if keys.iter().any(|seen| *seen == key) {
                    return Err(de::Error::custom(format!("duplicate key `{key}`")));
                }
                self.writer.key(&key).map_err(io)?;
                keys.push(key.into_owned());
                members.next_value_seed(Transcode {
                    writer: &mut *self.writer,
                })?;
            }
            self.writer.end_object().map_err(io)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_follow_python_repr() {
        // Expected strings from CPython 3.11 `repr(float(x))`.
        let cases = [
            (1.0, "1.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (1.5, "1.5"),
            (100000.0, "100000.0"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345e16, "1.2345e+16"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (-2.5e-300, "-2.5e-300"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (123456789.125, "123456789.125"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (value, expected) in cases {
            assert_eq!(float_repr(value), expected, "repr({value:e})");
        }
    }

    #[test]
    fn strings_are_escaped_as_ensure_ascii() {
        let mut out = Vec::new();
        write_string(
            &mut out,
            "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{7f}caf\u{e9} \u{1f600}~",
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#""a\"b\\c\n\r\t\b\f\u0001\u007fcaf\u00e9 \ud83d\ude00~""#
        );
    }

    #[test]
    fn transcoding_uses_python_separators_and_keeps_member_order() {
        let mut writer = PythonJsonWriter::new(Vec::new());
        writer
            .transcode(r#"{"z":[1,2.50,-7,1e5,"\u00e9"],"a":{},"m":[],"n":null,"t":true}"#)
            .unwrap();
        assert_eq!(
            String::from_utf8(writer.into_inner().unwrap()).unwrap(),
            r#"{"z": [1, 2.5, -7, 100000.0, "\u00e9"], "a": {}, "m": [], "n": null, "t": true}"#
        );
    }

    #[test]
    fn transcoding_rejects_duplicate_keys() {
        let mut writer = PythonJsonWriter::new(Vec::new());
        assert!(writer.transcode(r#"{"a": 1, "a": 2}"#).is_err());
    }
}
