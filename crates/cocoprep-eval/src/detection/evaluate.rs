//! The whole evaluation: prepare, match every image of every group in parallel,
//! accumulate each group's curves, and gather them into COCOeval's arrays.

use rayon::prelude::*;

use cocoprep_coco::{Annotation, CategoryId, Dataset, ImageId};

use super::accumulate::{GroupCurves, accumulate_group};
use super::error::EvalError;
use super::matching::{ImageMatches, match_image};
use super::params::{Params, iou_thresholds, recall_thresholds};
use super::prepare::{Detection, GroundTruth, Prepared, prepare};
use super::similarity::similarity;

/// The result of an evaluation: COCOeval's `eval` arrays after `accumulate`, in C order.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The parameters it was run with.
    pub params: Params,
    /// The IoU thresholds (`T` of them).
    pub iou_thresholds: Vec<f64>,
    /// The recall thresholds (`R` of them).
    pub recall_thresholds: Vec<f64>,
    /// The categories, sorted by id (`K` of them); with `use_categories = false` the
    /// arrays have one category slot and this still lists the pooled categories.
    pub category_ids: Vec<CategoryId>,
    /// The evaluated images, sorted by id.
    pub image_ids: Vec<ImageId>,
    /// `precision[T][R][K][A][M]`: interpolated precision at each recall threshold; -1
    /// where a category has no counted ground truth.
    pub precision: Vec<f64>,
    /// `recall[T][K][A][M]`: the recall reached with all detections.
    pub recall: Vec<f64>,
    /// `scores[T][R][K][A][M]`: the detection score at which each recall is reached.
    pub scores: Vec<f64>,
    /// Ground-truth annotations with id 0: pycocotools' "unmatched" sentinel, so their
    /// matches count as false positives (as they do in pycocotools).
    pub ground_truth_id_zero: usize,
}

impl Evaluation {
    /// The shape of [`Evaluation::precision`] and [`Evaluation::scores`]: `[T, R, K, A, M]`.
    pub fn precision_shape(&self) -> [usize; 5] {
        [
            self.iou_thresholds.len(),
            self.recall_thresholds.len(),
            self.category_slots(),
            self.params.area_ranges.len(),
            self.params.max_detections.len(),
        ]
    }

    /// The shape of [`Evaluation::recall`]: `[T, K, A, M]`.
    pub fn recall_shape(&self) -> [usize; 4] {
        let [t, _, k, a, m] = self.precision_shape();
        [t, k, a, m]
    }

    /// `K`: one per category, or 1 with `use_categories = false`.
    pub fn category_slots(&self) -> usize {
        if self.params.use_categories {
            self.category_ids.len()
        } else {
            1
        }
    }
}

/// Evaluates `results` (a results list: boxes, segmentations or keypoints) against
/// `ground_truth` as pycocotools' `COCOeval(gt, gt.loadRes(results), iou_type)` followed
/// by `evaluate()` and `accumulate()`, on every image of the ground truth (or only
/// `image_ids`).
pub fn evaluate(
    ground_truth: &Dataset,
    results: &[Annotation],
    params: &Params,
    image_ids: Option<&[ImageId]>,
) -> Result<Evaluation, EvalError> {
    let prepared = prepare(ground_truth, results, params, image_ids)?;
    let thresholds = iou_thresholds();
    let recall_thresholds = recall_thresholds();
    let group_curves: Vec<GroupCurves> = prepared
        .groups
        .par_iter()
        .map(|group| {
            let matches = group
                .par_iter()
                .map(|records| {
                    let gts: Vec<&GroundTruth<'_>> = prepared.ground_truth
                        [records.ground_truth.clone()]
                    .iter()
                    .collect();
                    let dts = ranked_detections(
                        &prepared.detections[records.detections.clone()],
                        params.max_detections_last(),
                    );
                    let image = prepared.images[records.image];
                    let ious = similarity(params, image, &dts, &gts)?;
                    Ok(match_image(params, &thresholds, &dts, &gts, &ious))
                })
                .collect::<Vec<Result<ImageMatches, EvalError>>>()
                .into_iter()
                .collect::<Result<Vec<_>, _>>()?;
            Ok(accumulate_group(
                params,
                thresholds.len(),
                &recall_thresholds,
                &matches,
            ))
        })
        .collect::<Vec<Result<GroupCurves, EvalError>>>()
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let mut evaluation = gather(
        params,
        &prepared,
        group_curves,
        &thresholds,
        &recall_thresholds,
    );
    if let Some(ids) = image_ids {
        evaluation.image_ids.retain(|id| ids.contains(id));
    }
    Ok(evaluation)
}

/// The detections of one image and group sorted by score, stably, and truncated to
/// `maxDets[-1]` (`argsort(-score, kind='mergesort')[:maxDet]`).
fn ranked_detections<'p, 'a>(
    detections: &'p [Detection<'a>],
    max_detections: usize,
) -> Vec<&'p Detection<'a>> {
    let mut ranked: Vec<&Detection<'a>> = detections.iter().collect();
    ranked.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    ranked.truncate(max_detections);
    ranked
}

/// Puts each group's slices into the `[T][R][K][A][M]` and `[T][K][A][M]` arrays.
fn gather(
    params: &Params,
    prepared: &Prepared<'_>,
    group_curves: Vec<GroupCurves>,
    thresholds: &[f64],
    recall_thresholds: &[f64],
) -> Evaluation {
    let (t_count, r_count) = (thresholds.len(), recall_thresholds.len());
    let k_count = group_curves.len();
    let a_m = params.area_ranges.len() * params.max_detections.len();
    let mut precision = vec![-1.0; t_count * r_count * k_count * a_m];
    let mut scores = vec![-1.0; t_count * r_count * k_count * a_m];
    let mut recall = vec![-1.0; t_count * k_count * a_m];
    for (k, curves) in group_curves.iter().enumerate() {
        for tr in 0..t_count * r_count {
            let to = (tr * k_count + k) * a_m;
            let from = tr * a_m;
            precision[to..to + a_m].copy_from_slice(&curves.precision[from..from + a_m]);
            scores[to..to + a_m].copy_from_slice(&curves.scores[from..from + a_m]);
        }
        for t in 0..t_count {
            let to = (t * k_count + k) * a_m;
            let from = t * a_m;
            recall[to..to + a_m].copy_from_slice(&curves.recall[from..from + a_m]);
        }
    }
    Evaluation {
        params: params.clone(),
        iou_thresholds: thresholds.to_vec(),
        recall_thresholds: recall_thresholds.to_vec(),
        category_ids: prepared.category_ids.clone(),
        image_ids: prepared.images.iter().map(|image| image.id).collect(),
        precision,
        recall,
        scores,
        ground_truth_id_zero: prepared.ground_truth_id_zero,
    }
}
