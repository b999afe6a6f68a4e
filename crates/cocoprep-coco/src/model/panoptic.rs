//! The per-image records of panoptic files (`panoptic_train2017.json`).

use super::{Extras, IntegerNumbers};
use crate::bbox::BBoxXywh;
use crate::ids::CategoryId;

/// The id of a panoptic segment: its colour in the PNG, `R + 256·G + 256²·B`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct SegmentId(pub u64);

impl SegmentId {
    /// The segment id of a PNG pixel.
    pub fn from_rgb([red, green, blue]: [u8; 3]) -> Self {
        Self(red as u64 + 256 * green as u64 + 256 * 256 * blue as u64)
    }

    /// The PNG colour of this segment id.
    pub fn to_rgb(self) -> [u8; 3] {
        [
            (self.0 % 256) as u8,
            (self.0 / 256 % 256) as u8,
            (self.0 / 65536 % 256) as u8,
        ]
    }
}

/// The panoptic part of an annotation: one per image, naming the PNG that holds the
/// segment ids and describing each segment.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PanopticAnnotation {
    /// `file_name`: the segment-id PNG, relative to the panoptic PNG folder.
    pub file_name: String,
    /// `segments_info`.
    pub segments_info: Vec<PanopticSegment>,
}

/// One entry of `segments_info`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PanopticSegment {
    /// `id`: the segment's colour in the PNG.
    pub id: SegmentId,
    /// `category_id`.
    pub category_id: CategoryId,
    /// `area` in pixels.
    pub area: Option<f64>,
    /// `bbox` (`[x, y, width, height]`).
    pub bbox: Option<BBoxXywh>,
    /// `iscrowd`.
    pub iscrowd: Option<bool>,
    /// Other members, kept verbatim.
    pub extras: Extras,
    /// Which numbers were integers in the file (panopticapi writes integer areas and boxes).
    pub(crate) integer_numbers: IntegerNumbers,
}

impl PanopticSegment {
    /// Marks `area` and every `bbox` number as integers (how panopticapi writes them), so
    /// a segment built in code is written like panopticapi's.
    pub fn with_integer_numbers(mut self) -> Self {
        self.integer_numbers = IntegerNumbers::all();
        self
    }
}
