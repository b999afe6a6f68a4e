//! Errors of the captioning jobs.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// An image record, named the way a user finds it in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// Its index in `images`.
    pub index: usize,
    /// `cocoid`, when known.
    pub cocoid: Option<i64>,
    /// `filename`, when known.
    pub filename: Option<String>,
}

impl fmt::Display for ImageRef {
    fn fmt(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        write!(formatter, "images[{}]", self.index)?;
        match (&self.cocoid, &self.filename) {
            (Some(cocoid), Some(filename)) => write!(formatter, " (cocoid {cocoid}, `{filename}`)"),
            (Some(cocoid), None) => write!(formatter, " (cocoid {cocoid})"),
            (None, Some(filename)) => write!(formatter, " (`{filename}`)"),
            (None, None) => Ok(()),
        }
    }
}

/// Why a captioning job failed. Every variant names the file, and the image or line when
/// the problem is in one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened or read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// An output could not be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The output.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// An HDF5 output could not be written.
    #[error("cannot write `{}`", path.display())]
    Hdf5 {
        /// The output.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: cocoprep_formats::hdf5::Hdf5Error,
    },
    /// The file is not well-formed JSON, or not shaped as expected outside the records.
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
    /// An image record cannot be used.
    #[error("{}:{line}:{column}: {image}: {message}", path.display())]
    Image {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem (or of the record).
        line: u64,
        /// 1-based column.
        column: u64,
        /// The record.
        image: ImageRef,
        /// What was wrong, naming the member: "`sentences[2]: tokens is empty`".
        message: String,
    },
    /// The image file of a record could not be read for its size.
    #[error("{}:{line}:{column}: {image}: cannot read the image size", path.display())]
    ImageSize {
        /// The Karpathy file.
        path: PathBuf,
        /// 1-based line of the record.
        line: u64,
        /// 1-based column.
        column: u64,
        /// The record.
        image: ImageRef,
        /// Why the image could not be read.
        #[source]
        source: Box<cocoprep_coco::image_file::ImageFileError>,
    },
    /// The JSON has no `images` list.
    #[error("`{}` has no `images` list: is it a Karpathy `dataset_*.json`?", path.display())]
    NoImages {
        /// The file.
        path: PathBuf,
    },
    /// A line of a text input (split list, Flickr8k captions) cannot be used.
    #[error("{}:{line}: {message}", path.display())]
    Line {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What was wrong.
        message: String,
    },
    /// Something else in an input file is wrong.
    #[error("`{}`: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// An option has a value the job cannot use.
    #[error("{message}")]
    InvalidOption {
        /// What was wrong.
        message: String,
    },
    /// A COCO caption file could not be read.
    #[error(transparent)]
    Coco(#[from] cocoprep_coco::ReadError),
}
