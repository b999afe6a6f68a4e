//! Karpathy's caption dataset files (`dataset_coco.json`, `dataset_flickr8k.json`, ...).
//!
//! ```text
//! {"images": [{"filepath": "val2014", "filename": "COCO_val2014_000000391895.jpg",
//!              "imgid": 0, "split": "test", "cocoid": 391895, "sentids": [770337, ...],
//!              "sentences": [{"tokens": ["a", "man", ...], "raw": "A man ...", "imgid": 0,
//!                             "sentid": 770337}, ...]}, ...],
//!  "dataset": "coco"}
//! ```
//!
//! [`read_karpathy`] streams a file through a parallel parser into a compact
//! [`KarpathyDataset`]: tokens are interned into one [`Words`] table (in first-occurrence
//! order) and stored as ids, so the 616,767 captions of `dataset_coco.json` take tens of
//! megabytes instead of gigabytes.

mod interner;
mod pipeline;
mod read;
mod record;
pub(crate) mod split_records;

use std::ops::Range;
use std::path::{Path, PathBuf};

use cocoprep_base::position::{Locator, SourcePosition};

pub use read::{ReadOptions, read_karpathy};
pub use record::Fields;

use crate::error::{Error, ImageRef};
use crate::words::{WordId, Words};

/// The split an image belongs to (`split` in the file).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    /// `train`.
    Train,
    /// `val`.
    Val,
    /// `test`.
    Test,
    /// `restval`: COCO val2014 images outside Karpathy's val and test, trained on.
    Restval,
    /// Any other value, kept verbatim.
    Other(Box<str>),
}

impl Split {
    /// The name as written in the file.
    pub fn as_str(&self) -> &str {
        match self {
            Split::Train => "train",
            Split::Val => "val",
            Split::Test => "test",
            Split::Restval => "restval",
            Split::Other(name) => name,
        }
    }

    /// The split called `name`.
    pub fn from_name(name: &str) -> Self {
        match name {
            "train" => Split::Train,
            "val" => Split::Val,
            "test" => Split::Test,
            "restval" => Split::Restval,
            other => Split::Other(other.into()),
        }
    }
}

/// One image record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KarpathyImage {
    /// `split`.
    pub split: Split,
    /// `filepath`: the image folder (`val2014`); absent in the Flickr files.
    pub filepath: Option<String>,
    /// `filename`.
    pub filename: Option<String>,
    /// `cocoid`: the COCO image id; absent in the Flickr files.
    pub cocoid: Option<i64>,
    /// `imgid`: the position in the original file.
    pub imgid: Option<i64>,
    pub(crate) sentences: Range<u32>,
    /// The document offset of the record, to point at it in messages.
    pub(crate) offset: u64,
}

/// A sentence (caption) of a [`KarpathyDataset`].
#[derive(Clone, Copy, Debug)]
pub struct Sentence<'d> {
    dataset: &'d KarpathyDataset,
    index: usize,
}

impl<'d> Sentence<'d> {
    /// Its position among all the dataset's sentences.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Its tokens (empty unless [`Fields::tokens`] was read).
    pub fn tokens(&self) -> &'d [WordId] {
        let starts = &self.dataset.sentence_starts;
        &self.dataset.tokens[starts[self.index] as usize..starts[self.index + 1] as usize]
    }

    /// `raw`, when [`Fields::raw`] was read.
    pub fn raw(&self) -> Option<&'d str> {
        self.dataset.raws.get(self.index).map(String::as_str)
    }

    /// `sentid`, when [`Fields::sentids`] was read.
    pub fn sentid(&self) -> Option<i64> {
        self.dataset.sentids.get(self.index).copied()
    }
}

/// A Karpathy dataset file, read.
///
/// Sentences are stored column-wise (token offsets, and `raw` / `sentid` only when read),
/// so a caption costs 4 bytes plus its tokens.
#[derive(Debug)]
pub struct KarpathyDataset {
    pub(crate) path: PathBuf,
    pub(crate) images: Vec<KarpathyImage>,
    /// Where each sentence's tokens start in `tokens`, and where the last one ends.
    pub(crate) sentence_starts: Vec<u32>,
    pub(crate) raws: Vec<String>,
    pub(crate) sentids: Vec<i64>,
    pub(crate) tokens: Vec<WordId>,
    pub(crate) words: Words,
    pub(crate) members: pipeline::Members,
}

impl KarpathyDataset {
    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The images, in file order.
    pub fn images(&self) -> &[KarpathyImage] {
        &self.images
    }

    /// The sentences of `image`, in file order.
    pub fn sentences(&self, image: &KarpathyImage) -> impl ExactSizeIterator<Item = Sentence<'_>> {
        (image.sentences.start as usize..image.sentences.end as usize)
            .map(|index| self.sentence(index))
    }

    /// The number of sentences of all images.
    pub fn sentence_count(&self) -> usize {
        self.sentence_starts.len() - 1
    }

    /// Sentence `index` (0-based, image after image).
    pub fn sentence(&self, index: usize) -> Sentence<'_> {
        assert!(
            index < self.sentence_count(),
            "sentence {index} out of range"
        );
        Sentence {
            dataset: self,
            index,
        }
    }

    /// Every distinct token with its count over all images (all splits).
    pub fn words(&self) -> &Words {
        &self.words
    }

    /// A top-level member other than `images` (`dataset`), as JSON text.
    pub fn member(&self, key: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, json)| json.as_str())
    }

    /// An error about image `index`, pointing at its record in the file.
    pub fn image_error(&self, index: usize, message: impl Into<String>) -> Error {
        let image = &self.images[index];
        let SourcePosition { line, column } = Locator::File(&self.path).position(image.offset);
        Error::Image {
            path: self.path.clone(),
            line,
            column,
            image: ImageRef {
                index,
                cocoid: image.cocoid,
                filename: image.filename.clone(),
            },
            message: message.into(),
        }
    }

    /// An [`Error::ImageSize`] for the image at `index`.
    pub fn image_size_error(
        &self,
        index: usize,
        source: cocoprep_coco::image_file::ImageFileError,
    ) -> Error {
        let image = &self.images[index];
        let SourcePosition { line, column } = Locator::File(&self.path).position(image.offset);
        Error::ImageSize {
            path: self.path.clone(),
            line,
            column,
            image: ImageRef {
                index,
                cocoid: image.cocoid,
                filename: image.filename.clone(),
            },
            source: Box::new(source),
        }
    }
}
