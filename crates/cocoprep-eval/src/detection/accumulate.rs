//! Precision/recall curves of one group (category) from its images' matches:
//! pycocotools' `accumulate`, with the same float operations.

use super::matching::ImageMatches;
use super::params::Params;

/// One group's slice of the evaluation arrays, `-1` where there is nothing to measure.
pub(crate) struct GroupCurves {
    /// `[T][R][A][M]`.
    pub precision: Vec<f64>,
    /// `[T][A][M]`.
    pub recall: Vec<f64>,
    /// `[T][R][A][M]`: the score at which each recall threshold is reached.
    pub scores: Vec<f64>,
}

/// `np.spacing(1)`, added to precision's denominator (so a perfect detector has
/// precision 0.9999999999999998).
const SPACING_ONE: f64 = f64::EPSILON;

pub(crate) fn accumulate_group(
    params: &Params,
    threshold_count: usize,
    recall_thresholds: &[f64],
    images: &[ImageMatches],
) -> GroupCurves {
    let (t_count, r_count) = (threshold_count, recall_thresholds.len());
    let (a_count, m_count) = (params.area_ranges.len(), params.max_detections.len());
    let mut curves = GroupCurves {
        precision: vec![-1.0; t_count * r_count * a_count * m_count],
        recall: vec![-1.0; t_count * a_count * m_count],
        scores: vec![-1.0; t_count * r_count * a_count * m_count],
    };
    // An image with neither ground truth nor detections has no `evalImgs` entry; a group
    // without entries stays -1 everywhere.
    if images.is_empty() {
        return curves;
    }
    // (image, detection) in image order, then sorted by score, stably: numpy's
    // `argsort(-dtScores, kind='mergesort')` over the concatenation.
    let mut order: Vec<(u32, u32)> = images
        .iter()
        .enumerate()
        .flat_map(|(i, image)| (0..image.scores.len() as u32).map(move |d| (i as u32, d)))
        .collect();
    let score = |&(i, d): &(u32, u32)| images[i as usize].scores[d as usize];
    // `partial_cmp`, not `total_cmp`: numpy treats 0.0 and -0.0 as equal. Scores are finite.
    order.sort_by(|a, b| {
        score(b)
            .partial_cmp(&score(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut true_sum = Vec::new();
    let mut false_sum = Vec::new();
    let mut recall_curve = Vec::new();
    let mut precision_curve = Vec::new();
    for (m, &max_detections) in params.max_detections.iter().enumerate() {
        // Keeping the first `maxDet` of each image and sorting is the sorted list with
        // the others taken out (a stable sort keeps relative order).
        let kept: Vec<(u32, u32)> = order
            .iter()
            .copied()
            .filter(|&(_, d)| (d as usize) < max_detections)
            .collect();
        let sorted_scores: Vec<f64> = kept.iter().map(score).collect();
        let detection_count = kept.len();
        // The flags of the kept detections in score order, `[detection][area]`: one
        // scattered read per detection here instead of one per area and threshold below
        // (that was half the time of a train2017-scale evaluation).
        let mut kept_flags: Vec<(u16, u16)> = Vec::with_capacity(detection_count * a_count);
        for &(i, d) in &kept {
            let image = &images[i as usize];
            let at = d as usize * a_count;
            kept_flags.extend(
                image.true_positive[at..at + a_count]
                    .iter()
                    .copied()
                    .zip(image.false_positive[at..at + a_count].iter().copied()),
            );
        }
        for a in 0..a_count {
            let counted: u64 = images
                .iter()
                .map(|image| image.counted_ground_truth[a] as u64)
                .sum();
            if counted == 0 {
                continue;
            }
            for t in 0..t_count {
                let bit = 1u16 << t;
                true_sum.clear();
                false_sum.clear();
                let (mut tp, mut fp) = (0u64, 0u64);
                for flags in kept_flags.iter().skip(a).step_by(a_count) {
                    tp += u64::from(flags.0 & bit != 0);
                    fp += u64::from(flags.1 & bit != 0);
                    true_sum.push(tp as f64);
                    false_sum.push(fp as f64);
                }
                recall_curve.clear();
                precision_curve.clear();
                for (&tp, &fp) in true_sum.iter().zip(&false_sum) {
                    recall_curve.push(tp / counted as f64);
                    precision_curve.push(tp / (fp + tp + SPACING_ONE));
                }
                let recall_at = (t * a_count + a) * m_count + m;
                curves.recall[recall_at] = recall_curve.last().copied().unwrap_or(0.0);
                // The precision envelope: each point takes the best precision at any
                // higher recall.
                for i in (1..detection_count).rev() {
                    if precision_curve[i] > precision_curve[i - 1] {
                        precision_curve[i - 1] = precision_curve[i];
                    }
                }
                // `np.searchsorted(rc, recThrs, side='left')`; thresholds past the last
                // detection's recall get precision 0 and score 0.
                let mut position = 0;
                for (r, &threshold) in recall_thresholds.iter().enumerate() {
                    while position < detection_count && recall_curve[position] < threshold {
                        position += 1;
                    }
                    let at = ((t * r_count + r) * a_count + a) * m_count + m;
                    if position < detection_count {
                        curves.precision[at] = precision_curve[position];
                        curves.scores[at] = sorted_scores[position];
                    } else {
                        curves.precision[at] = 0.0;
                        curves.scores[at] = 0.0;
                    }
                }
            }
        }
    }
    curves
}
