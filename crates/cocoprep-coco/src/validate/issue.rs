//! What `validate` reports: findings, their codes, and the tools each one breaks.

use std::fmt;

use serde::{Serialize, Serializer};

use super::dialect::Dialect;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Tolerated by the file's usual consumers, but likely a mistake or a trap for some
    /// other consumer.
    Warning,
    /// The file is wrong: a consumer will crash, reject it or compute wrong results.
    Error,
}

/// Declares [`IssueCode`] from one table: variant, stable string, default consumers and
/// description. The strings are what `--json` prints and scripts match on: never change one.
macro_rules! issue_codes {
    ($($variant:ident = $text:literal, [$($consumer:ident),*], $description:literal;)*) => {
        /// The kind of a finding. Its string form ([`IssueCode::as_str`]) is stable: scripts
        /// reading `validate --json` match on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum IssueCode {
            $(#[doc = $description] $variant,)*
        }

        impl IssueCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [IssueCode] = &[$(IssueCode::$variant,)*];

            /// The stable kebab-case name (`bbox-outside-image`).
            pub fn as_str(self) -> &'static str {
                match self { $(IssueCode::$variant => $text,)* }
            }

            /// One line saying what the finding means.
            pub fn description(self) -> &'static str {
                match self { $(IssueCode::$variant => $description,)* }
            }

            /// The tools a finding of this kind breaks, unless the finding names its own.
            pub fn consumers(self) -> &'static [Consumer] {
                match self { $(IssueCode::$variant => &[$(Consumer::$consumer),*],)* }
            }
        }
    };
}

issue_codes! {
    Syntax = "syntax", [AnyReader],
        "the file (or one record) is not valid JSON";
    Type = "type", [AnyReader],
        "a member has the wrong JSON type or an out-of-range value";
    MissingKey = "missing-key", [AnyReader],
        "a member that a consumer of this dialect reads is missing";
    MissingSection = "missing-section", [Pycocotools],
        "a top-level list (`images`, `annotations`, `categories`) is missing";
    DuplicateId = "duplicate-id", [Pycocotools, CocoevalBbox, CocoevalSegm, CocoevalKeypoints],
        "two records of one list share an `id`";
    DuplicateCategoryName = "duplicate-category-name", [Detectron2, Mmdet],
        "two categories share a `name`";
    UnknownImage = "unknown-image", [Pycocotools, CocoevalBbox, CocoevalSegm, CocoevalKeypoints, Ultralytics, Detectron2, Mmdet],
        "an annotation's `image_id` is not in `images`";
    UnknownCategory = "unknown-category", [CocoevalBbox, CocoevalSegm, CocoevalKeypoints, Ultralytics, Detectron2, Mmdet],
        "a category id is not in `categories`";
    KeypointsLength = "keypoints-length", [CocoevalKeypoints, Ultralytics],
        "`keypoints` is not x, y, v triplets, one per keypoint of its category";
    BboxOutsideImage = "bbox-outside-image", [Ultralytics, Mmdet],
        "a box extends outside its image";
    PolygonOutsideImage = "polygon-outside-image", [CocoevalSegm],
        "a polygon extends outside its image (its mask is clipped)";
    RleSizeMismatch = "rle-size-mismatch", [Pycocotools, CocoevalSegm],
        "an RLE's `size` is not its image's height and width";
    ImageSize = "image-size", [Pycocotools, Ultralytics],
        "an image's `width` or `height` is 0";
    ImageMissing = "image-missing", [Ultralytics, Detectron2, Mmdet],
        "the image file named by `file_name` does not exist";
    ImageSizeMismatch = "image-size-mismatch", [Ultralytics, Detectron2, Mmdet],
        "the image file's size differs from `width` and `height`";
    ImageDecode = "image-decode", [Ultralytics, Detectron2, Mmdet],
        "the image file does not decode";
    ImageUnreadable = "image-unreadable", [Ultralytics, Detectron2, Mmdet],
        "the image file cannot be read or is not a JPEG or PNG";
    CaptionEmpty = "caption-empty", [CaptionEval],
        "a caption is empty";
    BboxLength = "bbox-length", [CocoevalBbox, Ultralytics, Detectron2, Mmdet],
        "`bbox` does not have 4 numbers";
    BboxSize = "bbox-size", [CocoevalBbox, Ultralytics, Detectron2, Mmdet],
        "a box has zero or negative width or height";
    AreaNegative = "area-negative", [CocoevalBbox, CocoevalSegm, CocoevalKeypoints, Mmdet],
        "`area` is negative";
    AreaZero = "area-zero", [CocoevalBbox, CocoevalSegm, CocoevalKeypoints, Mmdet],
        "`area` is 0";
    IscrowdValue = "iscrowd-value", [CocoevalBbox, CocoevalSegm, CocoevalKeypoints],
        "`iscrowd` is not 0 or 1";
    SegmentationEmpty = "segmentation-empty", [Pycocotools, CocoevalSegm],
        "`segmentation` is an empty polygon list";
    CrowdPolygons = "crowd-polygons", [CocoevalSegm],
        "a crowd annotation has polygons instead of RLE";
    PolygonOdd = "polygon-odd", [Pycocotools, CocoevalSegm, Ultralytics],
        "a polygon has an odd number of coordinates";
    PolygonShort = "polygon-short", [Pycocotools, CocoevalSegm, Ultralytics],
        "a polygon has fewer than 3 points";
    RleInvalid = "rle-invalid", [Pycocotools, CocoevalSegm],
        "an RLE segmentation is malformed";
    RleSum = "rle-sum", [Pycocotools, CocoevalSegm],
        "an RLE's run lengths do not add up to height x width";
    KeypointVisibility = "keypoint-visibility", [CocoevalKeypoints],
        "a keypoint visibility is not 0, 1 or 2";
    NumKeypointsMismatch = "num-keypoints-mismatch", [CocoevalKeypoints],
        "`num_keypoints` differs from the number of labelled keypoints";
    SkeletonIndex = "skeleton-index", [Pycocotools],
        "a `skeleton` pair is not a 1-based index into the category's `keypoints`";
    FrequencyValue = "frequency-value", [LvisEval],
        "an LVIS category's `frequency` is not `r`, `c` or `f`";
    DialectMismatch = "dialect-mismatch", [],
        "the file was checked as one dialect (`--dialect`) but looks like another";
}

impl fmt::Display for IssueCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl Serialize for IssueCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for IssueCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A tool that reads COCO-style files, named in findings so that a user can tell whether a
/// finding matters for what they do with the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Consumer {
    /// Any JSON reader: the file or record cannot be read at all.
    AnyReader,
    /// pycocotools `COCO()`: loading, indexing, `annToMask`, `getCatIds`, `showAnns`.
    Pycocotools,
    /// pycocotools `COCOeval` with `iouType="bbox"`.
    CocoevalBbox,
    /// pycocotools `COCOeval` with `iouType="segm"`.
    CocoevalSegm,
    /// pycocotools `COCOeval` with `iouType="keypoints"`.
    CocoevalKeypoints,
    /// The LVIS API's `LVISEval` (lvis-dataset/lvis-api).
    LvisEval,
    /// CrowdPose's evaluation: crowdposetools, or xtcocotools with `use_area=False`.
    CrowdposeEval,
    /// Ultralytics `convert_coco` and YOLO training.
    Ultralytics,
    /// detectron2 `load_coco_json` / `load_lvis_json`.
    Detectron2,
    /// MMDetection `CocoDataset` (and its LVIS / Objects365 subclasses).
    Mmdet,
    /// pycocoevalcap caption metrics.
    #[serde(rename = "pycocoevalcap")]
    CaptionEval,
}

impl Consumer {
    /// The kebab-case name, as in `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Consumer::AnyReader => "any-reader",
            Consumer::Pycocotools => "pycocotools",
            Consumer::CocoevalBbox => "cocoeval-bbox",
            Consumer::CocoevalSegm => "cocoeval-segm",
            Consumer::CocoevalKeypoints => "cocoeval-keypoints",
            Consumer::LvisEval => "lvis-eval",
            Consumer::CrowdposeEval => "crowdpose-eval",
            Consumer::Ultralytics => "ultralytics",
            Consumer::Detectron2 => "detectron2",
            Consumer::Mmdet => "mmdet",
            Consumer::CaptionEval => "pycocoevalcap",
        }
    }
}

/// How a finding changes with the dialect the file turns out to be. Record checks run
/// before the dialect is known (it can depend on records later in the file), so a finding
/// that one dialect makes normal carries its rule and is settled at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DialectRule {
    /// Not a finding in this dialect.
    DropIn(Dialect),
    /// Only a warning in this dialect.
    WarnIn(Dialect),
}

/// One finding, located as precisely as possible.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Issue {
    /// Error or warning.
    pub severity: Severity,
    /// The kind of finding; `--json` writes its stable string (`bbox-outside-image`).
    pub code: IssueCode,
    /// JSON path of the record: `annotations[12]`, `images[3]`, or `` for the document.
    pub path: String,
    /// The member within the record, if the finding is about one: `bbox`, `segmentation[1]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// The record's `id`, when it has a readable one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
    /// The tools this finding breaks.
    pub consumers: &'static [Consumer],
    /// 1-based line of the record in the file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column of the record in the file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    #[serde(skip)]
    pub(crate) dialect_rule: Option<DialectRule>,
}

impl Issue {
    pub(crate) fn new(
        severity: Severity,
        code: IssueCode,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            code,
            path: path.into(),
            member: None,
            id: None,
            message: message.into(),
            consumers: code.consumers(),
            line: None,
            column: None,
            dialect_rule: None,
        }
    }

    pub(crate) fn member(mut self, member: impl Into<String>) -> Self {
        self.member = Some(member.into());
        self
    }

    pub(crate) fn id(mut self, id: Option<String>) -> Self {
        self.id = id;
        self
    }

    /// Names the tools this finding breaks, instead of its code's default ones.
    pub(crate) fn consumers(mut self, consumers: &'static [Consumer]) -> Self {
        self.consumers = consumers;
        self
    }

    pub(crate) fn dialect_rule(mut self, rule: DialectRule) -> Self {
        self.dialect_rule = Some(rule);
        self
    }

    /// Applies the finding's dialect rule; `None` when the dialect makes it no finding.
    pub(crate) fn settle(mut self, dialect: Dialect) -> Option<Self> {
        match self.dialect_rule.take() {
            Some(DialectRule::DropIn(normal)) if normal == dialect => None,
            Some(DialectRule::WarnIn(normal)) if normal == dialect => {
                self.severity = Severity::Warning;
                Some(self)
            }
            _ => Some(self),
        }
    }

    /// `annotations[12].bbox`: the record path joined with the member.
    pub fn location(&self) -> String {
        match (&self.member, self.path.is_empty()) {
            (Some(member), false) => format!("{}.{member}", self.path),
            (Some(member), true) => member.clone(),
            (None, false) => self.path.clone(),
            (None, true) => "document".to_owned(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(formatter, "{severity}[{}]: {}", self.code, self.location())?;
        if let Some(id) = &self.id {
            write!(formatter, " (id {id})")?;
        }
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(formatter, " at {line}:{column}")?;
        }
        write!(formatter, ": {}", self.message)?;
        if let Some((first, rest)) = self.consumers.split_first() {
            write!(formatter, " [breaks: {}", first.as_str())?;
            for consumer in rest {
                write!(formatter, ", {}", consumer.as_str())?;
            }
            write!(formatter, "]")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_strings_are_unique_kebab_case_and_described() {
        let mut seen = std::collections::HashSet::new();
        for code in IssueCode::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(
                text.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{text}"
            );
            assert!(!code.description().is_empty());
            assert_eq!(serde_json::to_value(code).unwrap(), text);
        }
    }

    #[test]
    fn consumer_names_serialize_as_printed() {
        for consumer in [
            Consumer::AnyReader,
            Consumer::CocoevalBbox,
            Consumer::LvisEval,
            Consumer::CaptionEval,
        ] {
            assert_eq!(serde_json::to_value(consumer).unwrap(), consumer.as_str());
        }
    }
}
