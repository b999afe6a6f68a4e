//! Arguments of `cocoprep eval`: `detection`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(subcommand)]
    pub command: EvalCommand,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// COCO detection, segmentation or keypoint metrics, equal to pycocotools' COCOeval.
    ///
    /// Runs `evaluate()`, `accumulate()` and `summarize()` with pycocotools' semantics
    /// (crowd regions, inclusive area ranges, 101-point interpolation, keypoint OKS) and
    /// prints its 12 (keypoints: 10) lines; the stats and the precision/recall arrays are
    /// bit-identical to pycocotools 2.0.11's. Results are checked first: unknown image or
    /// category ids, missing scores and wrong keypoint counts are errors naming the
    /// record. An empty results list means "no detections".
    #[command(after_help = "Examples:
  cocoprep eval detection instances_val2017.json detections.json --iou-type bbox
  cocoprep eval detection instances_val2017.json masks.json --iou-type segm --per-category
  cocoprep eval detection person_keypoints_val2017.json kps.json --iou-type keypoints --json
  cocoprep eval detection gt.json dets.json --iou-type bbox --max-dets 1,10,300 --arrays eval/")]
    Detection(DetectionArgs),
}

#[derive(Debug, Args)]
pub struct DetectionArgs {
    /// The ground truth (instances_*.json, person_keypoints_*.json, ...).
    #[arg(value_name = "GT.json")]
    pub ground_truth: PathBuf,

    /// The results: a JSON list of `{image_id, category_id, score, bbox | segmentation |
    /// keypoints}` (what `COCO.loadRes` reads).
    #[arg(value_name = "RESULTS.json")]
    pub results: PathBuf,

    /// What to compare (pycocotools' `iouType`).
    #[arg(long, value_enum, alias = "iouType", alias = "iou_type")]
    pub iou_type: IouTypeArg,

    /// Max detections per image, ascending [default: 1,10,100; keypoints: 20]. The last
    /// one is used for the AP lines, the per-area lines and the matching.
    #[arg(long, value_delimiter = ',', value_name = "N,...", alias = "maxDets")]
    pub max_dets: Option<Vec<usize>>,

    /// Area ranges in pixels, both ends inclusive, the first being the overall one
    /// [default: all=0:1e10,small=0:1024,medium=1024:9216,large=9216:1e10; keypoints
    /// without small].
    #[arg(long, value_delimiter = ',', value_name = "LABEL=MIN:MAX,...")]
    pub area_ranges: Option<Vec<String>>,

    /// Pool all categories: a detection may match ground truth of any category
    /// (pycocotools' `useCats = 0`).
    #[arg(long, alias = "no-use-cats")]
    pub ignore_categories: bool,

    /// Evaluate only these images (pycocotools' `params.imgIds`).
    #[arg(long, value_delimiter = ',', value_name = "ID,...", alias = "imgIds")]
    pub image_ids: Option<Vec<u64>>,

    /// Also print AP, AP50 and AP75 per category.
    #[arg(long)]
    pub per_category: bool,

    /// Write the accumulated arrays to DIR as precision.npy [T,R,K,A,M], recall.npy
    /// [T,K,A,M] and scores.npy [T,R,K,A,M] (float64, as `COCOeval.eval` holds them).
    #[arg(long, value_name = "DIR")]
    pub arrays: Option<PathBuf>,

    /// Draw the precision-recall curves (mean over categories, first area range, last max
    /// detections) into a PNG: IoU 0.50 blue, 0.75 orange, 0.50:0.95 green.
    #[arg(long, value_name = "OUT.png")]
    pub pr_curves: Option<PathBuf>,

    /// Print the stats, the summary lines and per-category AP as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// pycocotools' `iouType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IouTypeArg {
    /// Boxes (`bbox`).
    Bbox,
    /// Masks (`segm`): polygons and RLE.
    Segm,
    /// Person keypoints, by object keypoint similarity (`keypoints`).
    Keypoints,
}
