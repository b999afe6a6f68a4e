//! From a ground-truth file and a results list to the records COCOeval compares, grouped
//! by category and image: pycocotools' `loadRes` and `_prepare`, with the checks
//! pycocotools leaves to tracebacks done up front.

use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use cocoprep_coco::mask::segmentation_to_mask;
use cocoprep_coco::{Annotation, BBoxXywh, CategoryId, Dataset, Image, ImageId};

use super::error::EvalError;
use super::params::{IouType, Params};

/// A ground-truth annotation as COCOeval sees it.
pub(crate) struct GroundTruth<'a> {
    pub annotation: &'a Annotation,
    /// Position in the file's `annotations`.
    pub index: usize,
    pub id: u64,
    pub area: f64,
    pub crowd: bool,
    /// `iscrowd` (the file's own `ignore` member is overwritten by pycocotools), or for
    /// keypoints also `num_keypoints == 0`.
    pub ignore: bool,
}

/// A detection as COCOeval sees it after `loadRes`.
pub(crate) struct Detection<'a> {
    pub annotation: &'a Annotation,
    /// Position in the results list.
    pub index: usize,
    pub score: f64,
    /// `w * h` for box results, the mask area for segmentation results, the keypoints'
    /// extent for keypoint results (decided by the first result, as `loadRes` does).
    pub area: f64,
    pub bbox: BBoxXywh,
}

/// The records of one image within one group, as ranges of [`Prepared::ground_truth`]
/// and [`Prepared::detections`].
pub(crate) struct ImageRecords {
    pub image: usize,
    pub ground_truth: Range<usize>,
    pub detections: Range<usize>,
}

/// Everything the evaluation reads, indexed.
pub(crate) struct Prepared<'a> {
    /// Evaluated images, sorted by id (`p.imgIds = np.unique(...)`).
    pub images: Vec<&'a Image>,
    /// Evaluated categories, sorted by id.
    pub category_ids: Vec<CategoryId>,
    /// Ground truth ordered by (group, image, category, file order).
    pub ground_truth: Vec<GroundTruth<'a>>,
    /// Detections ordered by (group, image, category, results order).
    pub detections: Vec<Detection<'a>>,
    /// Per group (one per category, or one in all with `use_categories = false`), the
    /// images that have ground truth or detections, in image order.
    pub groups: Vec<Vec<ImageRecords>>,
    /// Ground-truth annotations with id 0 (pycocotools cannot tell their matches from
    /// "unmatched", and neither can a faithful port).
    pub ground_truth_id_zero: usize,
}

/// What `loadRes` made of the results file, decided by its first record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ResultKind {
    Bbox,
    Segm,
    Keypoints,
}

pub(crate) fn prepare<'a>(
    ground_truth: &'a Dataset,
    results: &'a [Annotation],
    params: &Params,
    image_filter: Option<&[ImageId]>,
) -> Result<Prepared<'a>, EvalError> {
    check_params(params)?;
    let mut images: Vec<&Image> = ground_truth.images.iter().collect();
    images.sort_by_key(|image| image.id);
    images.dedup_by_key(|image| image.id);
    let known_images: FxHashMap<ImageId, usize> = images
        .iter()
        .enumerate()
        .map(|(index, image)| (image.id, index))
        .collect();
    let mut category_ids: Vec<CategoryId> = ground_truth
        .categories
        .iter()
        .map(|category| category.id)
        .collect();
    category_ids.sort_unstable();
    category_ids.dedup();
    let category_index: FxHashMap<CategoryId, usize> = category_ids
        .iter()
        .enumerate()
        .map(|(index, id)| (*id, index))
        .collect();

    let detections = prepare_detections(results, params, &known_images, &category_index, &images)?;

    // `params.imgIds` restricts what is evaluated (the results must still be on GT images).
    let evaluated: Option<rustc_hash::FxHashSet<ImageId>> =
        image_filter.map(|ids| ids.iter().copied().collect());
    let evaluated_image = |image_id: ImageId| -> Option<usize> {
        let index = *known_images.get(&image_id)?;
        match &evaluated {
            Some(set) if !set.contains(&image_id) => None,
            _ => Some(index),
        }
    };

    let mut ground_truth_id_zero = 0;
    let mut gt_keys = Vec::new();
    let mut gt_records = Vec::new();
    for (index, annotation) in ground_truth.annotations.iter().enumerate() {
        let Some(image) = evaluated_image(annotation.image_id) else {
            continue;
        };
        let Some(category) = annotation
            .category_id
            .and_then(|id| category_index.get(&id).copied())
        else {
            continue;
        };
        let record = ground_truth_record(annotation, index, params)?;
        if record.id == 0 {
            ground_truth_id_zero += 1;
        }
        gt_keys.push(group_key(params, category, image));
        gt_records.push(record);
    }
    let mut dt_keys = Vec::new();
    let mut dt_records = Vec::new();
    for detection in detections {
        let Some(image) = evaluated_image(detection.annotation.image_id) else {
            continue;
        };
        let category = category_index[&detection
            .annotation
            .category_id
            .expect("checked in prepare_detections")];
        dt_keys.push(group_key(params, category, image));
        dt_records.push(detection);
    }
    let ground_truth = order_by(gt_records, &gt_keys);
    let detections = order_by(dt_records, &dt_keys);
    gt_keys.sort_unstable();
    dt_keys.sort_unstable();
    let group_count = if params.use_categories {
        category_ids.len()
    } else {
        1
    };
    let groups = group_images(group_count, &gt_keys, &dt_keys);
    Ok(Prepared {
        images,
        category_ids,
        ground_truth,
        detections,
        groups,
        ground_truth_id_zero,
    })
}

fn check_params(params: &Params) -> Result<(), EvalError> {
    if params.max_detections.is_empty() {
        return Err(EvalError::Params("no max detections given".to_owned()));
    }
    if params
        .max_detections
        .windows(2)
        .any(|pair| pair[0] > pair[1])
    {
        return Err(EvalError::Params(
            "max detections must be in ascending order".to_owned(),
        ));
    }
    if params.area_ranges.is_empty() {
        return Err(EvalError::Params("no area range given".to_owned()));
    }
    if let Some(range) = params
        .area_ranges
        .iter()
        .find(|r| r.min.is_nan() || r.max.is_nan() || r.min > r.max)
    {
        return Err(EvalError::Params(format!(
            "area range `{}` has minimum {} above maximum {}",
            range.label, range.min, range.max
        )));
    }
    if params.iou_type == IouType::Keypoints && params.keypoint_sigmas.is_empty() {
        return Err(EvalError::Params("no keypoint sigmas".to_owned()));
    }
    Ok(())
}

/// The sort key that puts records in the order COCOeval walks them: by group, by image,
/// then (for pooled categories) by category in id order, then by position in the file.
fn group_key(params: &Params, category: usize, image: usize) -> (u32, u32, u32) {
    if params.use_categories {
        (category as u32, image as u32, 0)
    } else {
        (0, image as u32, category as u32)
    }
}

/// `records` ordered by `keys`, stably (file order within equal keys).
fn order_by<T>(records: Vec<T>, keys: &[(u32, u32, u32)]) -> Vec<T> {
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by_key(|&index| keys[index]);
    let mut slots: Vec<Option<T>> = records.into_iter().map(Some).collect();
    order
        .into_iter()
        .map(|index| slots[index].take().expect("each index once"))
        .collect()
}

/// For each group, the images with records, merging the sorted ground-truth and
/// detection keys.
fn group_images(
    group_count: usize,
    gt_keys: &[(u32, u32, u32)],
    dt_keys: &[(u32, u32, u32)],
) -> Vec<Vec<ImageRecords>> {
    let mut groups: Vec<Vec<ImageRecords>> = (0..group_count).map(|_| Vec::new()).collect();
    let (mut g, mut d) = (0, 0);
    while g < gt_keys.len() || d < dt_keys.len() {
        let next_gt = gt_keys.get(g).map(|key| (key.0, key.1));
        let next_dt = dt_keys.get(d).map(|key| (key.0, key.1));
        let (group, image) = match (next_gt, next_dt) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => unreachable!("loop condition"),
        };
        let gt_start = g;
        while gt_keys
            .get(g)
            .is_some_and(|key| (key.0, key.1) == (group, image))
        {
            g += 1;
        }
        let dt_start = d;
        while dt_keys
            .get(d)
            .is_some_and(|key| (key.0, key.1) == (group, image))
        {
            d += 1;
        }
        groups[group as usize].push(ImageRecords {
            image: image as usize,
            ground_truth: gt_start..g,
            detections: dt_start..d,
        });
    }
    groups
}

fn ground_truth_record<'a>(
    annotation: &'a Annotation,
    index: usize,
    params: &Params,
) -> Result<GroundTruth<'a>, EvalError> {
    let id = annotation
        .id
        .ok_or(EvalError::MissingGroundTruthId { index })?
        .0;
    let missing = |member, why| EvalError::MissingGroundTruthMember {
        index,
        id,
        member,
        why,
    };
    let area = annotation
        .area
        .ok_or_else(|| missing("area", "COCOeval sorts objects into area ranges by it"))?;
    let crowd = annotation.is_crowd();
    let mut ignore = crowd;
    match params.iou_type {
        IouType::Bbox => {
            annotation
                .bbox
                .ok_or_else(|| missing("bbox", "box evaluation compares boxes"))?;
        }
        IouType::Segm => {
            if annotation.segmentation.is_none() {
                return Err(missing(
                    "segmentation",
                    "segmentation evaluation compares masks",
                ));
            }
        }
        IouType::Keypoints => {
            let keypoints = annotation
                .keypoints
                .as_ref()
                .ok_or_else(|| missing("keypoints", "keypoint evaluation compares keypoints"))?;
            check_keypoint_count(keypoints.values().len(), params, || {
                format!("annotations[{index}] (id {id})")
            })?;
            annotation.bbox.ok_or_else(|| {
                missing("bbox", "OKS of a person without labelled keypoints uses it")
            })?;
            let count = annotation
                .num_keypoints
                .ok_or_else(|| missing("num_keypoints", "people without keypoints are ignored"))?;
            ignore = ignore || count == 0;
        }
    }
    Ok(GroundTruth {
        annotation,
        index,
        id,
        area,
        crowd,
        ignore,
    })
}

fn check_keypoint_count(
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

fn result_kind(results: &[Annotation]) -> Result<Option<ResultKind>, EvalError> {
    let Some(first) = results.first() else {
        return Ok(None);
    };
    if first.bbox.is_some() {
        Ok(Some(ResultKind::Bbox))
    } else if first.segmentation.is_some() {
        Ok(Some(ResultKind::Segm))
    } else if first.keypoints.is_some() {
        Ok(Some(ResultKind::Keypoints))
    } else {
        Err(EvalError::UnknownResultKind {
            hint: if first.caption.is_some() {
                " (this is a caption results file: use `cocoprep eval captions`)"
            } else {
                ""
            },
        })
    }
}

fn prepare_detections<'a>(
    results: &'a [Annotation],
    params: &Params,
    known_images: &FxHashMap<ImageId, usize>,
    category_index: &FxHashMap<CategoryId, usize>,
    images: &[&Image],
) -> Result<Vec<Detection<'a>>, EvalError> {
    let Some(kind) = result_kind(results)? else {
        return Ok(Vec::new());
    };
    let checked: Vec<Result<Detection<'a>, EvalError>> = results
        .par_iter()
        .enumerate()
        .map(|(index, annotation)| {
            detection_record(
                annotation,
                index,
                kind,
                params,
                known_images,
                category_index,
                images,
            )
        })
        .collect();
    // The first bad record in file order, whatever thread found it.
    checked.into_iter().collect()
}

fn detection_record<'a>(
    annotation: &'a Annotation,
    index: usize,
    kind: ResultKind,
    params: &Params,
    known_images: &FxHashMap<ImageId, usize>,
    category_index: &FxHashMap<CategoryId, usize>,
    images: &[&Image],
) -> Result<Detection<'a>, EvalError> {
    let missing = |member, why| EvalError::MissingResultMember { index, member, why };
    let image = *known_images
        .get(&annotation.image_id)
        .ok_or(EvalError::UnknownImage {
            index,
            image_id: annotation.image_id.0,
        })?;
    let category_id = annotation
        .category_id
        .ok_or_else(|| missing("category_id", "every detection names its category"))?;
    if !category_index.contains_key(&category_id) {
        return Err(EvalError::UnknownCategory {
            index,
            category_id: category_id.0,
        });
    }
    let score = annotation
        .score
        .ok_or_else(|| missing("score", "detections are ranked by it"))?;
    if !score.is_finite() {
        return Err(EvalError::BadScore { index, score });
    }
    let image = images[image];
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
            let size = image.height.zip(image.width);
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
    match params.iou_type {
        IouType::Bbox => {}
        IouType::Segm => {
            if annotation.segmentation.is_none() && kind != ResultKind::Bbox {
                return Err(missing(
                    "segmentation",
                    "segmentation evaluation compares masks",
                ));
            }
        }
        IouType::Keypoints => {
            let keypoints = annotation
                .keypoints
                .as_ref()
                .ok_or_else(|| missing("keypoints", "keypoint evaluation compares keypoints"))?;
            check_keypoint_count(keypoints.values().len(), params, || {
                format!("results[{index}]")
            })?;
        }
    }
    Ok(Detection {
        annotation,
        index,
        score,
        area,
        bbox,
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
