//! Errors that stop a features job. Problems with single rows or images do not stop a
//! job: they are collected in its report (see [`crate::butd::RowFailure`]).

use std::io;
use std::path::PathBuf;

/// A features job could not run or could not finish.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input path names nothing usable.
    #[error("no bottom-up TSV files found in `{}` (expected `*.tsv`, `*.tsv.N`, a folder of them, or a zip holding them)", path.display())]
    NoInput {
        /// The path given.
        path: PathBuf,
    },
    /// An input file could not be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A zip archive could not be read.
    #[error("cannot read zip archive `{}`", path.display())]
    Zip {
        /// The archive.
        path: PathBuf,
        /// What the zip reader said.
        #[source]
        source: zip::result::ZipError,
    },
    /// An output could not be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A file in one of the Python formats is malformed or could not be written.
    #[error(transparent)]
    Format(#[from] cocoprep_formats::Error),
    /// The worker threads could not be started.
    #[error("cannot start worker threads")]
    ThreadPool(#[source] rayon::ThreadPoolBuildError),
    /// A weights file is not a usable PyTorch state dict.
    #[error("weights `{}`: {message}", path.display())]
    Weights {
        /// The `.pth` file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A state dict does not describe a bottleneck ResNet.
    #[error("{0}")]
    InvalidWeights(String),
    /// A Karpathy dataset JSON could not be parsed.
    #[error("`{}` is not a Karpathy dataset JSON (expected {{\"images\": [{{\"filepath\", \"filename\", \"cocoid\"}}]}})", path.display())]
    Dataset {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        #[source]
        source: serde_json::Error,
    },
    /// An option has a value the job cannot use.
    #[error("{0}")]
    InvalidOption(String),
    /// The box-info (or geometry) pickle does not have the shape VSUA's scripts expect.
    #[error("`{}`", path.display())]
    BoxInfo {
        /// The pickle.
        path: PathBuf,
        /// What was wrong.
        #[source]
        source: Box<crate::vsua::BoxInfoError>,
    },
}
