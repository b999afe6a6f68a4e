//! Words as integer ids and the n-gram counts that BLEU and CIDEr share (`precook` in
//! pycocoevalcap's scorers).

use rustc_hash::FxHashMap;

/// The longest n-gram the scorers count.
pub(crate) const MAX_ORDER: usize = 4;

/// A word, interned.
pub(crate) type WordId = u32;

const NO_WORD: WordId = WordId::MAX;

/// An n-gram of 1 to 4 words (unused slots hold [`NO_WORD`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NGram([WordId; MAX_ORDER]);

impl NGram {
    pub(crate) fn new(words: &[WordId]) -> Self {
        let mut slots = [NO_WORD; MAX_ORDER];
        slots[..words.len()].copy_from_slice(words);
        Self(slots)
    }

    /// How many words (1..=4).
    pub(crate) fn order(&self) -> usize {
        self.0.iter().take_while(|&&word| word != NO_WORD).count()
    }
}

/// Interns words: the same text always gets the same id.
#[derive(Default)]
pub(crate) struct Vocabulary {
    ids: FxHashMap<String, WordId>,
}

impl Vocabulary {
    pub(crate) fn intern(&mut self, word: &str) -> WordId {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = WordId::try_from(self.ids.len()).expect("fewer than 2^32 distinct words");
        self.ids.insert(word.to_owned(), id);
        id
    }

    /// The id of a word already seen, if any.
    pub(crate) fn get(&self, word: &str) -> Option<WordId> {
        self.ids.get(word).copied()
    }
}

/// The n-grams of one sentence with their counts, in the order pycocoevalcap's `precook`
/// first inserts them (all unigrams by position, then bigrams, ...): CIDEr sums in this
/// order, so it is kept for exact results.
pub(crate) struct Counts {
    pub(crate) grams: Vec<(NGram, u32)>,
    pub(crate) index: FxHashMap<NGram, usize>,
    /// The number of words.
    pub(crate) length: usize,
}

impl Counts {
    pub(crate) fn of(words: &[WordId]) -> Self {
        let mut grams: Vec<(NGram, u32)> = Vec::new();
        let mut index: FxHashMap<NGram, usize> = FxHashMap::default();
        for order in 1..=MAX_ORDER {
            for window in words.windows(order) {
                let gram = NGram::new(window);
                match index.get(&gram) {
                    Some(&at) => grams[at].1 += 1,
                    None => {
                        index.insert(gram, grams.len());
                        grams.push((gram, 1));
                    }
                }
            }
        }
        Self {
            grams,
            index,
            length: words.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_in_precook_order() {
        let counts = Counts::of(&[1, 2, 1, 2]);
        let listed: Vec<(usize, u32)> = counts.grams.iter().map(|(g, c)| (g.order(), *c)).collect();
        // 1, 2 | 12, 21 | 121, 212 | 1212
        assert_eq!(
            listed,
            [(1, 2), (1, 2), (2, 2), (2, 1), (3, 1), (3, 1), (4, 1)]
        );
        assert_eq!(counts.index[&NGram::new(&[1, 2])], 2);
    }
}
