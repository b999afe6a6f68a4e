//! Arguments of the detection-dataset commands: `convert yolo`, `convert coco`, `subset`,
//! `filter`, `merge`, `split`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::ClusterArgs;

#[derive(Debug, Args)]
pub struct ConvertArgs {
    #[command(subcommand)]
    pub command: ConvertCommand,
}

#[derive(Debug, Subcommand)]
pub enum ConvertCommand {
    /// COCO JSON → YOLO labels, images and data.yaml (Ultralytics `convert_coco`).
    ///
    /// Each annotation file becomes a split named after it without `instances_`
    /// (`instances_val2017.json` → `labels/val2017/`, `images/val2017/`). Rows equal
    /// Ultralytics 8.4 `convert_coco`'s byte for byte: normalised centre boxes, class from
    /// `--class-map`, crowd annotations skipped, identical rows removed, numbers as Python's
    /// `%g`. Unlike it, re-runs replace the labels instead of appending to them, RLE masks
    /// become polygons, and images are placed next to the labels.
    ///
    /// Sharded (--shard, --shard-from-env), shard I writes the label files at positions I,
    /// I+N, ... of each split (images sharing a label file stay together) and their images,
    /// each written atomically straight into labels/<split>/ and images/<split>/, plus the
    /// same data.yaml as every other shard; together the shards write exactly what one run
    /// writes, and each marks itself done in DIR/.cocoprep-jobs/. Unlike a single run, which
    /// replaces each split folder whole, shards leave files of earlier runs in place: start
    /// sharded conversions in an empty DIR.
    #[command(after_long_help = YOLO_LOSSY)]
    Yolo(YoloArgs),

    /// YOLO labels → COCO JSON, so round trips are possible.
    ///
    /// Image sizes are read from the image headers. 5-column rows become boxes, longer rows
    /// polygons (box = the polygon's extent), or keypoints when the YAML has `kpt_shape`.
    /// `iscrowd` is always 0 and annotation ids are new.
    Coco(CocoArgs),
}

pub const YOLO_LOSSY: &str = "\
What is lost (YOLO rows cannot hold it):
  - precision: numbers are written as Python's %g, 6 significant digits (about 1e-6 of the
    image size); --precision full writes every digit
  - iscrowd=1 annotations and boxes with zero width or height are skipped
  - --segments: an object of several polygons becomes one polygon joined by zero-width
    bridges (Ultralytics' merge_multi_segment); an RLE mask becomes the outer contours of
    its pixels (holes filled, pieces inside holes dropped, integer pixel coordinates); an
    annotation with no usable polygon is written as its box (4 corners)
  - --keypoints: annotations with no labelled keypoint are skipped (as COCO eval does)
  - annotation ids, areas and attributes other than the geometry";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ClassMapArg {
    /// coco80 when the categories are COCO's, dense otherwise.
    Auto,
    /// COCO's 91 ids onto 0..79 (Ultralytics `cls91to80=True`).
    Coco80,
    /// category_id - 1 (Ultralytics `cls91to80=False`).
    IdMinusOne,
    /// Categories sorted by id become 0..n-1.
    Dense,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LinkArg {
    /// Hard links (no extra space); copies where linking fails.
    Hard,
    /// Symbolic links to the source images.
    Sym,
    /// Copies.
    Copy,
    /// No images.
    None,
}

/// Options shared by `convert yolo` and `subset` when they write YOLO from COCO.
#[derive(Debug, Args)]
pub struct YoloOutputArgs {
    /// Write polygon rows (instance segmentation).
    #[arg(long, alias = "use_segments", conflicts_with = "keypoints")]
    pub segments: bool,

    /// Write box + keypoint rows (pose).
    #[arg(long, alias = "use_keypoints")]
    pub keypoints: bool,

    /// Folder with the images: `DIR/<split>/<file_name>` or `DIR/<file_name>`.
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,

    /// How images are placed under `images/<split>/`.
    #[arg(long, value_enum, default_value = "hard")]
    pub link: LinkArg,

    /// Digits of label numbers: `ultralytics` (%g, 6 significant), `full` (lossless) or
    /// a number of significant digits.
    #[arg(long, default_value = "ultralytics", value_name = "P")]
    pub precision: String,
}

#[derive(Debug, Args)]
pub struct YoloArgs {
    /// COCO annotation files, or folders whose *.json files are all converted.
    #[arg(required = true, value_name = "ANN.json")]
    pub inputs: Vec<PathBuf>,

    /// The dataset folder to write.
    #[arg(short, long, value_name = "DIR", alias = "save_dir")]
    pub output: PathBuf,

    /// How category ids become classes.
    #[arg(long, value_enum, default_value = "auto")]
    pub class_map: ClassMapArg,

    /// Same as `--class-map coco80` (Ultralytics' flag name).
    #[arg(long, conflicts_with = "class_map")]
    pub cls91to80: bool,

    #[command(flatten)]
    pub yolo: YoloOutputArgs,

    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(Debug, Args)]
pub struct CocoArgs {
    /// The dataset root [default: the YAML's `path`].
    #[arg(value_name = "YOLO_DIR")]
    pub root: Option<PathBuf>,

    /// The dataset YAML (names, splits, kpt_shape).
    #[arg(long, value_name = "data.yaml")]
    pub yaml: PathBuf,

    /// Output: a .json file (needs one split) or a folder (`instances_<split>.json` each).
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,

    /// Only this split: a YAML key (`train`, `val`, `test`) or a split folder name.
    #[arg(long, value_name = "SPLIT")]
    pub split: Option<String>,

    /// Use COCO's category ids for the 80 classes (inverse of `--class-map coco80`)
    /// instead of class + 1.
    #[arg(long)]
    pub coco_ids: bool,

    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SubsetFormatArg {
    Yolo,
    Coco,
    Both,
}

#[derive(Debug, Args)]
pub struct SubsetArgs {
    /// COCO annotation files (one per split). Omit to subset a YOLO dataset (--yaml).
    #[arg(value_name = "ANN.json")]
    pub inputs: Vec<PathBuf>,

    /// Class names to keep, in the order that becomes class 0, 1, ... (exact names).
    #[arg(long, required = true, value_delimiter = ',', value_name = "A,B,C")]
    pub classes: Vec<String>,

    /// The folder to write.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,

    /// YOLO input: the dataset YAML.
    #[arg(long, value_name = "data.yaml", required_unless_present = "inputs")]
    pub yaml: Option<PathBuf>,

    /// YOLO input: the dataset root [default: the YAML's `path`].
    #[arg(long, value_name = "DIR", requires = "yaml")]
    pub yolo: Option<PathBuf>,

    /// What to write.
    #[arg(long, value_enum, default_value = "yolo")]
    pub format: SubsetFormatArg,

    /// Only these splits: split names for COCO input (`val2017`), YAML keys for YOLO input.
    #[arg(long, value_delimiter = ',', value_name = "S,T")]
    pub splits: Vec<String>,

    /// Keep at most N images per split, chosen at random (see --seed).
    #[arg(long, value_name = "N")]
    pub max_images: Option<usize>,

    /// Seed for --max-images.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Keep an image only if it has at least N objects of the chosen classes.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min_instances: usize,

    /// Also keep images without the chosen classes, as background images (empty labels).
    #[arg(long)]
    pub include_empty: bool,

    #[command(flatten)]
    pub yolo_output: YoloOutputArgs,

    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CrowdArg {
    Keep,
    Drop,
    Only,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// The COCO annotation file.
    #[arg(value_name = "ANN.json")]
    pub input: PathBuf,

    /// The file to write.
    #[arg(short, long, value_name = "OUT.json")]
    pub output: PathBuf,

    /// Keep annotations of these categories (names).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub categories: Vec<String>,

    /// Keep annotations of these category ids.
    #[arg(long, value_delimiter = ',', value_name = "ID,ID")]
    pub category_ids: Vec<u32>,

    /// Keep these images: ids separated by commas, or @FILE with one id per line.
    #[arg(long, value_name = "IDS|@FILE")]
    pub image_ids: Option<String>,

    /// Keep annotations whose `area` is at least this.
    #[arg(long, value_name = "PIXELS")]
    pub min_area: Option<f64>,

    /// Keep annotations whose `area` is at most this.
    #[arg(long, value_name = "PIXELS")]
    pub max_area: Option<f64>,

    /// What to do with iscrowd=1 annotations.
    #[arg(long, value_enum, default_value = "keep")]
    pub crowd: CrowdArg,

    /// Drop images left without annotations.
    #[arg(long)]
    pub drop_empty_images: bool,

    /// Keep every category record even when filtering by category.
    #[arg(long)]
    pub keep_all_categories: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// COCO annotation files, merged in this order.
    #[arg(required = true, num_args = 2.., value_name = "ANN.json")]
    pub inputs: Vec<PathBuf>,

    /// The file to write.
    #[arg(short, long, value_name = "OUT.json")]
    pub output: PathBuf,

    /// Renumber all image and annotation ids 1..n (default: only colliding ids change).
    #[arg(long)]
    pub renumber: bool,
}

#[derive(Debug, Args)]
pub struct SplitArgs {
    /// The COCO annotation file.
    #[arg(value_name = "ANN.json")]
    pub input: PathBuf,

    /// The folder to write `<name>.json` files to.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,

    /// Parts and their shares of the images.
    #[arg(long, default_value = "train=0.8,val=0.2", value_name = "NAME=R,...")]
    pub ratios: String,

    /// Seed of the shuffle.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Give every part its share of each category (grouped by each image's rarest one).
    #[arg(long)]
    pub stratify: bool,
}
