//! Greedy matching of one image's detections to its ground truth, for every area range
//! and IoU threshold: pycocotools' `evaluateImg`, kept to what `accumulate` reads.

use super::params::Params;
use super::records::{Detection, GroundTruth};

/// What `accumulate` needs of one image in one group: per detection (score order, at most
/// `maxDets[-1]`) and area range, a bit per IoU threshold for "true positive" and for
/// "false positive" (a detection that is neither is ignored), and per area range the
/// number of ground-truth objects that are not ignored.
pub(crate) struct ImageMatches {
    pub scores: Vec<f64>,
    /// `true_positive[d * A + a]`, bit `t`.
    pub true_positive: Vec<u16>,
    /// `false_positive[d * A + a]`, bit `t`.
    pub false_positive: Vec<u16>,
    /// Per area range, ground truth not ignored (`count(gtIg == 0)`).
    pub counted_ground_truth: Vec<u32>,
}

/// Matches `dts` (score order, truncated) to `gts` (file order) given their similarity
/// matrix (`ious[d * G + g]`, empty when either side is empty).
pub(crate) fn match_image(
    params: &Params,
    thresholds: &[f64],
    dts: &[&Detection<'_>],
    gts: &[&GroundTruth<'_>],
    ious: &[f64],
) -> ImageMatches {
    let area_count = params.area_ranges.len();
    let (dt_count, gt_count) = (dts.len(), gts.len());
    let mut matches = ImageMatches {
        scores: dts.iter().map(|dt| dt.score).collect(),
        true_positive: vec![0; dt_count * area_count],
        false_positive: vec![0; dt_count * area_count],
        counted_ground_truth: Vec::with_capacity(area_count),
    };
    let mut ignored = vec![false; gt_count];
    let mut order: Vec<usize> = Vec::with_capacity(gt_count);
    let mut gt_matched = vec![false; gt_count];
    for (a, range) in params.area_ranges.iter().enumerate() {
        for (flag, gt) in ignored.iter_mut().zip(gts) {
            *flag = gt.ignore || range.excludes(gt.area);
        }
        matches
            .counted_ground_truth
            .push(ignored.iter().filter(|&&flag| !flag).count() as u32);
        // `argsort(_ignore, kind='mergesort')`: counted objects first, file order kept.
        order.clear();
        order.extend((0..gt_count).filter(|&g| !ignored[g]));
        order.extend((0..gt_count).filter(|&g| ignored[g]));
        for (t, &threshold) in thresholds.iter().enumerate() {
            gt_matched.fill(false);
            for (d, dt) in dts.iter().enumerate() {
                // pycocotools' sentinel: a match to ground truth id 0 reads as unmatched.
                let mut matched_id = 0u64;
                let mut matched_ignored = false;
                if !ious.is_empty() {
                    let mut best = threshold.min(1.0 - 1e-10);
                    let mut best_gt: Option<usize> = None;
                    for &g in &order {
                        if gt_matched[g] && !gts[g].crowd {
                            continue;
                        }
                        if let Some(m) = best_gt
                            && !ignored[m]
                            && ignored[g]
                        {
                            break;
                        }
                        let value = ious[d * gt_count + g];
                        if value < best {
                            continue;
                        }
                        best = value;
                        best_gt = Some(g);
                    }
                    if let Some(m) = best_gt {
                        matched_ignored = ignored[m];
                        matched_id = gts[m].id;
                        gt_matched[m] = true;
                    }
                }
                // LVIS also ignores an unmatched detection of a category that is not exhaustively
                // annotated on the image (`unmatched_ignored` is false for COCO).
                let dt_ignored = matched_ignored
                    || (matched_id == 0 && (range.excludes(dt.area) || dt.unmatched_ignored));
                if !dt_ignored {
                    let bit = 1u16 << t;
                    if matched_id != 0 {
                        matches.true_positive[d * area_count + a] |= bit;
                    } else {
                        matches.false_positive[d * area_count + a] |= bit;
                    }
                }
            }
        }
    }
    matches
}
