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
    /// A member of a `.npz` archive could not be compressed.
    #[error("cannot compress `.npz` member `{member}`")]
    NpzCompress {
        /// The member's name.
        member: String,
        /// What libdeflate said.
        #[source]
        source: libdeflater::CompressionError,
    },
    /// A member of a `.npz` archive does not decompress.
    #[error("not a valid .npz archive: member `{member}` does not decompress")]
    NpzDecompress {
        /// The member's name.
        member: String,
        /// What libdeflate said.
        #[source]
        source: libdeflater::DecompressionError,
    },
    /// A value cannot be pickled the way numpy would (the message names the value).
    #[error("not a readable pickle: {0}")]
    Pickle(String),
    /// The pickle stream is malformed at a byte offset.
    #[error("not a readable pickle: at byte {offset}: {message}")]
    PickleSyntax {
        /// Offset of the opcode in the stream.
        offset: usize,
        /// What is wrong there (built from the opcode and the stack: no underlying error).
        message: String,
    },
    /// A pickled value is not of the type asked for.
    #[error("not a readable pickle: expected {expected}, found {found}")]
    PickleType {
        /// The type asked for: `an int`, `a dict`, ...
        expected: &'static str,
        /// A description of the value found: `str 'abc'`, `dict of 3 items`, ...
        found: String,
    },
    /// A pickled value is not the NumPy array or dtype asked for.
    #[error("not a readable pickle: not a NumPy {kind}: {message}")]
    NotNumpy {
        /// `array`, `object array` or `dtype`.
        kind: &'static str,
        /// What is wrong with it.
        message: String,
    },
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
    #[error("HDF5 `{}`", path.display())]
    Hdf5 {
        /// The file.
        path: PathBuf,
        /// What the HDF5 library said.
        #[source]
        source: hdf5_pure::Error,
    },
    /// A YOLO dataset YAML is not valid YAML.
    #[error("dataset YAML `{}` is not valid YAML", path.display())]
    YamlSyntax {
        /// The YAML file.
        path: PathBuf,
        /// What the YAML scanner said (with the line and column).
        #[source]
        source: yaml_rust2::ScanError,
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
