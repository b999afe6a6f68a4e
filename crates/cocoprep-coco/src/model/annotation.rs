//! Entries of `annotations`.

use super::{Extras, PanopticAnnotation};
use crate::bbox::BBoxXywh;
use crate::ids::{AnnotationId, CategoryId, ImageId};
use crate::packed::PackedNumbers;
use crate::segmentation::Segmentation;

/// One entry of `annotations`: an object instance, a person with keypoints, a caption, a
/// stuff region, a panoptic image record or a detection result. Which fields are present
/// depends on the kind of file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Annotation {
    /// `id`. Absent only in panoptic files, whose annotations are per image.
    pub id: Option<AnnotationId>,
    /// `image_id`: the image this annotation belongs to.
    pub image_id: ImageId,
    /// `category_id`. Absent in caption files.
    pub category_id: Option<CategoryId>,
    /// `bbox` (`[x, y, width, height]`).
    pub bbox: Option<BBoxXywh>,
    /// `area`: for ground truth, the pixel area of the segmentation (not of the box).
    pub area: Option<f64>,
    /// `iscrowd` (0 or 1 in the file).
    pub iscrowd: Option<bool>,
    /// `segmentation`.
    pub segmentation: Option<Segmentation>,
    /// `keypoints`: `[x1, y1, v1, x2, y2, v2, ...]`, `v` 0 = not labelled, 1 = labelled but
    /// not visible, 2 = visible.
    pub keypoints: Option<PackedNumbers>,
    /// `num_keypoints`: how many keypoints have `v > 0`.
    pub num_keypoints: Option<u32>,
    /// `caption` (caption files).
    pub caption: Option<String>,
    /// `score` (detection results).
    pub score: Option<f64>,
    /// `file_name` and `segments_info` (panoptic files), boxed: rare, and instance files
    /// hold a million annotations.
    pub panoptic: Option<Box<PanopticAnnotation>>,
    /// Any other members, kept verbatim.
    pub extras: Extras,
    /// Which numbers the file wrote as integers, so that they are written back as integers.
    pub(crate) integer_numbers: IntegerNumbers,
}

/// Remembers which float-typed fields were written as JSON integers (`"area": 5` rather than
/// `"area": 5.0`). Python reads the two as `int` and `float`, so a lossless round trip must
/// keep the distinction. One bit per number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct IntegerNumbers(u8);

impl IntegerNumbers {
    pub(crate) const BBOX_X: u8 = 1 << 0;
    pub(crate) const AREA: u8 = 1 << 4;
    pub(crate) const SCORE: u8 = 1 << 5;

    pub(crate) fn set(&mut self, bit: u8, is_integer: bool) {
        if is_integer {
            self.0 |= bit;
        } else {
            self.0 &= !bit;
        }
    }

    pub(crate) fn get(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    /// Every number an integer.
    pub(crate) fn all() -> Self {
        Self(u8::MAX)
    }
}

impl Annotation {
    /// An annotation on `image_id` with every other field absent.
    pub fn new(image_id: ImageId) -> Self {
        Self {
            image_id,
            ..Self::default()
        }
    }

    /// Whether `iscrowd` is 1.
    pub fn is_crowd(&self) -> bool {
        self.iscrowd == Some(true)
    }
}
