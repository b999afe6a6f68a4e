//! Interning tokens on the worker threads.
//!
//! Each worker keeps one table of the tokens it has seen from batch to batch, so a word is
//! hashed into a small table and allocated once per worker rather than once per batch. A
//! batch's tokens are worker ids; the reading thread merges batches in file order
//! ([`WordMerger`]), turning each worker id into a dataset id the first time it meets it,
//! which numbers the dataset's words in the order they first occur in the file, as
//! `prepro_labels.py` counts them.

use rustc_hash::FxHashMap;

use crate::words::{WordId, Words};

/// What the merger needs to read a batch's worker ids.
#[derive(Default)]
pub(crate) struct BatchWords {
    /// The worker whose ids the batch uses.
    worker: usize,
    /// The text of the worker ids from `first_new` on, new in this batch.
    new_words: Vec<Box<str>>,
    first_new: u32,
}

/// One worker's token table.
pub(crate) struct WorkerWords {
    worker: usize,
    /// Words of up to 15 bytes, packed into an integer ([`pack_short`]): nearly every
    /// caption word, looked up without hashing or comparing bytes one by one.
    short: FxHashMap<u128, u32>,
    long: FxHashMap<Box<str>, u32>,
    /// The number of ids given out.
    count: u32,
}

impl WorkerWords {
    pub(crate) fn new(worker: usize) -> Self {
        Self {
            worker,
            short: FxHashMap::default(),
            long: FxHashMap::default(),
            count: 0,
        }
    }

    /// Starts the words of a new batch.
    pub(crate) fn begin_batch(&mut self) -> BatchWords {
        BatchWords {
            worker: self.worker,
            new_words: Vec::new(),
            first_new: self.count,
        }
    }

    /// The worker id of `token`, recording its text in `batch` if it is new.
    pub(crate) fn add(&mut self, batch: &mut BatchWords, token: &str) -> u32 {
        let next = self.count;
        let id = match pack_short(token) {
            Some(key) => *self.short.entry(key).or_insert(next),
            None => match self.long.get(token) {
                Some(&id) => id,
                None => {
                    self.long.insert(token.into(), next);
                    next
                }
            },
        };
        if id == next {
            batch.new_words.push(token.into());
            self.count = next
                .checked_add(1)
                .expect("fewer than 2^32 distinct words per worker");
        }
        id
    }
}

/// A word of at most 15 bytes as one integer: its bytes, then its length in the top byte
/// (so `"a"` and `"a\0"` differ). Built from overlapping loads rather than a byte copy
/// into a buffer, which would stall every lookup on store-to-load forwarding.
fn pack_short(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    let length = bytes.len();
    let u32_at = |at: usize| u64::from(u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()));
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let (low, high) = match length {
        0 => (0, 0),
        1..=3 => {
            let middle = length / 2;
            let low = u64::from(bytes[0])
                | u64::from(bytes[middle]) << (8 * middle)
                | u64::from(bytes[length - 1]) << (8 * (length - 1));
            (low, 0)
        }
        4..=7 => (u32_at(0) | u32_at(length - 4) << (8 * (length - 4)), 0),
        8 => (u64_at(0), 0),
        9..=15 => (u64_at(0), u64_at(length - 8) >> (8 * (16 - length))),
        _ => return None,
    };
    Some(u128::from(low) | u128::from(high) << 64 | (length as u128) << 120)
}

/// Turns worker ids into dataset word ids, batch after batch in file order.
#[derive(Default)]
pub(crate) struct WordMerger {
    /// Per worker, the dataset id of each worker id (`u32::MAX` until first merged).
    mappings: Vec<Vec<WordId>>,
}

impl WordMerger {
    /// Appends the dataset ids of a batch's `tokens` to `out`, adding new words to `words`
    /// in the order they occur and counting every occurrence.
    pub(crate) fn merge(
        &mut self,
        words: &mut Words,
        batch: &BatchWords,
        tokens: &[u32],
        out: &mut Vec<WordId>,
    ) {
        if self.mappings.len() <= batch.worker {
            self.mappings.resize_with(batch.worker + 1, Vec::new);
        }
        let mapping = &mut self.mappings[batch.worker];
        let known = batch.first_new as usize + batch.new_words.len();
        if mapping.len() < known {
            mapping.resize(known, WordId(u32::MAX));
        }
        let start = out.len();
        out.extend(tokens.iter().map(|&token| {
            let slot = &mut mapping[token as usize];
            if slot.0 == u32::MAX {
                // Met for the first time in the file: the worker sent its text with this
                // batch or an earlier one of its own batches, which are merged first.
                let text = &batch.new_words[(token - batch.first_new) as usize];
                *slot = words.intern(text);
            }
            *slot
        }));
        words.count_occurrences(&out[start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_words_pack_to_their_bytes_and_length() {
        for length in 0..=15 {
            let word: String = (0..length).map(|i| char::from(b'a' + i as u8)).collect();
            let mut expected = [0u8; 16];
            expected[..length].copy_from_slice(word.as_bytes());
            expected[15] = length as u8;
            assert_eq!(
                pack_short(&word),
                Some(u128::from_le_bytes(expected)),
                "{word}"
            );
        }
        assert_eq!(pack_short("sixteen bytes!!!"), None);
    }

    #[test]
    fn batches_from_two_workers_merge_in_file_order() {
        let (mut first, mut second) = (WorkerWords::new(0), WorkerWords::new(1));
        // File order: batch 0 (worker 0), batch 1 (worker 1), batch 2 (worker 0).
        let mut batch0 = first.begin_batch();
        let long = "a-word-longer-than-fifteen-bytes";
        let tokens0: Vec<u32> = ["b", "a", long, "b", "a\0"]
            .iter()
            .map(|t| first.add(&mut batch0, t))
            .collect();
        let mut batch1 = second.begin_batch();
        let tokens1: Vec<u32> = ["c", "a"]
            .iter()
            .map(|t| second.add(&mut batch1, t))
            .collect();
        let mut batch2 = first.begin_batch();
        let tokens2: Vec<u32> = ["a", "d", "c"]
            .iter()
            .map(|t| first.add(&mut batch2, t))
            .collect();

        let mut words = Words::default();
        let mut merger = WordMerger::default();
        let mut ids = Vec::new();
        for (batch, tokens) in [
            (&batch0, &tokens0),
            (&batch1, &tokens1),
            (&batch2, &tokens2),
        ] {
            merger.merge(&mut words, batch, tokens, &mut ids);
        }
        let merged: Vec<_> = ids.iter().map(|&id| words.word(id)).collect();
        assert_eq!(
            merged,
            ["b", "a", long, "b", "a\0", "c", "a", "a", "d", "c"]
        );
        let table: Vec<_> = words.iter().map(|(_, word, count)| (word, count)).collect();
        assert_eq!(
            table,
            [
                ("b", 2),
                ("a", 3),
                (long, 1),
                ("a\0", 1),
                ("c", 2),
                ("d", 1)
            ]
        );
    }
}
