//! `prepro_ngrams.py`: CIDEr-D document frequencies, `<prefix>-words.p` and `<prefix>-idxs.p`.
//!
//! The algorithm of self-critical.pytorch's `scripts/prepro_ngrams.py` with the CIDEr-D
//! scorer's `cook_append` / `compute_doc_freq`:
//! 1. `wtoi` maps each word of `ix_to_word` to its key (the last key if a word repeats),
//!    and `<eos>` to `0`;
//! 2. the images of the split are selected (`train` also takes `restval`, `all` takes
//!    every image);
//! 3. each caption is its tokens (not clipped) plus `<eos>`, a token outside `wtoi` becoming
//!    `UNK`; the *words* reference joins them with spaces, the *idxs* reference joins their
//!    `wtoi` keys;
//! 4. each reference is split on whitespace into words, and for each image every distinct
//!    n-gram (n = 1..4) over its references adds 1.0 to its document frequency;
//! 5. `ref_len` is the number of images selected.
//!
//! Each pickle holds `{'document_frequency': defaultdict(float, {ngram: count}),
//! 'ref_len': images}` with n-grams as tuples of strings, written with protocol 2.
//! Python writes the items in hash order, which changes from run to run; cocoprep writes
//! them in a fixed order (by n-gram length, then by first occurrence of the words), so the
//! same input always gives the same bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

use cocoprep_coco::{ProgressUnit, Reporter};
use cocoprep_formats::pickle::{Global, MemoId, Pickler};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;

use crate::error::Error;
use crate::karpathy::{Fields, KarpathyDataset, KarpathyImage, ReadOptions, Split, read_karpathy};
use crate::labels::UNKNOWN_WORD;
use crate::output::{Outputs, with_suffix};
use crate::threads::with_threads;
use crate::words::WordId;

/// The end-of-sentence word appended to every caption, and its index.
const END_OF_SENTENCE: &str = "<eos>";
const END_OF_SENTENCE_INDEX: &str = "0";
/// CIDEr-D counts n-grams up to this length.
const MAX_NGRAM: usize = 4;

/// Which images `--split` selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitSelection {
    /// Every image (`all`, the script's default).
    All,
    /// Images whose `split` is this name; `train` also selects `restval`.
    Named(String),
}

impl SplitSelection {
    /// The selection for a `--split` value.
    pub fn from_name(name: &str) -> Self {
        match name {
            "all" => SplitSelection::All,
            other => SplitSelection::Named(other.to_owned()),
        }
    }

    fn selects(&self, split: &Split) -> bool {
        match self {
            SplitSelection::All => true,
            SplitSelection::Named(name) => {
                split.as_str() == name || (name == "train" && *split == Split::Restval)
            }
        }
    }
}

/// What `prepare_ngrams` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NgramsSummary {
    /// Images selected (`ref_len`).
    pub images: usize,
    /// Captions of the selected images.
    pub captions: usize,
    /// Distinct n-grams in the words pickle.
    pub word_ngrams: usize,
    /// Distinct n-grams in the idxs pickle.
    pub index_ngrams: usize,
    /// The words pickle.
    pub words_path: PathBuf,
    /// The idxs pickle.
    pub idxs_path: PathBuf,
}

/// The `ix_to_word` of a `cocotalk.json`, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexToWord(pub Vec<(String, String)>);

impl IndexToWord {
    /// Reads `ix_to_word` from a `cocotalk.json` (`--dict_json`).
    pub fn read(path: &Path) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct DictJson {
            ix_to_word: Option<OrderedStrings>,
        }
        let file = fs_err::File::open(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        let dict: DictJson =
            serde_json::from_reader(std::io::BufReader::new(file)).map_err(|error| {
                Error::Syntax {
                    path: path.to_owned(),
                    line: error.line() as u64,
                    column: error.column() as u64,
                    message: crate::karpathy::strip_position(&error.to_string()),
                }
            })?;
        let entries = dict.ix_to_word.ok_or_else(|| Error::Invalid {
            path: path.to_owned(),
            message: "no `ix_to_word` (is it the `cocotalk.json` of `captions labels`?)".to_owned(),
        })?;
        Ok(Self(entries.0))
    }
}

/// A JSON object of strings, in file order (serde_json's map would sort it).
struct OrderedStrings(Vec<(String, String)>);

impl<'de> Deserialize<'de> for OrderedStrings {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> serde::de::Visitor<'de> for EntriesVisitor {
            type Value = OrderedStrings;
            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("an object mapping word ids to words")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<OrderedStrings, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    entries.push(entry);
                }
                Ok(OrderedStrings(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// Runs `prepro_ngrams.py`: reads the Karpathy file and `ix_to_word`, counts document
/// frequencies over the images of `split`, and writes `<prefix>-words.p` and
/// `<prefix>-idxs.p`. Nothing is written unless everything succeeds.
pub fn prepare_ngrams(
    input: &Path,
    dictionary: &Path,
    output_prefix: &Path,
    split: &SplitSelection,
    jobs: usize,
    reporter: &dyn Reporter,
) -> Result<NgramsSummary, Error> {
    let index_to_word = IndexToWord::read(dictionary)?;
    let read_options = ReadOptions {
        jobs,
        fields: Fields {
            tokens: true,
            ..Fields::default()
        },
    };
    let dataset = read_karpathy(input, &read_options, reporter)?;
    let selected: Vec<usize> = dataset
        .images()
        .iter()
        .enumerate()
        .filter(|(_, image)| split.selects(&image.split))
        .map(|(index, _)| index)
        .collect();
    let atoms = Atoms::new(&dataset, &index_to_word, dictionary);
    atoms.check_known(&dataset, &selected)?;

    let passes = match atoms.indices {
        Vocabularies::Shared(_) => 1,
        Vocabularies::Separate(_) => 2,
    };
    let task = reporter.on_task_start(
        "counting n-grams",
        Some((selected.len() * passes) as u64),
        ProgressUnit::Items,
    );
    let (words, idxs) = with_threads(jobs, || {
        let words = document_frequency(&dataset, &selected, &atoms.words, reporter, task);
        let idxs = match &atoms.indices {
            // The two references are the same n-grams under another name: count once.
            Vocabularies::Shared(_) => None,
            Vocabularies::Separate(indices) => Some(document_frequency(
                &dataset, &selected, indices, reporter, task,
            )),
        };
        (words, idxs)
    });
    reporter.on_task_complete(task);

    let words_path = with_suffix(output_prefix, "-words.p");
    let idxs_path = with_suffix(output_prefix, "-idxs.p");
    let index_frequencies = idxs.as_ref().unwrap_or(&words);
    let index_names = match &atoms.indices {
        Vocabularies::Shared(names) => names,
        Vocabularies::Separate(indices) => &indices.names,
    };
    let mut files = Outputs::default();
    files.write(&words_path, |file| {
        Ok(write_pickle(
            file,
            &words,
            &atoms.words.names,
            selected.len(),
        )?)
    })?;
    files.write(&idxs_path, |file| {
        Ok(write_pickle(
            file,
            index_frequencies,
            index_names,
            selected.len(),
        )?)
    })?;
    files.commit()?;

    let captions = selected
        .iter()
        .map(|&index| dataset.sentences(&dataset.images()[index]).len())
        .sum();
    Ok(NgramsSummary {
        images: selected.len(),
        captions,
        word_ngrams: words.len(),
        index_ngrams: index_frequencies.len(),
        words_path,
        idxs_path,
    })
}

/// Python's `str.split()` with no argument: runs of whitespace separate, and leading or
/// trailing whitespace gives no empty words. Python counts `\x1c`..`\x1f` as whitespace
/// too, which Rust's `char::is_whitespace` does not.
pub fn python_split(text: &str) -> impl Iterator<Item = &str> {
    text.split(|character: char| {
        character.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&character)
    })
    .filter(|word| !word.is_empty())
}

/// Interned words of one reference kind: each corpus word becomes a sequence of atoms
/// (usually one), the words of the reference after the whitespace split.
struct AtomTable {
    names: Vec<String>,
    /// Atoms of each corpus word, as ranges into `sequences`; `None` if the word has no
    /// index (not in the vocabulary, which has no `UNK`).
    of_word: Vec<Option<(u32, u32)>>,
    sequences: Vec<u32>,
    /// Atoms of `<eos>`.
    end: Vec<u32>,
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

    fn atoms(&self, word: WordId) -> &[u32] {
        match self.of_word[word.index()] {
            Some((start, end)) => &self.sequences[start as usize..end as usize],
            None => &[],
        }
    }
}

/// The idxs reference, relative to the words reference.
enum Vocabularies {
    /// One idx name per words atom (`names[atom]`): the n-grams correspond one to one.
    Shared(Vec<String>),
    /// The idxs reference splits differently, so it is counted on its own.
    Separate(AtomTable),
}

struct Atoms {
    words: AtomTable,
    indices: Vocabularies,
    /// `wtoi` has no `UNK`: the words that are not in it cannot be written as indices.
    missing_unknown: bool,
    dictionary: PathBuf,
}

impl Atoms {
    fn new(dataset: &KarpathyDataset, index_to_word: &IndexToWord, dictionary: &Path) -> Self {
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
    fn check_known(&self, dataset: &KarpathyDataset, selected: &[usize]) -> Result<(), Error> {
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

/// An n-gram of up to four atoms, packed as `atom + 1` per 32-bit lane, first atom in the
/// lowest lane; an empty lane (0) ends the n-gram.
type Ngram = u128;

fn pack(atoms: &[u32]) -> Ngram {
    atoms.iter().enumerate().fold(0, |packed, (lane, &atom)| {
        packed | (u128::from(atom) + 1) << (32 * lane)
    })
}

fn unpack(ngram: Ngram) -> impl Iterator<Item = u32> {
    (0..MAX_NGRAM)
        .map(move |lane| (ngram >> (32 * lane)) as u32)
        .take_while(|&lane| lane != 0)
        .map(|lane| lane - 1)
}

fn length(ngram: Ngram) -> usize {
    unpack(ngram).count()
}

/// Document frequencies over the selected images, sorted by n-gram length, then atoms.
fn document_frequency(
    dataset: &KarpathyDataset,
    selected: &[usize],
    table: &AtomTable,
    reporter: &dyn Reporter,
    task: cocoprep_coco::TaskId,
) -> Vec<(Ngram, u32)> {
    const IMAGES_PER_CHUNK: usize = 1024;
    let counts = selected
        .par_chunks(IMAGES_PER_CHUNK)
        .fold(
            || (FxHashMap::<Ngram, u32>::default(), Vec::new(), Vec::new()),
            |(mut counts, mut grams, mut atoms), chunk| {
                for &index in chunk {
                    image_ngrams(
                        dataset,
                        &dataset.images()[index],
                        table,
                        &mut grams,
                        &mut atoms,
                    );
                    for &gram in &grams {
                        *counts.entry(gram).or_insert(0) += 1;
                    }
                }
                reporter.on_task_progress(task, chunk.len() as u64);
                (counts, grams, atoms)
            },
        )
        .map(|(counts, _, _)| counts)
        .reduce(FxHashMap::default, |mut larger, mut smaller| {
            if larger.len() < smaller.len() {
                std::mem::swap(&mut larger, &mut smaller);
            }
            for (gram, count) in smaller {
                *larger.entry(gram).or_insert(0) += count;
            }
            larger
        });
    let mut entries: Vec<(Ngram, u32)> = counts.into_iter().collect();
    entries.par_sort_unstable_by_key(|&(gram, _)| sort_key(gram));
    entries
}

/// Orders n-grams by length, then by their atoms from the first.
fn sort_key(gram: Ngram) -> (usize, [u32; MAX_NGRAM]) {
    let mut atoms = [0; MAX_NGRAM];
    for (slot, atom) in atoms.iter_mut().zip(unpack(gram)) {
        *slot = atom;
    }
    (length(gram), atoms)
}

/// The distinct n-grams of one image's references, into `grams` (`atoms` is scratch).
fn image_ngrams(
    dataset: &KarpathyDataset,
    image: &KarpathyImage,
    table: &AtomTable,
    grams: &mut Vec<Ngram>,
    atoms: &mut Vec<u32>,
) {
    grams.clear();
    for sentence in dataset.sentences(image) {
        atoms.clear();
        for &word in sentence.tokens() {
            atoms.extend_from_slice(table.atoms(word));
        }
        atoms.extend_from_slice(&table.end);
        for size in 1..=MAX_NGRAM.min(atoms.len()) {
            grams.extend(atoms.windows(size).map(pack));
        }
    }
    grams.sort_unstable();
    grams.dedup();
}

/// Writes `{'document_frequency': defaultdict(float, {...}), 'ref_len': images}`.
fn write_pickle<W: Write>(
    out: W,
    frequencies: &[(Ngram, u32)],
    names: &[String],
    images: usize,
) -> std::io::Result<()> {
    let mut pickler = Pickler::new(out)?;
    // Each word is written once and referred to from every n-gram holding it, as in the
    // pickles Python makes (there the n-grams share the word objects).
    let mut memo: Vec<Option<MemoId>> = vec![None; names.len()];
    pickler.empty_dict()?;
    pickler.mark()?;
    pickler.str("document_frequency")?;
    pickler.global(&Global::DEFAULT_DICT.module, &Global::DEFAULT_DICT.name)?;
    pickler.begin_tuple(1)?;
    pickler.global(&Global::FLOAT.module, &Global::FLOAT.name)?;
    pickler.end_tuple(1)?;
    pickler.reduce()?;
    pickler.set_items(frequencies, |pickler, &(gram, count)| {
        let size = length(gram);
        pickler.begin_tuple(size)?;
        for atom in unpack(gram) {
            match memo[atom as usize] {
                Some(id) => pickler.get(id)?,
                None => {
                    pickler.str(&names[atom as usize])?;
                    memo[atom as usize] = Some(pickler.memoize()?);
                }
            }
        }
        pickler.end_tuple(size)?;
        pickler.float(f64::from(count))
    })?;
    pickler.str("ref_len")?;
    pickler.int(images as i64)?;
    pickler.set_items_from_mark()?;
    pickler.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_split_drops_empty_words_and_splits_on_unit_separators() {
        let words: Vec<_> = python_split("  a\tb\u{1f}c \u{a0}d  ").collect();
        assert_eq!(words, vec!["a", "b", "c", "d"]);
        assert_eq!(python_split("").count(), 0);
    }

    #[test]
    fn ngrams_pack_and_unpack() {
        let gram = pack(&[0, 7, u32::MAX - 1]);
        assert_eq!(unpack(gram).collect::<Vec<_>>(), vec![0, 7, u32::MAX - 1]);
        assert_eq!(length(gram), 3);
        assert!(sort_key(pack(&[9])) < sort_key(pack(&[0, 0])));
    }
}
