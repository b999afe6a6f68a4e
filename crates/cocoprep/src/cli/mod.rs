//! The command-line interface: every clap struct lives in this module, one file per
//! command group; this file holds the top level and the list of commands.
//!
//! Arguments are resolved into plain settings structs (in each command's module) before a
//! command runs, so commands never look at clap types.

mod coco;
mod masks;

use clap::{ArgAction, Args, Parser, Subcommand};

pub use coco::{DemoArgs, InspectArgs, ValidateArgs};
pub use masks::{
    MasksArgs, MasksCommand, OverlapArg, PanopticArgs, RleArgs, SemanticArgs, ThingsArg,
};

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

    /// Masks: segmentations to RLE, PNG label maps, panoptic conversions (pycocotools-,
    /// cocostuffapi- and panopticapi-exact).
    #[command(subcommand_required = true)]
    Masks(MasksArgs),
}
