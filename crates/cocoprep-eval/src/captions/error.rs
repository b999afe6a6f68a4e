//! Errors of caption evaluation.

use std::path::PathBuf;

/// Caption evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file does not have the expected shape.
    #[error("`{}` is not a {expected}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// What it should be.
        expected: &'static str,
        /// What serde_json said (with the line and column).
        #[source]
        source: serde_json::Error,
    },
    /// A result names an image the reference file does not have.
    #[error("`{}`: result {index} is for image {image_id}, which is not in the reference file (pycocotools: \"Results do not correspond to current coco set\")", path.display())]
    UnknownImage {
        /// The results file.
        path: PathBuf,
        /// The position of the result in the file.
        index: usize,
        /// Its image id.
        image_id: String,
    },
    /// An image has more than one result caption (coco-caption scores exactly one).
    #[error("`{}`: image {image_id} has more than one caption (results {first} and {second}); coco-caption scores exactly one per image", path.display())]
    DuplicateResult {
        /// The results file.
        path: PathBuf,
        /// The image.
        image_id: String,
        /// The positions of the first two results for it.
        first: usize,
        /// See `first`.
        second: usize,
    },
    /// There is nothing to evaluate.
    #[error("`{}` has no results for any image of the reference file", path.display())]
    NoResults {
        /// The results file.
        path: PathBuf,
    },
    /// A results image has no reference captions.
    #[error("image {image_id} has a result but no reference caption")]
    NoReferences {
        /// The image.
        image_id: String,
    },
    /// The document-frequency pickle could not be read.
    #[error("`{}` is not a CIDEr-D document-frequency pickle (`captions ngrams` / prepro_ngrams.py output)", path.display())]
    DocumentFrequency {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        #[source]
        source: cocoprep_formats::Error,
    },
    /// The document-frequency pickle holds vocabulary indices, not words.
    #[error("`{}` holds n-grams of vocabulary indices (a `-idxs.p` file); pass the `-words.p` file written next to it", path.display())]
    IndexDocumentFrequency {
        /// The file.
        path: PathBuf,
    },
    /// METEOR or SPICE was asked for but cannot run.
    #[error("{metric} needs Java and its jar: {reason}")]
    JavaMetric {
        /// `METEOR` or `SPICE`.
        metric: &'static str,
        /// What is missing.
        reason: String,
    },
    /// The METEOR or SPICE jar failed.
    #[error("{metric} (`{}`) failed: {message}", jar.display())]
    JavaMetricFailed {
        /// `METEOR` or `SPICE`.
        metric: &'static str,
        /// The jar.
        jar: PathBuf,
        /// What went wrong.
        message: String,
    },
}
