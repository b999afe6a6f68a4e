//! How `get --shard I/N` splits a bundle's files: balanced by size, so that a 19 GB zip
//! does not share a shard with all the others. (The [`Shard`] type itself is the cluster
//! layer's, in `cocoprep-base`.)

use cocoprep_base::cluster::Shard;

/// Which of `items` (name, size) belong to `shard`. Largest first, each to the least
/// loaded shard (ties: lowest index), with names breaking size ties: the same list gives the
/// same split in every process.
pub fn assign(shard: Shard, items: &[(&str, u64)]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[b].1.cmp(&items[a].1).then(items[a].0.cmp(items[b].0)));
    let mut load = vec![0u64; shard.count];
    let mut mine = vec![false; items.len()];
    for index in order {
        let target = (0..shard.count)
            .min_by_key(|&s| (load[s], s))
            .expect("count > 0");
        load[target] += items[index].1.max(1);
        mine[index] = target == shard.index;
    }
    mine
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_goes_to_exactly_one_shard() {
        let items = [("a", 19), ("b", 1), ("c", 7), ("d", 7), ("e", 0)];
        let shards: Vec<Vec<bool>> = (0..3)
            .map(|i| assign(Shard::new(i, 3).unwrap(), &items))
            .collect();
        for item in 0..items.len() {
            assert_eq!(shards.iter().filter(|s| s[item]).count(), 1);
        }
        // The largest file has a shard to itself.
        let with_a = shards.iter().position(|s| s[0]).unwrap();
        assert_eq!(shards[with_a].iter().filter(|&&x| x).count(), 1);
    }
}
