//! NumPy's float64 summation, so that means equal pycocoevalcap's `np.mean` to the bit.

/// `np.add.reduce` on a contiguous float64 array: pairwise summation in blocks of up to 128
/// with eight accumulators (NumPy's `pairwise_sum`).
pub(crate) fn sum(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 8 {
        let mut total = 0.0;
        for &value in values {
            total += value;
        }
        total
    } else if n <= 128 {
        let mut partial = [0.0; 8];
        partial.copy_from_slice(&values[..8]);
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for (j, slot) in partial.iter_mut().enumerate() {
                *slot += values[i + j];
            }
            i += 8;
        }
        let mut total = ((partial[0] + partial[1]) + (partial[2] + partial[3]))
            + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
        for &value in &values[whole..] {
            total += value;
        }
        total
    } else {
        let mut half = n / 2;
        half -= half % 8;
        sum(&values[..half]) + sum(&values[half..])
    }
}

/// `np.mean` of a float64 array (NaN for an empty one, as NumPy).
pub(crate) fn mean(values: &[f64]) -> f64 {
    sum(values) / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_order_differs_from_a_running_sum() {
        // 0.1 added 1000 times: `np.add.reduce` gives 100.00000000000001, a running sum 99.9999999999986.
        let values = vec![0.1; 1000];
        let running: f64 = values.iter().fold(0.0, |a, b| a + b);
        assert_eq!(sum(&values), 100.00000000000001);
        assert_ne!(sum(&values), running);
    }
}
