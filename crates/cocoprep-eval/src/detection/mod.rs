//! COCO detection, segmentation and keypoint evaluation with pycocotools' `COCOeval`
//! semantics: the same matching (crowd regions, inclusive area ranges, ties to the later
//! ground truth, the id-0 sentinel), the same 101-point interpolation and the same float
//! operations, so that the `precision` / `recall` / `scores` arrays and the `stats` equal
//! pycocotools 2.0.11's bit for bit.
//!
//! Differences, all where pycocotools crashes or is plainly wrong:
//! * an empty results list is evaluated as "no detections" (pycocotools: `IndexError`);
//! * results on unknown images or categories, without a score, or with the wrong number of
//!   keypoints are [`EvalError`]s naming the record (pycocotools asserts, drops unknown
//!   categories silently, or fails later with a `KeyError`);
//! * segmentation results may be polygons or uncompressed RLE (pycocotools: `TypeError`);
//! * keypoints with `use_categories = false` pool the categories as boxes and masks do
//!   (pycocotools compares nothing and reports 0 for every stat);
//! * the summary honours custom max detections: its first AP line uses the last of them
//!   (pycocotools hard-codes 100 and reports -1 otherwise).
//!
//! LVIS ground truth (`neg_category_ids` on images, `frequency` on categories; see
//! [`Federated`]) is evaluated as the LVIS API's `LVISEval` (lvis 0.5.3) does, on the same
//! tables and matching: each image's 300 best-scored detections, federated image sets per
//! category, not-exhaustive categories' unmatched detections ignored, no crowd regions, and
//! the 13 results with APr/APc/APf, bit-identical to it.
//!
//! OKS uses the platform's `exp`; NumPy's AVX-512 `exp` differs from it in the last bit for
//! a few arguments, which can only matter when an OKS lands exactly on a threshold.
//!
//! Work is parallel across categories and, within each, across images (on the rayon pool
//! the call runs in). [`GroundTruthTable::read`] and [`ResultsTable::read`] keep of each
//! annotation only what the evaluation reads (ids, box, area, flags, score, and a packed
//! segmentation or keypoints when the IoU type compares them) while the files are parsed,
//! so memory is those compact records plus one category's matches at a time per worker:
//! masks are rasterised when their image is compared and dropped after.
//!
//! ```
//! use cocoprep_coco::Dataset;
//! use cocoprep_eval::detection::{IouType, Params, evaluate};
//!
//! let gt = Dataset::from_json_slice(br#"{"images": [{"id": 1, "width": 10, "height": 10}],
//!   "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4],
//!                    "area": 16, "iscrowd": 0}],
//!   "categories": [{"id": 1, "name": "dog"}]}"#)?;
//! let results = Dataset::from_json_slice(
//!     br#"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4], "score": 0.9}]"#)?;
//! let evaluation = evaluate(&gt, &results.annotations, &Params::new(IouType::Bbox), None)?;
//! assert_eq!(evaluation.stats()[0], 0.9999999999999998); // pycocotools' precision eps
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod accumulate;
mod curves;
mod diagnostics;
mod error;
mod evaluate;
mod federated;
mod matching;
mod numpy_sum;
mod params;
mod records;
mod similarity;
mod summary;
mod tables;

pub use curves::{CurveSlice, PrCurve};
pub use diagnostics::{
    ConfusionMatrix, ConfusionOptions, ImageGroups, SliceSource, TideError, TideErrorKind,
    TideOptions, TideReport, confusion_matrix, image_groups, tide,
};
pub use error::EvalError;
pub use evaluate::{Evaluation, evaluate, evaluate_tables};
pub use federated::Frequency;
pub use params::{AreaRange, Federated, IouType, Params, iou_thresholds, recall_thresholds};
pub use summary::{CategoryAp, SummaryLine};
pub use tables::{GroundTruthTable, ResultsTable};
