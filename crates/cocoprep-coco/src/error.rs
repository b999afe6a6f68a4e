//! Errors of the reader and writer.

use std::io;
use std::path::PathBuf;

/// A COCO file could not be read. Every variant names the file; positions are 1-based
/// line and column (in bytes) so editors can jump to them.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("failed to read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The file is not well-formed JSON, or not a JSON object/list at the top.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// 1-based column (bytes).
        column: u64,
        /// What was wrong.
        message: String,
    },
    /// A record is well-formed JSON but does not have the shape COCO requires.
    #[error("{}:{line}:{column}: {record}: {message}", path.display())]
    Record {
        /// The file.
        path: PathBuf,
        /// 1-based line of the record (or of the offending value, when known).
        line: u64,
        /// 1-based column.
        column: u64,
        /// The record's JSON path and id: `annotations[12] (id 4071)`.
        record: String,
        /// What was wrong, naming the member: "`bbox`: expected 4 numbers, found 3".
        message: String,
    },
}

/// A COCO file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Creating, writing or renaming the output failed.
    #[error("failed to write `{}`", path.display())]
    Io {
        /// The output file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}
