//! Number text for YOLO label rows.
//!
//! Ultralytics writes every value with Python's `"%g"`: six significant digits, trailing
//! zeros removed, scientific notation when the decimal exponent is below -4 or at least 6
//! (`0.5`, `1e-05`, `0`). Matching it byte for byte is what makes our label files equal
//! theirs. `%g` keeps about 1e-6 of relative precision, so a YOLO → COCO round trip cannot
//! give boxes back to better than about 1e-6 of the image size; [`Precision::Full`] writes
//! the shortest text that reads back to the same `f64` instead.

use std::fmt::Write;

/// How many digits label values get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Precision {
    /// Python's `%g` (six significant digits), byte-compatible with Ultralytics.
    #[default]
    Ultralytics,
    /// `%.<n>g`: `n` significant digits (1..=17), same rules as `%g` otherwise.
    Significant(u8),
    /// The shortest text that parses back to the same `f64` (lossless).
    Full,
}

/// Appends `value` to `out` in the given precision.
pub fn push_number(out: &mut String, value: f64, precision: Precision) {
    match precision {
        Precision::Ultralytics => push_general(out, value, 6),
        Precision::Significant(digits) => push_general(out, value, digits.clamp(1, 17) as usize),
        Precision::Full => {
            if value.is_finite() {
                let mut buffer = ryu::Buffer::new();
                let text = buffer.format_finite(value);
                // `2.0` → `2`: what Python's `%g` would print for whole numbers as well.
                out.push_str(text.strip_suffix(".0").unwrap_or(text));
            } else {
                push_general(out, value, 6);
            }
        }
    }
}

/// C's `%.<digits>g`, as Python implements it (correctly rounded, ties to even on the
/// exact binary value).
///
/// Fast path: the shortest round-trip digits (Ryū) rounded to `digits` give the correctly
/// rounded result, except when they sit exactly on a rounding boundary (the digit after
/// the last kept one is a 5 and nothing follows): then the exact binary value decides,
/// and the slow exact formatter is used.
pub fn push_general(out: &mut String, value: f64, digits: usize) {
    if !value.is_finite() {
        out.push_str(if value.is_nan() {
            "nan"
        } else if value > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    }
    if value == 0.0 {
        out.push_str(if value.is_sign_negative() { "-0" } else { "0" });
        return;
    }
    if digits == 6 && push_six_digits(out, value) {
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let Some(decimal) = Decimal::parse(buffer.format_finite(value)) else {
        return push_general_exact(out, value, digits);
    };
    let Some((kept, exponent)) = decimal.round(digits) else {
        return push_general_exact(out, value, digits);
    };
    if value < 0.0 {
        out.push('-');
    }
    push_digits(out, &kept, exponent, digits);
}

/// Powers of ten that are exact in an `f64`.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `%g` for the common case, in a few float operations: scale `|value|` by an exact power
/// of ten to six integer digits and round. The scaling is off by at most half an ulp, so
/// the rounding is exact unless the scaled value is within 1e-9 of a halfway point; those
/// values (and magnitudes the table cannot scale) return `false` for the exact path.
fn push_six_digits(out: &mut String, value: f64) -> bool {
    let magnitude = value.abs();
    if !(1e-16..1e16).contains(&magnitude) {
        return false;
    }
    // floor(log10(magnitude)) is floor(e2 * log10(2)) or one more (78913 / 2^18 ≈ log10 2).
    let binary_exponent = ((magnitude.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let mut exponent = (binary_exponent * 78913) >> 18;
    let scale = |exponent: i32| -> Option<f64> {
        let shift = 5 - exponent;
        if shift >= 0 {
            POWERS_OF_TEN
                .get(shift as usize)
                .map(|power| magnitude * power)
        } else {
            POWERS_OF_TEN
                .get((-shift) as usize)
                .map(|power| magnitude / power)
        }
    };
    let Some(mut scaled) = scale(exponent) else {
        return false;
    };
    if scaled >= 1e6 {
        exponent += 1;
        let Some(rescaled) = scale(exponent) else {
            return false;
        };
        scaled = rescaled;
    }
    if !(1e5..1e6).contains(&scaled) {
        return false;
    }
    let truncated = scaled as u32;
    let fraction = scaled - f64::from(truncated);
    let round_up = if (fraction - 0.5).abs() < 1e-8 {
        // Too close to halfway for the rounded product to decide: compare the exact
        // binary value with the halfway point in integers. Coordinates divided by image
        // sizes like 640 are often exactly such decimals, so this is common.
        match exact_round_up(magnitude, 5 - exponent, truncated) {
            Some(round_up) => round_up,
            None => return false,
        }
    } else {
        fraction > 0.5
    };
    let mut integer = truncated + u32::from(round_up);
    if integer >= 1_000_000 {
        integer /= 10;
        exponent += 1;
    }
    if value < 0.0 {
        out.push('-');
    }
    push_six_significant(out, integer, exponent);
    true
}

/// Writes `integer` (six significant digits, `100000..=999999`) times `10^(exponent - 5)`
/// as `%g` text. Normalised YOLO coordinates (exponent -4..=-1) and values with up to six
/// integer digits are laid out directly, since every number of every row comes here; the
/// scientific forms go through [`push_digits`].
///
/// The text is assembled in a register and stored once: writing the digits to a stack
/// buffer byte by byte and then copying it made every number wait for a failed store
/// forward (a 16-byte load over single-byte stores), which was most of this function's
/// time.
fn push_six_significant(out: &mut String, integer: u32, exponent: i32) {
    let digits = six_digits(integer);
    // Significant digits: the ones up to the last non-zero digit (the highest non-zero
    // byte; the first digit is never zero).
    let significant = (64 - digits.leading_zeros() as usize).div_ceil(8);
    let ascii = digits | 0x0000_3030_3030_3030;
    let (text, used): (u128, usize) = if (-4..0).contains(&exponent) {
        // 0.ddd, 0.0ddd, ..., 0.000ddd
        let prefix = 1 + (-exponent) as usize;
        let zeros =
            u128::from_le_bytes(*b"0.000\0\0\0\0\0\0\0\0\0\0\0") & ((1 << (8 * prefix)) - 1);
        (
            zeros | u128::from(ascii) << (8 * prefix),
            prefix + significant,
        )
    } else if (0..6).contains(&exponent) {
        // ddd, ddd000 or ddd.ddd
        let whole = exponent as usize + 1;
        if significant <= whole {
            (u128::from(ascii), whole)
        } else {
            let integer_part = ascii & ((1 << (8 * whole)) - 1);
            let fraction = ascii >> (8 * whole);
            let text =
                integer_part | u64::from(b'.') << (8 * whole) | fraction << (8 * (whole + 1));
            (u128::from(text), significant + 1)
        }
    } else {
        let mut decimal = [0u8; 6];
        for (index, digit) in decimal.iter_mut().enumerate() {
            *digit = (digits >> (8 * index)) as u8;
        }
        return push_digits(out, &decimal[..significant], exponent, 6);
    };
    push_ascii(out, text, used);
}

/// The six decimal digits of `integer` (`100000..=999999`) as byte values 0..=9, first
/// digit in the lowest byte: divisions by 10^4, 10^2 and 10 done on all lanes of one
/// `u64` at a time (multiplications by reciprocals that are exact in these ranges).
fn six_digits(integer: u32) -> u64 {
    debug_assert!((100_000..1_000_000).contains(&integer));
    const PAIRS: [u16; 100] = {
        let mut pairs = [0u16; 100];
        let mut index = 0;
        while index < 100 {
            pairs[index] = (index / 10) as u16 | ((index % 10) as u16) << 8;
            index += 1;
        }
        pairs
    };
    let first = integer / 10_000;
    let rest = integer % 10_000;
    let second = rest / 100;
    let third = rest % 100;
    u64::from(PAIRS[first as usize % 100])
        | u64::from(PAIRS[second as usize]) << 16
        | u64::from(PAIRS[third as usize]) << 32
}

/// Appends the low `used` bytes of `text` (ASCII, little-endian) to `out` with one 16-byte
/// store: a copy of variable length is a `memmove` call, and this runs for each of tens
/// of millions of numbers.
#[expect(
    unsafe_code,
    reason = "one unaligned 16-byte store instead of a variable-length copy"
)]
fn push_ascii(out: &mut String, text: u128, used: usize) {
    debug_assert!(text.to_le_bytes().is_ascii());
    let used = used.min(16);
    // SAFETY: the 16 bytes written are ASCII (every byte of `text` is below 0x80), so
    // `out` stays valid UTF-8; `reserve(16)` makes room for the unaligned store, and
    // `set_len` covers only bytes written just before (`used <= 16`).
    unsafe {
        let bytes = out.as_mut_vec();
        bytes.reserve(16);
        let end = bytes.as_mut_ptr().add(bytes.len());
        std::ptr::write_unaligned(end.cast::<[u8; 16]>(), text.to_le_bytes());
        bytes.set_len(bytes.len() + used);
    }
}

/// Whether `magnitude · 10^shift`, whose integer part is `integer`, rounds up to
/// `integer + 1` at six digits: compares twice the exact value with `2·integer + 1` in
/// 128-bit integers, ties to even as C's printf does. `None` when the numbers do not fit
/// (the caller then uses the exact formatter).
fn exact_round_up(magnitude: f64, shift: i32, integer: u32) -> Option<bool> {
    let bits = magnitude.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 || !(0..=22).contains(&shift) {
        return None;
    }
    // magnitude = mantissa · 2^binary_exponent, exactly.
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    let binary_exponent = biased - 1075;
    // 2 · value · 10^shift = mantissa · 10^shift · 2^(binary_exponent + 1).
    let product = u128::from(mantissa) * 10u128.pow(shift as u32);
    let twice_halfway = 2 * u128::from(integer) + 1;
    let left_shift = binary_exponent + 1;
    let ordering = if left_shift >= 0 {
        product
            .checked_shl(left_shift as u32)
            .filter(|shifted| shifted >> left_shift == product)?
            .cmp(&twice_halfway)
    } else {
        let right = (-left_shift) as u32;
        if right >= 128 || twice_halfway.leading_zeros() < right {
            return None;
        }
        product.cmp(&(twice_halfway << right))
    };
    Some(match ordering {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => integer % 2 == 1,
    })
}

/// Significant digits (no leading zeros) and the decimal exponent of the first one.
struct Decimal {
    digits: [u8; 20],
    length: usize,
    exponent: i32,
}

impl Decimal {
    /// Reads Ryū's output (`123.45`, `1e-5`, `7.8125e-5`, `-0.5`).
    fn parse(text: &str) -> Option<Decimal> {
        let text = text.strip_prefix('-').unwrap_or(text);
        let (mantissa, exponent) = match text.split_once(['e', 'E']) {
            Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
            None => (text, 0),
        };
        let mut decimal = Decimal {
            digits: [0; 20],
            length: 0,
            exponent: 0,
        };
        let mut point: i32 = mantissa.len() as i32;
        let mut leading_zeros = 0i32;
        let mut seen_nonzero = false;
        for (index, byte) in mantissa.bytes().enumerate() {
            match byte {
                b'.' => point = index as i32,
                b'0'..=b'9' => {
                    if !seen_nonzero && byte == b'0' {
                        leading_zeros += 1;
                        continue;
                    }
                    seen_nonzero = true;
                    if decimal.length == decimal.digits.len() {
                        return None;
                    }
                    decimal.digits[decimal.length] = byte - b'0';
                    decimal.length += 1;
                }
                _ => return None,
            }
        }
        if decimal.length == 0 {
            return None;
        }
        // Digits before the point, counting the leading zeros that were skipped only if
        // they were before it (`0.0078` has point 1, two zeros after it).
        let zeros_before_point = leading_zeros.min(point);
        let zeros_after_point = leading_zeros - zeros_before_point;
        let integer_digits = point - zeros_before_point;
        decimal.exponent = if integer_digits > 0 {
            integer_digits - 1 + exponent
        } else {
            -zeros_after_point - 1 + exponent
        };
        while decimal.length > 1 && decimal.digits[decimal.length - 1] == 0 {
            decimal.length -= 1;
        }
        Some(decimal)
    }

    /// Rounds half-up to `count` digits; `None` when the digits are exactly halfway (the
    /// binary value must decide). Returns the digits (trailing zeros removed) and exponent.
    fn round(&self, count: usize) -> Option<(Vec<u8>, i32)> {
        if self.length <= count {
            return Some((self.digits[..self.length].to_vec(), self.exponent));
        }
        let next = self.digits[count];
        if next == 5 && self.length == count + 1 {
            return None;
        }
        let mut kept = self.digits[..count].to_vec();
        let mut exponent = self.exponent;
        if next >= 5 {
            let mut position = count;
            loop {
                if position == 0 {
                    kept.insert(0, 1);
                    kept.truncate(count);
                    exponent += 1;
                    break;
                }
                position -= 1;
                if kept[position] == 9 {
                    kept[position] = 0;
                } else {
                    kept[position] += 1;
                    break;
                }
            }
        }
        while kept.len() > 1 && kept[kept.len() - 1] == 0 {
            kept.pop();
        }
        Some((kept, exponent))
    }
}

/// Writes `%g` text from significant digits (trailing zeros removed) and exponent.
fn push_digits(out: &mut String, digits: &[u8], exponent: i32, precision: usize) {
    // Built on the stack and appended once: this runs for every number of every row.
    let mut text = [0u8; 48];
    let mut length = 0;
    let mut put = |byte: u8| {
        text[length] = byte;
        length += 1;
    };
    if exponent < -4 || exponent >= precision as i32 {
        put(b'0' + digits[0]);
        if digits.len() > 1 {
            put(b'.');
            digits[1..].iter().for_each(|&d| put(b'0' + d));
        }
        put(b'e');
        put(if exponent < 0 { b'-' } else { b'+' });
        let magnitude = exponent.unsigned_abs();
        if magnitude >= 100 {
            put(b'0' + (magnitude / 100) as u8);
        }
        put(b'0' + (magnitude / 10 % 10) as u8);
        put(b'0' + (magnitude % 10) as u8);
    } else if exponent < 0 {
        put(b'0');
        put(b'.');
        for _ in 0..(-exponent - 1) {
            put(b'0');
        }
        digits.iter().for_each(|&d| put(b'0' + d));
    } else {
        let integer = exponent as usize + 1;
        for index in 0..integer {
            put(b'0' + digits.get(index).copied().unwrap_or(0));
        }
        if digits.len() > integer {
            put(b'.');
            digits[integer..].iter().for_each(|&d| put(b'0' + d));
        }
    }
    out.push_str(std::str::from_utf8(&text[..length]).expect("ASCII digits"));
}

/// [`push_general`] through Rust's exact formatter (slow, used for halfway digits).
fn push_general_exact(out: &mut String, value: f64, digits: usize) {
    // Rust's `{:.Ne}` rounds the exact binary value correctly, like glibc and Python; its
    // exponent is the one of the *rounded* value, which is what `%g` decides on.
    let mut scientific = String::with_capacity(24);
    let _ = write!(scientific, "{:.*e}", digits - 1, value);
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` output has an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` exponent is an integer");
    if exponent < -4 || exponent >= digits as i32 {
        out.push_str(trim_fraction(mantissa));
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        let magnitude = exponent.unsigned_abs();
        if magnitude < 10 {
            out.push('0');
        }
        let _ = write!(out, "{magnitude}");
    } else {
        let decimals = (digits as i32 - 1 - exponent).max(0) as usize;
        let start = out.len();
        let _ = write!(out, "{value:.decimals$}");
        let trimmed = trim_fraction(&out[start..]).len();
        out.truncate(start + trimmed);
    }
}

/// Removes trailing zeros after a decimal point, and the point if nothing follows it.
fn trim_fraction(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn general(value: f64) -> String {
        let mut out = String::new();
        push_general(&mut out, value, 6);
        out
    }

    #[test]
    fn percent_g_matches_python_examples() {
        // Values checked with Python 3.11: `"%g" % value`.
        for (value, text) in [
            (0.5, "0.5"),
            (1e-05, "1e-05"),
            (0.0, "0"),
            (-0.0, "-0"),
            (0.0001, "0.0001"),
            (0.00012345678, "0.000123457"),
            (123456.0, "123456"),
            (1234567.0, "1.23457e+06"),
            (999999.5, "1e+06"),
            (0.9999995, "1"),
            (2.0, "2"),
            (7.8125e-05, "7.8125e-05"),
            (0.0385937, "0.0385937"),
            (-3.5, "-3.5"),
            (1e100, "1e+100"),
            (0.125, "0.125"),
            (0.1234565, "0.123456"),
            (0.7171875, "0.717187"),      // the double is just below ...875
            (0.125 + 0.0000005, "0.125"), // just below the halfway point
            (1.5, "1.5"),
            (459.0 / 640.0, "0.717187"),
            (100.0, "100"),
            (1e-5 * 3.0, "3e-05"),
            (12.5, "12.5"),
            (0.000999999, "0.000999999"),
            (0.0009999995, "0.001"),
        ] {
            assert_eq!(general(value), text, "{value:e}");
        }
    }

    #[test]
    fn six_digits_splits_every_six_digit_integer() {
        for integer in 100_000..1_000_000u32 {
            let expected: Vec<u8> = integer.to_string().bytes().map(|b| b - b'0').collect();
            let digits = six_digits(integer).to_le_bytes();
            assert_eq!(&digits[..6], &expected[..], "{integer}");
            assert_eq!(&digits[6..], &[0, 0]);
        }
    }

    #[test]
    fn full_precision_round_trips() {
        for value in [0.1, 1.0 / 3.0, 2.0, 1e-7, 0.47109375] {
            let mut out = String::new();
            push_number(&mut out, value, Precision::Full);
            assert_eq!(out.parse::<f64>().unwrap(), value);
        }
    }
}
