//! Combining masks: union, intersection and IoU, as maskApi.c computes them.
//!
//! These are our own ports of `rleMerge`, `rleIou` and `bbIou` rather than hotcoco's: hotcoco
//! skips zero-length runs while merging (maskApi.c keeps them, which changes the run list
//! and so the RLE string for such inputs), and it returns -1 for masks of different sizes
//! before the bounding-box prefilter that decides, in pycocotools, whether a pair is
//! compared at all.

use super::{MaskError, RunLengthMask};
use crate::bbox::BBoxXywh;

/// How [`merge`] combines masks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeOperation {
    /// A pixel is foreground if it is in any mask (`merge(rles, intersect=0)`).
    Union,
    /// A pixel is foreground if it is in every mask (`merge(rles, intersect=1)`).
    Intersection,
}

/// Combines masks of one size (`rleMerge`, `mask.merge`). One mask is returned unchanged,
/// as pycocotools does; more are folded pairwise in order.
///
/// Masks of different sizes are an error ([`MaskError::SizeMismatch`]) where pycocotools
/// returns an empty mask of size `[0, 0]`; no masks is [`MaskError::NothingToMerge`].
pub fn merge(
    masks: &[RunLengthMask],
    operation: MergeOperation,
) -> Result<RunLengthMask, MaskError> {
    let Some((first, rest)) = masks.split_first() else {
        return Err(MaskError::NothingToMerge);
    };
    if let Some(other) = rest.iter().find(|mask| mask.size() != first.size()) {
        return Err(MaskError::SizeMismatch {
            first: first.size(),
            other: other.size(),
        });
    }
    let (height, width) = first.size();
    if rest.is_empty() || height as u64 * width as u64 == 0 {
        return Ok(first.clone());
    }
    let intersect = operation == MergeOperation::Intersection;
    let mut counts = merge_two(first.counts(), rest[0].counts(), intersect);
    for mask in &rest[1..] {
        counts = merge_two(&counts, mask.counts(), intersect);
    }
    Ok(RunLengthMask::from_trusted_counts(height, width, counts))
}

/// One step of `rleMerge`: a two-pointer walk over both run lists that emits a run each
/// time the combined value changes, and at the end. Both lists sum to the same non-zero
/// pixel count, which is what makes the walk end.
fn merge_two(a: &[u32], b: &[u32], intersect: bool) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut walk_a, mut walk_b) = (RunWalk::new(a), RunWalk::new(b));
    let mut value = false;
    let mut run = 0u32;
    loop {
        let step = walk_a.remaining.min(walk_b.remaining);
        run += step;
        walk_a.advance(step);
        walk_b.advance(step);
        let left = walk_a.remaining as u64 + walk_b.remaining as u64;
        let previous = value;
        value = if intersect {
            walk_a.value && walk_b.value
        } else {
            walk_a.value || walk_b.value
        };
        if value != previous || left == 0 {
            out.push(run);
            run = 0;
        }
        if left == 0 {
            return out;
        }
    }
}

/// A position in one mask's runs, for walking two masks side by side as maskApi.c's
/// `rleMerge` and `rleIou` do: both advance by the shorter of their current runs.
struct RunWalk<'a> {
    counts: &'a [u32],
    /// The next run to start.
    next: usize,
    /// Pixels left in the current run.
    remaining: u32,
    /// Whether the current run is foreground (runs alternate, background first).
    value: bool,
}

impl<'a> RunWalk<'a> {
    fn new(counts: &'a [u32]) -> Self {
        Self {
            counts,
            next: 1,
            remaining: counts[0],
            value: false,
        }
    }

    /// Moves `step` pixels on (at most `remaining`), into the next run when this one ends.
    fn advance(&mut self, step: u32) {
        self.remaining -= step;
        if self.remaining == 0 && self.next < self.counts.len() {
            self.remaining = self.counts[self.next];
            self.next += 1;
            self.value = !self.value;
        }
    }
}

/// IoU of every detection mask with every ground-truth mask (`rleIou`, `mask.iou`), as a
/// row-major `dt.len() × gt.len()` matrix: `result[d * gt.len() + g]`.
///
/// For a crowd ground truth (`iscrowd[g]`) the value is `intersection / area(dt)`. Pairs
/// whose bounding boxes do not overlap are 0 without comparing masks, and overlapping
/// pairs of different sizes are -1, exactly as pycocotools reports them.
///
/// Panics if `iscrowd.len() != gt.len()` (pycocotools asserts the same).
pub fn iou(dt: &[RunLengthMask], gt: &[RunLengthMask], iscrowd: &[bool]) -> Vec<f64> {
    assert_eq!(
        iscrowd.len(),
        gt.len(),
        "iou: iscrowd must have one flag per ground-truth mask"
    );
    let dt_boxes: Vec<BBoxXywh> = dt.iter().map(RunLengthMask::bbox).collect();
    let gt_boxes: Vec<BBoxXywh> = gt.iter().map(RunLengthMask::bbox).collect();
    let mut result = bbox_iou(&dt_boxes, &gt_boxes, iscrowd);
    for (d, detection) in dt.iter().enumerate() {
        for (g, truth) in gt.iter().enumerate() {
            let value = &mut result[d * gt.len() + g];
            if *value <= 0.0 {
                continue;
            }
            if detection.size() != truth.size() {
                *value = -1.0;
                continue;
            }
            let (intersection, union) = overlap(detection.counts(), truth.counts());
            let denominator = if intersection == 0 {
                1
            } else if iscrowd[g] {
                detection.area()
            } else {
                union
            };
            *value = intersection as f64 / denominator as f64;
        }
    }
    result
}

/// `(intersection, union)` pixel counts of two run lists over the same pixels.
fn overlap(a: &[u32], b: &[u32]) -> (u64, u64) {
    let (mut walk_a, mut walk_b) = (RunWalk::new(a), RunWalk::new(b));
    let (mut intersection, mut union) = (0u64, 0u64);
    loop {
        let step = walk_a.remaining.min(walk_b.remaining);
        if walk_a.value || walk_b.value {
            union += step as u64;
            if walk_a.value && walk_b.value {
                intersection += step as u64;
            }
        }
        walk_a.advance(step);
        walk_b.advance(step);
        if walk_a.remaining as u64 + walk_b.remaining as u64 == 0 {
            return (intersection, union);
        }
    }
}

/// IoU of every detection box with every ground-truth box (`bbIou`, `mask.iou` on boxes),
/// as a row-major `dt.len() × gt.len()` matrix. Continuous coordinates (no +1); touching
/// boxes and boxes with negative width or height give 0; for a crowd ground truth the
/// union is the detection's area.
///
/// Panics if `iscrowd.len() != gt.len()`.
pub fn bbox_iou(dt: &[BBoxXywh], gt: &[BBoxXywh], iscrowd: &[bool]) -> Vec<f64> {
    assert_eq!(
        iscrowd.len(),
        gt.len(),
        "bbox_iou: iscrowd must have one flag per ground-truth box"
    );
    let mut result = vec![0.0; dt.len() * gt.len()];
    for (g, truth) in gt.iter().enumerate() {
        let truth_area = truth.width * truth.height;
        for (d, detection) in dt.iter().enumerate() {
            let detection_area = detection.width * detection.height;
            // Same operations in the same order as maskApi.c, for identical doubles.
            let width = (detection.width + detection.x).min(truth.width + truth.x)
                - detection.x.max(truth.x);
            if width <= 0.0 {
                continue;
            }
            let height = (detection.height + detection.y).min(truth.height + truth.y)
                - detection.y.max(truth.y);
            if height <= 0.0 {
                continue;
            }
            let intersection = width * height;
            let union = if iscrowd[g] {
                detection_area
            } else {
                detection_area + truth_area - intersection
            };
            result[d * gt.len() + g] = intersection / union;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::from_bbox;

    fn square(x: f64, y: f64, size: f64) -> RunLengthMask {
        from_bbox(
            BBoxXywh {
                x,
                y,
                width: size,
                height: size,
            },
            4,
            4,
        )
        .unwrap()
    }

    #[test]
    fn crowd_iou_divides_by_the_detection_area() {
        // Spec §1.4.6: a 2×2 box at (0,0) against one at (1,1): 1/7, and 1/4 for crowd.
        let (a, b) = (square(0.0, 0.0, 2.0), square(1.0, 1.0, 2.0));
        assert_eq!(
            iou(std::slice::from_ref(&a), std::slice::from_ref(&b), &[false]),
            [1.0 / 7.0]
        );
        assert_eq!(iou(&[a], &[b], &[true]), [0.25]);
    }

    #[test]
    fn merge_keeps_pycocotools_run_lists() {
        let (a, b) = (square(0.0, 0.0, 2.0), square(1.0, 1.0, 2.0));
        let union = merge(&[a.clone(), b.clone()], MergeOperation::Union).unwrap();
        let intersection = merge(&[a.clone(), b], MergeOperation::Intersection).unwrap();
        assert_eq!(union.area(), 7);
        assert_eq!(intersection.area(), 1);
        assert_eq!(intersection.bbox().to_array(), [1.0, 1.0, 1.0, 1.0]);
        assert_eq!(
            merge(std::slice::from_ref(&a), MergeOperation::Union).unwrap(),
            a
        );
        let other = RunLengthMask::empty(3, 3).unwrap();
        assert!(matches!(
            merge(&[a, other], MergeOperation::Union),
            Err(MaskError::SizeMismatch { .. })
        ));
    }

    #[test]
    fn merge_keeps_zero_length_runs_like_maskapi() {
        // pycocotools 2.0.11: merge([{counts: [0, 2, 0, 2]}, {counts: [4]}]) → '0200',
        // intersect=1 → '4'. hotcoco's merge skips the zero-length run and gives '04'.
        let a = RunLengthMask::new(2, 2, vec![0, 2, 0, 2]).unwrap();
        let b = RunLengthMask::new(2, 2, vec![4]).unwrap();
        let union = merge(&[a.clone(), b.clone()], MergeOperation::Union).unwrap();
        assert_eq!(union.to_compressed(), "0200");
        let intersection = merge(&[a.clone(), b.clone()], MergeOperation::Intersection).unwrap();
        assert_eq!(intersection.to_compressed(), "4");
        let hotcoco_rle = |mask: &RunLengthMask| hotcoco::types::Rle {
            h: 2,
            w: 2,
            counts: mask.counts().to_vec(),
        };
        let theirs = hotcoco::mask::merge(&[hotcoco_rle(&a), hotcoco_rle(&b)], false).unwrap();
        assert_eq!(theirs.counts, [0, 4]);
    }

    #[test]
    fn masks_of_different_sizes_have_iou_minus_one_only_when_boxes_overlap() {
        let a = square(0.0, 0.0, 2.0);
        let overlapping = from_bbox(BBoxXywh::from_array([0.0, 0.0, 2.0, 2.0]), 5, 5).unwrap();
        let apart = from_bbox(BBoxXywh::from_array([3.0, 3.0, 2.0, 2.0]), 5, 5).unwrap();
        assert_eq!(
            iou(&[a], &[overlapping, apart], &[false, false]),
            [-1.0, 0.0]
        );
    }

    #[test]
    fn touching_and_negative_boxes_do_not_overlap() {
        let unit = BBoxXywh::from_array([0.0, 0.0, 1.0, 1.0]);
        let touching = BBoxXywh::from_array([1.0, 0.0, 1.0, 1.0]);
        let negative = BBoxXywh::from_array([0.5, 0.5, -1.0, 1.0]);
        assert_eq!(
            bbox_iou(&[unit], &[touching, negative, unit], &[false, false, true]),
            [0.0, 0.0, 1.0]
        );
    }
}
