//! Arguments of `cocoprep masks`: `rle`, `semantic`, `panoptic`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::ClusterArgs;

#[derive(Debug, Args)]
pub struct MasksArgs {
    #[command(subcommand)]
    pub command: MasksCommand,
}

#[derive(Debug, Subcommand)]
pub enum MasksCommand {
    /// Rewrite every segmentation as compressed RLE (pycocotools' `annToRLE` on each
    /// annotation), byte-identical to pycocotools.
    ///
    /// Polygons are rasterised at the image size and their parts merged; uncompressed RLE
    /// (crowd regions) is compressed; compressed RLE is kept as it is. `area` and `bbox`
    /// are kept unless recomputed from the mask.
    Rle(RleArgs),

    /// Write one PNG label map per image: pixel = category id, 0 = unlabelled
    /// (cocostuffapi's `cocoSegmentationToPng`, for every image, in parallel).
    ///
    /// PNGs are 8-bit indexed with COCO-Stuff's palette and named after the image file
    /// (`000000000139.jpg` → `000000000139.png`). Annotations are painted in file order.
    /// Labels above 127 are kept (cocostuffapi's int8 cast can break them).
    ///
    /// Sharded (--shard, --shard-from-env), shard I renders the images at positions I, I+N,
    /// I+2N, ... of the file's `images`, so shards write disjoint PNGs that together equal a
    /// single run's; each marks itself done in DIR/.cocoprep-jobs/.
    #[command(after_help = "Examples:
  cocoprep masks semantic stuff_train2017.json -o stuffthingmaps/train2017
  cocoprep masks semantic stuff_train2017.json -o /data/maps --emit slurm --shards 16 > maps.sbatch")]
    Semantic(SemanticArgs),

    /// Convert COCO panoptic annotations (JSON + segment PNGs) to semantic label PNGs and
    /// to COCO instance-style JSON (panopticapi's converters).
    Panoptic(PanopticArgs),
}

#[derive(Debug, Args)]
pub struct RleArgs {
    /// The annotation file (instances, person_keypoints, stuff or a results list).
    pub input: PathBuf,

    /// Where to write the converted file.
    #[arg(short, long, value_name = "OUT.json")]
    pub output: PathBuf,

    /// Replace `area` with the mask's pixel count (pycocotools' `mask.area`).
    #[arg(long)]
    pub recompute_area: bool,

    /// Replace `bbox` with the mask's tight box (pycocotools' `mask.toBbox`).
    #[arg(long)]
    pub recompute_bbox: bool,

    /// Take image sizes from this annotation file (the ground truth of a results list:
    /// results carry only `image_id`, and polygons need the image's height and width, as
    /// in pycocotools' `loadRes`).
    #[arg(long, value_name = "GT.json")]
    pub images: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OverlapArg {
    /// A later annotation paints over an earlier one.
    Last,
    /// An earlier annotation keeps its pixels.
    First,
    /// Overlapping annotations are an error for that image (cocostuffapi's check).
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ThingsArg {
    /// Thing categories keep their own id.
    Keep,
    /// Thing categories become 183 (`other`), as in COCO-Stuff.
    Other,
}

#[derive(Debug, Args)]
pub struct SemanticArgs {
    /// The annotation file (COCO-Stuff `stuff_*.json`, instances, ...).
    pub input: PathBuf,

    /// The folder for the PNGs.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,

    /// Where masks overlap: the last annotation wins, the first wins, or it is an error.
    #[arg(long, value_enum, default_value = "last")]
    pub overlap: OverlapArg,

    /// Also paint crowd (`iscrowd: 1`) regions.
    #[arg(long, alias = "includeCrowd", hide_short_help = true)]
    pub include_crowd: bool,

    /// What thing categories become: their id, or 183 (`other`). A category is a thing if
    /// its `isthing` is 1, or, without `isthing`, if its id is at most 91.
    #[arg(long, value_enum, default_value = "keep")]
    pub things: ThingsArg,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(Debug, Args)]
pub struct PanopticArgs {
    /// The panoptic annotation file (`panoptic_val2017.json`).
    #[arg(required_unless_present = "input_json_file")]
    pub input: Option<PathBuf>,

    /// panopticapi's name for the input file.
    #[arg(long = "input_json_file", hide = true, conflicts_with = "input")]
    pub input_json_file: Option<PathBuf>,

    /// The folder of segment PNGs [default: the JSON path without `.json`].
    #[arg(long, value_name = "DIR", alias = "segmentations_folder")]
    pub png_dir: Option<PathBuf>,

    /// Write semantic label PNGs (8-bit grayscale, pixel = category id, 0 = void) here.
    #[arg(
        short,
        long,
        value_name = "DIR",
        alias = "semantic_seg_folder",
        required_unless_present_any = ["detection_json", "semantic_json"]
    )]
    pub output: Option<PathBuf>,

    /// Write one RLE annotation per segment (panopticapi's panoptic2detection) here.
    #[arg(long, value_name = "OUT.json")]
    pub detection_json: Option<PathBuf>,

    /// Write one RLE annotation per image and category (panopticapi's
    /// panoptic2semantic JSON output) here.
    #[arg(long, value_name = "OUT.json")]
    pub semantic_json: Option<PathBuf>,

    /// Category list that says which categories are things (`isthing`)
    /// [default: the file's own categories].
    #[arg(long, value_name = "FILE", alias = "categories_json_file")]
    pub categories: Option<PathBuf>,

    /// In the semantic outputs, turn thing categories into 183 (`other`).
    #[arg(long, value_enum, default_value = "keep")]
    pub things: ThingsArg,

    /// Same as `--things other` (panopticapi's flag).
    #[arg(long = "things_other", hide = true)]
    pub things_other: bool,

    /// In the detection output, keep only thing segments.
    #[arg(long, alias = "things_only")]
    pub things_only: bool,

    /// `id` of the first generated annotation. panopticapi numbers from 0, which
    /// pycocotools' evaluation treats as "no match"; cocoprep starts at 1 unless told.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub first_id: u64,
}
