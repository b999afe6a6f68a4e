//! A small seeded random generator, so that `--seed` gives the same sample and split on
//! every platform and every version (library generators may change their streams).

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast, and well mixed for shuffling.
#[derive(Clone, Debug)]
pub struct SeededRandom(u64);

impl SeededRandom {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..bound` (`bound > 0`), without modulo bias.
    pub fn below(&mut self, bound: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % bound;
        loop {
            let value = self.next_u64();
            if value < zone {
                return value % bound;
            }
        }
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for index in (1..items.len()).rev() {
            let other = self.below(index as u64 + 1) as usize;
            items.swap(index, other);
        }
    }

    /// `count` of `0..total`, chosen at random, in increasing order.
    pub fn sample_indexes(&mut self, total: usize, count: usize) -> Vec<usize> {
        let mut indexes: Vec<usize> = (0..total).collect();
        self.shuffle(&mut indexes);
        indexes.truncate(count.min(total));
        indexes.sort_unstable();
        indexes
    }
}

#[cfg(test)]
mod tests {
    use super::SeededRandom;

    #[test]
    fn same_seed_same_sample() {
        let a = SeededRandom::new(7).sample_indexes(100, 10);
        let b = SeededRandom::new(7).sample_indexes(100, 10);
        let c = SeededRandom::new(8).sample_indexes(100, 10);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 10);
    }
}
