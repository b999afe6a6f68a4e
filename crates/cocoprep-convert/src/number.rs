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
        let _ = write!(out, "{:.*}", decimals, value);
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
        ] {
            assert_eq!(general(value), text, "{value:e}");
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
