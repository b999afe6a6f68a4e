//! The one error type of the dataset preparers and the tree check.

use std::path::PathBuf;

/// Why a preparer (or the tree check) could not run.
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
        /// What it is (`CC3M URL list`, `MSVD clip-name mapping`, `GLUE split file`).
        what: &'static str,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// One line of a line-based input (TSV, CSV, jsonlines, txt labels) is not what the format
    /// says.
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
        /// What it should be (`Visual Genome region_descriptions.json`, `MSR-VTT video info JSON`).
        what: &'static str,
        /// Where serde_json stopped and why.
        #[source]
        source: serde_json::Error,
    },
    /// An input is readable but not what it should be (a folder layout, a value, two line files
    /// of different lengths).
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
    /// A folder could not be renamed into the tree.
    #[error("cannot rename `{}` to `{}`", from.display(), to.display())]
    Rename {
        /// The old name.
        from: PathBuf,
        /// The new name.
        to: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
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

    /// An [`Error::MalformedLine`].
    pub(crate) fn at_line(path: &std::path::Path, line: usize, message: impl Into<String>) -> Self {
        Self::MalformedLine {
            path: path.to_path_buf(),
            line: line as u64,
            message: message.into(),
        }
    }

    /// An [`Error::Invalid`].
    pub(crate) fn invalid(path: &std::path::Path, message: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// How many missing files an error or summary names.
pub(crate) const MISSING_SHOWN: usize = 5;
