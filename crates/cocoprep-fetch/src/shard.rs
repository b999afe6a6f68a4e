//! `--shard I/N`: split work deterministically between N processes (a Slurm or SGE array
//! job), so each runs the same command with its own index and no two fetch the same file.

use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This process's index, `0..count`.
    pub index: usize,
    /// How many processes share the work.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("expected I/N (like 0/4), got `{text}`"))?;
        let index: usize = index
            .trim()
            .parse()
            .map_err(|_| format!("`{index}` is not a shard index"))?;
        let count: usize = count
            .trim()
            .parse()
            .map_err(|_| format!("`{count}` is not a shard count"))?;
        if count == 0 || index >= count {
            return Err(format!("shard index must be in 0..{count}, got {index}"));
        }
        Ok(Self { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Which of `items` (name, size) belong to this shard. Largest first, each to the
    /// least loaded shard (ties: lowest index), with names breaking size ties: the same
    /// list gives the same split in every process, and a 19 GB zip does not share a shard
    /// with all the others.
    pub fn assign(&self, items: &[(&str, u64)]) -> Vec<bool> {
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by(|&a, &b| items[b].1.cmp(&items[a].1).then(items[a].0.cmp(items[b].0)));
        let mut load = vec![0u64; self.count];
        let mut mine = vec![false; items.len()];
        for index in order {
            let target = (0..self.count)
                .min_by_key(|&s| (load[s], s))
                .expect("count > 0");
            load[target] += items[index].1.max(1);
            mine[index] = target == self.index;
        }
        mine
    }

    /// Whether item number `position` of a sorted list belongs to this shard (for long
    /// lists of similar items, like images).
    pub fn owns_position(&self, position: usize) -> bool {
        position % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_goes_to_exactly_one_shard() {
        let items = [("a", 19), ("b", 1), ("c", 7), ("d", 7), ("e", 0)];
        let shards: Vec<Vec<bool>> = (0..3)
            .map(|i| Shard { index: i, count: 3 }.assign(&items))
            .collect();
        for item in 0..items.len() {
            assert_eq!(shards.iter().filter(|s| s[item]).count(), 1);
        }
        // The largest file has a shard to itself.
        let with_a = shards.iter().position(|s| s[0]).unwrap();
        assert_eq!(shards[with_a].iter().filter(|&&x| x).count(), 1);
    }

    #[test]
    fn shard_syntax_is_checked() {
        assert_eq!(
            "1/4".parse::<Shard>().unwrap(),
            Shard { index: 1, count: 4 }
        );
        assert!("4/4".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
