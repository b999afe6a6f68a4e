//! [`Shard`]: which share of a job one process does (`--shard I/N`).

use std::fmt;
use std::str::FromStr;

use super::Error;

/// Shard `index` of `count` (0-based): one of `count` processes that run the same command,
/// each doing a deterministic, disjoint share of the work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shard {
    /// This process's index, `0..count`.
    pub index: usize,
    /// How many processes share the work.
    pub count: usize,
}

impl Shard {
    /// Shard `index` of `count`, checked: `count > 0` and `index < count`.
    pub fn new(index: usize, count: usize) -> Result<Self, Error> {
        if count == 0 || index >= count {
            return Err(Error::ShardOutOfRange { index, count });
        }
        Ok(Self { index, count })
    }

    /// Whether item number `position` of a list in a stable order (images sorted by id, in
    /// file order, ...) belongs to this shard: round robin, so that neighbours, which often
    /// cost alike, are spread over all shards.
    pub fn owns_position(&self, position: usize) -> bool {
        position % self.count == self.index
    }

    /// Whether the item with this stable key (an image id) belongs to this shard, for work
    /// whose order is not known before it is read (rows streamed from a TSV). The key is
    /// mixed first (SplitMix64's finaliser), so that ids sharing a pattern (all even, all
    /// multiples of N) still spread evenly.
    pub fn owns_key(&self, key: u64) -> bool {
        (mix(key) % self.count as u64) as usize == self.index
    }

    /// `shard-I-of-N`, the name part used in markers and per-shard reports.
    pub fn file_label(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

/// SplitMix64's finaliser: a fixed bijection on `u64` with good avalanche, identical on
/// every platform and in every version (never change it: shard assignments depend on it).
fn mix(key: u64) -> u64 {
    let mut z = key.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl FromStr for Shard {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || Error::InvalidShard {
            text: text.to_owned(),
        };
        let (index, count) = text.split_once('/').ok_or_else(invalid)?;
        let index: usize = index.trim().parse().map_err(|_| invalid())?;
        let count: usize = count.trim().parse().map_err(|_| invalid())?;
        Self::new(index, count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNAPSHOT: [usize; 6] = [3, 1, 2, 3, 3, 0];

    #[test]
    fn shard_syntax_is_checked() {
        assert_eq!(
            "1/4".parse::<Shard>().unwrap(),
            Shard { index: 1, count: 4 }
        );
        assert_eq!(
            " 0 / 1".parse::<Shard>().unwrap(),
            Shard { index: 0, count: 1 }
        );
        for bad in ["4/4", "x", "1", "1/0", "-1/4", "1/4/5", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn positions_and_keys_go_to_exactly_one_shard() {
        for count in 1..6 {
            let shards: Vec<Shard> = (0..count).map(|i| Shard::new(i, count).unwrap()).collect();
            for item in 0..200u64 {
                let by_key = shards.iter().filter(|s| s.owns_key(item * 2)).count();
                let by_position = shards
                    .iter()
                    .filter(|s| s.owns_position(item as usize))
                    .count();
                assert_eq!((by_key, by_position), (1, 1));
            }
        }
    }

    #[test]
    fn keys_with_a_common_pattern_are_spread_evenly() {
        // Even ids only: `id % 2` would leave shard 1 of 2 empty.
        let shard = Shard::new(1, 2).unwrap();
        let mine = (0..1000u64).filter(|id| shard.owns_key(id * 2)).count();
        assert!((400..600).contains(&mine), "{mine}");
    }

    #[test]
    fn key_assignment_never_changes() {
        // Markers of finished shards stay valid only if the assignment is stable.
        let owners: Vec<usize> = [0u64, 1, 2, 139, 285, 581_929]
            .iter()
            .map(|&id| {
                (0..4)
                    .find(|&i| Shard::new(i, 4).unwrap().owns_key(id))
                    .unwrap()
            })
            .collect();
        assert_eq!(owners, SNAPSHOT);
    }
}
