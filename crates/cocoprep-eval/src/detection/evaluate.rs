//! The whole evaluation: prepare, match every image of every group in parallel,
//! accumulate each group's curves, and gather them into COCOeval's arrays.

use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use cocoprep_coco::{Annotation, CategoryId, Dataset, ImageId};

use super::accumulate::{GroupCurves, accumulate_group};
use super::error::EvalError;
use super::federated::Frequency;
use super::matching::{ImageMatches, match_image};
use super::params::{Params, iou_thresholds, recall_thresholds};
use super::records::{Detection, GroundTruth, Lookup};
use super::similarity::similarity;
use super::tables::{GroundTruthTable, ResultsTable, check_params, group_of};

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
    /// LVIS: each category's frequency (same order as `category_ids`), for APr, APc and
    /// APf; empty for a COCO evaluation.
    pub category_frequencies: Vec<Frequency>,
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
    let ground_truth = GroundTruthTable::new(ground_truth, params)?;
    let results = ResultsTable::new(results, &ground_truth)?;
    evaluate_tables(&ground_truth, &results, image_ids)
}

/// [`evaluate`] on tables made by [`GroundTruthTable::read`] and [`ResultsTable::read`]
/// (files evaluated without holding their parse trees) or their `new`.
pub fn evaluate_tables(
    ground_truth: &GroundTruthTable<'_>,
    results: &ResultsTable<'_>,
    image_ids: Option<&[ImageId]>,
) -> Result<Evaluation, EvalError> {
    let params = &ground_truth.params;
    check_params(params)?;
    let lookup = &ground_truth.lookup;
    // `params.imgIds` restricts what is evaluated (the results must still be on GT images).
    let evaluated: Vec<bool> = match image_ids {
        Some(ids) => {
            let set: FxHashSet<ImageId> = ids.iter().copied().collect();
            lookup
                .images
                .iter()
                .map(|image| set.contains(&image.id))
                .collect()
        }
        None => vec![true; lookup.images.len()],
    };
    let ground_truth_id_zero = check_ground_truth(params, &ground_truth.records, &evaluated)?;
    let thresholds = iou_thresholds();
    let recall_thresholds = recall_thresholds();
    let group_count = if params.use_categories {
        lookup.category_ids.len()
    } else {
        1
    };
    let gt_groups = group_ranges(&ground_truth.records, group_count, |record| {
        group_of(params, record.category)
    });
    let dt_groups = group_ranges(&results.records, group_count, |record| {
        group_of(params, record.category)
    });
    let group_curves: Vec<GroupCurves> = gt_groups
        .into_par_iter()
        .zip(dt_groups)
        .map(|(gt_range, dt_range)| {
            let gts = &ground_truth.records[gt_range];
            let dts = &results.records[dt_range];
            let images = image_runs(gts, dts, &evaluated);
            let matches = images
                .par_iter()
                .map(|run| {
                    let gts: Vec<&GroundTruth<'_>> = gts[run.ground_truth.clone()].iter().collect();
                    let dts = ranked_detections(
                        &dts[run.detections.clone()],
                        params.max_detections_last(),
                    );
                    let image = &lookup.images[run.image as usize];
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
        lookup,
        group_curves,
        &thresholds,
        &recall_thresholds,
    );
    evaluation.ground_truth_id_zero = ground_truth_id_zero;
    if let Some(federation) = &ground_truth.federation {
        evaluation.category_frequencies = federation.frequencies.clone();
    }
    if let Some(ids) = image_ids {
        evaluation.image_ids.retain(|id| ids.contains(id));
    }
    Ok(evaluation)
}

/// The first defect (in file order) of an evaluated ground-truth annotation, or the
/// number of evaluated annotations with id 0.
fn check_ground_truth(
    params: &Params,
    records: &[GroundTruth<'_>],
    evaluated: &[bool],
) -> Result<usize, EvalError> {
    let is_evaluated = |record: &&GroundTruth<'_>| evaluated[record.image as usize];
    if let Some(record) = records
        .par_iter()
        .filter(is_evaluated)
        .filter(|record| record.defect.is_some())
        .min_by_key(|record| record.index)
    {
        return Err(record.defect_error(params).expect("filtered"));
    }
    Ok(records
        .par_iter()
        .filter(is_evaluated)
        .filter(|record| record.id == 0)
        .count())
}

/// For each group, the range of its records (records sorted by group first).
fn group_ranges<T>(
    records: &[T],
    group_count: usize,
    group: impl Fn(&T) -> u32,
) -> Vec<Range<usize>> {
    let mut ranges = Vec::with_capacity(group_count);
    let mut start = 0;
    for g in 0..group_count as u32 {
        let end = start + records[start..].partition_point(|record| group(record) <= g);
        ranges.push(start..end);
        start = end;
    }
    ranges
}

/// The records of one image within one group, as ranges of the group's slices.
struct ImageRun {
    image: u32,
    ground_truth: Range<usize>,
    detections: Range<usize>,
}

/// The evaluated images of one group that have ground truth or detections, in image
/// order, merging the group's records (both sorted by image).
fn image_runs(gts: &[GroundTruth<'_>], dts: &[Detection<'_>], evaluated: &[bool]) -> Vec<ImageRun> {
    let mut runs = Vec::new();
    let (mut g, mut d) = (0, 0);
    while g < gts.len() || d < dts.len() {
        let image = match (gts.get(g), dts.get(d)) {
            (Some(a), Some(b)) => a.image.min(b.image),
            (Some(a), None) => a.image,
            (None, Some(b)) => b.image,
            (None, None) => unreachable!("loop condition"),
        };
        let gt_start = g;
        while gts.get(g).is_some_and(|record| record.image == image) {
            g += 1;
        }
        let dt_start = d;
        while dts.get(d).is_some_and(|record| record.image == image) {
            d += 1;
        }
        if evaluated[image as usize] {
            runs.push(ImageRun {
                image,
                ground_truth: gt_start..g,
                detections: dt_start..d,
            });
        }
    }
    runs
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
    lookup: &Lookup,
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
        category_ids: lookup.category_ids.clone(),
        image_ids: lookup.images.iter().map(|image| image.id).collect(),
        precision,
        recall,
        scores,
        ground_truth_id_zero: 0,
        category_frequencies: Vec::new(),
    }
}
