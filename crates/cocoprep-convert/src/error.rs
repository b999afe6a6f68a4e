//! The one error type of this crate.

use std::io;
use std::path::PathBuf;

use cocoprep_coco::image_file::ImageFileError;
use cocoprep_coco::{AnnotationId, CategoryId, ImageId, ReadError, WriteError};

/// A conversion could not be done. Every variant names the file and the record (or line)
/// that is wrong and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input annotation file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// An output annotation file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// An image file could not be read (for its size).
    #[error(transparent)]
    Image(#[from] ImageFileError),
    /// A file or folder operation failed.
    #[error("cannot {action} `{}`", path.display())]
    Io {
        /// What was being done (`create`, `read`, `link`, ...).
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// An annotation refers to an image that is not in `images`.
    #[error("{}: annotation {annotation} refers to image {image_id}, which is not in `images`", file.display())]
    DanglingAnnotation {
        /// The annotation file.
        file: PathBuf,
        /// The annotation (`id` or position).
        annotation: AnnotationLabel,
        /// The missing image.
        image_id: ImageId,
    },
    /// An image lacks a member the conversion needs.
    #[error("{}: image {image_id} has no `{member}`", file.display())]
    ImageMember {
        /// The annotation file.
        file: PathBuf,
        /// The image.
        image_id: ImageId,
        /// `width`, `height` or `file_name`.
        member: &'static str,
    },
    /// A `file_name` would place a file outside the output folder.
    #[error("{}: image {image_id} has `file_name` `{file_name}`, which is absolute or climbs out of its folder with `..`", file.display())]
    UnsafeFileName {
        /// The annotation file.
        file: PathBuf,
        /// The image.
        image_id: ImageId,
        /// The offending name.
        file_name: String,
    },
    /// An annotation lacks a member or has one of the wrong shape.
    #[error("{}: annotation {annotation}: {message}", file.display())]
    Annotation {
        /// The annotation file.
        file: PathBuf,
        /// The annotation.
        annotation: AnnotationLabel,
        /// What is wrong.
        message: String,
    },
    /// An annotation's RLE `segmentation` cannot be decoded.
    #[error("{}: annotation {annotation}: `segmentation`", file.display())]
    AnnotationMask {
        /// The annotation file.
        file: PathBuf,
        /// The annotation.
        annotation: AnnotationLabel,
        /// Why it cannot be decoded.
        #[source]
        source: cocoprep_coco::mask::MaskError,
    },
    /// A category id has no class under the chosen mapping.
    #[error("{}: annotation {annotation} has category_id {category_id}, which has no class under the `{mapping}` mapping{hint}", file.display())]
    UnmappableCategory {
        /// The annotation file.
        file: PathBuf,
        /// The annotation.
        annotation: AnnotationLabel,
        /// The category.
        category_id: CategoryId,
        /// The mapping's name.
        mapping: &'static str,
        /// A suggestion (starts with `: ` when present).
        hint: &'static str,
    },
    /// Class names asked for are not in the dataset.
    #[error(
        "unknown class name(s) {}; {}valid names are: {}",
        quoted(unknown),
        suggestions(suggested),
        quoted(valid)
    )]
    UnknownClasses {
        /// The names that were not found.
        unknown: Vec<String>,
        /// Close matches for them, if any.
        suggested: Vec<String>,
        /// Every valid name, in class order.
        valid: Vec<String>,
    },
    /// Two splits disagree on what a class is called, or two inputs make the same split.
    #[error("{message}")]
    Inconsistent {
        /// What disagrees, naming both sides.
        message: String,
    },
    /// A dataset YAML is missing, malformed or lacks a required key.
    #[error(transparent)]
    DatasetYaml(#[from] cocoprep_formats::Error),
    /// A YOLO label file has a malformed row.
    #[error("{}:{line}: {message}", path.display())]
    Label {
        /// The label file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A YOLO label file's row has numbers a COCO file cannot hold.
    #[error("{}:{line}: the numbers cannot be stored in COCO", path.display())]
    LabelNumbers {
        /// The label file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// Why.
        #[source]
        source: cocoprep_coco::PackError,
    },
    /// Options that contradict each other or are out of range.
    #[error("{0}")]
    Options(String),
}

/// Names an annotation in messages: `id 42` or, for a record without `id`, its position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnnotationLabel {
    /// The annotation's `id`.
    Id(AnnotationId),
    /// The annotation's position in `annotations` (0-based).
    Index(usize),
}

impl std::fmt::Display for AnnotationLabel {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnnotationLabel::Id(id) => write!(formatter, "{id}"),
            AnnotationLabel::Index(index) => write!(formatter, "annotations[{index}]"),
        }
    }
}

impl AnnotationLabel {
    /// The label for `annotation` at `index`.
    pub fn of(annotation: &cocoprep_coco::Annotation, index: usize) -> Self {
        annotation
            .id
            .map_or(AnnotationLabel::Index(index), AnnotationLabel::Id)
    }
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn suggestions(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!("did you mean {}? ", quoted(names))
    }
}
