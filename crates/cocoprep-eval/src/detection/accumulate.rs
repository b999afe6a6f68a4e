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
    // (score, image, detection) in image order, then sorted by score, stably: numpy's
    // `argsort(-dtScores, kind='mergesort')` over the concatenation. The score travels
    // with its entry so that the sort compares without looking it up.
    let mut order: Vec<(f64, u32, u32)> = images
        .iter()
        .enumerate()
        .flat_map(|(i, image)| {
            image
                .scores
                .iter()
                .enumerate()
                .map(move |(d, &score)| (score, i as u32, d as u32))
        })
        .collect();
    // `partial_cmp`, not `total_cmp`: numpy treats 0.0 and -0.0 as equal. Scores are finite.
    order.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    // Per area range, the ground truth that counts (`npig`), and the number of true
    // positives each recall threshold needs.
    let counted: Vec<u64> = (0..a_count)
        .map(|a| {
            images
                .iter()
                .map(|image| image.counted_ground_truth[a] as u64)
                .sum()
        })
        .collect();
    let needed: Vec<Vec<u64>> = counted
        .iter()
        .map(|&counted| needed_true_positives(counted, recall_thresholds))
        .collect();
    let mut sorted_scores = Vec::new();
    let mut area_flags: Vec<(u16, u16)> = Vec::new();
    let mut kept_flags: Vec<(u16, u16)> = Vec::new();
    let mut points = Vec::new();
    for (m, &max_detections) in params.max_detections.iter().enumerate() {
        // Keeping the first `maxDet` of each image and sorting is the sorted list with
        // the others taken out (a stable sort keeps relative order). The flags of the
        // kept detections in score order, `[detection][area]`: one scattered read per
        // detection here instead of one per area and threshold below.
        sorted_scores.clear();
        kept_flags.clear();
        for &(score, i, d) in &order {
            if d as usize >= max_detections {
                continue;
            }
            sorted_scores.push(score);
            let image = &images[i as usize];
            let at = d as usize * a_count;
            kept_flags.extend(
                image.true_positive[at..at + a_count]
                    .iter()
                    .copied()
                    .zip(image.false_positive[at..at + a_count].iter().copied()),
            );
        }
        let detection_count = sorted_scores.len();
        for a in 0..a_count {
            if counted[a] == 0 {
                continue;
            }
            area_flags.clear();
            area_flags.extend(kept_flags.iter().skip(a).step_by(a_count).copied());
            for t in 0..t_count {
                let bit = 1u16 << t;
                let curve = TruePositiveCurve::new(&area_flags, bit, &mut points);
                let recall_at = (t * a_count + a) * m_count + m;
                curves.recall[recall_at] = if detection_count == 0 {
                    0.0
                } else {
                    points.len() as f64 / counted[a] as f64
                };
                for (r, &needed) in needed[a].iter().enumerate() {
                    let at = ((t * r_count + r) * a_count + a) * m_count + m;
                    let (precision, score) = match curve.at(needed, &points, detection_count) {
                        Some((precision, position)) => (precision, sorted_scores[position]),
                        None => (0.0, 0.0),
                    };
                    curves.precision[at] = precision;
                    curves.scores[at] = score;
                }
            }
        }
    }
    curves
}

/// For each recall threshold, the fewest true positives `k` whose recall `k / counted`
/// (the same float division as pycocotools' `tp / npig`) reaches it: the position
/// `np.searchsorted(rc, recThrs, side='left')` finds is that of the `k`-th true positive
/// (recall only grows where a true positive is, and a correctly rounded division grows
/// with its numerator).
fn needed_true_positives(counted: u64, recall_thresholds: &[f64]) -> Vec<u64> {
    let denominator = counted as f64;
    let recall = |k: u64| k as f64 / denominator;
    recall_thresholds
        .iter()
        .map(|&threshold| {
            let mut k = (threshold * denominator).ceil().max(0.0) as u64;
            while k > 0 && recall(k - 1) >= threshold {
                k -= 1;
            }
            while recall(k) < threshold {
                k += 1;
            }
            k
        })
        .collect()
}

/// The precision/recall curve of one IoU threshold, kept at its true positives only.
///
/// pycocotools computes `tp / (fp + tp + eps)` at every detection, takes the running
/// maximum from the end (the envelope) and reads it at the positions of the recall
/// thresholds. Between two true positives precision only falls (`fp` grows, `tp` does
/// not) or stays (ignored detections), so the envelope at a true positive is the
/// largest precision at this or a later true positive, and every recall threshold lands
/// on a true positive (or on the first detection, for recall 0): `points[k - 1]` is the
/// position of the `k`-th true positive and the envelope there, computed with the same
/// float operations.
struct TruePositiveCurve {
    /// The envelope at the first detection: the largest precision of all (0 when there
    /// is no true positive, as `0 / (fp + eps)`).
    first: f64,
}

impl TruePositiveCurve {
    /// Walks the detections' flags (`(true positive, false positive)` bits, score order)
    /// for threshold `bit`, filling `points` with `(envelope, position)` per true
    /// positive.
    fn new(flags: &[(u16, u16)], bit: u16, points: &mut Vec<(f64, usize)>) -> Self {
        points.clear();
        let (mut tp, mut fp) = (0u64, 0u64);
        for (position, &(true_positive, false_positive)) in flags.iter().enumerate() {
            if true_positive & bit != 0 {
                tp += 1;
                let (tp, fp) = (tp as f64, fp as f64);
                points.push((tp / (fp + tp + SPACING_ONE), position));
            } else if false_positive & bit != 0 {
                fp += 1;
            }
        }
        // The envelope: each point takes the best precision at any later one.
        for i in (1..points.len()).rev() {
            if points[i].0 > points[i - 1].0 {
                points[i - 1].0 = points[i].0;
            }
        }
        Self {
            first: points.first().map_or(0.0, |point| point.0),
        }
    }

    /// The envelope and the position where the recall first reaches `needed` true
    /// positives; `None` past the last detection.
    fn at(
        &self,
        needed: u64,
        points: &[(f64, usize)],
        detection_count: usize,
    ) -> Option<(f64, usize)> {
        if needed == 0 {
            return (detection_count > 0).then_some((self.first, 0));
        }
        points.get(needed as usize - 1).copied()
    }
}
