//! Exact conversion of short decimal numbers to `f64` (Clinger's fast path).
//!
//! When a decimal's digits form an integer of at most 53 bits and its power of ten is at
//! most 22 in magnitude, both are exact `f64`s and a single IEEE multiplication or
//! division gives the correctly rounded result, the same as Python's `float()` and Rust's
//! parser. Nearly every number in a COCO file qualifies (`239.97`, `0.5`, `52634.3678`), so
//! the readers use this before falling back to the general (slower) parser.

/// Exact powers of ten representable in an `f64` (10^0 ..= 10^22).
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `±mantissa · 10^power` when the fast path is exact; `None` when the caller must parse the
/// text. `digits` is how many decimal digits `mantissa` was accumulated from (more than 19
/// means it overflowed and is not usable).
pub(crate) fn exact_decimal(mantissa: u64, digits: u32, power: i32, negative: bool) -> Option<f64> {
    if digits > 19 || mantissa > 1 << 53 || !(-22..=22).contains(&power) {
        return None;
    }
    let mantissa = mantissa as f64;
    let magnitude = if power < 0 {
        mantissa / POWERS_OF_TEN[(-power) as usize]
    } else {
        mantissa * POWERS_OF_TEN[power as usize]
    };
    Some(if negative { -magnitude } else { magnitude })
}
