//! Building Karpathy dataset files, for users who cannot get `dataset_coco.json`, and for
//! datasets that ship only text (Flickr8k).
//!
//! * [`from_coco`]: COCO caption annotation files plus Karpathy's val and test image lists;
//! * [`from_flickr8k`]: the Flickr8k text release (`Flickr8k.token.txt` and its split
//!   lists).
//!
//! Both tokenize captions as Karpathy did ([`tokenize`](fn@tokenize)) and write the file as
//! `json.dump` would ([`write_karpathy`]).

mod coco;
mod flickr8k;
mod tokenize;
mod write;

pub use coco::{ImageOrder, from_coco, read_image_list};
pub use flickr8k::from_flickr8k;
pub use tokenize::tokenize;
pub use write::{write_karpathy, write_karpathy_file};

use crate::karpathy::Split;

/// An image of a Karpathy dataset being built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewImage {
    /// `filepath` (the COCO image folder); `None` for Flickr.
    pub filepath: Option<String>,
    /// `filename`.
    pub filename: String,
    /// `cocoid`; `None` for Flickr.
    pub cocoid: Option<i64>,
    /// `split`.
    pub split: Split,
    /// The sentences, in annotation order.
    pub sentences: Vec<NewSentence>,
}

/// A sentence of a [`NewImage`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSentence {
    /// `tokens`.
    pub tokens: Vec<String>,
    /// `raw`: the caption as written.
    pub raw: String,
    /// `sentid`: the COCO annotation id, or a running number.
    pub sentid: i64,
}

/// A built dataset and what was left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuiltDataset {
    /// The images, in output order.
    pub images: Vec<NewImage>,
    /// `dataset` (`coco`, `flickr8k`).
    pub name: String,
    /// Captions left out because no word remained after tokenization.
    pub empty_captions: usize,
    /// Images left out because none of their captions remained (or they had none).
    pub images_without_captions: usize,
    /// Images named in a split list but absent from the input.
    pub listed_but_missing: usize,
}

impl BuiltDataset {
    /// How many images are in `split`.
    pub fn count(&self, split: &Split) -> usize {
        self.images
            .iter()
            .filter(|image| image.split == *split)
            .count()
    }

    /// How many sentences there are.
    pub fn sentences(&self) -> usize {
        self.images.iter().map(|image| image.sentences.len()).sum()
    }
}

/// Turns captions into sentences with tokens, dropping those without words.
fn sentences_from(captions: Vec<(i64, String)>, empty: &mut usize) -> Vec<NewSentence> {
    captions
        .into_iter()
        .filter_map(|(sentid, raw)| {
            let tokens = tokenize(&raw);
            if tokens.is_empty() {
                *empty += 1;
                None
            } else {
                Some(NewSentence {
                    tokens,
                    raw,
                    sentid,
                })
            }
        })
        .collect()
}
