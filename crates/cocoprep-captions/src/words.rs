//! The words of a caption corpus, interned in first-occurrence order with their counts.

use rustc_hash::FxHashMap;

/// A word of a [`Words`] table: its position in first-occurrence order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WordId(pub u32);

impl WordId {
    /// The position as an index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Distinct tokens in the order they first occur, each with how often it occurs.
///
/// First-occurrence order is what `prepro_labels.py` gets from iterating its `counts` dict
/// under Python 3.7+, so a vocabulary filtered from this table in order has the reference
/// word ids.
#[derive(Clone, Debug, Default)]
pub struct Words {
    words: Vec<Box<str>>,
    counts: Vec<u64>,
    index: FxHashMap<Box<str>, WordId>,
}

impl Words {
    /// The number of distinct words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The text of `id`.
    pub fn word(&self, id: WordId) -> &str {
        &self.words[id.index()]
    }

    /// How many times `id` occurs.
    pub fn count(&self, id: WordId) -> u64 {
        self.counts[id.index()]
    }

    /// The id of `word`, if it occurs.
    pub fn get(&self, word: &str) -> Option<WordId> {
        self.index.get(word).copied()
    }

    /// `(id, word, count)` in first-occurrence order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (WordId, &str, u64)> {
        self.words
            .iter()
            .zip(&self.counts)
            .enumerate()
            .map(|(index, (word, &count))| (WordId(index as u32), &**word, count))
    }

    /// The id of `word`, added (with count 0) if new.
    pub(crate) fn intern(&mut self, word: &str) -> WordId {
        if let Some(&id) = self.index.get(word) {
            return id;
        }
        let id = WordId(
            u32::try_from(self.words.len()).expect("fewer than 2^32 distinct words in a corpus"),
        );
        self.words.push(word.into());
        self.counts.push(0);
        self.index.insert(word.into(), id);
        id
    }

    /// Counts one occurrence of each of `ids`.
    pub(crate) fn count_occurrences(&mut self, ids: &[WordId]) {
        for id in ids {
            self.counts[id.index()] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_first_occurrence_order_and_sum_counts() {
        let mut words = Words::default();
        let ids: Vec<_> = ["a", "dog", "a", "cat"]
            .iter()
            .map(|word| words.intern(word))
            .collect();
        words.count_occurrences(&ids);
        let table: Vec<_> = words.iter().map(|(_, word, count)| (word, count)).collect();
        assert_eq!(table, vec![("a", 2), ("dog", 1), ("cat", 1)]);
        assert_eq!(words.get("cat"), Some(WordId(2)));
    }
}
