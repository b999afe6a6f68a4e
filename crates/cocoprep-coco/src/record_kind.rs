//! The kinds of record a COCO document holds, shared by the reader and the validator.

/// Which kind of record (or part of the document) something is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum RecordKind {
    Image,
    Annotation,
    /// An element of a results list (detections or captions).
    Result,
    Category,
    License,
    Info,
    /// A top-level key or an unknown top-level member.
    TopLevel,
}

impl RecordKind {
    /// The top-level key holding records of this kind.
    pub(crate) fn key(self) -> &'static str {
        match self {
            RecordKind::Image => "images",
            RecordKind::Annotation => "annotations",
            RecordKind::Result => "results",
            RecordKind::Category => "categories",
            RecordKind::License => "licenses",
            RecordKind::Info => "info",
            RecordKind::TopLevel => "top level",
        }
    }
}
