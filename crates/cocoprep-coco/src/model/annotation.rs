//! Entries of `annotations`.

use super::{Extras, IntegerNumbers, PanopticAnnotation};
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
