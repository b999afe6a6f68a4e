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

use std::path::{Path, PathBuf};

use cocoprep_base::position::strip_position;
use cocoprep_base::progress::{ProgressUnit, Reporter};
use serde::Deserialize;

use crate::error::Error;
use crate::karpathy::{Fields, ReadOptions, Split, read_karpathy};
use crate::output::{Outputs, with_suffix};

mod atoms;
mod frequency;
mod pickle;

use atoms::{Atoms, Vocabularies};
use frequency::document_frequency;
use pickle::write_pickle;

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
                    message: strip_position(&error.to_string()),
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
    let words = document_frequency(&dataset, &selected, &atoms.words, reporter, task);
    let idxs = match &atoms.indices {
        // The two references are the same n-grams under another name: count once.
        Vocabularies::Shared(_) => None,
        Vocabularies::Separate(indices) => Some(document_frequency(
            &dataset, &selected, indices, reporter, task,
        )),
    };
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
