//! Shard numbers and sample keys, deterministic from the input: row `r` (0-based, in input
//! order) is in shard `r / N` at position `r % N`, with img2dataset's key
//! `shard * 10^ceil(log10 N) + position`, zero-padded to `oom_shard_count + ceil(log10 N)`
//! digits (`000010005` = shard 1, row 5 for N = 10,000). Shards are named
//! `{shard:0oom_shard_count}` (`00001`).

/// How rows map to shards and keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardLayout {
    /// Rows per shard (img2dataset's `number_sample_per_shard`, default 10,000).
    pub samples_per_shard: u64,
    /// Digits of a shard number (img2dataset's `oom_shard_count`, default 5).
    pub shard_digits: usize,
}

impl Default for ShardLayout {
    fn default() -> Self {
        Self {
            samples_per_shard: 10_000,
            shard_digits: 5,
        }
    }
}

impl ShardLayout {
    /// `ceil(log10(samples_per_shard))`: the digits of the position part of a key.
    fn position_digits(&self) -> u32 {
        let mut digits = 0;
        let mut power: u64 = 1;
        while power < self.samples_per_shard {
            power = power.saturating_mul(10);
            digits += 1;
        }
        digits
    }

    /// The shard of input row `row`.
    pub fn shard_of(&self, row: u64) -> u64 {
        row / self.samples_per_shard
    }

    /// The first row of `shard`.
    pub fn first_row(&self, shard: u64) -> u64 {
        shard * self.samples_per_shard
    }

    /// The key of input row `row`.
    pub fn key(&self, row: u64) -> String {
        let shard = self.shard_of(row);
        let position = row % self.samples_per_shard;
        let digits = self.position_digits();
        let value = shard * 10u64.pow(digits) + position;
        format!(
            "{value:0width$}",
            width = self.shard_digits + digits as usize
        )
    }

    /// The shard's name (`00001`).
    pub fn shard_name(&self, shard: u64) -> String {
        format!("{shard:0width$}", width = self.shard_digits)
    }

    /// The shard number in a file name like `00001_stats.json` or `00001.tar`.
    pub fn shard_of_file_name(&self, name: &str) -> Option<u64> {
        let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() != self.shard_digits {
            return None;
        }
        digits.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_img2dataset() {
        let layout = ShardLayout::default();
        assert_eq!(layout.key(0), "000000000");
        assert_eq!(layout.key(10_005), "000010005");
        assert_eq!(layout.shard_name(1), "00001");
        let small = ShardLayout {
            samples_per_shard: 500,
            shard_digits: 5,
        };
        assert_eq!(small.key(501), "00001001");
        assert_eq!(small.shard_of(501), 1);
        assert_eq!(small.shard_of_file_name("00001_stats.json"), Some(1));
        assert_eq!(small.shard_of_file_name("1_stats.json"), None);
    }
}
