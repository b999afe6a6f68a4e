//! Errors of the tokenizer and the target-set writers.

use std::io;
use std::path::PathBuf;

/// What went wrong building the tokenizer or writing a target set.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The embedded merges file did not decompress.
    #[error("cannot decompress the embedded CLIP merges (bpe_simple_vocab_16e6.txt.gz)")]
    Merges {
        /// The gzip error.
        #[source]
        source: io::Error,
    },
    /// A merges line is not two symbols separated by a space.
    #[error("CLIP merges line {line:?} is not two symbols separated by a space")]
    MergeLine {
        /// The line.
        line: String,
    },
    /// The merges file is shorter than the tokenizer needs.
    #[error("CLIP merges file has {found} merges, expected {expected}")]
    MergeCount {
        /// Merges found.
        found: usize,
        /// Merges needed.
        expected: usize,
    },
    /// An input file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// An output file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A preset that reads an input file was given none.
    #[error("target set `{preset}` is built from an input file, and none was given")]
    MissingInput {
        /// The preset's name (`imagenet22k`, `vqa`).
        preset: &'static str,
    },
    /// `trainval_label2ans.pkl` is not a pickled list of strings.
    #[error("{path} is not a pickled list of answer strings")]
    Label2Ans {
        /// The file.
        path: PathBuf,
        /// What the pickle reader said.
        #[source]
        source: cocoprep_formats::Error,
    },
    /// The shared tokenizer failed to build earlier.
    #[error("the CLIP tokenizer could not be built: {message}")]
    Tokenizer {
        /// The first failure's message.
        message: String,
    },
}
