//! The one error type of the dataset preparers.

use std::path::PathBuf;

/// Why a preparer could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("cannot {action} `{}`", path.display())]
    Io {
        /// What was being done (`read`, `write`, `create`).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An input the preparer needs is not there.
    #[error("missing {what}: `{}`", path.display())]
    MissingInput {
        /// What it is (`CC3M URL list`, `Flickr30k jsonlines`).
        what: &'static str,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// One line of a line-based input (TSV, jsonlines) is not what the format says.
    #[error("`{}` line {line}: {message}", path.display())]
    MalformedLine {
        /// The input file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What was expected and what was found.
        message: String,
    },
    /// A JSON input does not have the expected shape.
    #[error("`{}` is not a valid {what}", path.display())]
    Json {
        /// The input file.
        path: PathBuf,
        /// What it should be (`Visual Genome region_descriptions.json`).
        what: &'static str,
        /// Where serde_json stopped and why.
        #[source]
        source: serde_json::Error,
    },
    /// An input is readable but inconsistent (e.g. two line files of different lengths).
    #[error("`{}`: {message}", path.display())]
    Invalid {
        /// The input file or folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Images that the annotations reference are not on disk.
    #[error(
        "{count} image(s) referenced by the annotations are missing under `{}`, e.g. {}",
        folder.display(),
        first.join(", ")
    )]
    MissingImages {
        /// The image folder searched.
        folder: PathBuf,
        /// How many are missing.
        count: usize,
        /// The first few missing relative paths.
        first: Vec<String>,
    },
    /// An image could not be linked or copied into the tree.
    #[error(transparent)]
    Place(#[from] cocoprep_convert::Error),
    /// The COCO split files could not be written.
    #[error(transparent)]
    Captions(#[from] cocoprep_captions::Error),
}

impl Error {
    /// `map_err` helper for I/O on `path`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}

/// How many missing files an error or summary names.
pub(crate) const MISSING_SHOWN: usize = 5;
