//! What can stop a webdata job (as opposed to one URL failing, which is a row's status).

use std::path::PathBuf;

/// A failure that stops the job: unreadable input, unwritable output, bad options.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input file cannot be opened or read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A row of the input is malformed.
    #[error("`{}` line {line}: {message}", path.display())]
    Row {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A column named by `--url-col`/`--caption-col` is not in the input.
    #[error("`{}` has no column `{column}` (columns: {available})", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        column: String,
        /// The columns the file has, comma-separated.
        available: String,
    },
    /// A Parquet file that cannot be read or written.
    #[error("parquet file `{}`", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// An output file that cannot be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file (input annotation, stats, job file) that is not of the expected shape.
    #[error("`{}` is not valid JSON of the expected shape", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// Options that cannot work together.
    #[error("{0}")]
    Options(String),
    /// A `--resolve HOST:PORT:ADDRESS` that does not parse.
    #[error("expected HOST:PORT:ADDRESS (like `images.example:80:127.0.0.2`), got `{0}`")]
    InvalidResolve(String),
}

impl Error {
    pub(crate) fn read(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Read {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn write(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Write {
            path: path.to_owned(),
            source,
        }
    }
}
