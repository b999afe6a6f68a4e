//! CIDEr-D document frequencies from a `prepro_ngrams.py` / `cocoprep captions ngrams`
//! pickle: `{'document_frequency': {('a', 'dog'): 12.0, ...}, 'ref_len': images}`.

use std::path::Path;

use rustc_hash::FxHashMap;

use super::Error;
use super::cider::DocumentFrequency;
use super::ngrams::{MAX_ORDER, NGram, Vocabulary, WordId};

/// Reads the pickle and keeps the n-grams whose words all occur in `vocabulary` (others
/// can match no evaluated n-gram). As self-critical's CIDEr-D does, the number of
/// documents is the pickle's `ref_len`.
pub(crate) fn read(path: &Path, vocabulary: &Vocabulary) -> Result<DocumentFrequency, Error> {
    let bytes = fs_err::read(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let wrap = |source: cocoprep_formats::Error| Error::DocumentFrequency {
        path: path.to_owned(),
        source,
    };
    let pickle = cocoprep_formats::pickle::Pickle::parse(&bytes).map_err(wrap)?;
    let root = pickle.root();
    let missing = |key: &str| {
        wrap(cocoprep_formats::Error::Pickle(format!(
            "the top-level dict has no `{key}`"
        )))
    };
    let documents = root
        .dict_get("ref_len")
        .map_err(wrap)?
        .ok_or_else(|| missing("ref_len"))?
        .as_float()
        .map_err(wrap)?;
    let items = root
        .dict_get("document_frequency")
        .map_err(wrap)?
        .ok_or_else(|| missing("document_frequency"))?
        .as_dict()
        .map_err(wrap)?;
    let mut frequencies: FxHashMap<NGram, f64> = FxHashMap::default();
    let mut all_numeric = true;
    let mut any_word = false;
    'items: for (key, value) in items {
        let words = key.as_sequence().map_err(wrap)?;
        if words.is_empty() || words.len() > MAX_ORDER {
            continue;
        }
        let mut ids: [WordId; MAX_ORDER] = [0; MAX_ORDER];
        let mut known = true;
        for (slot, word) in ids.iter_mut().zip(&words) {
            let word = word.as_str().map_err(wrap)?;
            any_word = true;
            all_numeric &= !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit());
            match vocabulary.get(&word) {
                Some(id) => *slot = id,
                None => known = false,
            }
        }
        if !known {
            continue 'items;
        }
        frequencies.insert(
            NGram::new(&ids[..words.len()]),
            value.as_float().map_err(wrap)?,
        );
    }
    if any_word && all_numeric {
        return Err(Error::IndexDocumentFrequency {
            path: path.to_owned(),
        });
    }
    Ok(DocumentFrequency {
        frequencies,
        documents,
    })
}
