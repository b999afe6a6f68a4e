//! Errors of the dataset preparers and of the tree check.

use std::io;
use std::path::PathBuf;

/// What went wrong preparing a dataset or checking the tree.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file or folder could not be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// An output file or folder could not be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A folder could not be renamed.
    #[error("cannot rename `{}` to `{}`", from.display(), to.display())]
    Rename {
        /// The old name.
        from: PathBuf,
        /// The new name.
        to: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// An input is not what the reference script reads.
    #[error("`{}`{}: {message}", path.display(), line.map(|line| format!(" line {line}")).unwrap_or_default())]
    Malformed {
        /// The input file.
        path: PathBuf,
        /// The 1-based line, where the problem is on one line.
        line: Option<usize>,
        /// What was expected and what was found.
        message: String,
    },
    /// A JSON input did not parse into the expected shape.
    #[error("`{}` is not the expected JSON", path.display())]
    Json {
        /// The input file.
        path: PathBuf,
        /// The parser's error (with line and column).
        #[source]
        source: serde_json::Error,
    },
    /// A required input is absent.
    #[error("`{}` not found: {what}", path.display())]
    Missing {
        /// Where it was looked for.
        path: PathBuf,
        /// What it is and where it comes from.
        what: String,
    },
}

impl Error {
    /// A [`Error::Malformed`] on one line.
    pub(crate) fn at_line(path: &std::path::Path, line: usize, message: impl Into<String>) -> Self {
        Self::Malformed {
            path: path.to_path_buf(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// A [`Error::Malformed`] about the whole file.
    pub(crate) fn malformed(path: &std::path::Path, message: impl Into<String>) -> Self {
        Self::Malformed {
            path: path.to_path_buf(),
            line: None,
            message: message.into(),
        }
    }
}

/// Reads a whole file, naming it in the error.
pub(crate) fn read(path: &std::path::Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a whole UTF-8 file, naming it in the error.
pub(crate) fn read_text(path: &std::path::Path) -> Result<String, Error> {
    let bytes = read(path)?;
    String::from_utf8(bytes).map_err(|error| {
        Error::malformed(
            path,
            format!("not UTF-8 text (byte {})", error.utf8_error().valid_up_to()),
        )
    })
}

/// Writes a whole file atomically (temporary name, fsync, rename), creating its folder.
pub(crate) fn write(path: &std::path::Path, bytes: &[u8]) -> Result<(), Error> {
    let wrap = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(wrap)?;
    }
    cocoprep_base::write_atomic(path, bytes).map_err(wrap)
}
