//! `features.mean(0)` exactly as NumPy computes it for float32.
//!
//! NumPy's pairwise summation only applies along the contiguous (last) axis. Reducing a
//! C-order `(K, C)` array over axis 0 walks the rows in order and adds each row into the
//! float32 accumulator column by column, starting from +0.0; `mean` then divides by `K` in
//! float32 (NumPy 2 divides in float64 and rounds to float32, which gives the same result
//! because a double-precision quotient of two floats rounds correctly to float). The one
//! exception is a single column (`C == 1`): the reduced axis is then the contiguous one and
//! NumPy sums it pairwise ([`numpy_pairwise_sum`]). Checked bit-for-bit against NumPy on
//! wide-range values (see `tests/butd_parity.rs`).

/// The column means of a little-endian float32 `(rows, columns)` array given as bytes.
pub fn mean_over_rows(data: &[u8], rows: usize, columns: usize) -> Vec<f32> {
    debug_assert_eq!(data.len(), rows * columns * 4);
    if columns == 1 {
        let values: Vec<f32> = data
            .chunks_exact(4)
            .map(|value| f32::from_le_bytes(value.try_into().expect("4 bytes")))
            .collect();
        // The reduction's inner loop sees at most one buffer (8192 items) at a time and adds
        // each buffer's pairwise sum to the +0.0 it started from.
        let sum = values
            .chunks(NUMPY_BUFFER_SIZE)
            .fold(0.0f32, |sum, chunk| sum + numpy_pairwise_sum(chunk));
        return vec![sum / rows as f32];
    }
    let mut sums = vec![0.0f32; columns];
    for row in data.chunks_exact(columns * 4) {
        for (sum, value) in sums.iter_mut().zip(row.chunks_exact(4)) {
            *sum += f32::from_le_bytes(value.try_into().expect("4 bytes"));
        }
    }
    let count = rows as f32;
    for sum in &mut sums {
        *sum /= count;
    }
    sums
}

/// NumPy's default iterator buffer size (`NPY_BUFSIZE`).
const NUMPY_BUFFER_SIZE: usize = 8192;

/// NumPy's `pairwise_sum` for float32 (`numpy/_core/src/umath/loops_utils.h.src`): plain
/// below 8 items, 8 interleaved partial sums up to 128, halves (at a multiple of 8) above.
pub fn numpy_pairwise_sum(values: &[f32]) -> f32 {
    const BLOCK: usize = 128;
    let count = values.len();
    if count < 8 {
        let mut sum = 0.0f32;
        for value in values {
            sum += value;
        }
        sum
    } else if count <= BLOCK {
        let mut partial: [f32; 8] = values[..8].try_into().expect("8 items");
        let whole = count - count % 8;
        for block in values[8..whole].chunks_exact(8) {
            for (sum, value) in partial.iter_mut().zip(block) {
                *sum += value;
            }
        }
        let mut sum = ((partial[0] + partial[1]) + (partial[2] + partial[3]))
            + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
        for value in &values[whole..] {
            sum += value;
        }
        sum
    } else {
        let mut half = count / 2;
        half -= half % 8;
        numpy_pairwise_sum(&values[..half]) + numpy_pairwise_sum(&values[half..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_rows_in_order_from_positive_zero() {
        let values = [1e8f32, 1.0, -1e8, 1.0, -0.0, -0.0];
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        // Column 0: ((0 + 1e8) + -1e8) + -0 = 0; column 1: 1 + 1 + -0 = 2.
        let mean = mean_over_rows(&bytes, 3, 2);
        assert_eq!(mean[0].to_bits(), 0.0f32.to_bits());
        assert_eq!(mean[1], 2.0 / 3.0);
    }
}
