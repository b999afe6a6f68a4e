//! Arguments of `cocoprep eval ...`: metrics of model outputs against ground truth
//! (`detection`, `captions`).

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
  cocoprep eval detection gt.json dets.json --iou-type bbox --max-dets 1,10,300 --arrays eval/
  cocoprep eval detection gt.json dets.json --iou-type bbox --pr-curves pr.png --pr-curves-by iou
  cocoprep eval detection gt.json dets.json --iou-type bbox --tide --confusion-matrix cm.csv
  cocoprep eval detection gt.json dets.json --iou-type segm --slice-by weather")]
    Detection(DetectionArgs),

    /// Caption metrics exactly as coco-caption (pycocoevalcap 1.2) computes them, without
    /// Java: BLEU-1..4, ROUGE-L and CIDEr(-D); METEOR and SPICE through their jars when
    /// asked for.
    ///
    /// Captions are tokenized as pycocoevalcap does (the Stanford PTB tokenizer's rules,
    /// lowercased, punctuation removed), then scored with the same arithmetic: the numbers
    /// equal pycocoevalcap's. The images evaluated are the reference images that have a
    /// result (coco-caption's `params['image_id'] = cocoRes.getImgIds()`).
    ///
    /// CIDEr's document frequencies come from the evaluated references, as in coco-caption;
    /// with one image every n-gram is in every document and CIDEr is 0 (a warning says
    /// so). --df takes them from a training set instead (self-critical's CIDEr-D).
    #[command(after_help = "Examples:
  cocoprep eval captions captions_val2014.json results.json
  cocoprep eval captions captions_val2017.json results.json --json --per-image scores.json
  cocoprep eval captions reference.json results.json --df data/coco-train-words.p
  cocoprep eval captions ref.json results.json --metrics spice --spice-jar spice/spice-1.0.jar")]
    Captions(EvalCaptionsArgs),
}

#[derive(Debug, Args)]
pub struct EvalCaptionsArgs {
    /// The reference captions: a COCO captions file (`captions_val2014.json`,
    /// `captions reference` output).
    #[arg(value_name = "REFERENCE.json")]
    pub reference: PathBuf,

    /// The results: a JSON list of `{"image_id": ..., "caption": ...}`, one per image.
    #[arg(value_name = "RESULTS.json")]
    pub results: PathBuf,

    /// The metrics to compute (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "bleu,rouge,cider",
        value_name = "LIST"
    )]
    pub metrics: Vec<CaptionMetricArg>,

    /// CIDEr-D document frequencies and document count from `cocoprep captions ngrams`
    /// (its `PREFIX-words.p` pickle) instead of the evaluated references'.
    #[arg(long, value_name = "WORDS.p")]
    pub df: Option<PathBuf>,

    /// Also write each image's scores (coco-caption's `evalImgs`) to this JSON file.
    #[arg(long, value_name = "OUT.json")]
    pub per_image: Option<PathBuf>,

    /// METEOR 1.5's jar, for `--metrics meteor` (pycocoevalcap's
    /// `pycocoevalcap/meteor/meteor-1.5.jar`, with its `data/paraphrase-en.gz`); it runs
    /// under Java with a 2 GB heap.
    #[arg(long, env = "COCOPREP_METEOR_JAR", value_name = "JAR")]
    pub meteor_jar: Option<PathBuf>,

    /// SPICE 1.0's jar, for `--metrics spice` (pycocoevalcap's
    /// `pycocoevalcap/spice/spice-1.0.jar`, with its `lib/` folder, which must hold Stanford
    /// CoreNLP 3.6.0's two jars); it runs under Java 8 or later with an 8 GB heap, without
    /// SPICE's parse cache (the cache fails on Java 16 and later).
    #[arg(long, env = "COCOPREP_SPICE_JAR", value_name = "JAR")]
    pub spice_jar: Option<PathBuf>,

    /// Print the corpus scores as JSON, under coco-caption's names.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CaptionMetricArg {
    /// BLEU-1..4 (`Bleu_1` .. `Bleu_4`).
    Bleu,
    /// METEOR (`METEOR`), through METEOR 1.5's jar: needs Java and --meteor-jar.
    Meteor,
    /// ROUGE-L (`ROUGE_L`).
    Rouge,
    /// CIDEr-D (`CIDEr`).
    Cider,
    /// SPICE (`SPICE`), through SPICE 1.0's jar: needs Java, --spice-jar and Stanford
    /// CoreNLP 3.6.0 in the jar's `lib/`.
    Spice,
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

    /// Max detections per image, ascending [default: 1,10,100; keypoints: 20; LVIS: 300].
    /// The last one is used for the AP lines, the per-area lines and the matching; for LVIS
    /// it is the only one: each image's best-scored N detections across categories.
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

    /// LVIS federated evaluation (lvis-api's `LVISEval`): detections count only on images
    /// where their category is annotated or listed in `neg_category_ids`, unmatched ones of
    /// `not_exhaustive_category_ids` are ignored, no crowd regions, 300 detections per
    /// image, and the summary adds APr, APc and APf by category `frequency`. The default
    /// when the ground truth has `neg_category_ids` or `frequency`; boxes or masks only.
    #[arg(long, conflicts_with = "no_lvis")]
    pub lvis: bool,

    /// COCO semantics (pycocotools' COCOeval) even on LVIS ground truth.
    #[arg(long)]
    pub no_lvis: bool,

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

    /// Also print TIDE's error breakdown (tidecv 1.0.1's definitions: IoU 0.5 foreground,
    /// 0.1 background, 100 detections per image): the AP gained by fixing each error type
    /// (classification, localisation, both, duplicate, background, missed) and how many
    /// there are, plus the false-positive and false-negative dAP. Boxes or masks only.
    #[arg(long)]
    pub tide: bool,

    /// Write hotcoco's cross-category confusion matrix (IoU 0.5, the last max detections per
    /// image) to a CSV file with category names, or to an .npy file (int64, (K+1)×(K+1));
    /// rows are ground truth, columns predictions, the last of each is background.
    #[arg(long, value_name = "OUT.csv|OUT.npy")]
    pub confusion_matrix: Option<PathBuf>,

    /// Also evaluate each group of images on its own and print their stats: KEY groups
    /// by a member of the ground truth's image records (`license`, or one of your own);
    /// a FILE.json maps groups to image ids (`{"day": [1, 2], "night": [3]}`) or image ids
    /// to groups (`{"1": "day"}`).
    #[arg(long, value_name = "KEY|FILE.json")]
    pub slice_by: Option<String>,

    /// Print the stats, the summary lines and per-category AP as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub pr_curves: PrCurvesArgs,
}

/// `--pr-curves` and the options that choose its lines (hotcoco 1.3's `pr_curve`
/// variants).
#[derive(Debug, Args)]
#[command(next_help_heading = "Precision-recall curves")]
pub struct PrCurvesArgs {
    /// Draw precision-recall curves into a PNG: recall on x, precision on y, each curve's
    /// AP in the legend and the first curve's F1 peak marked; --pr-curves-by chooses the
    /// lines. Curves average over categories (leaving out those without ground truth).
    #[arg(long, value_name = "OUT.png")]
    pub pr_curves: Option<PathBuf>,

    /// The lines of --pr-curves.
    #[arg(
        long,
        value_enum,
        default_value = "summary",
        value_name = "LINES",
        requires = "pr_curves"
    )]
    pub pr_curves_by: PrCurvesByArg,

    /// The IoU threshold of `category` and `area` curves: one of the evaluation's
    /// thresholds, or `mean` for the mean over 0.50:0.95 [default: category 0.5 (as
    /// hotcoco), area mean (as APs/APm/APl)].
    #[arg(long, value_name = "T|mean", requires = "pr_curves")]
    pub pr_iou: Option<String>,

    /// The area range of the curves, a label of --area-ranges [default: the first, `all`];
    /// `area` curves draw every range.
    #[arg(long, value_name = "LABEL", requires = "pr_curves")]
    pub pr_area: Option<String>,

    /// The max detections per image of the curves, one of --max-dets [default: the last].
    #[arg(long, value_name = "N", requires = "pr_curves")]
    pub pr_max_dets: Option<usize>,

    /// The categories of `category` curves, by id or name [default: the --pr-top with the
    /// highest AP at --pr-iou].
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ID|NAME,...",
        requires = "pr_curves"
    )]
    pub pr_categories: Option<Vec<String>>,

    /// How many categories `category` curves draw when --pr-categories is not given.
    #[arg(long, default_value_t = 10, value_name = "N", requires = "pr_curves")]
    pub pr_top: usize,
}

/// The lines of `--pr-curves`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PrCurvesByArg {
    /// IoU 0.50, 0.75 and the mean over 0.50:0.95 (the three AP lines of the summary).
    Summary,
    /// One line per IoU threshold, 0.50 to 0.95 (hotcoco's `pr_curve_iou_sweep`).
    Iou,
    /// One line per category at --pr-iou (hotcoco's `pr_curve_top_n`; one category with
    /// --pr-categories is its `pr_curve_by_category`).
    Category,
    /// One line per area range (all, small, medium, large) at --pr-iou.
    Area,
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
