//! CPython's `random` module, as far as `random.seed(int)` and `random.sample` go, so a
//! seeded subsample selects the same images as the Python script with the same seed.
//!
//! Sources: CPython `Modules/_randommodule.c` (MT19937, `init_by_array`, `random_seed`,
//! `getrandbits`) and `Lib/random.py` (`_randbelow_with_getrandbits`, `sample`); the
//! algorithm is the same from Python 3.2 to 3.13 (checked against 3.8, 3.11, 3.12, 3.13).

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// `random.Random`: a Mersenne Twister seeded as CPython seeds it.
pub struct PythonRandom {
    state: [u32; N],
    index: usize,
}

impl PythonRandom {
    /// `random.seed(seed)` for a non-negative integer seed: the seed's 32-bit words, least
    /// significant first, go through `init_by_array`.
    pub fn new(seed: u64) -> Self {
        let low = seed as u32;
        let high = (seed >> 32) as u32;
        let key: &[u32] = if high == 0 { &[low] } else { &[low, high] };
        let mut random = Self {
            state: [0; N],
            index: N + 1,
        };
        random.init_by_array(key);
        random
    }

    fn init_genrand(&mut self, seed: u32) {
        self.state[0] = seed;
        for i in 1..N {
            let previous = self.state[i - 1];
            self.state[i] = 1_812_433_253u32
                .wrapping_mul(previous ^ (previous >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let previous = self.state[i - 1];
            self.state[i] = (self.state[i] ^ (previous ^ (previous >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                self.state[0] = self.state[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let previous = self.state[i - 1];
            self.state[i] = (self.state[i]
                ^ (previous ^ (previous >> 30)).wrapping_mul(1_566_083_941))
            .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                self.state[0] = self.state[N - 1];
                i = 1;
            }
        }
        self.state[0] = 0x8000_0000;
    }

    /// The next 32 random bits (`genrand_uint32`).
    fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            for k in 0..N {
                let y = (self.state[k] & UPPER_MASK) | (self.state[(k + 1) % N] & LOWER_MASK);
                let mut value = self.state[(k + M) % N] ^ (y >> 1);
                if y & 1 != 0 {
                    value ^= MATRIX_A;
                }
                self.state[k] = value;
            }
            self.index = 0;
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `getrandbits(bits)` for `bits <= 64`: 32-bit words, least significant first, the
    /// last one shifted down to the bits still needed.
    pub fn getrandbits(&mut self, bits: u32) -> u64 {
        assert!(bits <= 64, "getrandbits is implemented up to 64 bits");
        if bits == 0 {
            return 0;
        }
        if bits <= 32 {
            return u64::from(self.next_u32() >> (32 - bits));
        }
        let low = u64::from(self.next_u32());
        let high = u64::from(self.next_u32() >> (64 - bits));
        low | (high << 32)
    }

    /// `_randbelow(n)`: a uniform integer in `0..n` by rejection sampling, `n > 0`.
    pub fn below(&mut self, n: u64) -> u64 {
        let bits = 64 - n.leading_zeros();
        loop {
            let candidate = self.getrandbits(bits);
            if candidate < n {
                return candidate;
            }
        }
    }

    /// `random.sample(range(population), k)`: `k` distinct indices in selection order.
    pub fn sample(&mut self, population: usize, k: usize) -> Vec<usize> {
        assert!(k <= population, "sample larger than population");
        let n = population;
        // CPython picks the algorithm by comparing the population with the size a set of
        // `k` entries would take: the same arithmetic here, so the same one is picked.
        let mut set_size = 21usize;
        if k > 5 {
            let exponent = ((k as f64 * 3.0).ln() / 4f64.ln()).ceil() as u32;
            set_size += 4usize.pow(exponent);
        }
        let mut result = Vec::with_capacity(k);
        if n <= set_size {
            let mut pool: Vec<usize> = (0..n).collect();
            for i in 0..k {
                let j = self.below((n - i) as u64) as usize;
                result.push(pool[j]);
                pool[j] = pool[n - i - 1];
            }
        } else {
            let mut selected = rustc_hash::FxHashSet::default();
            for _ in 0..k {
                let mut j = self.below(n as u64) as usize;
                while !selected.insert(j) {
                    j = self.below(n as u64) as usize;
                }
                result.push(j);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::PythonRandom;

    #[test]
    fn sample_matches_cpython() {
        // random.seed(42); a = random.sample(range(113287), 11328) (CPython 3.8-3.13)
        let mut random = PythonRandom::new(42);
        let sample = random.sample(113_287, 11_328);
        assert_eq!(&sample[..3], &[83810, 14592, 3278]);
        let checksum: usize = sample.iter().enumerate().map(|(i, x)| i * x).sum();
        assert_eq!(checksum, 3_673_384_483_188);
        // random.seed(42); random.sample(range(100), 50)[:5]  (the pool branch)
        let mut random = PythonRandom::new(42);
        assert_eq!(&random.sample(100, 50)[..5], &[81, 14, 3, 94, 35]);
        // random.seed(2**40 + 5); random.sample(range(10), 3)
        let mut random = PythonRandom::new((1 << 40) + 5);
        assert_eq!(random.sample(10, 3), vec![8, 9, 4]);
    }
}
