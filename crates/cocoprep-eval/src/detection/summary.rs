//! The summary lines and stats of an evaluation (pycocotools' `summarize`), and
//! per-category AP.

use std::fmt;

use super::evaluate::Evaluation;
use super::federated::Frequency;
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
    /// LVIS: the result's name in `LVISEval.results` (`AP`, `APr`, `AR@300`, ...); `None`
    /// for a COCO line.
    pub name: Option<String>,
    /// LVIS: only the categories of this frequency (APr, APc, APf).
    pub frequency: Option<Frequency>,
}

impl fmt::Display for SummaryLine {
    /// pycocotools' print format:
    /// ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.name {
            return self.fmt_lvis(name, formatter);
        }
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

impl SummaryLine {
    /// `LVISEval.print_results`' format, which reads the area and the category group
    /// from the result's name (`APs` prints `area=     s`, `APr` prints `catIds=  r`):
    /// ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=300 catIds=all] = 0.305`.
    fn fmt_lvis(&self, name: &str, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (title, kind) = if self.precision {
            ("Average Precision", "(AP)")
        } else {
            ("Average Recall", "(AR)")
        };
        let iou = match self.iou_threshold {
            Some(threshold) => format!("{threshold:.2}"),
            None => "0.50:0.95".to_owned(),
        };
        let third = name.chars().nth(2);
        let area = match third {
            Some(letter) if "sml".contains(letter) => letter.to_string(),
            _ => "all".to_owned(),
        };
        let group = match third {
            Some(letter) if "rcf".contains(letter) => letter.to_string(),
            _ => "all".to_owned(),
        };
        write!(
            formatter,
            " {title:<18} {kind} @[ IoU={iou:<9} | area={area:>6} | maxDets={:>3} catIds={group:>3}] = {:.3}",
            self.max_detections, self.value
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
        if self.params.is_lvis() {
            return self.summarize_lvis();
        }
        let params = &self.params;
        let mut lines = Vec::new();
        let mut push = |precision: bool, iou_threshold: Option<f64>, area: usize, max: usize| {
            let value = self.mean(precision, iou_threshold, area, max, None);
            lines.push(SummaryLine {
                precision,
                iou_threshold,
                area: params.area_ranges[area].label.clone(),
                max_detections: max,
                value,
                name: None,
                frequency: None,
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

    /// `LVISEval.summarize`'s 13 results: AP, AP50, AP75, APs, APm, APl, APr, APc, APf,
    /// AR@300, ARs@300, ARm@300, ARl@300 (an area line per area range after the first,
    /// named by its label's first letter).
    fn summarize_lvis(&self) -> Vec<SummaryLine> {
        let params = &self.params;
        let max_detections = params.max_detections_last();
        let mut lines = Vec::new();
        let mut push = |name: String,
                        precision: bool,
                        iou_threshold: Option<f64>,
                        area: usize,
                        frequency: Option<Frequency>| {
            let value = self.mean(precision, iou_threshold, area, 0, frequency);
            lines.push(SummaryLine {
                precision,
                iou_threshold,
                area: params.area_ranges[area].label.clone(),
                max_detections,
                value,
                name: Some(name),
                frequency,
            });
        };
        let initial = |area: usize| params.area_ranges[area].label.chars().next().unwrap_or('?');
        push("AP".to_owned(), true, None, 0, None);
        push("AP50".to_owned(), true, Some(0.5), 0, None);
        push("AP75".to_owned(), true, Some(0.75), 0, None);
        for area in 1..params.area_ranges.len() {
            push(format!("AP{}", initial(area)), true, None, area, None);
        }
        for frequency in Frequency::ALL {
            push(
                format!("AP{}", frequency.letter()),
                true,
                None,
                0,
                Some(frequency),
            );
        }
        push(format!("AR@{max_detections}"), false, None, 0, None);
        for area in 1..params.area_ranges.len() {
            let name = format!("AR{}@{max_detections}", initial(area));
            push(name, false, None, area, None);
        }
        lines
    }

    /// `_summarize`: the mean of the selected entries that are not -1, in numpy's
    /// order and summation, or -1 if there are none; with a frequency, over that group's
    /// categories only (LVIS' `s[:, :, freq_groups[i], aidx]`, categories in id order).
    fn mean(
        &self,
        precision: bool,
        iou_threshold: Option<f64>,
        area: usize,
        max: usize,
        frequency: Option<Frequency>,
    ) -> f64 {
        let [t_count, r_count, k_count, a_count, m_count] = self.precision_shape();
        let thresholds: Vec<usize> = (0..t_count)
            .filter(|&t| iou_threshold.is_none_or(|value| self.iou_thresholds[t] == value))
            .collect();
        let in_group = |k: usize| {
            frequency.is_none_or(|group| self.category_frequencies.get(k) == Some(&group))
        };
        let mut values = Vec::new();
        for &t in &thresholds {
            if precision {
                for r in 0..r_count {
                    for k in (0..k_count).filter(|&k| in_group(k)) {
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
