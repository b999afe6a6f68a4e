//! The COCO data model: one type per kind of record.

mod annotation;
mod category;
mod extras;
mod image;
mod info;
mod integer_numbers;
mod panoptic;

pub use annotation::Annotation;
pub use category::Category;
pub use extras::Extras;
pub(crate) use extras::ExtrasBuilder;
pub use image::Image;
pub use info::{Info, License};
pub(crate) use integer_numbers::IntegerNumbers;
pub use panoptic::{PanopticAnnotation, PanopticSegment, SegmentId};

/// A whole COCO annotation file.
///
/// The lists are plain vectors in file order. [`Sections`] records which top-level keys the
/// file had, because pycocotools behaves differently when a key is absent than when it is
/// an empty list (it builds `catToImgs` only if both `annotations` and `categories` exist),
/// and so that writing the file back gives the same keys.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Dataset {
    /// `info`, if present.
    pub info: Option<Info>,
    /// `licenses`.
    pub licenses: Vec<License>,
    /// `images`.
    pub images: Vec<Image>,
    /// `annotations`.
    pub annotations: Vec<Annotation>,
    /// `categories`.
    pub categories: Vec<Category>,
    /// Other top-level keys (`type` in the 2014 caption files), kept verbatim.
    pub extras: Extras,
    /// Which of the list keys were present.
    pub sections: Sections,
    /// Whether the document is an object or a bare list (a results file).
    pub layout: Layout,
}

/// Which top-level list keys a file had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sections {
    /// `licenses` was present.
    pub licenses: bool,
    /// `images` was present.
    pub images: bool,
    /// `annotations` was present.
    pub annotations: bool,
    /// `categories` was present.
    pub categories: bool,
}

impl Default for Sections {
    /// A new dataset has all four lists.
    fn default() -> Self {
        Self {
            licenses: true,
            images: true,
            annotations: true,
            categories: true,
        }
    }
}

impl Sections {
    /// No list keys (the state while reading, before any key has been seen).
    pub const NONE: Self = Self {
        licenses: false,
        images: false,
        annotations: false,
        categories: false,
    };
}

/// The shape of the JSON document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Layout {
    /// `{"images": [...], "annotations": [...], ...}`: a ground-truth file.
    #[default]
    Object,
    /// `[{...}, {...}]`: a results file (detections or captions), read into `annotations`.
    ResultsList,
}
