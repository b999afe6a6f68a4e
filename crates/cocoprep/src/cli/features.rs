//! Arguments of `cocoprep features`: bottom-up-attention features and VSUA geometry.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Args)]
pub struct FeaturesArgs {
    #[command(subcommand)]
    pub command: FeaturesCommand,
}

#[derive(Debug, Subcommand)]
pub enum FeaturesCommand {
    /// Convert bottom-up-attention TSVs to per-image att/fc/box files (≡ make_bu_data.py).
    ///
    /// Reads the TSV rows `image_id, image_w, image_h, num_boxes, boxes, features` of
    /// peteanderson80's Faster R-CNN features and writes PREFIX_att/<id>.npz (key `feat`,
    /// float32 (K, 2048)), PREFIX_fc/<id>.npy (the mean over boxes, bit-identical to NumPy's
    /// `mean(0)`) and PREFIX_box/<id>.npy (float32 (K, 4)). Rows that cannot be decoded are
    /// skipped and listed in PREFIX_report.json (exit status 1); images whose outputs are
    /// already complete are skipped, so an interrupted run can simply be restarted.
    #[command(after_help = "Examples:
  cocoprep features butd trainval.zip --output-dir data/cocobu
  cocoprep features butd data/bu_data/trainval --output-dir data/cocobu --store lmdb")]
    Butd(ButdArgs),
}

#[derive(Debug, Args)]
pub struct ButdArgs {
    /// TSV files, folders of them, or the downloaded zip (`trainval.zip`, read in place).
    #[arg(value_name = "TSV|DIR|ZIP", required_unless_present = "downloaded_feats")]
    pub inputs: Vec<PathBuf>,

    /// make_bu_data.py's input flag: a folder holding `trainval/` (or the TSVs).
    #[arg(long, alias = "downloaded_feats", hide = true, value_name = "DIR")]
    pub downloaded_feats: Option<PathBuf>,

    /// Output prefix: writes PREFIX_att, PREFIX_fc, PREFIX_box (and PREFIX_report.json).
    #[arg(
        long,
        alias = "output_dir",
        value_name = "PREFIX",
        default_value = "data/cocobu"
    )]
    pub output_dir: PathBuf,

    /// Per-image files (as make_bu_data.py), or one LMDB per kind (as dump_to_lmdb.py:
    /// PREFIX_att.lmdb, ...; keys are the image ids, values the file bytes).
    #[arg(long, value_enum, default_value_t = StoreArg::Files)]
    pub store: StoreArg,

    /// Deflate level of the .npz files, 1 (fastest) to 12 (smallest). On region features
    /// level 1 is within a few percent of NumPy's size (zlib level 6) at several times the
    /// speed.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=12))]
    pub compression_level: u8,

    /// Convert every row, even where complete outputs exist.
    #[arg(long)]
    pub overwrite: bool,

    /// Where to write the report of skipped rows [default: PREFIX_report.json].
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,

    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StoreArg {
    Files,
    Lmdb,
}
