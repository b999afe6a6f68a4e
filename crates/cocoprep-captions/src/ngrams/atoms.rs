//! The words of the two references: each corpus word becomes the words of the *words*
//! reference and of the *idxs* reference it turns into (usually one each).

use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap, FxHashSet};

use super::{END_OF_SENTENCE, END_OF_SENTENCE_INDEX, IndexToWord};
use crate::error::Error;
use crate::karpathy::KarpathyDataset;
use crate::labels::UNKNOWN_WORD;
use crate::text::python_split;
use crate::words::WordId;

/// Interned words of one reference kind: each corpus word becomes a sequence of atoms
/// (usually one), the words of the reference after the whitespace split.
pub(super) struct AtomTable {
    pub(super) names: Vec<String>,
    /// Atoms of each corpus word, as ranges into `sequences`; `None` if the word has no
    /// index (not in the vocabulary, which has no `UNK`).
    of_word: Vec<Option<(u32, u32)>>,
    sequences: Vec<u32>,
    /// Atoms of `<eos>`.
    pub(super) end: Vec<u32>,
}

impl AtomTable {
    fn new() -> Self {
        Self {
            names: Vec::new(),
            of_word: Vec::new(),
            sequences: Vec::new(),
            end: Vec::new(),
        }
    }

    fn intern(&mut self, index: &mut FxHashMap<String, u32>, text: &str) -> (u32, u32) {
        let start = self.sequences.len() as u32;
        for piece in python_split(text) {
            let atom = match index.get(piece) {
                Some(&atom) => atom,
                None => {
                    let atom = self.names.len() as u32;
                    self.names.push(piece.to_owned());
                    index.insert(piece.to_owned(), atom);
                    atom
                }
            };
            self.sequences.push(atom);
        }
        (start, self.sequences.len() as u32)
    }

    pub(super) fn atoms(&self, word: WordId) -> &[u32] {
        match self.of_word[word.index()] {
            Some((start, end)) => &self.sequences[start as usize..end as usize],
            None => &[],
        }
    }
}

/// The idxs reference, relative to the words reference.
pub(super) enum Vocabularies {
    /// One idx name per words atom (`names[atom]`): the n-grams correspond one to one.
    Shared(Vec<String>),
    /// The idxs reference splits differently, so it is counted on its own.
    Separate(AtomTable),
}

pub(super) struct Atoms {
    pub(super) words: AtomTable,
    pub(super) indices: Vocabularies,
    /// `wtoi` has no `UNK`: the words that are not in it cannot be written as indices.
    missing_unknown: bool,
    dictionary: PathBuf,
}

impl Atoms {
    pub(super) fn new(
        dataset: &KarpathyDataset,
        index_to_word: &IndexToWord,
        dictionary: &Path,
    ) -> Self {
        // wtoi = {w: i for i, w in itow.items()}; wtoi['<eos>'] = 0
        let mut word_to_index: FxHashMap<&str, &str> = FxHashMap::default();
        for (index, word) in &index_to_word.0 {
            word_to_index.insert(word, index);
        }
        word_to_index.insert(END_OF_SENTENCE, END_OF_SENTENCE_INDEX);
        let unknown_index = word_to_index.get(UNKNOWN_WORD).copied();

        let mut words = AtomTable::new();
        let mut indices = AtomTable::new();
        let (mut word_atoms, mut index_atoms) = (FxHashMap::default(), FxHashMap::default());
        for (_, word, _) in dataset.words().iter() {
            let (name, index) = match word_to_index.get(word) {
                Some(&index) => (word, Some(index)),
                None => (UNKNOWN_WORD, unknown_index),
            };
            let word_range = words.intern(&mut word_atoms, name);
            words.of_word.push(Some(word_range));
            let index_range = index.map(|index| indices.intern(&mut index_atoms, index));
            indices.of_word.push(index_range);
        }
        let (start, end) = words.intern(&mut word_atoms, END_OF_SENTENCE);
        words.end = words.sequences[start as usize..end as usize].to_vec();
        let (start, end) = indices.intern(&mut index_atoms, END_OF_SENTENCE_INDEX);
        indices.end = indices.sequences[start as usize..end as usize].to_vec();

        let indices = match shared_names(&words, &indices) {
            Some(names) => Vocabularies::Shared(names),
            None => Vocabularies::Separate(indices),
        };
        Self {
            words,
            indices,
            missing_unknown: unknown_index.is_none(),
            dictionary: dictionary.to_owned(),
        }
    }

    /// Fails, naming the image and word, if a selected caption has a word that is neither
    /// in the vocabulary nor representable as `UNK` (the script's `KeyError: 'UNK'`).
    pub(super) fn check_known(
        &self,
        dataset: &KarpathyDataset,
        selected: &[usize],
    ) -> Result<(), Error> {
        if !self.missing_unknown {
            return Ok(());
        }
        let Vocabularies::Separate(indices) = &self.indices else {
            return Ok(());
        };
        for &index in selected {
            let image = &dataset.images()[index];
            for sentence in dataset.sentences(image) {
                for &word in sentence.tokens() {
                    if indices.of_word[word.index()].is_none() {
                        return Err(dataset.image_error(
                            index,
                            format!(
                                "the word `{}` is not in the vocabulary of `{}`, which has no `{UNKNOWN_WORD}` \
                                 (was it made from another dataset file?)",
                                dataset.words().word(word),
                                self.dictionary.display()
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// If every corpus word is one atom in both references and the words atoms map one to one
/// onto idx atoms, the idx name of each words atom.
fn shared_names(words: &AtomTable, indices: &AtomTable) -> Option<Vec<String>> {
    let mut names: Vec<Option<usize>> = vec![None; words.names.len()];
    let mut claimed = FxHashSet::default();
    let pairs = words
        .of_word
        .iter()
        .zip(&indices.of_word)
        .map(|(word, index)| {
            let word = word.map(|(start, end)| &words.sequences[start as usize..end as usize]);
            let index = index.map(|(start, end)| &indices.sequences[start as usize..end as usize]);
            (word, index)
        })
        .chain(std::iter::once((
            Some(&words.end[..]),
            Some(&indices.end[..]),
        )));
    for (word, index) in pairs {
        let (Some(&[word]), Some(&[index])) = (word, index) else {
            return None;
        };
        match names[word as usize] {
            Some(existing) if existing != index as usize => return None,
            Some(_) => {}
            None => {
                if !claimed.insert(index) {
                    return None;
                }
                names[word as usize] = Some(index as usize);
            }
        }
    }
    names
        .into_iter()
        .map(|index| index.map(|index| indices.names[index].clone()))
        .collect()
}
