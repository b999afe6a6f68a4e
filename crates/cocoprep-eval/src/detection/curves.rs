//! Precision-recall curves read from an evaluation's arrays: one curve is the precision at
//! each recall threshold, averaged over a set of IoU thresholds and categories on one area
//! range and max detections (hotcoco 1.3's `PlotData.mean_precision`), with its AP and
//! its F1 peak. Drawing them is cocoprep-render's job.

use super::evaluate::Evaluation;
use super::numpy_sum::numpy_mean;

/// Which part of the `precision[T][R][K][A][M]` array one curve averages: indices into
/// the evaluation's IoU thresholds, category slots, area ranges and max detections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurveSlice {
    /// IoU threshold indices (all of them: the 0.50:0.95 mean).
    pub thresholds: Vec<usize>,
    /// Category slot indices (all of them: the mean over categories).
    pub categories: Vec<usize>,
    /// The area range index.
    pub area: usize,
    /// The max-detections index.
    pub max_detections: usize,
}

/// One precision-recall curve.
#[derive(Clone, Debug, PartialEq)]
pub struct PrCurve {
    /// The precision at each recall threshold: the mean of the slice's entries that are
    /// not -1, or `None` where all are (no counted ground truth).
    pub precision: Vec<Option<f64>>,
    /// The AP of the slice as pycocotools' `summarize` computes it (the mean of all its
    /// entries that are not -1, summed in the same order), or `None` if there are none.
    pub ap: Option<f64>,
}

impl PrCurve {
    /// The recall-threshold index where F1 (`2PR / (P + R)`) is highest, and that F1
    /// (hotcoco marks it on its curves); `None` when no point has a precision.
    pub fn f1_peak(&self, recall_thresholds: &[f64]) -> Option<(usize, f64)> {
        let mut best: Option<(usize, f64)> = None;
        for (index, (precision, &recall)) in
            self.precision.iter().zip(recall_thresholds).enumerate()
        {
            let Some(precision) = *precision else {
                continue;
            };
            // hotcoco: `np.maximum(prec + recall, 1e-8)` keeps 0/0 at 0.
            let f1 = 2.0 * precision * recall / (precision + recall).max(1e-8);
            if best.is_none_or(|(_, value)| f1 > value) {
                best = Some((index, f1));
            }
        }
        best
    }
}

impl Evaluation {
    /// The precision-recall curve of `slice`. Indices out of range are skipped.
    pub fn pr_curve(&self, slice: &CurveSlice) -> PrCurve {
        let [t_count, r_count, k_count, a_count, m_count] = self.precision_shape();
        let thresholds: Vec<usize> = slice
            .thresholds
            .iter()
            .copied()
            .filter(|&t| t < t_count)
            .collect();
        let categories: Vec<usize> = slice
            .categories
            .iter()
            .copied()
            .filter(|&k| k < k_count)
            .collect();
        if slice.area >= a_count || slice.max_detections >= m_count {
            return PrCurve {
                precision: vec![None; r_count],
                ap: None,
            };
        }
        let value = |t: usize, r: usize, k: usize| {
            let at = (((t * r_count + r) * k_count + k) * a_count + slice.area) * m_count
                + slice.max_detections;
            Some(self.precision[at]).filter(|&value| value > -1.0)
        };
        let mut precision = Vec::with_capacity(r_count);
        let mut values = Vec::new();
        for r in 0..r_count {
            values.clear();
            for &t in &thresholds {
                values.extend(categories.iter().filter_map(|&k| value(t, r, k)));
            }
            precision.push((!values.is_empty()).then(|| numpy_mean(&values)));
        }
        // `_summarize`'s order: T, then R, then K.
        let mut all = Vec::new();
        for &t in &thresholds {
            for r in 0..r_count {
                all.extend(categories.iter().filter_map(|&k| value(t, r, k)));
            }
        }
        PrCurve {
            precision,
            ap: (!all.is_empty()).then(|| numpy_mean(&all)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detection::{IouType, Params, evaluate};
    use cocoprep_coco::Dataset;

    fn evaluation(results: &[u8]) -> Evaluation {
        let gt = Dataset::from_json_slice(
            br#"{"images": [{"id": 1, "width": 10, "height": 10}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4],
                             "area": 16, "iscrowd": 0},
                            {"id": 2, "image_id": 1, "category_id": 1, "bbox": [5, 5, 4, 4],
                             "area": 16, "iscrowd": 0}],
            "categories": [{"id": 1, "name": "dog"}, {"id": 2, "name": "cat"}]}"#,
        )
        .unwrap();
        let results = Dataset::from_json_slice(results).unwrap();
        evaluate(&gt, &results.annotations, &Params::new(IouType::Bbox), None).unwrap()
    }

    fn whole(evaluation: &Evaluation) -> CurveSlice {
        CurveSlice {
            thresholds: (0..evaluation.iou_thresholds.len()).collect(),
            categories: (0..evaluation.category_slots()).collect(),
            area: 0,
            max_detections: evaluation.params.max_detections.len() - 1,
        }
    }

    #[test]
    fn the_whole_curve_has_the_summary_ap_and_skips_categories_without_ground_truth() {
        // One of the two dogs found: precision 1 up to recall 0.5, then 0.
        let evaluation = evaluation(
            br#"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4], "score": 0.9}]"#,
        );
        let curve = evaluation.pr_curve(&whole(&evaluation));
        assert_eq!(curve.ap, Some(evaluation.stats()[0]));
        // pycocotools' precision carries its eps: 1 - 2e-16.
        assert!(curve.precision[50].is_some_and(|value| value > 0.999_999));
        assert_eq!(curve.precision[51], Some(0.0));
        // F1 is highest at recall 0.5: 2 * 1 * 0.5 / 1.5.
        let (index, f1) = curve.f1_peak(&evaluation.recall_thresholds).unwrap();
        assert_eq!(index, 50);
        assert!((f1 - 2.0 / 3.0).abs() < 1e-9);
        // The cat has no ground truth: its curve has no points.
        let cat = evaluation.pr_curve(&CurveSlice {
            categories: vec![1],
            ..whole(&evaluation)
        });
        assert!(cat.precision.iter().all(Option::is_none));
        assert_eq!(
            (cat.ap, cat.f1_peak(&evaluation.recall_thresholds)),
            (None, None)
        );
    }
}
