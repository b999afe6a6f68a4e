//! The command-line interface: every clap struct lives in this module, one file per
//! command group; this file holds the top level and the list of commands.
//!
//! Arguments are resolved into plain settings structs (in each command's module) before a
//! command runs, so commands never look at clap types.

mod captions;
mod cluster;
mod coco;
mod convert;
mod eval;
mod features;
mod fetch;
mod masks;
mod targets;

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
pub use eval::{DetectionArgs, EvalArgs, EvalCommand, IouTypeArg};
pub use features::{
    ButdArgs, FeaturesArgs, FeaturesCommand, StoreArg, VsuaGeometryArgs, VsuaGraphArgs,
};
pub use fetch::{DownloadArgs, GetArgs, ListArgs, VerifyArgs};
pub use masks::{
    MasksArgs, MasksCommand, OverlapArg, PanopticArgs, RleArgs, SemanticArgs, ThingsArg,
};
pub use targets::{NamesArgs, PresetArg, TargetsArgs, TargetsCommand};

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

    /// Region features for captioning models: bottom-up-attention TSVs, VSUA geometry.
    Features(FeaturesArgs),
    /// Evaluate model outputs: detection, segmentation and keypoint metrics (pycocotools'
    /// COCOeval, bit-identical).
    #[command(subcommand_required = true)]
    Eval(EvalArgs),

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
}
