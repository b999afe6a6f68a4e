//! The command-line interface: every clap struct lives in this module, one file per
//! command group; this file holds the top level and the list of commands.
//!
//! Arguments are resolved into plain settings structs (in each command's module) before a
//! command runs, so commands never look at clap types.

mod captions;
mod cluster;
mod coco;
mod convert;
mod datasets;
mod eval;
mod features;
mod fetch;
mod look;
mod masks;
mod targets;
mod webdata;

use clap::{ArgAction, Args, Parser, Subcommand};

pub use captions::{
    CaptionsArgs, CaptionsCommand, KarpathyArgs, LabelsArgs, NgramsArgs, OrderArg, ReferenceArgs,
    SplitsArgs, SubsampleArgs,
};
pub use cluster::{ClusterArgs, EmitArg, StatusArgs};
pub use coco::{DemoArgs, DialectArg, InspectArgs, ValidateArgs};
pub use convert::{
    ClassMapArg, CocoArgs, ConvertArgs, ConvertCommand, CrowdArg, FilterArgs, LinkArg, MergeArgs,
    SplitArgs, SubsetArgs, SubsetFormatArg, YoloArgs, YoloOutputArgs,
};
pub use datasets::{
    BookswikiArgs, Cc3mSplitArg, CheckArgs, DatasetArgs, DatasetCc3mArgs, DatasetCc12mArgs,
    DatasetCocoArgs, DatasetCommand, DatasetFlickr30kArgs, DatasetSbuArgs, DatasetVisualGenomeArgs,
    DatasetVqaArgs, GlueArgs, Imagenet22kArgs, ImagenetArgs, KineticsArgs, KineticsVersionArg,
    MsrvttArgs, MsvdArgs, PlaceArgs, RootArg, TreeArgs, VideoArgs, WebImageArgs,
};
pub use eval::{
    CaptionMetricArg, DetectionArgs, EvalArgs, EvalCaptionsArgs, EvalCommand, IouTypeArg,
    PrCurvesArgs, PrCurvesByArg,
};
pub use features::{
    ArchArg, ButdArgs, FeaturesArgs, FeaturesCommand, ModelArg, ResnetArgs, StoreArg,
    VsuaGeometryArgs, VsuaGraphArgs,
};
pub use fetch::{DownloadArgs, GetArgs, ListArgs, VerifyArgs};
pub use look::{LayerArg, ShowArgs, ViewArgs};
pub use masks::{
    MasksArgs, MasksCommand, OverlapArg, PanopticArgs, RleArgs, SemanticArgs, ThingsArg,
};
pub use targets::{NamesArgs, PresetArg, TargetsArgs, TargetsCommand};
pub use webdata::{
    EncodeFormatArg, FileNamesArg, InputFormatArg, OutputFormatArg, ResizeModeArg, WebdataArgs,
    WebdataCommand, WebdataDownloadArgs, WebdataPresetArg, WebdataStatusArgs,
};

const TREE_HELP: &str = "Examples:
  cocoprep tree /data --init          # create the folders, then check
  cocoprep tree /data --dataset msvd  # one dataset
  cocoprep tree /data --json          # for scripts
  cocoprep tree /data --clean-caches  # after regenerating annotations

Datasets: targets, coco, visual-genome, flickr30k, sbu, cc3m, cc12m, imagenet, imagenet22k,
bookswiki, glue, kinetics400, kinetics700, moments-in-time, msvd, msrvtt, vqa.";

const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  the command ran but found problems (e.g. `validate` found errors)
  2  the command could not run (bad arguments, unreadable or malformed input)";

/// Get COCO and its companion datasets on disk, in the exact formats training code reads.
#[derive(Debug, Parser)]
#[command(name = "cocoprep", version, propagate_version = true, after_help = EXIT_CODES)]
#[command(
    long_about = "cocoprep downloads, checks and converts COCO and the datasets that travel with it \
(Karpathy captions, bottom-up features, COCO-Stuff, panoptic, YOLO layouts), replacing the scripts \
researchers copy from blog posts with one resumable, verifiable tool."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Flags every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print only errors: no progress, no summaries.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more detail (repeat for even more).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// Worker threads for parallel work [default: one per CPU core].
    #[arg(
        short = 'j',
        long,
        global = true,
        env = "COCOPREP_JOBS",
        value_name = "N"
    )]
    pub jobs: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Summarise a COCO annotation file: counts, categories, areas, keypoints, captions.
    #[command(
        after_help = "Area ranges use COCOeval's thresholds: small < 32², medium < 96², large ≥ 96² pixels."
    )]
    Inspect(InspectArgs),

    /// Check a COCO annotation file (and optionally its images); report every problem.
    ///
    /// Each finding names the JSON path (`annotations[12].bbox`), the record id and what
    /// was expected. Errors are things a consumer will crash on or silently get wrong;
    /// warnings are things pycocotools tolerates but you should know about. The exit
    /// status is 1 if there is any error.
    Validate(ValidateArgs),

    /// Run the main jobs end to end on the small real COCO sample built into cocoprep.
    ///
    /// Writes the sample (10 COCO 2017 images with instances, keypoints and captions) to
    /// the output folder, then runs each cocoprep job on it and says where the results are.
    Demo(DemoArgs),

    /// Show the catalog: every resource and bundle `get` knows, with sizes and checksums.
    List(ListArgs),

    /// Download, verify and extract bundles or resources (resumable, parallel, checked).
    ///
    /// Each file is fetched over several HTTP range connections, resumed after any
    /// interruption (even `kill -9`), checked against its published size and checksum
    /// while it streams, then extracted with every member's CRC checked. A manifest in
    /// `DIR/.cocoprep` records what was verified, so re-running does no network work.
    ///
    /// Sharded (--shard, --shard-from-env), files are shared out by size (largest first, each
    /// to the least loaded shard) and subset images by position; every shard writes the same
    /// subset annotation file and data.yaml. With --emit, --shards defaults to one task per
    /// file, at most 16. Markers go to DIR/.cocoprep-jobs/.
    #[command(
        after_help = "Examples:\n  cocoprep get --dry-run coco2017\n  cocoprep get coco2017 --dir /data/coco\n  cocoprep get coco2017 --split val --classes person,dog --max-images 500\n  cocoprep get coco2017 --emit slurm --shards 4 > get.sbatch"
    )]
    Get(GetArgs),

    /// Download any URL with the same engine as `get` (resume, verify, progress).
    Download(DownloadArgs),

    /// Re-check a dataset folder: manifest sizes and CRCs, kept archives, image decoding.
    Verify(VerifyArgs),
    /// Convert between COCO JSON and YOLO datasets.
    Convert(ConvertArgs),

    /// Keep only some classes (in your order, ids remapped 0..k-1): COCO JSON or YOLO in,
    /// YOLO and/or COCO out, no polygon points or keypoints lost.
    ///
    /// From COCO JSON, rows are made like `convert yolo`'s; from a YOLO dataset only the
    /// class token of each row is rewritten. Images without any chosen class are left out
    /// (unless --include-empty). COCO output renumbers the chosen categories 1..k.
    #[command(after_long_help = convert::YOLO_LOSSY)]
    Subset(SubsetArgs),

    /// Keep part of a COCO file: by category, image id, area, crowd flag.
    Filter(FilterArgs),

    /// Merge COCO files: categories matched by name, images by file_name, ids renumbered
    /// where they collide.
    Merge(MergeArgs),

    /// Split a COCO file into parts by ratio (seeded random or stratified by category).
    Split(SplitArgs),

    /// Prepare Karpathy-format captioning data: labels, n-grams, references, splits.
    Captions(CaptionsArgs),

    /// Evaluate model outputs: detection, segmentation and keypoint metrics (pycocotools'
    /// COCOeval, bit-identical) and caption metrics (coco-caption's, without Java).
    #[command(subcommand_required = true)]
    Eval(EvalArgs),

    /// Features for captioning models: bottom-up-attention TSVs, ResNet grids, VSUA geometry.
    Features(FeaturesArgs),

    /// Masks: segmentations to RLE, PNG label maps, panoptic conversions (pycocotools-,
    /// cocostuffapi- and panopticapi-exact).
    #[command(subcommand_required = true)]
    Masks(MasksArgs),

    /// Uni-Perceiver's CLIP target sets: class names as token ids, pickled as the
    /// `{'data': [int64 tensors], 'modality': 'text'}` files its configs read.
    ///
    /// Each name is encoded as `name + " <|endoftext|>"` with a pure-Rust port of
    /// Uni-Perceiver's CLIP tokenizer (token-exact, merges built in). The pickles hold real
    /// torch tensors: loading them needs torch installed, as the training code has.
    #[command(after_help = "Examples:
  cocoprep targets imagenet1k -o /data/open_source_dataset
  cocoprep targets vqa --input VQA/trainval_label2ans.pkl -o /data/open_source_dataset
  cocoprep targets names my_classes.txt -o my_classes.pkl --json my_classes.json")]
    Targets(TargetsArgs),

    /// Check Uni-Perceiver's data tree (ROOT/open_source_dataset/) against every file its
    /// configs read: present, missing, wrong name, wrong format, stale loader cache, each
    /// with the command or `mv` that fixes it.
    ///
    /// Prints the DATA_PATH to export (ROOT: the parent of open_source_dataset/). Big files
    /// are judged by their first records only, so the check takes a moment even on a full
    /// tree. The exit status is 1 when there is any problem.
    #[command(after_help = TREE_HELP)]
    Tree(TreeArgs),

    /// Write one dataset's files under ROOT/open_source_dataset/ with the names the
    /// Uni-Perceiver configs read (atomically; re-running gives the same bytes).
    ///
    /// Afterwards the links its configs need are made and its loader cache pickles deleted
    /// (the loaders never rebuild them). Check the result with `cocoprep tree ROOT`.
    #[command(subcommand_required = true)]
    Dataset(DatasetArgs),

    /// Download URL lists (CC3M, CC12M, SBU, LAION, COCO, any txt/csv/tsv/jsonl/parquet)
    /// into image folders, WebDataset shards or Parquet, with img2dataset's options.
    ///
    /// Rows are read as a stream (flat memory on 12M rows) and cut into shards of
    /// --number-sample-per-shard rows; row R gets img2dataset's key and lands in shard
    /// R / N. Each shard writes its images, a Parquet index of every row (status, error,
    /// sizes, sha256) and OUT/NNNNN_stats.json last: a shard is complete when its stats
    /// file exists, and a re-run skips complete shards. Host names are resolved once per
    /// run in-process (no local DNS server needed); every request has a deadline
    /// (--timeout), only transient failures are retried (--retries), X-Robots-Tag opt-outs
    /// are honoured. --retry-failed re-fetches the transient failures of finished shards.
    /// Sharded (--shard I/N), task I writes the shards S with S % N == I.
    #[command(after_help = "Examples:
  cocoprep webdata Train_GCC-training.tsv --preset cc3m -o cc3m/train_image
  cocoprep webdata cc12m.tsv --preset cc12m -o cc12m-wds --output-format webdataset --image-size 384
  cocoprep webdata urls.parquet --url-col URL --caption-col TEXT -o laion --output-format parquet
  cocoprep webdata cc12m.tsv --preset cc12m -o /data/cc12m --output-format webdataset --emit slurm --shards 16 > cc12m.sbatch
  cocoprep webdata status /data/cc12m")]
    Webdata(WebdataArgs),

    /// Where the sharded jobs writing into a folder stand: shards done, shards left, and the
    /// exact line that re-submits only the unfinished ones.
    ///
    /// Reads ROOT/.cocoprep-jobs/, where every shard of `get`, `features butd`, `masks
    /// semantic` and `convert yolo` run with --shard or --shard-from-env leaves its marker.
    /// ROOT is the command's output folder (`get --dir`, the folder of `features butd`'s
    /// PREFIX, `-o` of the others). The exit status is 0 when every job is complete, 1 when
    /// some shard is unfinished.
    #[command(after_help = "Example:
  cocoprep features butd trainval.zip --output-dir /data/cocobu --emit slurm --shards 8 > butd.sbatch
  sbatch butd.sbatch
  cocoprep status /data          # later: which shards failed, and the sbatch line for them")]
    Status(StatusArgs),

    /// Draw annotations on images: boxes with class names, translucent polygon and RLE
    /// masks, keypoints with their skeleton, captions under the picture.
    ///
    /// Colours follow the category id, so a class looks the same in every picture, in
    /// `inspect --html` reports and in `view`. Crowd boxes are dashed; occluded keypoints
    /// (v = 1) are rings. Text uses the embedded DejaVu Sans, so pictures are the same on
    /// every machine.
    #[command(after_help = "Examples:
  cocoprep show annotations/instances_val2017.json --image 139 -o 139.png
  cocoprep show annotations/person_keypoints_val2017.json --image 000000000785.jpg 139 -o pictures/
  cocoprep show data.yaml --split val --image 000000000139.jpg -o 139.png")]
    Show(ShowArgs),

    /// Browse a dataset in your web browser: a paged grid of thumbnails, filters (category,
    /// image id, crowd, area, text), and each image with its overlays toggled per kind.
    ///
    /// One process, no database: the dataset is read once and served from memory. It is
    /// read-only and serves only the dataset's own images; it listens on 127.0.0.1 unless
    /// --host asks for another address. The URL is printed on stdout.
    #[command(after_help = "Examples:
  cocoprep view annotations/instances_val2017.json
  cocoprep view data.yaml --split train --port 9000
  cocoprep view dataset_coco.json --images /data/coco")]
    View(ViewArgs),
}
