//! A cross-category confusion matrix with hotcoco 1.3's definition
//! (`COCOeval.confusion_matrix(iou_thr, max_det, min_score)`).
//!
//! Per image, the detections of every category (those scoring below `min_score` dropped,
//! the rest ordered by category, then by score, highest first, stably, and cut to
//! `max_detections`) are matched greedily to the non-crowd ground truth of every category
//! (category order, file order within): each detection takes the free object with the
//! highest IoU at or above the threshold, a later object winning a tie. Rows are the
//! ground truth's categories (sorted by id) plus background, columns the predicted ones
//! plus background: a matched pair counts in `[object category][detection category]`, an
//! unmatched detection in `[background][its category]`, an unmatched object in
//! `[its category][background]`.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use cocoprep_coco::mask::{RunLengthMask, bbox_iou, iou, segmentation_to_mask};
use cocoprep_coco::{Annotation, CategoryId, Dataset, Image, ImageId};

use crate::detection::error::EvalError;
use crate::detection::params::IouType;

/// What the matrix counts.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfusionOptions {
    /// Boxes or masks (keypoint runs compare boxes, as hotcoco does).
    pub iou_type: IouType,
    /// IoU a detection needs to be paired with an object (0.5).
    pub iou_threshold: f64,
    /// Detections kept per image, all categories together (hotcoco: the last max dets).
    pub max_detections: usize,
    /// Detections scoring below this are left out.
    pub min_score: Option<f64>,
}

impl ConfusionOptions {
    /// hotcoco's defaults: IoU 0.5, 100 detections per image, every score.
    pub fn new(iou_type: IouType) -> Self {
        Self {
            iou_type,
            iou_threshold: 0.5,
            max_detections: 100,
            min_score: None,
        }
    }
}

/// Counts, `(K + 1) × (K + 1)`, row-major; index `K` is background.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfusionMatrix {
    /// The categories of rows and columns `0..K`, sorted by id.
    pub category_ids: Vec<CategoryId>,
    /// `counts[row * (K + 1) + column]`, rows ground truth, columns predictions.
    pub counts: Vec<u64>,
}

impl ConfusionMatrix {
    /// `K + 1`.
    pub fn side(&self) -> usize {
        self.category_ids.len() + 1
    }

    /// The count at `[row][column]`.
    pub fn get(&self, row: usize, column: usize) -> u64 {
        self.counts[row * self.side() + column]
    }
}

/// Computes the matrix of `results` against `ground_truth`.
pub fn confusion_matrix(
    ground_truth: &Dataset,
    results: &[Annotation],
    options: &ConfusionOptions,
) -> Result<ConfusionMatrix, EvalError> {
    let mut category_ids: Vec<CategoryId> = ground_truth
        .categories
        .iter()
        .map(|category| category.id)
        .collect();
    category_ids.sort_unstable();
    category_ids.dedup();
    let slot: FxHashMap<CategoryId, usize> = category_ids
        .iter()
        .enumerate()
        .map(|(index, id)| (*id, index))
        .collect();
    let mut images: FxHashMap<ImageId, (&Image, Vec<Record<'_>>, Vec<Record<'_>>)> =
        FxHashMap::default();
    for image in &ground_truth.images {
        images
            .entry(image.id)
            .or_insert_with(|| (image, Vec::new(), Vec::new()));
    }
    for (index, annotation) in ground_truth.annotations.iter().enumerate() {
        if annotation.is_crowd() {
            continue;
        }
        let Some(&category) = annotation.category_id.and_then(|id| slot.get(&id)) else {
            continue;
        };
        let Some(entry) = images.get_mut(&annotation.image_id) else {
            continue;
        };
        entry.1.push(Record {
            annotation,
            record: Location::GroundTruth(index),
            category,
            score: 0.0,
        });
    }
    for (index, annotation) in results.iter().enumerate() {
        let entry = images
            .get_mut(&annotation.image_id)
            .ok_or(EvalError::UnknownImage {
                index,
                image_id: annotation.image_id.0,
            })?;
        let category_id = annotation
            .category_id
            .ok_or(EvalError::MissingResultMember {
                index,
                member: "category_id",
                why: "every detection names its category",
            })?;
        let &category = slot.get(&category_id).ok_or(EvalError::UnknownCategory {
            index,
            category_id: category_id.0,
        })?;
        let score = annotation.score.ok_or(EvalError::MissingResultMember {
            index,
            member: "score",
            why: "detections are ranked by it",
        })?;
        if options.min_score.is_some_and(|minimum| score < minimum) {
            continue;
        }
        entry.2.push(Record {
            annotation,
            record: Location::Result(index),
            category,
            score,
        });
    }
    let side = category_ids.len() + 1;
    let background = category_ids.len();
    let cells = images
        .into_par_iter()
        .map(|(_, (image, mut truths, mut detections))| {
            truths.sort_by_key(|record| record.category);
            detections.sort_by_key(|record| record.category);
            detections.sort_by(|a, b| {
                b.score
                    .partial_cmp(&a.score)
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            detections.truncate(options.max_detections);
            let overlaps = overlaps(options.iou_type, image, &detections, &truths)?;
            let g_count = truths.len();
            let mut taken = vec![false; g_count];
            let mut cells = Vec::with_capacity(detections.len() + g_count);
            for (d, detection) in detections.iter().enumerate() {
                let mut best = options.iou_threshold;
                let mut best_g = None;
                for g in 0..g_count {
                    if taken[g] {
                        continue;
                    }
                    let value = overlaps[d * g_count + g];
                    if value >= best {
                        best = value;
                        best_g = Some(g);
                    }
                }
                let row = match best_g {
                    Some(g) => {
                        taken[g] = true;
                        truths[g].category
                    }
                    None => background,
                };
                cells.push(row * side + detection.category);
            }
            for (g, truth) in truths.iter().enumerate() {
                if !taken[g] {
                    cells.push(truth.category * side + background);
                }
            }
            Ok(cells)
        })
        .collect::<Result<Vec<Vec<usize>>, EvalError>>()?;
    let mut counts = vec![0u64; side * side];
    for cell in cells.into_iter().flatten() {
        counts[cell] += 1;
    }
    Ok(ConfusionMatrix {
        category_ids,
        counts,
    })
}

enum Location {
    GroundTruth(usize),
    Result(usize),
}

struct Record<'a> {
    annotation: &'a Annotation,
    record: Location,
    category: usize,
    score: f64,
}

fn overlaps(
    iou_type: IouType,
    image: &Image,
    detections: &[Record<'_>],
    truths: &[Record<'_>],
) -> Result<Vec<f64>, EvalError> {
    if detections.is_empty() || truths.is_empty() {
        return Ok(Vec::new());
    }
    let flags = vec![false; truths.len()];
    if iou_type == IouType::Segm {
        let masks = |records: &[Record<'_>]| {
            records
                .iter()
                .map(|record| record_mask(record, image))
                .collect::<Result<Vec<RunLengthMask>, EvalError>>()
        };
        return Ok(iou(&masks(detections)?, &masks(truths)?, &flags));
    }
    let boxes = |records: &[Record<'_>]| {
        records
            .iter()
            .map(|record| {
                record
                    .annotation
                    .bbox
                    .ok_or_else(|| missing(record, "bbox"))
            })
            .collect::<Result<Vec<_>, EvalError>>()
    };
    Ok(bbox_iou(&boxes(detections)?, &boxes(truths)?, &flags))
}

fn record_mask(record: &Record<'_>, image: &Image) -> Result<RunLengthMask, EvalError> {
    let segmentation = record
        .annotation
        .segmentation
        .as_ref()
        .ok_or_else(|| missing(record, "segmentation"))?;
    segmentation_to_mask(
        segmentation,
        image.height.zip(image.width),
        record.annotation.image_id,
    )
    .map_err(|source| EvalError::Mask {
        record: match record.record {
            Location::GroundTruth(index) => format!("annotations[{index}]"),
            Location::Result(index) => format!("results[{index}]"),
        },
        source,
    })
}

fn missing(record: &Record<'_>, member: &'static str) -> EvalError {
    let why = "the confusion matrix compares them";
    match record.record {
        Location::GroundTruth(index) => EvalError::MissingGroundTruthMember {
            index,
            id: record.annotation.id.map_or(0, |id| id.0),
            member,
            why,
        },
        Location::Result(index) => EvalError::MissingResultMember { index, member, why },
    }
}
