//! Errors of the format readers and writers.

use std::path::PathBuf;

/// A file in one of the supported formats could not be read or written.
///
/// Parsers of in-memory bytes report what was wrong with the bytes; callers that know the
/// file name add it (`Error::in_file`).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are not a `.npy` file this crate understands.
    #[error("not a valid .npy array: {0}")]
    Npy(String),
    /// The bytes are not a `.npz` (zip) archive this crate understands.
    #[error("not a valid .npz archive: {0}")]
    Npz(String),
    /// The bytes are not a pickle this crate understands.
    #[error("not a readable pickle: {0}")]
    Pickle(String),
    /// An LMDB operation failed.
    #[error("LMDB `{}`: {source}", path.display())]
    Lmdb {
        /// The database file.
        path: PathBuf,
        /// What LMDB said.
        #[source]
        source: heed::Error,
    },
    /// An HDF5 operation failed.
    #[error("HDF5 `{}`: {message}", path.display())]
    Hdf5 {
        /// The file.
        path: PathBuf,
        /// What the HDF5 writer said.
        message: String,
    },
    /// A YOLO dataset YAML is not what ultralytics reads.
    #[error("dataset YAML `{}`: {message}", path.display())]
    Yaml {
        /// The YAML file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An error about a specific file.
    #[error("`{}`", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        #[source]
        source: Box<Error>,
    },
    /// Reading or writing a file failed (the message names the file: see `fs_err`).
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl Error {
    /// Attaches the file the error is about.
    pub fn in_file(self, path: impl Into<PathBuf>) -> Self {
        Error::InFile {
            path: path.into(),
            source: Box::new(self),
        }
    }
}
