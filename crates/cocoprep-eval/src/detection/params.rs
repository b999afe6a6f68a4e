//! What an evaluation measures: pycocotools' `Params`.

use std::fmt;

/// What is compared: boxes, masks or keypoints (`iouType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IouType {
    /// Box IoU (`bbox`).
    Bbox,
    /// Mask IoU on run-length encoded masks (`segm`).
    Segm,
    /// Object keypoint similarity (`keypoints`).
    Keypoints,
}

impl IouType {
    /// The name pycocotools uses (`bbox`, `segm`, `keypoints`).
    pub fn name(self) -> &'static str {
        match self {
            IouType::Bbox => "bbox",
            IouType::Segm => "segm",
            IouType::Keypoints => "keypoints",
        }
    }
}

impl fmt::Display for IouType {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// An object-area range in pixels, both ends inclusive as in COCOeval, with its label.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaRange {
    /// `all`, `small`, `medium`, `large`, or a label of your own.
    pub label: String,
    /// Smallest area that is in the range.
    pub min: f64,
    /// Largest area that is in the range.
    pub max: f64,
}

impl AreaRange {
    /// A labelled range.
    pub fn new(label: &str, min: f64, max: f64) -> Self {
        Self {
            label: label.to_owned(),
            min,
            max,
        }
    }

    /// Whether `area` is outside the range (COCOeval: `area < min or area > max`).
    pub(crate) fn excludes(&self, area: f64) -> bool {
        area < self.min || area > self.max
    }
}

/// Whether to evaluate as LVIS does (`LVISEval`, federated over each category's images).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Federated {
    /// LVIS if the ground truth looks like LVIS: an image with `neg_category_ids` or a
    /// category with `frequency`.
    Detect,
    /// Always LVIS (the ground truth must have LVIS' members).
    Always,
    /// Never: pycocotools' COCOeval even on LVIS ground truth.
    Never,
}

/// `kpt_oks_sigmas` of COCO's 17 person keypoints (nose, eyes, ears, shoulders, elbows,
/// wrists, hips, knees, ankles), before pycocotools' division by 10.
const COCO_SIGMAS_TIMES_TEN: [f64; 17] = [
    0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89,
    0.89,
];

/// The parameters of an evaluation, with pycocotools' defaults from [`Params::new`].
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// What is compared.
    pub iou_type: IouType,
    /// Detections kept per image and category, ascending (`maxDets`); the last one bounds
    /// the matching and the summary's AP lines.
    pub max_detections: Vec<usize>,
    /// Area ranges (`areaRng`, `areaRngLbl`); the first is the one the summary's
    /// threshold lines use (`all`).
    pub area_ranges: Vec<AreaRange>,
    /// Match detections to ground truth of their own category only (`useCats = 1`); with
    /// `false` all categories are pooled into one.
    pub use_categories: bool,
    /// Keypoint sigmas (`kpt_oks_sigmas`), one per keypoint; only for keypoints.
    pub keypoint_sigmas: Vec<f64>,
    /// LVIS federated evaluation (`LVISEval`) or COCOeval; a ground-truth table resolves
    /// [`Federated::Detect`] to one of the others.
    pub federated: Federated,
    /// LVIS' detections per image, across categories (`LVISResults`' `max_dets`, 300):
    /// an LVIS evaluation keeps each image's best-scored this many and uses it as its only
    /// max detections.
    pub lvis_max_detections: usize,
}

impl Params {
    /// pycocotools' defaults for `iou_type` (`setDetParams` / `setKpParams`).
    pub fn new(iou_type: IouType) -> Self {
        let (max_detections, area_ranges) = match iou_type {
            IouType::Bbox | IouType::Segm => (
                vec![1, 10, 100],
                vec![
                    AreaRange::new("all", 0.0, 1e10),
                    AreaRange::new("small", 0.0, 1024.0),
                    AreaRange::new("medium", 1024.0, 9216.0),
                    AreaRange::new("large", 9216.0, 1e10),
                ],
            ),
            IouType::Keypoints => (
                vec![20],
                vec![
                    AreaRange::new("all", 0.0, 1e10),
                    AreaRange::new("medium", 1024.0, 9216.0),
                    AreaRange::new("large", 9216.0, 1e10),
                ],
            ),
        };
        Self {
            iou_type,
            max_detections,
            area_ranges,
            use_categories: true,
            // `np.array([...]) / 10.0`: the same divisions give the same doubles.
            keypoint_sigmas: COCO_SIGMAS_TIMES_TEN
                .iter()
                .map(|sigma| sigma / 10.0)
                .collect(),
            federated: Federated::Detect,
            lvis_max_detections: 300,
        }
    }

    /// Whether this is an LVIS evaluation (after the ground truth resolved detection).
    pub fn is_lvis(&self) -> bool {
        self.federated == Federated::Always
    }

    /// The largest number of detections per image (`maxDets[-1]`).
    pub fn max_detections_last(&self) -> usize {
        self.max_detections.last().copied().unwrap_or(0)
    }
}

/// The 10 IoU thresholds `np.linspace(.5, 0.95, 10)`: `0.5 + i * step` with numpy's step,
/// the last forced to 0.95 (so index 8 is 0.8999999999999999, not 0.9).
pub fn iou_thresholds() -> [f64; 10] {
    let step = (0.95 - 0.5) / 9.0;
    let mut thresholds = [0.0; 10];
    for (index, threshold) in thresholds.iter_mut().enumerate() {
        *threshold = index as f64 * step + 0.5;
    }
    thresholds[9] = 0.95;
    thresholds
}

/// The 101 recall thresholds `np.linspace(0, 1, 101)`: `i * 0.01`, the last 1.0.
pub fn recall_thresholds() -> [f64; 101] {
    let mut thresholds = [0.0; 101];
    for (index, threshold) in thresholds.iter_mut().enumerate() {
        *threshold = index as f64 * 0.01;
    }
    thresholds[100] = 1.0;
    thresholds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_numpy_linspace_doubles() {
        let iou = iou_thresholds();
        assert_eq!(iou[8], 0.8999999999999999);
        assert_eq!(iou[1], 0.55);
        assert_eq!(iou[9], 0.95);
        let recall = recall_thresholds();
        assert_eq!(recall[35], 0.35000000000000003);
        assert_eq!(recall[57], 0.5700000000000001);
        assert_eq!(recall[100], 1.0);
        let sigmas = Params::new(IouType::Keypoints).keypoint_sigmas;
        assert_eq!(sigmas[0], 0.026000000000000002);
        assert_eq!(sigmas[3], 0.034999999999999996);
        assert_eq!(sigmas[11], 0.10700000000000001);
    }
}
