//! The summary lines and stats of an evaluation (pycocotools' `summarize`), and
//! per-category AP.

use std::fmt;

use super::evaluate::Evaluation;
use super::numpy_sum::numpy_mean;
use super::params::IouType;

/// One line of the summary: an average over the arrays.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryLine {
    /// Average precision (`true`) or average recall.
    pub precision: bool,
    /// One IoU threshold, or `None` for the mean over all of them.
    pub iou_threshold: Option<f64>,
    /// The area range's label.
    pub area: String,
    /// The max detections per image.
    pub max_detections: usize,
    /// The mean of the array entries that are not -1, or -1 if there are none.
    pub value: f64,
}

impl fmt::Display for SummaryLine {
    /// pycocotools' print format:
    /// ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (title, kind) = if self.precision {
            ("Average Precision", "(AP)")
        } else {
            ("Average Recall", "(AR)")
        };
        let iou = match self.iou_threshold {
            Some(threshold) => format!("{threshold:.2}"),
            None => "0.50:0.95".to_owned(),
        };
        write!(
            formatter,
            " {title:<18} {kind} @[ IoU={iou:<9} | area={:>6} | maxDets={:>3} ] = {:.3}",
            self.area, self.max_detections, self.value
        )
    }
}

/// AP of one category.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryAp {
    /// The category's id.
    pub category_id: u32,
    /// Mean precision over IoU 0.50:0.95, the first area range and the last max
    /// detections (-1 if the category has no counted ground truth).
    pub ap: f64,
    /// The same at IoU 0.5.
    pub ap50: f64,
    /// The same at IoU 0.75.
    pub ap75: f64,
}

impl Evaluation {
    /// The summary pycocotools prints, generalised to the parameters: AP over IoU
    /// 0.50:0.95, at 0.5 and at 0.75 on the first area range; AP per other area range;
    /// for boxes and masks AR per max detections, for keypoints AR over 0.50:0.95, at 0.5
    /// and 0.75; AR per other area range. AP lines and per-area lines use the last max
    /// detections. With the default parameters these are pycocotools' 12 (or 10 for
    /// keypoints) lines and `stats`, except that pycocotools reports -1 for the first AP
    /// when the max detections do not include 100 (its `maxDets=100` is hard-coded).
    pub fn summarize(&self) -> Vec<SummaryLine> {
        let params = &self.params;
        let mut lines = Vec::new();
        let mut push = |precision: bool, iou_threshold: Option<f64>, area: usize, max: usize| {
            let value = self.mean(precision, iou_threshold, area, max);
            lines.push(SummaryLine {
                precision,
                iou_threshold,
                area: params.area_ranges[area].label.clone(),
                max_detections: max,
                value,
            });
        };
        let last_index = params.max_detections.len() - 1;
        for threshold in [None, Some(0.5), Some(0.75)] {
            push(true, threshold, 0, last_index);
        }
        for area in 1..params.area_ranges.len() {
            push(true, None, area, last_index);
        }
        if params.iou_type == IouType::Keypoints {
            for threshold in [None, Some(0.5), Some(0.75)] {
                push(false, threshold, 0, last_index);
            }
        } else {
            for m in 0..params.max_detections.len() {
                push(false, None, 0, m);
            }
        }
        for area in 1..params.area_ranges.len() {
            push(false, None, area, last_index);
        }
        // `push` records indices; turn the max-detections index into the count.
        for line in &mut lines {
            line.max_detections = params.max_detections[line.max_detections];
        }
        lines
    }

    /// `_summarize`: the mean of the selected entries that are not -1, in numpy's
    /// order and summation, or -1 if there are none.
    fn mean(&self, precision: bool, iou_threshold: Option<f64>, area: usize, max: usize) -> f64 {
        let [t_count, r_count, k_count, a_count, m_count] = self.precision_shape();
        let thresholds: Vec<usize> = (0..t_count)
            .filter(|&t| iou_threshold.is_none_or(|value| self.iou_thresholds[t] == value))
            .collect();
        let mut values = Vec::new();
        for &t in &thresholds {
            if precision {
                for r in 0..r_count {
                    for k in 0..k_count {
                        let at =
                            (((t * r_count + r) * k_count + k) * a_count + area) * m_count + max;
                        values.push(self.precision[at]);
                    }
                }
            } else {
                for k in 0..k_count {
                    let at = ((t * k_count + k) * a_count + area) * m_count + max;
                    values.push(self.recall[at]);
                }
            }
        }
        values.retain(|&value| value > -1.0);
        if values.is_empty() {
            -1.0
        } else {
            numpy_mean(&values)
        }
    }

    /// AP per category over the first area range and the last max detections, as
    /// detectron2 and hotcoco report it (`precision[:, :, k, 0, -1]`, mean of entries
    /// above -1). Empty with `use_categories = false`.
    pub fn per_category(&self) -> Vec<CategoryAp> {
        if !self.params.use_categories {
            return Vec::new();
        }
        let [t_count, r_count, k_count, a_count, m_count] = self.precision_shape();
        let category_mean = |k: usize, threshold: Option<f64>| {
            let mut values = Vec::new();
            for t in 0..t_count {
                if threshold.is_some_and(|value| self.iou_thresholds[t] != value) {
                    continue;
                }
                for r in 0..r_count {
                    let at = (((t * r_count + r) * k_count + k) * a_count) * m_count + m_count - 1;
                    let value = self.precision[at];
                    if value > -1.0 {
                        values.push(value);
                    }
                }
            }
            if values.is_empty() {
                -1.0
            } else {
                numpy_mean(&values)
            }
        };
        self.category_ids
            .iter()
            .enumerate()
            .map(|(k, id)| CategoryAp {
                category_id: id.0,
                ap: category_mean(k, None),
                ap50: category_mean(k, Some(0.5)),
                ap75: category_mean(k, Some(0.75)),
            })
            .collect()
    }

    /// The `stats` vector: the value of each summary line.
    pub fn stats(&self) -> Vec<f64> {
        self.summarize().iter().map(|line| line.value).collect()
    }
}
