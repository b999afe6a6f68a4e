//! The compact records COCOeval compares, made from annotations as they are read: only
//! the members the evaluation reads (no strings, no extras; a segmentation or keypoints
//! only when the IoU type compares them, still packed), so that a train2017-scale
//! evaluation holds neither parse tree. `loadRes`' checks and derived members are
//! computed here, with pycocotools' semantics.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde_json::Value;

use cocoprep_coco::mask::segmentation_to_mask;
use cocoprep_coco::{Annotation, BBoxXywh, CategoryId, ImageId, PackedNumbers, Segmentation};

use super::error::EvalError;
use super::params::{IouType, Params};

/// What the IoU type compares besides boxes: a segmentation, keypoints, or nothing.
pub(crate) enum Shape<'a> {
    None,
    Segmentation(Cow<'a, Segmentation>),
    Keypoints(Cow<'a, PackedNumbers>),
}

impl Shape<'_> {
    pub(crate) fn segmentation(&self) -> Option<&Segmentation> {
        match self {
            Shape::Segmentation(segmentation) => Some(segmentation),
            _ => None,
        }
    }

    pub(crate) fn keypoints(&self) -> Option<&PackedNumbers> {
        match self {
            Shape::Keypoints(keypoints) => Some(keypoints),
            _ => None,
        }
    }
}

/// An evaluated image: its id and size.
#[derive(Clone, Copy)]
pub(crate) struct ImageEntry {
    pub id: ImageId,
    /// `(height, width)`, when the file gives both.
    pub size: Option<(u32, u32)>,
}

/// A ground-truth annotation as COCOeval sees it.
pub(crate) struct GroundTruth<'a> {
    /// `id` (0 when missing: then `defect` says so).
    pub id: u64,
    pub image_id: ImageId,
    pub category_id: CategoryId,
    /// Position of the image in the sorted images, once resolved.
    pub image: u32,
    /// Position of the category in the sorted categories, once resolved.
    pub category: u32,
    /// Position in the file's `annotations`.
    pub index: u32,
    pub area: f64,
    /// `bbox` (zero when the IoU type does not read it).
    pub bbox: BBoxXywh,
    pub crowd: bool,
    /// `iscrowd` (the file's own `ignore` member is overwritten by pycocotools), or for
    /// keypoints also `num_keypoints == 0`.
    pub ignore: bool,
    /// The file's own `ignore` member, read the way Python does (what LVIS uses instead
    /// of `iscrowd`).
    pub ignore_member: bool,
    /// Why this annotation cannot be evaluated; reported only if it is evaluated (an
    /// annotation of an image or category that is not evaluated is never looked at, as in
    /// pycocotools).
    pub defect: Option<Box<Defect>>,
    pub shape: Shape<'a>,
}

/// A detection as COCOeval sees it after `loadRes`.
pub(crate) struct Detection<'a> {
    /// Position of the image in the sorted images.
    pub image: u32,
    /// Position of the category in the sorted categories.
    pub category: u32,
    /// Position in the results list.
    pub index: u32,
    pub score: f64,
    /// `w * h` for box results, the mask area for segmentation results, the keypoints'
    /// extent for keypoint results (decided by the first result, as `loadRes` does).
    pub area: f64,
    pub bbox: BBoxXywh,
    /// LVIS: the detection's category is not exhaustively annotated on its image, so an
    /// unmatched detection is ignored rather than a false positive.
    pub unmatched_ignored: bool,
    pub shape: Shape<'a>,
}

/// What `loadRes` made of the results file, decided by its first record.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ResultKind {
    Bbox,
    Segm,
    Keypoints,
}

impl ResultKind {
    /// The kind a record would give the file if it were first (`None`: none at all).
    pub(crate) fn of(annotation: &Annotation) -> Option<ResultKind> {
        if annotation.bbox.is_some() {
            Some(ResultKind::Bbox)
        } else if annotation.segmentation.is_some() {
            Some(ResultKind::Segm)
        } else if annotation.keypoints.is_some() {
            Some(ResultKind::Keypoints)
        } else {
            None
        }
    }
}

/// The error for a first result of no known kind.
pub(crate) fn unknown_kind(first: &Annotation) -> EvalError {
    EvalError::UnknownResultKind {
        hint: if first.caption.is_some() {
            " (this is a caption results file: use `cocoprep eval captions`)"
        } else {
            ""
        },
    }
}

/// The annotation's segmentation, moved out of an owned annotation or borrowed.
fn take_segmentation<'a>(annotation: &mut Cow<'a, Annotation>) -> Option<Cow<'a, Segmentation>> {
    match annotation {
        Cow::Borrowed(borrowed) => {
            let borrowed: &'a Annotation = borrowed;
            borrowed.segmentation.as_ref().map(Cow::Borrowed)
        }
        Cow::Owned(owned) => owned.segmentation.take().map(Cow::Owned),
    }
}

/// The annotation's keypoints, moved out of an owned annotation or borrowed.
fn take_keypoints<'a>(annotation: &mut Cow<'a, Annotation>) -> Option<Cow<'a, PackedNumbers>> {
    match annotation {
        Cow::Borrowed(borrowed) => {
            let borrowed: &'a Annotation = borrowed;
            borrowed.keypoints.as_ref().map(Cow::Borrowed)
        }
        Cow::Owned(owned) => owned.keypoints.take().map(Cow::Owned),
    }
}

/// Whether an annotation's own `ignore` member is true the way Python reads it (LVIS
/// keeps it; pycocotools overwrites it with `iscrowd`).
fn ignore_member(annotation: &Annotation) -> bool {
    let Some(json) = annotation.extras.as_json() else {
        return false;
    };
    if !json.contains("\"ignore\"") {
        return false;
    }
    match annotation.extras.get("ignore") {
        None | Some(Value::Null | Value::Bool(false)) => false,
        Some(Value::Number(number)) => number.as_f64().is_some_and(|value| value != 0.0),
        Some(Value::String(text)) => !text.is_empty(),
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::Object(members)) => !members.is_empty(),
        Some(Value::Bool(true)) => true,
    }
}

/// The record of ground-truth annotation `index`; `None` for an annotation without a
/// category (never evaluated).
pub(crate) fn ground_truth_record<'a>(
    mut annotation: Cow<'a, Annotation>,
    index: usize,
    params: &Params,
) -> Option<GroundTruth<'a>> {
    let category_id = annotation.category_id?;
    let crowd = annotation.is_crowd();
    let mut record = GroundTruth {
        id: annotation.id.map_or(0, |id| id.0),
        image_id: annotation.image_id,
        category_id,
        image: u32::MAX,
        category: u32::MAX,
        index: index as u32,
        area: annotation.area.unwrap_or(0.0),
        bbox: annotation.bbox.unwrap_or(BBoxXywh::from_array([0.0; 4])),
        crowd,
        ignore: crowd,
        ignore_member: ignore_member(&annotation),
        defect: None,
        shape: Shape::None,
    };
    if annotation.id.is_none() {
        record.defect = Some(Box::new(Defect::MissingId));
        return Some(record);
    }
    let missing = |member, why| Some(Box::new(Defect::Missing { member, why }));
    if annotation.area.is_none() {
        record.defect = missing("area", "COCOeval sorts objects into area ranges by it");
        return Some(record);
    }
    match params.iou_type {
        IouType::Bbox => {
            if annotation.bbox.is_none() {
                record.defect = missing("bbox", "box evaluation compares boxes");
            }
        }
        IouType::Segm => match take_segmentation(&mut annotation) {
            Some(segmentation) => record.shape = Shape::Segmentation(segmentation),
            None => {
                record.defect = missing("segmentation", "segmentation evaluation compares masks");
            }
        },
        IouType::Keypoints => {
            let Some(keypoints) = take_keypoints(&mut annotation) else {
                record.defect = missing("keypoints", "keypoint evaluation compares keypoints");
                return Some(record);
            };
            let found = keypoints.values().len();
            if found != 3 * params.keypoint_sigmas.len() {
                record.defect = Some(Box::new(Defect::KeypointCount { found }));
            } else if annotation.bbox.is_none() {
                record.defect =
                    missing("bbox", "OKS of a person without labelled keypoints uses it");
            } else if let Some(count) = annotation.num_keypoints {
                record.ignore = crowd || count == 0;
            } else {
                record.defect = missing("num_keypoints", "people without keypoints are ignored");
            }
            record.shape = Shape::Keypoints(keypoints);
        }
    }
    Some(record)
}

/// Why a ground-truth annotation cannot be evaluated.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Defect {
    MissingId,
    Missing {
        member: &'static str,
        why: &'static str,
    },
    KeypointCount {
        found: usize,
    },
}

impl GroundTruth<'_> {
    /// The error for this record's defect, if it has one.
    pub(crate) fn defect_error(&self, params: &Params) -> Option<EvalError> {
        let (index, id) = (self.index as usize, self.id);
        Some(match *self.defect.as_deref()? {
            Defect::MissingId => EvalError::MissingGroundTruthId { index },
            Defect::Missing { member, why } => EvalError::MissingGroundTruthMember {
                index,
                id,
                member,
                why,
            },
            Defect::KeypointCount { found } => EvalError::KeypointCount {
                record: format!("annotations[{index}] (id {id})"),
                found,
                expected: 3 * params.keypoint_sigmas.len(),
            },
        })
    }
}

pub(crate) fn check_keypoint_count(
    found: usize,
    params: &Params,
    record: impl FnOnce() -> String,
) -> Result<(), EvalError> {
    let expected = 3 * params.keypoint_sigmas.len();
    if found == expected {
        Ok(())
    } else {
        Err(EvalError::KeypointCount {
            record: record(),
            found,
            expected,
        })
    }
}

/// What a result is checked against: the ground truth's images and categories.
pub(crate) struct Lookup {
    /// Evaluated images, sorted by id (`p.imgIds = np.unique(...)`).
    pub images: Vec<ImageEntry>,
    pub image_index: FxHashMap<ImageId, u32>,
    /// Evaluated categories, sorted by id.
    pub category_ids: Vec<CategoryId>,
    pub category_index: FxHashMap<CategoryId, u32>,
}

/// The record of result `index` in a file of results of `kind`: `loadRes`' checks and
/// derived members.
pub(crate) fn detection_record<'a>(
    mut annotation: Cow<'a, Annotation>,
    index: usize,
    kind: ResultKind,
    params: &Params,
    lookup: &Lookup,
) -> Result<Detection<'a>, EvalError> {
    let missing = |member, why| EvalError::MissingResultMember { index, member, why };
    let image = *lookup
        .image_index
        .get(&annotation.image_id)
        .ok_or(EvalError::UnknownImage {
            index,
            image_id: annotation.image_id.0,
        })?;
    let category_id = annotation
        .category_id
        .ok_or_else(|| missing("category_id", "every detection names its category"))?;
    let category = *lookup
        .category_index
        .get(&category_id)
        .ok_or(EvalError::UnknownCategory {
            index,
            category_id: category_id.0,
        })?;
    let score = annotation
        .score
        .ok_or_else(|| missing("score", "detections are ranked by it"))?;
    if !score.is_finite() {
        return Err(EvalError::BadScore { index, score });
    }
    let mask_error = |source| EvalError::Mask {
        record: format!("results[{index}]"),
        source,
    };
    let why_kind = "the first result decides the kind of results file, as in pycocotools";
    let (area, bbox) = match kind {
        ResultKind::Bbox => {
            let bbox = annotation.bbox.ok_or_else(|| missing("bbox", why_kind))?;
            (bbox.width * bbox.height, bbox)
        }
        ResultKind::Segm => {
            let segmentation = annotation
                .segmentation
                .as_ref()
                .ok_or_else(|| missing("segmentation", why_kind))?;
            let size = lookup.images[image as usize].size;
            let mask = segmentation_to_mask(segmentation, size, annotation.image_id)
                .map_err(mask_error)?;
            (
                mask.area() as f64,
                annotation.bbox.unwrap_or_else(|| mask.bbox()),
            )
        }
        ResultKind::Keypoints => {
            let keypoints = annotation
                .keypoints
                .as_ref()
                .ok_or_else(|| missing("keypoints", why_kind))?
                .values();
            keypoint_extent(&keypoints)
        }
    };
    let shape = match params.iou_type {
        IouType::Bbox => Shape::None,
        IouType::Segm => match take_segmentation(&mut annotation) {
            Some(segmentation) => Shape::Segmentation(segmentation),
            // Box results without a mask are compared as their box (what `loadRes`
            // adds); others cannot be.
            None if kind == ResultKind::Bbox => Shape::None,
            None => {
                return Err(missing(
                    "segmentation",
                    "segmentation evaluation compares masks",
                ));
            }
        },
        IouType::Keypoints => {
            let keypoints = take_keypoints(&mut annotation)
                .ok_or_else(|| missing("keypoints", "keypoint evaluation compares keypoints"))?;
            check_keypoint_count(keypoints.values().len(), params, || {
                format!("results[{index}]")
            })?;
            Shape::Keypoints(keypoints)
        }
    };
    Ok(Detection {
        image,
        category,
        index: index as u32,
        score,
        area,
        bbox,
        unmatched_ignored: false,
        shape,
    })
}

/// `loadRes`' box and area of a keypoint result: the extent of all keypoints, including
/// unlabelled `(0, 0)` placeholders.
fn keypoint_extent(keypoints: &[f64]) -> (f64, BBoxXywh) {
    let xs = keypoints.iter().step_by(3);
    let ys = keypoints.iter().skip(1).step_by(3);
    let (x0, x1) = min_max(xs);
    let (y0, y1) = min_max(ys);
    (
        (x1 - x0) * (y1 - y0),
        BBoxXywh::from_array([x0, y0, x1 - x0, y1 - y0]),
    )
}

fn min_max<'v>(values: impl Iterator<Item = &'v f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), &value| {
        (low.min(value), high.max(value))
    })
}
