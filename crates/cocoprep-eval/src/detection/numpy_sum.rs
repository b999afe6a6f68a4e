//! NumPy's pairwise summation (`np.sum`, `np.mean` on float64), so that sums of many
//! values round exactly as pycocotools' do.

/// `np.add.reduce` of a contiguous float64 array: 0 plus numpy's `pairwise_sum`, which
/// adds fewer than 8 values in order, up to 128 in 8 interleaved accumulators, and splits
/// longer runs in two (at a multiple of 8) and recurses.
pub(crate) fn numpy_sum(values: &[f64]) -> f64 {
    0.0 + pairwise_sum(values)
}

/// `np.mean` of a float64 array (the sum above divided by the count).
pub(crate) fn numpy_mean(values: &[f64]) -> f64 {
    numpy_sum(values) / values.len() as f64
}

fn pairwise_sum(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 8 {
        let mut sum = 0.0;
        for value in values {
            sum += value;
        }
        sum
    } else if n <= 128 {
        let mut partial = [0.0f64; 8];
        partial.copy_from_slice(&values[..8]);
        let whole = n - n % 8;
        let mut at = 8;
        while at < whole {
            for (lane, sum) in partial.iter_mut().enumerate() {
                *sum += values[at + lane];
            }
            at += 8;
        }
        let mut sum = ((partial[0] + partial[1]) + (partial[2] + partial[3]))
            + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
        for value in &values[whole..] {
            sum += value;
        }
        sum
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise_sum(&values[..half]) + pairwise_sum(&values[half..])
    }
}

#[cfg(test)]
mod tests {
    use super::numpy_mean;

    #[test]
    fn mean_of_many_values_rounds_like_numpy() {
        // np.mean(np.arange(1, 201) / 7) == 14.357142857142858 in numpy 2.4.
        let values: Vec<f64> = (1..=200).map(|i| i as f64 / 7.0).collect();
        assert_eq!(numpy_mean(&values), 14.357142857142858);
    }
}
